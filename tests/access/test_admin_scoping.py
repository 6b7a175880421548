"""Admin applies the team rule of the API and the pages (issue 16, finding 2): bulk actions, exports,
raw-id popups, foreign-key choices and the bulk "add to campaign" chooser, beside the matrix's
changelist / change / delete checks.

The cast: ``alice`` (root conftest) is the author, an analyst of ``agency``; every admin user here has
staff status and the Analyst group, as an analyst needs to work in admin.
"""

from __future__ import annotations

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Membership
from campaigns.models import CampaignProfile
from tests.factories import CampaignFactory, CampaignProfileFactory, ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_of(client, member_of):
    """``admin_of(role, team=None)``: a Django test client signed in as a new admin analyst with that role."""

    def make(role: str, team=None, user=None):
        user = user or member_of(role, team)
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name="Analyst"))
        client.force_login(user)
        return client

    return make


@pytest.fixture
def entries(alice, agency, charlie):
    """A creator in alice's campaign, and one in a campaign of another team (charlie's)."""
    ours = CampaignProfileFactory(campaign=CampaignFactory(owner=alice, team=agency, name="Ours"))
    theirs = CampaignProfileFactory(campaign=CampaignFactory(owner=charlie, name="Theirs"))
    return ours, theirs


def _mark_paid(client, *rows, select_across=False):
    data = {"action": "mark_paid", helpers.ACTION_CHECKBOX_NAME: [row.pk for row in rows], "index": 0}
    if select_across:
        data["select_across"] = "1"
    return client.post(reverse("admin:campaigns_campaignprofile_changelist"), data, follow=True)


def test_mark_paid_on_a_teammates_entry_is_refused_and_changes_nothing(admin_of, entries):
    ours, _ = entries
    page = _mark_paid(admin_of(Membership.Role.ANALYST), ours)
    assert "nothing was done" in page.content.decode()
    ours.refresh_from_db()
    assert ours.status == CampaignProfile.Pipeline.SHORTLISTED


def test_mark_paid_across_every_row_refuses_when_one_is_not_yours(admin_of, member_of, agency, entries):
    ours, _ = entries
    teammate = member_of(Membership.Role.ANALYST)
    mine = CampaignProfileFactory(campaign=CampaignFactory(owner=teammate, team=agency))
    page = _mark_paid(admin_of(Membership.Role.ANALYST, user=teammate), mine, select_across=True)
    assert "1 of the selected rows" in page.content.decode()  # alice's entry, listed beside the teammate's
    assert set(CampaignProfile.objects.values_list("status", flat=True)) == {"shortlisted"}


def test_the_author_and_the_teams_manager_may_mark_paid(admin_of, alice, entries):
    ours, _ = entries
    _mark_paid(admin_of(Membership.Role.ANALYST, user=alice), ours)
    ours.refresh_from_db()
    assert ours.status == CampaignProfile.Pipeline.PAID

    ours.status = CampaignProfile.Pipeline.SHORTLISTED
    ours.save()
    _mark_paid(admin_of(Membership.Role.MANAGER), ours)
    ours.refresh_from_db()
    assert ours.status == CampaignProfile.Pipeline.PAID


def test_another_teams_entry_cannot_be_acted_on_even_by_pk(admin_of, entries):
    _, theirs = entries
    _mark_paid(admin_of(Membership.Role.MANAGER), theirs)
    theirs.refresh_from_db()
    assert theirs.status == CampaignProfile.Pipeline.SHORTLISTED


def test_export_holds_only_the_teams_rows(admin_of, entries):
    ours, theirs = entries
    client = admin_of(Membership.Role.VIEWER)
    response = client.post(
        reverse("admin:campaigns_campaignprofile_export"),
        {"format": "0", "resource": "0", **{f"campaignprofileresource_{f}": "on" for f in ("campaign", "handle")}},
    )
    body = response.content.decode()
    assert response.status_code == 200, body[:300]
    assert ours.profile.handle in body and "Ours" in body
    assert theirs.profile.handle not in body and "Theirs" not in body


def test_raw_id_popup_lists_only_the_teams_campaigns(admin_of, entries):
    ours, theirs = entries
    page = admin_of(Membership.Role.VIEWER).get(
        reverse("admin:campaigns_campaign_changelist"), {"_popup": "1", "_to_field": "id"}
    )
    body = page.content.decode()
    assert "Ours" in body and "Theirs" not in body


def test_foreign_key_choices_offer_only_campaigns_the_user_may_change(admin_of, alice, entries):
    ours, theirs = entries
    client = admin_of(Membership.Role.ANALYST)  # a teammate: may not change alice's campaign
    profile = ProfileFactory()
    for campaign in (ours.campaign, theirs.campaign):
        response = client.post(
            reverse("admin:campaigns_campaignprofile_add"),
            {"campaign": campaign.pk, "profile": profile.pk, "status": "shortlisted", "notes": ""},
        )
        assert response.status_code == 200  # the form again, with the campaign refused
        assert "Select a valid choice" in response.content.decode()
    assert not CampaignProfile.objects.filter(profile=profile).exists()


def test_a_teammates_campaign_opens_read_only_and_a_post_is_refused(admin_of, entries):
    ours, _ = entries
    client = admin_of(Membership.Role.ANALYST)
    url = reverse("admin:campaigns_campaign_change", args=[ours.campaign.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Renamed"}).status_code == 403
    ours.campaign.refresh_from_db()
    assert ours.campaign.name == "Ours"


def test_add_to_campaign_chooser_lists_only_the_current_teams_campaigns_the_user_may_change(
    admin_of, member_of, alice, agency, entries
):
    ours, theirs = entries
    teammates = CampaignFactory(owner=alice, team=agency, name="Alices")
    analyst = member_of(Membership.Role.ANALYST)
    own = CampaignFactory(owner=analyst, team=agency, name="Mine")
    client = admin_of(Membership.Role.ANALYST, user=analyst)  # may change only "Mine"
    page = client.get(reverse("admin:profiles_profile_changelist")).content.decode()
    assert f'value="{own.pk}"' in page
    for campaign in (ours.campaign, theirs.campaign, teammates):
        assert f'<option value="{campaign.pk}"' not in page

    profile = ProfileFactory()
    client.post(
        reverse("admin:profiles_profile_changelist"),
        {"action": "add_to_campaign", "campaign": theirs.campaign.pk, helpers.ACTION_CHECKBOX_NAME: [profile.pk]},
    )
    assert not CampaignProfile.objects.filter(profile=profile).exists()
    client.post(
        reverse("admin:profiles_profile_changelist"),
        {"action": "add_to_campaign", "campaign": own.pk, helpers.ACTION_CHECKBOX_NAME: [profile.pk]},
    )
    assert CampaignProfile.objects.filter(profile=profile, campaign=own).exists()


def test_autocomplete_offers_only_the_teams_campaigns(admin_of, entries):
    ours, theirs = entries
    response = admin_of(Membership.Role.VIEWER).get(
        reverse("admin:autocomplete"),
        {"app_label": "campaigns", "model_name": "campaignprofile", "field_name": "campaign", "term": ""},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Ours"]
