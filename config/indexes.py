"""Migration operations for indexes only PostgreSQL can build (NULLS LAST orders, GIN).

Such an index stays out of the model state (``SeparateDatabaseAndState`` with no state operation):
SQLite rebuilds a table from the state on every added column and cannot create it. Migrations
``profiles/0005``, ``0015`` and ``0016`` use it.
"""

from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    """``AddIndex`` that does nothing on databases other than PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
