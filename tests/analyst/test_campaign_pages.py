"""The analyst's path on pages without a browser: bulk bar, campaign create/edit/pipeline/export (issue 18)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import Membership
from campaigns.models import Campaign, CampaignProfile
from profiles.models import Favorite
from tests.factories import CampaignFactory, CampaignProfileFactory, ProfileFactory

pytestmark = pytest.mark.django_db
BULK = reverse("profiles:bulk")


@pytest.fixture
def creators(db):
    return [
        ProfileFactory(
            handle="anna.cooks",
            followers_count=120_000,
            engagement_rate=3.2705710334399503,
            review_status="approved",
            ai_primary_language="es",
        ),
        ProfileFactory(handle="ben_lifts", followers_count=48_000, engagement_rate=None, review_status="rejected"),
        ProfileFactory(handle="cleo.travels", followers_count=9_000, engagement_rate=1.5, review_status="unreviewed"),
    ]


def test_bulk_shortlist_into_a_new_campaign_warns_about_rejected_and_unreviewed(client_as, alice, creators):
    client = client_as(alice)
    response = client.post(
        BULK,
        {
            "action": "campaign",
            "new_campaign": "Spring pitch",
            "profile": [p.pk for p in creators],
            "next": "/creators/",
        },
        follow=True,
    )
    campaign = Campaign.objects.get(name="Spring pitch")
    assert campaign.owner == alice and campaign.team == alice.memberships.get().team
    assert campaign.campaign_profiles.count() == 3
    texts = [str(m) for m in response.context["messages"]]
    assert "Created the campaign “Spring pitch”." in texts
    assert "Rejected in review: ben_lifts. Check the review notes before contacting." in texts
    assert "Not reviewed yet: cleo.travels. Review before you pitch them." in texts
    # Adding again says so instead of duplicating.
    response = client.post(
        BULK, {"action": "campaign", "campaign": campaign.pk, "profile": [creators[0].pk]}, follow=True
    )
    assert "anna.cooks is already in “Spring pitch”." in [str(m) for m in response.context["messages"]]
    assert campaign.campaign_profiles.count() == 3


def test_bulk_favorites_and_viewers_are_refused(client_as, alice, member_of, creators):
    response = client_as(alice).post(BULK, {"action": "favorite", "profile": [creators[0].pk, creators[1].pk]})
    assert response.status_code == 302 and Favorite.objects.filter(user=alice).count() == 2
    viewer = member_of(Membership.Role.VIEWER)
    assert client_as(viewer).post(BULK, {"action": "favorite", "profile": [creators[0].pk]}).status_code == 403
    assert not Favorite.objects.filter(user=viewer).exists()


def test_bulk_export_without_ticks_exports_the_whole_search_for_people(client_as, alice, creators):
    response = client_as(alice).post(BULK, {"action": "csv", "query": "followers_min=10000"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="creators-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["Handle"] for row in rows] == ["anna.cooks", "ben_lifts"]
    assert rows[0]["Engagement rate (%)"] == "3.27"  # rounded for people, not 3.2705710334399503
    assert rows[1]["Engagement rate (%)"] == ""  # unknown stays empty, never 0
    bad = client_as(alice).post(BULK, {"action": "csv", "query": "followers_min=lots"})
    assert bad.status_code == 302  # back to the search with the error, no file


def test_search_page_speaks_plain_language(client_as, alice, creators):
    html = client_as(alice).get(reverse("profiles:search")).content.decode()
    assert "greater than or equal" not in html and "ISO 639" not in html
    assert '<option value="es">Spanish</option>' in html  # languages by name
    assert 'type="checkbox" name="category"' in html  # no Ctrl-click lists
    assert 'list="tag-options"' in html and 'id="bulk"' in html


def test_campaign_created_on_its_page_and_a_bad_one_explains_itself(client_as, alice, member_of):
    client = client_as(alice)
    response = client.post(reverse("campaigns:create"), {"name": "Launch", "status": "draft", "currency": "eur"})
    campaign = Campaign.objects.get(name="Launch")
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:detail", args=[campaign.pk])
    assert campaign.currency == "EUR" and campaign.owner == alice
    bad = client.post(
        reverse("campaigns:create"),
        {"name": "", "status": "draft", "currency": "euro", "start_date": "2026-05-02", "end_date": "2026-05-01"},
    )
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"name", "currency", "end_date"}
    viewer = member_of(Membership.Role.VIEWER)
    assert client_as(viewer).post(reverse("campaigns:create"), {"name": "x", "currency": "USD"}).status_code == 403


def test_new_campaign_shows_no_roi_and_flags_rejected_creators(client_as, alice, creators):
    campaign = CampaignFactory(owner=alice, budget=5000)
    CampaignProfileFactory(campaign=campaign, profile=creators[1], fee=1200)
    html = client_as(alice).get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "Results appear after the first tracked post" in html and "−100" not in html and "-100" not in html
    assert "Planned cost so far: <b>1,200 USD</b>" in html
    assert "Rejected in review:" in html and "ben_lifts" in html


def test_pipeline_row_saves_status_fee_notes_in_place_or_by_redirect(client_as, alice, member_of, creators):
    campaign = CampaignFactory(owner=alice)
    entry = CampaignProfileFactory(campaign=campaign, profile=creators[0])
    url = reverse("campaigns:entry", args=[campaign.pk, entry.pk])
    data = {f"e{entry.pk}-status": "confirmed", f"e{entry.pk}-fee": "2500", f"e{entry.pk}-notes": "Signed"}
    client = client_as(alice)
    partial = client.post(url, data, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and f'id="entry-{entry.pk}"' in partial.content.decode()
    assert "Saved" in partial.content.decode() and "<html" not in partial.content.decode()
    entry.refresh_from_db()
    assert (entry.status, entry.fee, entry.notes) == ("confirmed", 2500, "Signed")
    response = client.post(url, {**data, f"e{entry.pk}-fee": "-5"})
    assert response.status_code == 302 and response["Location"].endswith(f"#entry-{entry.pk}")
    entry.refresh_from_db()
    assert entry.fee == 2500  # the bad fee was refused, nothing half-written
    # A teammate who did not write the campaign reads it but may not change it.
    teammate = member_of(Membership.Role.ANALYST)
    assert client_as(teammate).post(url, data).status_code == 403
    assert client.post(url, {"remove": "1"}).status_code == 302
    assert not CampaignProfile.objects.filter(pk=entry.pk).exists()


def test_campaign_export_csv_and_xlsx_with_status_fee_and_notes(client_as, alice, creators):
    campaign = CampaignFactory(owner=alice, name="Autumn launch", currency="EUR")
    CampaignProfileFactory(campaign=campaign, profile=creators[0], status="contacted", fee=900, notes="Call Tue")
    client = client_as(alice)
    url = reverse("campaigns:export", args=[campaign.pk])
    rows = list(csv.DictReader(io.StringIO(client.get(url, {"format": "csv"}).content.decode())))
    assert rows == [
        {**rows[0], "Pipeline status": "Contacted", "Fee (EUR)": "900.0", "Notes": "Call Tue", "Handle": "anna.cooks"}
    ]
    response = client.get(url, {"format": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"') and "autumn-launch-" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["Pipeline status", "Fee (EUR)", "Notes"]
    assert client.get(url, {"format": "pdf"}).status_code == 400


def test_favorites_export_from_their_page(client_as, alice, creators):
    team = alice.memberships.get().team
    Favorite.objects.create(team=team, user=alice, profile=creators[0], note="for Acme")
    response = client_as(alice).get(reverse("profiles:favorites"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:3] == ["alice", "for Acme", "anna.cooks"]
