"""Fixtures shared by every app's tests: the usual cast and an API client per person."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from accounts.models import Membership
from tests.factories import MembershipFactory, TeamFactory, UserFactory


@pytest.fixture
def agency(db):
    """The team that owns the rows in access-rule tests."""
    return TeamFactory(name="Agency", slug="agency")


@pytest.fixture
def alice(agency):
    """The author in access-rule tests: an analyst of ``agency``."""
    user = UserFactory(username="alice")
    MembershipFactory(team=agency, user=user, role=Membership.Role.ANALYST)
    return user


@pytest.fixture
def bob(db):
    """Staff, of no team: operations (the operator permission, accounts/operators.py), but no access
    to any team's rows."""
    user = UserFactory(username="bob", is_staff=True)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="operate"))
    return user


@pytest.fixture
def charlie(db):
    """A stranger in access-rule tests: an owner of another team."""
    user = UserFactory(username="charlie")
    MembershipFactory(team=TeamFactory(name="Rivals", slug="rivals"), user=user, role=Membership.Role.OWNER)
    return user


@pytest.fixture
def member_of(agency):
    """``member_of(role)`` returns a new member of ``agency`` with that role (teammates in access-rule tests)."""

    def make(role: str, team=None):
        user = UserFactory(username=f"{role}-{UserFactory._meta.model.objects.count()}")
        MembershipFactory(team=team or agency, user=user, role=role)
        return user

    return make


@pytest.fixture(autouse=True)
def _fresh_search_choices():
    """The search page's cached choice lists (profiles/search_choices.py) are data of the test database:
    each test starts without those of an earlier test (one cache delete, not the whole cache)."""
    from profiles.search_choices import forget

    forget()
    yield


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
