"""Putting creators on a campaign's shortlist, and saying what a person should know before they do.

Pages (the search's bulk bar, a profile's "Add to campaign") call ``add_creators`` and turn its
``Shortlisted`` into messages: a creator an analyst rejected, or one nobody has reviewed yet, is added
(the decision is the user's) but named in a warning, so nobody pitches a rejected creator unawares.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from campaigns.models import Campaign, CampaignProfile
from profiles import bulk
from profiles.models import Profile, ReviewStatus


@dataclass
class Shortlisted:
    """What ``add_creators`` did: handles added, already there, and the added ones that need a second look."""

    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    unreviewed: list[str] = field(default_factory=list)

    def messages(self, campaign: Campaign) -> list[tuple[str, str]]:
        """(level, text) pairs for ``django.contrib.messages``: success/info first, warnings after."""
        out = []
        if self.added:
            out.append(("success", f"Added {_names(self.added)} to “{campaign.name}”."))
        if self.already:
            verb = "is" if len(self.already) == 1 else "are"
            out.append(("info", f"{_names(self.already)} {verb} already in “{campaign.name}”."))
        if self.rejected:
            out.append(
                ("warning", f"Rejected in review: {_names(self.rejected)}. Check the review notes before contacting.")
            )
        if self.unreviewed:
            out.append(("warning", f"Not reviewed yet: {_names(self.unreviewed)}. Review before you pitch them."))
        return out


def _names(handles: list[str], shown: int = 5) -> str:
    if len(handles) <= shown:
        return ", ".join(handles)
    return f"{', '.join(handles[:shown])} and {len(handles) - shown} more"


def add_creators(campaign: Campaign, profiles, user, request=None) -> Shortlisted:
    """Shortlist ``profiles`` in ``campaign`` (the caller checked that ``user`` may change it); audited."""
    chosen = list(Profile.objects.filter(pk__in=[p.pk for p in profiles]).only("handle", "review_status"))
    present = set(CampaignProfile.objects.filter(campaign=campaign).values_list("profile_id", flat=True))
    result = Shortlisted()
    with transaction.atomic():
        ids = [p.pk for p in chosen]
        bulk.add_to_campaign(Profile.objects.filter(pk__in=ids), user, campaign_id=campaign.pk)
        changed = len(set(ids) - present)
        bulk.record_edit(
            Profile, "add_to_campaign", user, ids, changed, request=request, team=campaign.team, campaign_id=campaign.pk
        )
    for profile in chosen:
        if profile.pk in present:
            result.already.append(profile.handle)
            continue
        result.added.append(profile.handle)
        if profile.review_status == ReviewStatus.REJECTED:
            result.rejected.append(profile.handle)
        elif profile.review_status == ReviewStatus.UNREVIEWED:
            result.unreviewed.append(profile.handle)
    return result
