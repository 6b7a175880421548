"""Index (subscribers DESC NULLS LAST, id): the subreddit changelist's default order (issue #23).

The admin lists subreddits biggest first with unknown counts last; the model's ``community_subscribers``
index is ``subscribers DESC`` (NULLs first), so every page view read and sorted all 35,000 subreddits
(31 ms of the page at full size) instead of reading 50 index entries. Built on PostgreSQL only and kept
out of the model state, as migration 0005 does for creators: SQLite cannot put NULLS LAST in an index.
"""

from django.db import migrations, models

from config.indexes import AddIndexOnPostgres


class Migration(migrations.Migration):
    dependencies = [("profiles", "0015_profile_search_document")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                AddIndexOnPostgres(
                    model_name="community",
                    index=models.Index(
                        models.OrderBy(models.F("subscribers"), descending=True, nulls_last=True),
                        models.OrderBy(models.F("id")),
                        name="community_subscribers_nl",
                    ),
                ),
            ],
            state_operations=[],
        ),
    ]
