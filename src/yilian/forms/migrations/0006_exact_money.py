"""Amounts as integer cents (yilian.forms.money.MoneyField) instead of DecimalField,
whose SQLite column rounded through a double.

Each amount is copied in SQL as ROUND(x * 100): exact on PostgreSQL (numeric), and on
SQLite the nearest cent of what the column still held (a value already rounded on the
way in cannot be recovered; every one that was exact stays so)."""

from django.db import migrations

import yilian.forms.money

AMOUNTS = [
    ("application", "registered_capital", "注册资本（认缴，元） registered capital (subscribed, CNY)", 16),
    ("investor", "amount", "认缴出资额（元）", 16),
    ("employee", "monthly_wage", "缴费基数（元/月）", 12),
]


def _operations():
    for model, field, label, digits in AMOUNTS:
        table, cents = f"forms_{model}", f"{field}_cents"
        kwargs = {"max_digits": digits} if digits != 16 else {}
        yield migrations.AddField(model, cents, yilian.forms.money.MoneyField(
            label, null=True, blank=True, **kwargs))
        yield migrations.RunSQL(
            f'UPDATE "{table}" SET "{cents}" = CAST(ROUND("{field}" * 100) AS BIGINT) '
            f'WHERE "{field}" IS NOT NULL',
            f'UPDATE "{table}" SET "{field}" = "{cents}" / 100.0 WHERE "{cents}" IS NOT NULL')
        yield migrations.RemoveField(model, field)
        yield migrations.RenameField(model, cents, field)


class Migration(migrations.Migration):

    dependencies = [
        ("forms", "0005_application_status_withdrawn_expired"),
    ]

    operations = list(_operations())
