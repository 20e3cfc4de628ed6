"""Every reading of a reserved 字号's 多音字 (issue 12): the homophone check compares them
all. Active reservations get theirs filled in; released ones are never compared."""

from django.db import migrations, models


def fill_readings(apps, schema_editor):
    from yilian.names.parse import UnparsableName, parse
    from yilian.names.services import stored_readings

    reservations = apps.get_model("names", "NameReservation")
    for row in reservations.objects.filter(released_at__isnull=True).only("pk", "name"):
        try:
            trade_name = parse(row.name).trade_name
        except UnparsableName:
            continue
        reservations.objects.filter(pk=row.pk).update(readings=stored_readings(trade_name))


class Migration(migrations.Migration):

    dependencies = [
        ("names", "0002_reservation_release_reason"),
    ]

    operations = [
        migrations.AddField(
            model_name="namereservation",
            name="readings",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(fill_readings, migrations.RunPython.noop),
    ]
