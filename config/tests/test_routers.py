"""The read-replica router: two aliases on one PostgreSQL server (the replica mirrors the test database)."""

import os
import re
import subprocess
import sys

import pytest
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext, override_settings

from config.routers import PIN_COOKIE, REPLICA, ReplicaReadsMiddleware
from profiles.models import Profile
from tests.factories import ProfileFactory


@pytest.fixture
def replica(transactional_db):
    """A second connection to the same test database, as TEST MIRROR gives it, and the router on.

    Committed data (transactional_db): the replica is another session and must see it. The
    alias is made by hand rather than through DATABASES, which is read once at start-up.
    """
    default = connections["default"]
    connections[REPLICA] = default.__class__({**default.settings_dict}, alias=REPLICA)
    with override_settings(DATABASE_ROUTERS=["config.routers.ReplicaRouter"]):
        yield connections[REPLICA]
    connections[REPLICA].close()
    del connections[REPLICA]


def queries(alias: str) -> CaptureQueriesContext:
    return CaptureQueriesContext(connections[alias])


def test_api_and_admin_reads_go_to_the_replica(replica, alice, client_for, admin_user, client):
    profile = ProfileFactory(platform="instagram", handle="replica.read")
    api = client_for(alice)
    client.force_login(admin_user)
    with queries(REPLICA) as on_replica, queries("default") as on_primary:
        assert api.get("/api/v1/profiles/?q=replica").status_code == 200
        assert client.get("/admin/profiles/profile/").status_code == 200
    read_from = {re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in on_replica.captured_queries}
    assert "profiles_profile" in read_from
    # Who is signed in, with which token, came from the primary.
    primary_from = {m.group(1) for q in on_primary.captured_queries if (m := re.search(r'FROM "(\w+)"', q["sql"]))}
    signed_in = {"django_session", "auth_user", "accounts_apitoken"}
    assert not read_from & signed_in
    assert primary_from & signed_in
    assert profile.pk


def test_writes_transactions_and_other_paths_stay_on_the_primary(replica, alice, client_for, admin_user, client):
    ProfileFactory(platform="instagram", handle="primary.only")
    with queries(REPLICA) as on_replica:
        # No request: a task or a command.
        assert Profile.objects.filter(handle="primary.only").exists()
        with transaction.atomic():
            pass
    assert on_replica.captured_queries == []
    client.force_login(admin_user)
    with queries(REPLICA) as on_replica:
        client.get("/")  # a page, not the API or admin
        response = client.post("/admin/profiles/profile/", {"action": "nothing", "_selected_action": []})
        assert response.status_code in (200, 302)
    assert on_replica.captured_queries == []
    # A client that just wrote is pinned to the primary for a few seconds: it reads its own writes.
    assert PIN_COOKIE in response.cookies
    with queries(REPLICA) as on_replica:
        assert client.get("/admin/profiles/profile/").status_code == 200
    assert on_replica.captured_queries == []


def test_a_read_inside_a_transaction_reads_the_primary(replica, rf):
    request = rf.get("/api/v1/profiles/")
    seen = {}

    def view(request):
        seen["outside"] = router.db_for_read(Profile)
        with transaction.atomic():
            seen["inside"] = router.db_for_read(Profile)
        Profile.objects.filter(pk=0).update(notes="")  # a write
        seen["after_write"] = router.db_for_read(Profile)
        return HttpResponse()

    ReplicaReadsMiddleware(view)(request)
    assert seen == {"outside": REPLICA, "inside": "default", "after_write": "default"}


def test_unset_means_one_database_and_no_router():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup();"
        "from django.conf import settings;"
        "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS,"
        " settings.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert plain.stdout.strip() == "['default'] [] None"
    env["DATABASE_REPLICA_URL"] = env["DATABASE_URL"]
    both = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert both.stdout.strip() == "['default', 'replica'] ['config.routers.ReplicaRouter'] default"
