"""Every endpoint of the URLconf x every member of the cast answers the status its declared rule says.

The endpoints come from ``get_resolver()`` (``endpoints.py``), the expectations from ``rules.py``; a
new URL without a rule, or a rule for a URL that is gone, fails here with its name.
"""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction
from django.test import AsyncClient
from django.urls import reverse

from tests.access.conftest import record
from tests.access.endpoints import endpoints
from tests.access.rules import DATA, KWARGS, MEMBERS, OUTSIDERS, ROLES, RULES, rule_for

ENDPOINTS = endpoints()


def _cases():
    for endpoint in ENDPOINTS:
        for method in endpoint.methods:
            rule = rule_for(endpoint.key, method)
            if rule is None:
                continue  # reported by test_every_endpoint_has_a_rule
            case = pytest.mark.access_case(rule.name)
            if not rule.team:
                yield pytest.param(endpoint, method, rule, ROLES, id=f"{endpoint.key} {method}", marks=[case])
                continue
            # Anonymous callers are refused before any team question: checked on every branch.
            yield pytest.param(endpoint, method, rule, ROLES[:1], id=f"{endpoint.key} {method} anonymous", marks=[case])
            yield pytest.param(
                endpoint, method, rule, ROLES[1:], id=f"{endpoint.key} {method}", marks=[case, pytest.mark.team_rules]
            )


def _url(endpoint, world) -> str:
    """The endpoint's URL with its path arguments filled from the world's objects."""
    if endpoint.key in KWARGS:
        kwargs = KWARGS[endpoint.key](world)
    elif "<path:object_id>" in endpoint.route or "<id>" in endpoint.route:  # a ModelAdmin's object views
        app, model = endpoint.route.split("/")[1:3]
        kwargs = {"object_id" if "<path:object_id>" in endpoint.route else "id": world.objects[f"{app}.{model}"].pk}
    else:
        kwargs = {}
    if endpoint.key == endpoint.route:  # unnamed patterns (admin's, allauth's legacy ones): fill the route by hand
        route = endpoint.route.removesuffix("$").replace("(?P<url>.*)", kwargs.get("url", ""))
        return "/" + route.replace("<path:object_id>", str(kwargs.get("object_id", "")))
    return reverse(endpoint.key, kwargs=kwargs or None)


def _request(client, endpoint, method, world, role):
    url = _url(endpoint, world)
    data_factory = DATA.get(f"{endpoint.key} {method}")
    data = data_factory(world) if data_factory else {}
    if endpoint.key == "api-auth-token":  # each role asks for its own token; anonymous sends nothing
        data = world.credentials_of(role)
    if endpoint.route.startswith("api/v1/streaming/") and method == "GET":
        # Served by the ASGI server only (WSGI answers 503): asked through Django's ASGI handler.
        asgi = AsyncClient(raise_request_exception=False)
        asgi.cookies = client.cookies
        return async_to_sync(asgi.get)(url, headers={"accept": "text/event-stream"})
    if endpoint.route.startswith("api/v1/"):
        body = json.dumps(data) if method != "GET" else None
        return client.generic(method, url, body or "", content_type="application/json", HTTP_ACCEPT="application/json")
    if method == "GET":
        return client.get(url)
    return client.post(url, data)


@pytest.mark.parametrize(("endpoint", "method", "rule", "roles"), list(_cases()))
def test_endpoint_answers_each_role_as_its_rule_says(client_as, world, endpoint, method, rule, roles):
    """Each member of the cast in turn, each in a savepoint of its own (a DELETE is undone for the next)."""
    wrong = []
    for role in roles:
        with transaction.atomic():
            status = _request(client_as(role), endpoint, method, world, role).status_code
            transaction.set_rollback(True)
        expected = rule.statuses[role]
        record(rule.name, role, status == expected)
        if status != expected:
            wrong.append(f"{role}: {status} (expected {expected})")
    assert not wrong, f"{method} {endpoint}, rule {rule.name}:\n  " + "\n  ".join(wrong)


# A list answers 200 to everyone signed in; what it holds is the team rule: the owning team's row is
# listed for its members and for nobody else (superusers, of no team, are left out: a list shows the
# current team's rows, and they have none).
TEAM_LISTS = [
    ("api-campaign-list", "campaigns.campaign"),
    ("api-favorite-list", "profiles.favorite"),
    ("api-search-history-list", "profiles.searchhistory"),
    ("api-lookup-list", "scraping.lookup"),
]


