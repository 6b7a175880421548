from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from config.demo import join_demo_team


class Command(BaseCommand):
    help = (
        "Create the local-only superuser admin/admin for `make run` (refuses when DEBUG is off) and make it "
        "the owner of the demo team."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("refusing to create admin/admin with DEBUG off: this account is for local use only")
        User = get_user_model()
        user = User.objects.filter(username="admin").first()
        created = user is None
        if created:
            user = User.objects.create_superuser("admin", "admin@localhost", "admin")
        if not user.email:
            user.email = "admin@localhost"
            user.save(update_fields=["email"])
        # Sign-in asks for a verified e-mail address (ACCOUNT_EMAIL_VERIFICATION=mandatory).
        EmailAddress.objects.update_or_create(
            user=user, email=user.email.lower(), defaults={"verified": True, "primary": True}
        )
        # The demo's rows belong to the demo team: the local admin owns it, so pages show them.
        join_demo_team(user)
        if created:
            self.stdout.write(
                "ensure_local_admin: created superuser admin / admin — for local use only, never in production"
            )
        else:
            self.stdout.write("ensure_local_admin: user 'admin' already exists (local use only)")
