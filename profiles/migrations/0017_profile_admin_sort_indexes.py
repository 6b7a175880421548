"""Indexes for the creator changelist's sortable columns (issue #23).

Admin sorts engagement, growth over 30 days and last scrape highest first with unknown values last
(``profiles/admin/profiles.py``); followers already has ``profile_followers_nl`` (migration 0005).
At 1,000,000 creators each such sort read and sorted the whole table, 1.2-1.6 s a page; with these
the first page reads 50 index entries, and the reversed click walks the same index backwards. Built
on PostgreSQL only and kept out of the model state, as 0005 and 0016 do: SQLite cannot put NULLS LAST
in an index. The category and review columns sort by (column, -id) (Django adds the key as the
tie-break): their indexes take ``-id`` too (review both ways), so the 300,000 creators without a category (or the
700,000 unreviewed ones) are no longer sorted before the first page (550-640 ms).
"""

from django.db import migrations, models

from config.indexes import AddIndexOnPostgres


def _biggest_first(field: str, name: str) -> AddIndexOnPostgres:
    return AddIndexOnPostgres(
        model_name="profile",
        index=models.Index(
            models.OrderBy(models.F(field), descending=True, nulls_last=True), models.OrderBy(models.F("id")), name=name
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("profiles", "0016_community_subscribers_nulls_last_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                _biggest_first("engagement_rate", "profile_engagement_nl"),
                _biggest_first("follower_growth_30d", "profile_growth_nl"),
                _biggest_first("last_scraped_at", "profile_scraped_nl"),
            ],
            state_operations=[],
        ),
        migrations.RemoveIndex(model_name="profile", name="profile_category"),
        migrations.AddIndex(
            model_name="profile",
            index=models.Index(fields=["ai_primary_content_type", "-id"], name="profile_category"),
        ),
        migrations.RemoveIndex(model_name="profile", name="profile_review_status"),
        migrations.AddIndex(
            model_name="profile",
            index=models.Index(fields=["review_status", "-id"], name="profile_review_status"),
        ),
        migrations.AddIndex(
            model_name="profile",
            index=models.Index(fields=["-review_status", "-id"], name="profile_review_status_desc"),
        ),
    ]
