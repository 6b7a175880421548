"""Grant the groups' permissions on the Lookup model (staff read every user's lookups in admin)."""

from django.db import migrations


def refresh(apps, schema_editor):
    from importlib import import_module

    import_module("profiles.migrations.0002_analyst_staff_groups").create_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("scraping", "0003_lookup"),
        ("profiles", "0006_team"),
    ]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
