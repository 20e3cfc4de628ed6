from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yilian.accounts"
    label = "accounts"
    verbose_name = "账户与角色 Accounts and roles"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from yilian.accounts import lockout

        def _clear_failures(sender, request, user, **kwargs):
            # A complete sign-in (password and, for staff, the second factor) starts
            # the account's failure count afresh.
            lockout.succeeded(user.get_username())

        user_logged_in.connect(_clear_failures, weak=False,
                               dispatch_uid="yilian-clear-failures")
