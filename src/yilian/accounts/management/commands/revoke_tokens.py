"""``yilian manage revoke_tokens USERNAME`` — revoke every API token of a user (a lost
laptop, a leaver). The Django admin's API token list has the same as an action."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yilian.accounts import tokens


class Command(BaseCommand):
    help = "Revoke every API token of a user."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r} / 没有用户 {username}")
        count = tokens.revoke_all(user)
        self.stdout.write(f"{count} token(s) of {username} revoked / 已撤销 {count} 个令牌")
