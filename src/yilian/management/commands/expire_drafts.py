"""``yilian manage expire_drafts``: expire drafts untouched for YILIAN_DRAFT_DAYS days."""

from django.core.management.base import BaseCommand

from yilian.forms.lifecycle import expire_drafts


class Command(BaseCommand):
    help = "Mark drafts untouched for YILIAN_DRAFT_DAYS days as expired, releasing what " \
           "they held (idempotent; the sweeper also runs it)."

    def handle(self, *args, **options):
        count = expire_drafts()
        self.stdout.write(f"{count} draft(s) expired")
