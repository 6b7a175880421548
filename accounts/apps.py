from django.apps import AppConfig
from django.db.models.signals import post_delete


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self) -> None:
        from accounts.models import Membership

        post_delete.connect(drop_team_tokens, sender=Membership, dispatch_uid="accounts.drop_team_tokens")


def drop_team_tokens(sender, instance, **kwargs) -> None:
    """A member who leaves a team loses the tokens bound to it (knox then answers 401)."""
    from accounts.models import ApiToken

    for token in ApiToken.objects.filter(user_id=instance.user_id, team_id=instance.team_id):
        token.revoke()
