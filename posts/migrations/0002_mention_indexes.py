"""PostgreSQL trigram indexes for the brand ``mentions`` filters (a no-op on SQLite, which scans).

Django runs ``mentions__icontains`` on a JSON array as ``UPPER("mentions"::text) LIKE UPPER(%s)``
(``profiles/mentions.py`` asks for ``'"nike"'``, the quoted element), so a pg_trgm GIN index on
that expression serves "who worked with @brand" without reading every post (bench/bench_outreach.py).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "post_mentions_trgm": 'USING gin ((UPPER(("mentions")::text)) gin_trgm_ops)',
    "post_hashtags_trgm": 'USING gin ((UPPER(("hashtags")::text)) gin_trgm_ops)',
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON posts_post {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("posts", "0001_initial")]

    operations = [TrigramExtension(), migrations.RunPython(create_indexes, drop_indexes)]
