"""Fixtures for the cross-app suites (analyst pages and admin, browser flows)."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_admin_caches():
    """Review counts and the language list are cached in Redis, which outlives each test's database."""
    from django.core.cache import cache

    keys = ["review-counts:profiles.profile", "review-counts:profiles.community", "admin:profile-languages"]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)
