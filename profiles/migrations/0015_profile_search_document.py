"""Creator search reads a stored bio document instead of recomputing it per candidate row (issue #23).

``Profile.search_document`` is a generated column (``to_tsvector('simple', bio)`` on PostgreSQL, NULL
on SQLite), with a GIN index on PostgreSQL only, kept out of the model state as migration 0005 keeps
its index (SQLite cannot build a GIN index). The expression index ``profile_bio_fts`` of migration
0003 served the same match by recomputing the vector on every recheck of a bitmap scan; nothing
queries that expression any more, so it goes.

On PostgreSQL adding a stored generated column rewrites the table (and rebuilds its indexes) under
an exclusive lock: 36 s at 1,000,000 creators on the shared 2-core machine (docs/scaling-out.md).
Analyze the table afterwards (or let autovacuum do it): the planner needs the new column's statistics.
"""

import django.contrib.postgres.search
from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models

from config.indexes import AddIndexOnPostgres

import profiles.querysets

BIO_FTS = "CREATE INDEX IF NOT EXISTS profile_bio_fts ON profiles_profile USING gin (to_tsvector('simple'::regconfig, COALESCE(bio, '')))"


def drop_bio_expression_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS profile_bio_fts")


def restore_bio_expression_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BIO_FTS)


class Migration(migrations.Migration):
    dependencies = [("profiles", "0014_facebook_login")]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=profiles.querysets.BioDocument(),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                AddIndexOnPostgres(
                    model_name="profile",
                    index=GinIndex(fields=["search_document"], name="profile_search_document"),
                ),
            ],
            state_operations=[],
        ),
        migrations.RunPython(drop_bio_expression_index, restore_bio_expression_index),
    ]
