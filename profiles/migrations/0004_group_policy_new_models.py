"""Grant the groups' permissions on models added since 0002 (AI batches, embeddings, alerts, remote media)."""

from django.db import migrations



def refresh(apps, schema_editor):
    from importlib import import_module

    import_module("profiles.migrations.0002_analyst_staff_groups").create_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0003_search_indexes"),
        ("intelligence", "0001_initial"),
        ("monitoring", "0001_alert"),
        ("media", "0002_remote_source"),
    ]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
