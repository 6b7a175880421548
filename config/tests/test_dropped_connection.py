"""PostgreSQL connections terminated (pg_terminate_backend) in the middle of a request: reads answer 200."""

from __future__ import annotations

from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from config.middleware import DB_READ_RETRIES
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _dsn() -> str:
    db = connection.settings_dict
    return f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"


@contextmanager
def terminated_at_first_query():
    """The web connection's backend is terminated by another session just before the request's first query."""
    fired = []

    def terminate(execute, sql, params, many, context):
        if not fired:
            fired.append(sql)
            pid = context["connection"].connection.info.backend_pid
            with psycopg.connect(_dsn(), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        return execute(sql, params, many, context)

    if connection.connection is None:
        connection.ensure_connection()
    try:
        with connection.execute_wrapper(terminate):
            yield fired
    finally:
        connection.close_if_unusable_or_obsolete()  # the write's dead connection, for the teardown


def test_a_read_whose_connection_is_terminated_mid_request_is_answered(client):
    ProfileFactory()
    api = APIClient()
    api.force_authenticate(UserFactory())
    api.raise_request_exception = False
    before = DB_READ_RETRIES._value.get()

    with terminated_at_first_query() as fired:
        response = api.get(reverse("api-profile-list"))

    assert fired, "the fault was not injected"
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert DB_READ_RETRIES._value.get() == before + 1


def test_a_write_whose_connection_is_terminated_is_not_retried(client):
    user = UserFactory()
    api = APIClient()
    api.force_authenticate(user)
    api.raise_request_exception = False
    before = DB_READ_RETRIES._value.get()

    with terminated_at_first_query():
        response = api.post(reverse("api-campaign-list"), {"name": "x", "brand": "y"}, format="json")

    # Whether a write happened is unknown when its connection drops: it is not run twice
    assert response.status_code == 500
    assert DB_READ_RETRIES._value.get() == before
