"""Fixtures shared by every app's tests: the usual cast and an API client per person."""

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture
def alice(db):
    """The owner in access-rule tests."""
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    """A teammate (staff) in access-rule tests."""
    return UserFactory(username="bob", is_staff=True)


@pytest.fixture
def charlie(db):
    """A stranger in access-rule tests."""
    return UserFactory(username="charlie")


@pytest.fixture
def empty_cache():
    """Start and end without cached answers or throttle counters: Redis outlives each test's database."""
    from django.core.cache import cache

    cache.delete_pattern("*")
    yield
    cache.delete_pattern("*")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(api_client):
    """``client_for(user)`` returns an API client signed in as that user."""

    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
