"""Creator search runs on the indexes migration 0003 creates (PostgreSQL), not a table scan.

An index whose expression differs from the query's by a cast or a function is silently ignored:
this checks the plans, with sequential scans switched off so a tiny test table cannot hide it.
"""

import pytest
from django.db import connection

from profiles.models import Profile
from tests.factories import ProfileFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes"),
]


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_text_search_uses_trigram_and_full_text_indexes():
    ProfileFactory.create_batch(5)
    explained = plan(Profile.objects.search("lisbon"))
    for index in ("profile_handle_trgm", "profile_full_name_trgm", "profile_bio_fts"):
        assert index in explained, explained


def test_handle_lookup_uses_the_unique_index():
    ProfileFactory(handle="NatGeo")
    ProfileFactory.create_batch(200)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE profiles_profile")
    explained = plan(Profile.objects.by_handle("instagram", "natgeo"))
    assert "profile_unique_handle_per_platform" in explained, explained


def test_search_cache_generation_is_an_index_probe():
    ProfileFactory.create_batch(5)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT MAX(GREATEST(updated_at, last_scraped_at, ai_analyzed_at, metrics_computed_at)) FROM profiles_profile"
        )
        explained = "\n".join(row[0] for row in cursor.fetchall())
    assert "profile_data_changed" in explained, explained
    assert Profile.objects.data_generation() is not None
