"""Odd input answers 400, never 500 (finding 16, low): NUL anywhere, '%' in yes/no filters."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CommunityFactory, ProfileFactory, TagFactory

pytestmark = pytest.mark.django_db

NUL_GETS = [
    "/api/v1/profiles/instagram/ab%00cd/",
    "/api/v1/profiles/instagram/ab%00cd/posts/",
    "/api/v1/profiles/?q=%00",
    "/api/v1/profiles/?tags=a%00b",
    "/api/v1/communities/?q=x%00",
    "/api/v1/posts/viral/?q=%00",
    "/api/v1/ops/logs/?message=%00",
    "/creators/?q=%00",
    "/creators/?tags=%00",
    "/communities/review/?q=%00",
    "/admin/profiles/profile/?q=%00",
    "/lookups/?handle=%00",
]


@pytest.mark.parametrize("path", NUL_GETS)
def test_a_nul_byte_in_a_path_or_query_is_a_400(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 400, (path, response.status_code)


def test_api_refusals_are_json(admin_client):
    response = admin_client.get("/api/v1/profiles/?q=%00")
    assert response.json() == {"detail": "NUL characters are not allowed in the request."}


def test_a_nul_in_a_json_body_is_a_400_wherever_it_is(admin_client):
    community = CommunityFactory()
    TagFactory(slug="fitness")
    url = f"/api/v1/communities/{community.name}/review/"
    for body in (
        {"review_status": "ok", "tags": ["fit\u0000ness"]},
        {"review_status": "ok", "notes": "a\u0000b"},
        {"review_status": "ok", "tags": [], "nested": {"k\u0000": 1}},
    ):
        response = admin_client.post(url, body, content_type="application/json")
        assert response.status_code == 400, body
        assert "NUL" in response.json()["detail"], body


def test_a_nul_in_a_form_post_is_a_400(admin_client):
    community = CommunityFactory()
    response = admin_client.post(
        reverse("profiles:review_communities"), {"community": [str(community.pk)], "review_status": "o\x00k"}
    )
    assert response.status_code == 400 and b"NUL" in response.content


def test_an_escaped_backslash_u_is_not_mistaken_for_nul(admin_client):
    community = CommunityFactory()
    response = admin_client.post(
        f"/api/v1/communities/{community.name}/review/",
        '{"review_status": "ok", "notes": "path C:\\\\u0000 is text"}',
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("value", ["%25", "%", "maybe", "%00x", "1%"])
@pytest.mark.parametrize("path", ["/api/v1/profiles/", "/creators/", "/api/v1/communities/"])
def test_yes_no_filters_refuse_anything_but_yes_or_no(admin_client, path, value):
    ProfileFactory()
    name = "nsfw" if "communities" in path else "verified"
    response = admin_client.get(f"{path}?{name}={value}")
    assert response.status_code == 400, (path, value, response.status_code)
