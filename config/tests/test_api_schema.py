"""The OpenAPI schema: valid, warning-free, documented errors and examples, offline docs, no 5xx."""

import json
import os

import pytest
import schemathesis
import yaml
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import ApiToken
from tests.factories import CampaignFactory, CommunityFactory, PostFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings_and_validates(tmp_path):
    """drf-spectacular fails on any warning (unresolvable type, enum collision...) and validates the result."""
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/profiles/" in schema["paths"]


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_every_operation_documents_its_errors_with_examples(api_client):
    schema = yaml.safe_load(api_client.get("/api/schema/").content)
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        assert "429" in responses, (path, method)
        if path != "/api/v1/auth/token/":
            assert {"401", "403"} <= set(responses), (path, method)
        if "{" in path:
            assert "404" in responses, (path, method)
        if method in {"post", "put", "patch"} and operation.get("requestBody"):
            assert "400" in responses, (path, method)
        for code, response in responses.items():
            if code >= "400":
                assert response["content"]["application/json"]["examples"], (path, method, code)


def test_schema_and_docs_are_public_and_served_offline(api_client):
    assert api_client.get("/api/schema/").status_code == 200
    for url in ("/api/docs/", "/api/redoc/"):
        page = api_client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        # The sidecar ships Swagger UI and Redoc as static files: no CDN at run time.
        assert "drf_spectacular_sidecar" in html
        assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html


def _load_schema():
    """The schema the app serves, bound to the WSGI app that then answers the generated requests."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    from config.wsgi import application

    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    # The coverage phase enumerates every boundary of every parameter (minutes here); the bounded
    # fuzzing phase below finds the same class of crash in seconds.
    config = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
    loaded = schemathesis.openapi.from_dict(document, config=config)
    loaded.app = application
    return loaded


schema = _load_schema()


@pytest.fixture
def keep_test_connection():
    """Like Django's test client, keep the test's database connection open across WSGI requests.

    The handler would otherwise close it at request end and lose the test's transaction.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(bob, settings):
    """A staff user's token (so operations endpoints are exercised too) and some data to find."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "100000/min", "anon": "100000/min"},
    }
    creator = ProfileFactory(handle="natgeo")
    PostFactory(author=creator, is_viral=True)
    CommunityFactory(name="python")
    CampaignFactory(owner=bob)
    cache.delete_pattern("*")
    return ApiToken.objects.issue(bob, "schemathesis")[1]


# Examples per operation. The suite's default keeps the whole run to a couple of minutes; run it
# longer with e.g. SCHEMATHESIS_MAX_EXAMPLES=200 (see docs/api.md, "Fuzzing the API").
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "6"))

# Every answer must be what the published schema says: no 5xx, a documented status code, content
# type, headers and body (issue 16: about 35 answers did not match before).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_generated_requests_get_documented_answers_and_no_server_error(case, staff_token, keep_test_connection):
    case.call_and_validate(headers={"Authorization": f"Token {staff_token}"}, checks=CHECKS)
