"""Co-signers (共同签署) become parties (实名确认): every natural person the form names,
keyed by their ID number. Investors get a mobile number, and a corporate investor the
person who signs for it.

Existing invitations are kept where the form names the invited person (matched by name,
then by phone) — their confirmations stay bound to the digest they were given; an
invitation the form no longer backs is dropped, as parties only exist for people in the
form. The remaining people become parties on the next save or submission
(:func:`yilian.forms.parties.sync`)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _bind_to_form(apps, schema_editor):
    Party = apps.get_model("forms", "Party")
    Investor = apps.get_model("forms", "Investor")
    Person = apps.get_model("forms", "Person")
    taken: set[tuple] = set()
    for party in Party.objects.order_by("pk"):
        rows = [*Investor.objects.filter(application_id=party.application_id, kind="natural"),
                *Person.objects.filter(application_id=party.application_id)]
        match = (next((r for r in rows if r.name == party.name and r.id_number), None)
                 or next((r for r in rows if getattr(r, "phone", "") == party.phone
                          and r.id_number), None))
        key = (party.application_id, match.id_number.strip().upper() if match else "")
        if match is None or key in taken:
            party.delete()
            continue
        taken.add(key)
        party.id_number = key[1]
        party.save(update_fields=["id_number"])


class Migration(migrations.Migration):

    dependencies = [
        ("forms", "0003_cosigner"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="cosigner", name="one_invitation_per_phone"),
        migrations.RenameModel("CoSigner", "Party"),
        migrations.AddField("investor", "phone",
                            models.CharField(blank=True, max_length=20, verbose_name="手机号码")),
        migrations.AddField("investor", "signatory_name",
                            models.CharField(blank=True, max_length=50, verbose_name="签署人姓名")),
        migrations.AddField("investor", "signatory_id_number",
                            models.CharField(blank=True, max_length=18,
                                             verbose_name="签署人身份证号码")),
        migrations.AddField("investor", "signatory_phone",
                            models.CharField(blank=True, max_length=20,
                                             verbose_name="签署人手机号码")),
        migrations.AddField("party", "id_number",
                            models.CharField(default="", max_length=18, verbose_name="身份证号码"),
                            preserve_default=False),
        migrations.AddField("party", "roles",
                            models.JSONField(default=list, verbose_name="职务 roles")),
        migrations.AddField("party", "position", models.PositiveSmallIntegerField(default=0)),
        migrations.AlterField("party", "application",
                              models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                related_name="parties", to="forms.application")),
        migrations.AlterField("party", "phone",
                              models.CharField(blank=True, max_length=20, verbose_name="手机号码")),
        migrations.AlterField("party", "invited_by",
                              models.ForeignKey(blank=True, null=True,
                                                on_delete=django.db.models.deletion.PROTECT,
                                                related_name="+", to=settings.AUTH_USER_MODEL)),
        migrations.AlterField("party", "invited_at", models.DateTimeField(blank=True, null=True)),
        migrations.AlterField("party", "confirmed_at",
                              models.DateTimeField(blank=True, null=True, verbose_name="确认时间")),
        migrations.AlterField("party", "confirmed_via", models.CharField(blank=True, max_length=10)),
        migrations.RunPython(_bind_to_form, migrations.RunPython.noop),
        migrations.AlterModelOptions("party", {"ordering": ["position", "id"]}),
        migrations.AddConstraint("party", models.UniqueConstraint(
            fields=("application", "id_number"), name="one_party_per_person")),
    ]
