"""Index (followers_count DESC NULLS LAST, id): the default order of creator search.

SQLite cannot put NULLS LAST in CREATE INDEX, so the index is built on PostgreSQL only and kept out
of the model state: SQLite rebuilds a table from the state on every added column, and a NULLS LAST
index in the state made the embedded default's migrate fail at the first column added to profiles.
At demo sizes the plain sort is fast enough there. Changing this migration changed the state only:
a PostgreSQL database that applied it keeps its index.
"""

from django.db import migrations, models

from config.indexes import AddIndexOnPostgres


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0002_remote_source"),
        ("profiles", "0004_group_policy_new_models"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                AddIndexOnPostgres(
                    model_name="profile",
                    index=models.Index(
                        models.OrderBy(models.F("followers_count"), descending=True, nulls_last=True),
                        models.OrderBy(models.F("id")),
                        name="profile_followers_nl",
                    ),
                ),
            ],
            state_operations=[],
        ),
    ]
