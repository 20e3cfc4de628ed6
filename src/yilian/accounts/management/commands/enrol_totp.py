"""``yilian manage enrol_totp USERNAME`` — enrol a staff member's authenticator (TOTP).

Prints the ``otpauth://`` URI and its QR code (in the terminal, or as a PNG with
``--png FILE``) for the staff member to scan, once, in person. Enrolling again replaces
the old device (a lost phone stops working at once).
"""

from __future__ import annotations

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yilian.accounts import roles, second_factor


class Command(BaseCommand):
    help = "Enrol a staff user's TOTP authenticator; prints the otpauth URI and a QR code."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--png", help="also write the QR code to this PNG file")
        parser.add_argument("--no-qr", action="store_true", help="print the URI only")

    def handle(self, *args, username: str, png: str | None, no_qr: bool, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r} / 没有用户 {username}")
        if not roles.is_staff_member(user):
            raise CommandError(f"{username} is not staff; applicants sign in by phone code "
                               f"/ {username} 不是工作人员账号")
        device = second_factor.enrol(user)
        uri = device.config_url
        self.stdout.write(f"TOTP enrolled for {username} / 已为 {username} 登记动态口令设备")
        self.stdout.write(uri)
        qr = segno.make(uri, error="m")
        if png:
            qr.save(png, scale=6)
            self.stdout.write(f"QR code written to {png}")
        if not no_qr:
            qr.terminal(out=self.stdout._out, compact=True)
