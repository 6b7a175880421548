"""Local media served to signed-in users, with byte ranges for video seeking."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

KEY = "videos/ab/cd/abcd.mp4"
BODY = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def stored(local_storage):
    path = local_storage / KEY
    path.parent.mkdir(parents=True)
    path.write_bytes(BODY)
    return path


def test_signed_in_user_gets_the_file_with_immutable_caching(client_for_page, stored):
    response = client_for_page.get(f"/media/{KEY}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == BODY
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert "immutable" in response["Cache-Control"]


def test_range_request_returns_partial_content(client_for_page, stored):
    response = client_for_page.get(f"/media/{KEY}", HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(BODY)}"
    assert b"".join(response.streaming_content) == BODY[100:200]
    tail = client_for_page.get(f"/media/{KEY}", HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == BODY[-10:]
    beyond = client_for_page.get(f"/media/{KEY}", HTTP_RANGE=f"bytes={len(BODY)}-")
    assert beyond.status_code == 416


def test_anonymous_visitor_is_sent_to_login(stored):
    response = Client().get(f"/media/{KEY}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("path", ["../../etc/passwd", "videos/ab/cd/missing.mp4", "%2e%2e/%2e%2e/etc/passwd"])
def test_traversal_and_missing_files_are_404(client_for_page, stored, path):
    assert client_for_page.get(f"/media/{path}").status_code == 404


def test_nothing_served_when_storage_is_s3(client_for_page, s3_bucket):
    assert client_for_page.get(f"/media/{KEY}").status_code == 404


@pytest.fixture
def client_for_page(alice):
    client = Client()
    client.force_login(alice)
    return client
