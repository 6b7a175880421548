"""PostgreSQL search indexes for creator search (a no-op on SQLite, which falls back to LIKE).

- pg_trgm GIN indexes on ``UPPER(handle)`` and ``UPPER(full_name)``: Django runs ``icontains`` as
  ``UPPER(col::text) LIKE UPPER(%s)``, so the index expression matches the query and a substring
  search over 1M handles takes about 0.5 ms (BENCHMARKS.md) instead of a sequential scan.
- A full-text GIN index on ``to_tsvector('simple', COALESCE(bio, ''))``, the expression
  ``ProfileQuerySet.search`` filters on.
- A btree index on ``GREATEST(updated_at, last_scraped_at, ai_analyzed_at, metrics_computed_at)``
  so the API's search-cache generation (``MAX`` of it) is an index-only lookup, not a table scan.

They live here rather than in ``Meta.indexes`` because SQLite cannot build them.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "profile_handle_trgm": "USING gin (UPPER(handle) gin_trgm_ops)",
    "profile_full_name_trgm": "USING gin (UPPER(full_name) gin_trgm_ops)",
    "profile_bio_fts": "USING gin (to_tsvector('simple'::regconfig, COALESCE(bio, '')))",
    "profile_data_changed": "(GREATEST(updated_at, last_scraped_at, ai_analyzed_at, metrics_computed_at))",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON profiles_profile {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("profiles", "0002_analyst_staff_groups")]

    # CreateExtension itself does nothing on databases other than PostgreSQL.
    operations = [TrigramExtension(), migrations.RunPython(create_indexes, drop_indexes)]
