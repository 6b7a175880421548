from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.invitations import accept_pending

        user_logged_in.connect(accept_pending, dispatch_uid="accounts.accept_pending_invitation")
