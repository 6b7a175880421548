"""The search page's choice lists (languages, tags) are read once, not on every search (issue 19 bench)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ProfileFactory, TagFactory

pytestmark = pytest.mark.django_db


def _search(client, **params):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("profiles:search"), params)
    assert page.status_code == 200
    return page.content.decode(), [query["sql"] for query in queries.captured_queries]


def test_a_search_reads_languages_and_tags_once_and_a_new_tag_shows_at_once(alice, client):
    ProfileFactory(ai_primary_language="es")
    TagFactory(name="Vegan", slug="vegan")
    client.force_login(alice)

    first, first_sql = _search(client, audience_country="US", audience_country_min="10")
    again, again_sql = _search(client, audience_country="US", audience_country_min="20")

    assert any("DISTINCT" in sql and "ai_primary_language" in sql for sql in first_sql)
    assert not any("DISTINCT" in sql and "ai_primary_language" in sql for sql in again_sql)
    assert not any(sql.startswith('SELECT "profiles_tag"."id"') for sql in again_sql)
    assert len(again_sql) < len(first_sql)
    assert 'value="es"' in again and 'value="vegan"' in again
    # Checkboxes written out by the template keep their names, values, ids and checked state.
    checked, _ = _search(client, platform="instagram")
    assert '<input type="radio" name="platform" value="instagram" id="id_platform_1" checked>' in checked

    TagFactory(name="Tutorial", slug="tutorial")  # a saved tag drops the cached tag list
    after, _ = _search(client)
    assert 'value="tutorial"' in after