@pytest.mark.team_rules
@pytest.mark.parametrize(("name", "label"), TEAM_LISTS)
def test_team_lists_show_the_owning_teams_rows_to_its_members_only(client_as, world, name, label):
    row = world.objects[label].pk
    wrong = []
    for role in [*MEMBERS, *OUTSIDERS]:
        body = client_as(role).get(reverse(name), HTTP_ACCEPT="application/json").json()
        listed = row in {item["id"] for item in body.get("results", body) if isinstance(item, dict)}
        if listed != (role in MEMBERS):
            wrong.append(f"{role}: {'sees' if listed else 'does not see'} the owning team's row")
    assert not wrong, f"{name}:\n  " + "\n  ".join(wrong)


# A user's own records (API tokens, access grants in the "user" scope) are listed for that user
# alone: not for teammates, and not for superusers either.
OWN_LISTS = [
    ("api-token-list", "accounts.apitoken"),
    ("api-profile-access-list", "profiles.profileaccess"),
]


@pytest.mark.parametrize(("name", "label"), OWN_LISTS)
def test_own_lists_show_the_authors_rows_to_the_author_only(client_as, world, name, label):
    row = world.objects[label].pk
    wrong = []
    for role in ROLES[1:]:
        body = client_as(role).get(reverse(name), HTTP_ACCEPT="application/json").json()
        items = body.get("results", body) if isinstance(body, dict) else body  # the token list has no pages
        listed = row in {item["id"] for item in items if isinstance(item, dict)}
        if listed != (role == "author"):
            wrong.append(f"{role}: {'sees' if listed else 'does not see'} the author's row")
    assert not wrong, f"{name}:\n  " + "\n  ".join(wrong)


def test_every_endpoint_has_a_rule():
    missing = [
        f"{endpoint.key} {method}  (/{endpoint.route})"
        for endpoint in ENDPOINTS
        for method in endpoint.methods
        if rule_for(endpoint.key, method) is None
    ]
    assert not missing, "endpoints without an access rule in tests/access/rules.py:\n" + "\n".join(missing)


def test_every_rule_names_an_endpoint():
    methods = {endpoint.key: endpoint.methods for endpoint in ENDPOINTS}
    stale = []
    for key in RULES:
        name, _, method = key.partition(" ")
        if name not in methods or (method and method not in methods[name]):
            stale.append(key)
    assert not stale, "rules for URLs (or methods) the URLconf no longer has:\n" + "\n".join(stale)


def test_every_path_argument_has_a_factory(world, db):
    unfilled = []
    for endpoint in ENDPOINTS:
        if "<" in endpoint.route or "(?P<" in endpoint.route:
            try:
                _url(endpoint, world)
            except Exception as exc:  # reported with the endpoint's name
                unfilled.append(f"{endpoint}: {exc!r}")
    assert not unfilled, "path arguments without a KWARGS entry in tests/access/rules.py:\n" + "\n".join(unfilled)


# Admin applies the same rule: a changelist (and its export, its search, its autocomplete) holds the
# owning team's row for the team's admin analyst and for superusers, never for staff of no team.
ADMIN_TEAM_LISTS = [
    "campaigns.campaign",
    "campaigns.campaignprofile",
    "campaigns.campaignpost",
    "profiles.favorite",
    "profiles.searchhistory",
    "scraping.lookup",
]


@pytest.mark.team_rules
@pytest.mark.parametrize("label", ADMIN_TEAM_LISTS)
def test_admin_lists_show_the_owning_teams_rows_to_its_members_and_superusers(client_as, world, label):
    row = world.objects[label]
    change_url = reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk])
    wrong = []
    for role in ("staff", "admin_analyst", "superuser"):
        page = client_as(role).get(reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_changelist"))
        listed = change_url in page.content.decode()
        if page.status_code != 200 or listed != (role != "staff"):
            wrong.append(f"{role}: {page.status_code}, {'lists' if listed else 'does not list'} the owning team's row")
    assert not wrong, f"{label}:\n  " + "\n  ".join(wrong)
