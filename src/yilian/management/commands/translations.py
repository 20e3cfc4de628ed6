"""``yilian manage translations``: extract, derive zh-Hant, compile; list what is missing."""

from django.core.management.base import BaseCommand

from yilian import i18n


class Command(BaseCommand):
    help = "Update every app's catalogues (zh-Hant derived by OpenCC), compile them, and " \
           "list English entries still to translate."

    def add_arguments(self, parser):
        parser.add_argument("--no-extract", action="store_true",
                            help="only derive zh-Hant and compile (no GNU gettext needed)")
        parser.add_argument("--app", help="only this app's catalogues (yilian = the "
                            "package's own)")

    def handle(self, *args, **options):
        if not options["no_extract"]:
            i18n.make_messages(options["app"])
        todo = 0
        for language, po in i18n.catalogues(options["app"]):
            if language == "zh_Hant":
                i18n.fill_traditional(po)
            else:
                for msgid in i18n.missing(po):
                    todo += 1
                    self.stdout.write(f"{po}: {msgid!r}")
        i18n.compile_all(options["app"])
        self.stdout.write(f"{todo} English entr{'y' if todo == 1 else 'ies'} to translate")
