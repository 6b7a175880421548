"""Profile and community snapshots become monthly RANGE partitions by ``captured_at`` (PostgreSQL only).

The database's primary key becomes ``(id, captured_at)`` because PostgreSQL requires the partition key
in every unique index; the model state keeps ``id`` as the primary key, which stays unique through one
identity sequence (config/partitions.py). SQLite keeps plain tables: the functions return at once there.
"""

from django.db import migrations

from config.partitions import partition_existing_table, unpartition_table

TABLES = ("profiles_profilesnapshot", "profiles_communitysnapshot")


def partition(apps, schema_editor):
    for table in TABLES:
        partition_existing_table(schema_editor, table, "captured_at")


def unpartition(apps, schema_editor):
    for table in TABLES:
        unpartition_table(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("profiles", "0012_merge_reddit_depth")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
