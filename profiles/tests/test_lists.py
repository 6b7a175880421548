"""Lists of creators and subreddits: team scoping, entries with notes, export, and favorites as a list."""

from __future__ import annotations

import csv
import importlib
import io

import openpyxl
import pytest
from django.apps import apps as global_apps

from profiles import lists
from profiles.models import Community, Contact, Favorite, List, ListEntry
from tests.factories import ProfileFactory, team_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


@pytest.fixture
def shortlist(alice):
    return List.objects.create(team=team_of(alice), user=alice, name="Client A")


def test_make_a_list_add_creators_with_notes_and_export_csv(alice, client_for):
    client = client_for(alice)
    creator = ProfileFactory(handle="ana", followers_count=12_000)
    Contact.objects.create(profile=creator, kind="email", value="ana@example.com", source="bio")

    created = client.post("/api/v1/lists/", {"name": "Client A"}, format="json")
    entries = f"/api/v1/lists/{created.json()['id']}/entries/"
    added = client.post(entries, {"profile": creator.pk, "note": "asked for rates"}, format="json")
    twice = client.post(entries, {"profile": creator.pk}, format="json")
    subreddit = client.post(entries, {"community": Community.objects.create(name="pics").pk}, format="json")
    exported = client.get(f"/api/v1/lists/{created.json()['id']}/export/?file_format=csv")

    assert created.status_code == 201 and added.status_code == 201
    assert twice.status_code == 400 and "profile" in twice.json()
    assert subreddit.status_code == 400 and "profile" in subreddit.json()
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert rows == [
        {
            "platform": "instagram",
            "handle": "ana",
            "full_name": creator.full_name,
            "followers": "12000",
            "engagement_rate": "",
            "emails": "ana@example.com",
            "phones": "",
            "note": "asked for rates",
        }
    ]


def test_subreddit_list_exports_xlsx(shortlist):
    shortlist.kind = List.Kind.COMMUNITIES
    shortlist.save()
    lists.add(shortlist, [Community.objects.create(name="pics", subscribers=10)], note="allows links")

    sheet = openpyxl.load_workbook(io.BytesIO(lists.export(shortlist, "xlsx"))).active

    assert [c.value for c in sheet[2]][:3] == ["pics", None, 10] and sheet[2][5].value == "allows links"


def test_adding_the_wrong_kind_is_refused(shortlist):
    with pytest.raises(lists.WrongKind):
        lists.add(shortlist, [Community.objects.create(name="pics")])


def test_another_teams_list_and_entries_are_not_found(shortlist, charlie, client_for):
    entry = ListEntry.objects.create(list=shortlist, profile=ProfileFactory())
    client = client_for(charlie)

    assert client.get(f"/api/v1/lists/{shortlist.pk}/").status_code == 404
    assert client.get(f"/api/v1/lists/{shortlist.pk}/entries/").status_code == 404
    assert client.delete(f"/api/v1/lists/{shortlist.pk}/entries/{entry.pk}/").status_code == 404
    assert client.get(f"/api/v1/lists/{shortlist.pk}/export/").status_code == 404
    assert client.get("/api/v1/lists/").json()["count"] == 0


def test_teammate_reads_but_does_not_change_anothers_list(shortlist, member_of, client_for):
    client = client_for(member_of("analyst"))

    assert client.get(f"/api/v1/lists/{shortlist.pk}/entries/").status_code == 200
    assert client.post(f"/api/v1/lists/{shortlist.pk}/entries/", {"profile": ProfileFactory().pk}).status_code == 403


def test_favorites_are_kept_in_step_with_the_favorites_list(alice):
    team = team_of(alice)
    creator = ProfileFactory()

    favorite = Favorite.objects.create(team=team, user=alice, profile=creator, note="great reels")
    favorites = List.objects.get(team=team, user=alice, name="Favorites")
    assert list(favorites.entries.values_list("profile_id", "note")) == [(creator.pk, "great reels")]

    favorite.delete()
    assert not favorites.entries.exists()


def test_migration_moves_existing_favorites_into_lists(alice, bob):
    team = team_of(alice)
    creators = [ProfileFactory(), ProfileFactory()]
    for creator in creators:
        Favorite.objects.create(team=team, user=alice, profile=creator, note=f"note {creator.pk}")
    List.objects.all().delete()  # as before lists existed: the receivers had nothing to mirror into
    migration = importlib.import_module("profiles.migrations.0008_favorites_into_lists")

    migration.forwards(global_apps, None)
    migration.forwards(global_apps, None)  # running it again adds nothing

    favorites = List.objects.get(team=team, user=alice, name="Favorites")
    assert sorted(favorites.entries.values_list("profile_id", "note")) == sorted(
        (c.pk, f"note {c.pk}") for c in creators
    )
    assert Favorite.objects.count() == 2


def test_bulk_add_from_results_puts_the_ticked_creators_on_a_list(shortlist, alice, client):
    from django.template import Context, Template
    from django.test import RequestFactory

    creators = [ProfileFactory(), ProfileFactory()]
    client.force_login(alice)

    response = client.post(
        "/lists/add/", {"profile": [c.pk for c in creators], "list": shortlist.pk, "next": "/creators/?q=x"}
    )
    new = client.post("/lists/add/", {"profile": [creators[0].pk], "new_name": "Client B"})
    request = RequestFactory().get("/creators/")
    request.user, request.session = alice, client.session
    bar = Template('{% include "profiles/_bulk_add_to_list.html" %}').render(Context({"request": request}))

    assert response.status_code == 302 and response["Location"] == "/creators/?q=x"
    assert set(shortlist.entries.values_list("profile_id", flat=True)) == {c.pk for c in creators}
    assert List.objects.get(name="Client B").entries.get().profile_id == creators[0].pk and new.status_code == 302
    assert f'<option value="{shortlist.pk}">Client A</option>' in bar and 'formaction="/lists/add/"' in bar
