"""System log lines become monthly RANGE partitions by ``created_at`` (PostgreSQL only), so retention
drops a whole month instead of deleting rows. Primary key in the database: ``(id, created_at)``; see
profiles/migrations/0013_partition_snapshots.py for why the model state keeps ``id``."""

from django.db import migrations

from config.partitions import partition_existing_table, unpartition_table


def partition(apps, schema_editor):
    partition_existing_table(schema_editor, "scraping_systemlog", "created_at")


def unpartition(apps, schema_editor):
    unpartition_table(schema_editor, "scraping_systemlog")


class Migration(migrations.Migration):
    dependencies = [("scraping", "0005_lookup_team")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
