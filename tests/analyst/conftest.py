"""The analyst-experience cast: an analyst, a staff member, a stranger, and the real broker queue."""

from __future__ import annotations

import json

import pytest
import redis
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from profiles.groups import apply_group_policy
from tests.factories import UserFactory


@pytest.fixture
def groups(db):
    """The groups migration 0002 creates; re-applied because a transactional test's flush drops them."""
    apply_group_policy(django_apps)


@pytest.fixture
def analyst(groups):
    """Browses, reviews and tags."""
    user = UserFactory(username="ana", is_staff=True)
    user.groups.add(Group.objects.get(name="Analyst"))
    return user


@pytest.fixture
def staff_member(groups):
    """Everything an analyst does, plus scrapers and schedules."""
    user = UserFactory(username="sam", is_staff=True)
    user.groups.add(Group.objects.get(name="Staff"))
    return user


@pytest.fixture
def stranger(db):
    """Signed in, but in no group and not staff."""
    return UserFactory(username="charlie")


@pytest.fixture
def client_as():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


class BrokerQueues:
    """Reads what was really sent to the Redis broker (no mock): one list per queue name."""

    def __init__(self, url: str):
        self.redis = redis.Redis.from_url(url)

    def clear(self, *names: str) -> None:
        for name in names:
            self.redis.delete(name)

    def messages(self, name: str) -> list[dict]:
        found = []
        for raw in self.redis.lrange(name, 0, -1):
            message = json.loads(raw)
            found.append({"task": message["headers"]["task"], "args": json.loads(_body(message))[0]})
        return found


def _body(message: dict) -> str:
    import base64

    body = message["body"]
    return base64.b64decode(body).decode() if message.get("properties", {}).get("body_encoding") == "base64" else body


@pytest.fixture
def broker():
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (REDIS_URL)")
    queues = BrokerQueues(settings.CELERY_BROKER_URL)
    names = ("default", "scraping", "ai", "media")
    queues.clear(*names)
    yield queues
    queues.clear(*names)
