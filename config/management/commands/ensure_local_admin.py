from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the local-only superuser admin/admin for `make run` (refuses when DEBUG is off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("refusing to create admin/admin with DEBUG off: this account is for local use only")
        User = get_user_model()
        if User.objects.filter(username="admin").exists():
            self.stdout.write("ensure_local_admin: user 'admin' already exists (local use only)")
            return
        User.objects.create_superuser("admin", "admin@localhost", "admin")
        self.stdout.write(
            "ensure_local_admin: created superuser admin / admin — for local use only, never in production"
        )
