"""Grant the groups' permissions on the issue-21 models (review suggestions, identity links)."""

from django.db import migrations


def refresh(apps, schema_editor):
    from importlib import import_module

    import_module("profiles.migrations.0002_analyst_staff_groups").create_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0007_reddit_requirements_suggestions_links"),
        ("posts", "0002_comment_sentiment_aggregates"),
    ]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
