from django.apps import AppConfig, apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals
        from django.db.models import signals

        from accounts import audit, teams
        from accounts import signals as account_signals
        from accounts.invitations import accept_pending
        from accounts.models import Membership, Team

        auth_signals.user_logged_in.connect(accept_pending, dispatch_uid="accounts.accept_pending_invitation")

        signals.post_delete.connect(drop_team_tokens, sender=Membership, dispatch_uid="accounts.drop_team_tokens")

        # The memberships cached per user (accounts.teams.user_memberships) go stale on any of these.
        signals.post_save.connect(teams.on_membership_changed, sender=Membership, dispatch_uid="teams-member-saved")
        signals.post_delete.connect(teams.on_membership_changed, sender=Membership, dispatch_uid="teams-member-gone")
        signals.post_save.connect(teams.on_team_changed, sender=Team, dispatch_uid="teams-team-saved")
        signals.pre_delete.connect(teams.on_team_changed, sender=Team, dispatch_uid="teams-team-deleted")

        # Every door (pages, admin, the token endpoint) signs in through django.contrib.auth, so these
        # three see them all.
        auth_signals.user_logged_in.connect(audit.on_logged_in, dispatch_uid="audit-logged-in")
        auth_signals.user_logged_out.connect(audit.on_logged_out, dispatch_uid="audit-logged-out")
        auth_signals.user_login_failed.connect(audit.on_login_failed, dispatch_uid="audit-login-failed")
        signals.pre_save.connect(audit.on_membership_pre_save, sender=Membership, dispatch_uid="audit-member-pre")
        signals.post_save.connect(audit.on_membership_saved, sender=Membership, dispatch_uid="audit-member-saved")
        signals.post_delete.connect(audit.on_membership_deleted, sender=Membership, dispatch_uid="audit-member-gone")
        account_signals.token_created.connect(
            audit.on_token_event(audit.Action.TOKEN_CREATED), weak=False, dispatch_uid="audit-token-created"
        )
        account_signals.token_revoked.connect(
            audit.on_token_event(audit.Action.TOKEN_REVOKED), weak=False, dispatch_uid="audit-token-revoked"
        )

        # Two-factor changes come from allauth's mfa app. Imported here, only when that app is installed,
        # so the trail works with or without allauth: without it there is nothing to record.
        if not apps.is_installed("allauth.mfa"):
            return
        from allauth.mfa import signals as mfa_signals

        Action = audit.AuditEntry.Action
        for signal, action in (
            (mfa_signals.authenticator_added, Action.MFA_ADDED),
            (mfa_signals.authenticator_removed, Action.MFA_REMOVED),
            (mfa_signals.authenticator_reset, Action.MFA_RESET),
            # A wrong code at the second step: a failed sign-in like a wrong password.
            (mfa_signals.authentication_failed, Action.SIGN_IN_FAILED),
        ):
            signal.connect(audit.on_mfa_event(action), weak=False, dispatch_uid=f"audit-mfa-{action}")


def drop_team_tokens(sender, instance, **kwargs) -> None:
    """A member who leaves a team loses the tokens bound to it (knox then answers 401)."""
    from accounts.models import ApiToken

    for token in ApiToken.objects.filter(user_id=instance.user_id, team_id=instance.team_id):
        token.revoke()
