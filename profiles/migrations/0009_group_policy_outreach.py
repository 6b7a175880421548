"""Grant the groups' permissions on the contact, list and watch models (issue 20)."""

from django.db import migrations


def refresh(apps, schema_editor):
    from importlib import import_module

    import_module("profiles.migrations.0002_analyst_staff_groups").create_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0008_favorites_into_lists"),
        ("watches", "0001_initial"),
    ]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
