"""/metrics answers only a scraper with the bearer token or on an allowed network (finding 16: open to all)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_metrics_is_closed_by_default(client, admin_client):
    assert client.get("/metrics").status_code == 403
    # A signed-in superuser is no scraper either: the rule is about the caller's token or network.
    assert admin_client.get("/metrics").status_code == 403


def test_metrics_with_the_right_bearer_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"

    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token").status_code == 200
    refused = client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong")
    assert refused.status_code == 403
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Basic s3cret-scrape-token").status_code == 403


def test_metrics_from_an_allowed_network_only(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.1.0.0/16"]

    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.2.0.1").status_code == 403
    # A client-sent X-Forwarded-For is never the address that counts.
    assert client.get("/metrics", REMOTE_ADDR="10.2.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 403
