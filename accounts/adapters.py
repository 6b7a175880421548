"""How allauth behaves here: who may sign up, where SSO providers come from, when 2FA may be removed."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.http import Http404, HttpRequest

from accounts import invitations

# Authenticators that are a second factor on their own; recovery codes only back them up.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # A visitor who opened an invitation link (its key waits in the session, accounts/invitations.py)
        # may sign up even when sign-up is closed.
        return settings.ACCOUNT_SIGNUP_OPEN or bool(request.session.get(invitations.SESSION_KEY))


class ProviderNotConfigured(Http404, SocialApp.DoesNotExist):
    """A sign-in provider whose variables are not set: its URLs answer 404 (allauth's own callers
    still see the ``SocialApp.DoesNotExist`` they expect)."""


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        """Only the providers configured by environment variables: a SocialApp row added in admin
        would otherwise show a button nobody configured in the deployment."""
        return [app for app in super().list_apps(request, provider, client_id) if app.pk is None]

    def get_app(self, request, provider, client_id=None):
        try:
            return super().get_app(request, provider, client_id)
        except SocialApp.DoesNotExist:
            raise ProviderNotConfigured(f"Sign-in with {provider} is not configured here.") from None


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # With MFA_REQUIRED the last second factor stays.
        if settings.MFA_REQUIRED and authenticator.type in SECOND_FACTORS:
            others = Authenticator.objects.filter(user_id=authenticator.user_id, type__in=SECOND_FACTORS)
            if not others.exclude(pk=authenticator.pk).exists():
                return False
        return super().can_delete_authenticator(authenticator)
