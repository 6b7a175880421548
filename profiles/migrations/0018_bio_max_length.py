"""A bio is at most ``BIO_MAX_CHARS`` characters: no SQL (PostgreSQL's ``text`` has no length).

Forms check the length, and a scrape's upsert clips the string to it (``scraping.ingest``), so a bio
of ~1 MB of distinct words, which has no tsvector for ``search_document``, can no longer fail a
whole upsert batch.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0017_profile_admin_sort_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="profile",
            name="bio",
            field=models.TextField(blank=True, default="", max_length=2000),
        ),
    ]
