"""Data migration: every user who exists before teams becomes a member of one "Default" team.

Superusers join as owners, everyone else as analysts. The rows they own get this team in the
``profiles`` and ``campaigns`` migrations that add the ``team`` columns. A database without users
(a fresh install, the test database) gets no team.
"""

from django.conf import settings
from django.db import migrations

DEFAULT_SLUG = "default"


def create_default_team(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Team = apps.get_model("accounts", "Team")
    Membership = apps.get_model("accounts", "Membership")
    users = list(User.objects.order_by("pk").values_list("pk", "is_superuser"))
    if not users:
        return
    team, _ = Team.objects.get_or_create(slug=DEFAULT_SLUG, defaults={"name": "Default"})
    Membership.objects.bulk_create(
        [Membership(team=team, user_id=pk, role="owner" if is_superuser else "analyst") for pk, is_superuser in users],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_default_team, migrations.RunPython.noop)]
