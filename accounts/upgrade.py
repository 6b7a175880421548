"""The move of an installation to teams, for the data migrations (historical models only).

``accounts`` 0002 makes every user of that time a member of one "Default" team; each app's
migration that adds a ``team`` column gives its existing rows to that team before requiring it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import migrations

DEFAULT_SLUG = "default"


def create_default_team(apps, schema_editor) -> None:
    """Superusers join as owners, everyone else as analysts; a database without users gets no team."""
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


def give_rows_to_default_team(app_label: str, *model_names: str) -> migrations.RunPython:
    """A migration operation that gives every row of these models without a team to the "Default" team."""

    def forwards(apps, schema_editor) -> None:
        Team = apps.get_model("accounts", "Team")
        team = None
        for model_name in model_names:
            rows = apps.get_model(app_label, model_name).objects.filter(team__isnull=True)
            if not rows.exists():
                continue
            if team is None:
                team, _ = Team.objects.get_or_create(slug=DEFAULT_SLUG, defaults={"name": "Default"})
            rows.update(team=team)

    return migrations.RunPython(forwards, migrations.RunPython.noop)
