"""Codes count against the number's allowance of their kind (sign-in or confirmation)
and the account that asked; the outbox keeps a message's code in demo mode only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_signin_failures_api_tokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField("outboxmessage", "code", models.CharField(blank=True, max_length=8)),
        migrations.AddField("phonecode", "quota",
                            models.CharField(db_index=True, default="sign_in", max_length=8)),
        migrations.AddField("phonecode", "account", models.ForeignKey(
            blank=True, help_text="The signed-in account that asked (rate limits).", null=True,
            on_delete=django.db.models.deletion.SET_NULL, related_name="+",
            to=settings.AUTH_USER_MODEL)),
    ]
