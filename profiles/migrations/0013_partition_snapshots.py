"""Profile and community snapshots become monthly RANGE partitions by ``captured_at`` (PostgreSQL only).

The database's primary key becomes ``(id, captured_at)`` because PostgreSQL requires the partition key
in every unique index; the model state keeps ``id`` as the primary key, which stays unique through one
identity sequence (config/partitions.py). SQLite keeps plain tables: the functions return at once there.
"""

import django.db.models.deletion
from django.db import migrations, models

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

    operations = [
        # The foreign keys' own indexes go first (psnap_profile_time / csnap_community_time lead with
        # the same column), so the rebuild below has one index fewer to copy.
        migrations.AlterField(
            model_name="communitysnapshot",
            name="community",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="snapshots",
                to="profiles.community",
            ),
        ),
        migrations.AlterField(
            model_name="profilesnapshot",
            name="profile",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="snapshots",
                to="profiles.profile",
            ),
        ),
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
