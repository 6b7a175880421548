"""Lookups belong to a team: add ``team`` and give each existing lookup its requester's team.

The requester's oldest membership is the team ``accounts.teams.current_team`` falls back on, so a
lookup lands where its requester found it before; after ``accounts`` 0005 every user of the time is
a member of "Default". Lookups run from the command line (no requester) keep no team.
"""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    Lookup = apps.get_model("scraping", "Lookup")
    Membership = apps.get_model("accounts", "Membership")
    first_team = {}
    for user_id, team_id in Membership.objects.order_by("-created_at", "-id").values_list("user_id", "team_id"):
        first_team[user_id] = team_id  # oldest last: it wins
    requesters = Lookup.objects.filter(team__isnull=True, requester__isnull=False)
    for user_id in requesters.values_list("requester_id", flat=True).distinct():
        if user_id in first_team:
            requesters.filter(requester_id=user_id).update(team_id=first_team[user_id])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_invitation"),
        ("scraping", "0004_group_policy_lookup"),
    ]

    operations = [
        migrations.AddField(
            model_name="lookup",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lookups",
                to="accounts.team",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="lookup",
            index=models.Index(fields=["team", "-created_at"], name="lookup_team_recent"),
        ),
    ]
