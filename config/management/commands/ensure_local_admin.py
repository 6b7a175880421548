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
        admin = User.objects.filter(username="admin").first()
        if admin is not None:
            join_demo_team(admin)
            self.stdout.write("ensure_local_admin: user 'admin' already exists (local use only)")
            return
        admin = User.objects.create_superuser("admin", "admin@localhost", "admin")
        # The demo's rows belong to the demo team: the local admin owns it, so pages show them.
        join_demo_team(admin)
        self.stdout.write(
            "ensure_local_admin: created superuser admin / admin — for local use only, never in production"
        )
