"""Creator search runs on the indexes migrations 0003 and 0015 create (PostgreSQL), not a table scan.

An index whose expression differs from the query's by a cast or a function is silently ignored:
this checks the plans, with sequential scans switched off so a tiny test table cannot hide it.
"""

import pytest
from django.db import connection, transaction

from profiles.models import BIO_MAX_CHARS, Profile
from scraping.ingest import upsert_profiles
from scraping.schemas import ProfileData
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
    for index in ("profile_handle_trgm", "profile_full_name_trgm", "profile_search_document"):
        assert index in explained, explained
    # A candidate row is rechecked against the stored document, never a vector recomputed from the bio.
    assert "to_tsvector" not in explained, explained
    assert "search_document @@" in explained, explained


def test_search_document_follows_every_way_the_bio_is_written():
    """The database keeps the document: save(), a queryset update() and the scrape's upsert all refresh it."""
    saved = ProfileFactory(handle="saved", bio="street food in porto")
    assert list(Profile.objects.search("porto")) == [saved]
    saved.bio = "surf lessons"
    saved.save()
    assert not Profile.objects.search("porto").exists()
    assert list(Profile.objects.search("surf")) == [saved]
    Profile.objects.filter(pk=saved.pk).update(bio="vegan bakery")
    assert list(Profile.objects.search("bakery")) == [saved]
    with transaction.atomic():
        upsert_profiles([ProfileData(platform="instagram", handle="scraped", bio="Ceramics studio")])
    with transaction.atomic():
        upsert_profiles([ProfileData(platform="instagram", handle="Saved", bio="mountain guide")])
    assert list(Profile.objects.search("ceramics").values_list("handle", flat=True)) == ["scraped"]
    assert list(Profile.objects.search("guide")) == [saved]
    assert not Profile.objects.search("bakery").exists()


def test_a_huge_scraped_bio_is_cut_and_its_batch_still_written():
    """~1 MB of distinct words has no tsvector: uncut, it would fail the whole upsert batch."""
    huge = " ".join(f"w{i:08d}" for i in range(150_000))  # 1.35 MB of distinct lexemes
    with transaction.atomic():
        upsert_profiles(
            [
                ProfileData(platform="reddit", handle="wall_of_text", bio=huge),
                ProfileData(platform="reddit", handle="neighbour", bio="woodworking"),
            ]
        )
    stored = Profile.objects.get(handle="wall_of_text")
    assert stored.bio == huge[:BIO_MAX_CHARS]
    assert list(Profile.objects.search("w00000001").values_list("handle", flat=True)) == ["wall_of_text"]
    assert Profile.objects.search("woodworking").get().handle == "neighbour"


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
