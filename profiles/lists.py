"""Lists of creators and subreddits: adding to them, exporting them, and "Favorites" as one of them.

A list holds creators or subreddits, never both (``List.kind``); adding a row of the other kind
is refused with a message, adding a row already there changes nothing (a note given replaces the
old one). Export is one row per entry with the target's headline figures and, for creators, their
e-mail addresses and phone numbers (``profiles.models.Contact``), as CSV or XLSX through tablib.

The favorites page and API predate lists: each favorite is mirrored into the user's "Favorites"
list of the same team (``List.favorites_of``) by the receivers below, so favorites appear among
the lists everywhere, and the migration 0008 moved the existing ones in.
"""

from __future__ import annotations

from collections.abc import Iterable

import tablib
from django.db.models import Prefetch

from profiles.models import Community, Contact, Favorite, List, ListEntry, Profile

EXPORT_FORMATS = ("csv", "xlsx")


class WrongKind(ValueError):
    """A creator added to a subreddit list, or the other way round."""


def add(target_list: List, rows: Iterable[Profile | Community], *, user=None, note: str | None = None) -> int:
    """Put ``rows`` on the list; returns how many were new there."""
    rows = list(rows)
    field = "profile" if target_list.kind == List.Kind.CREATORS else "community"
    wanted = Profile if field == "profile" else Community
    if any(not isinstance(row, wanted) for row in rows):
        noun = "creators" if field == "profile" else "subreddits"
        raise WrongKind(f"“{target_list.name}” is a list of {noun}.")
    existing = set(target_list.entries.filter(**{f"{field}__in": rows}).values_list(f"{field}_id", flat=True))
    new = [ListEntry(list=target_list, added_by=user, note=note or "", **{field: row}) for row in rows]
    ListEntry.objects.bulk_create([e for e in new if getattr(e, f"{field}_id") not in existing], ignore_conflicts=True)
    if note is not None and existing:
        target_list.entries.filter(**{f"{field}_id__in": existing}).update(note=note)
    return len({row.pk for row in rows} - existing)


def export(target_list: List, file_format: str) -> bytes:
    """The list as a CSV or XLSX file (``EXPORT_FORMATS``)."""
    if file_format not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(EXPORT_FORMATS)}")
    entries = target_list.entries.select_related("profile", "community").prefetch_related(
        Prefetch("profile__contacts", queryset=Contact.objects.order_by("kind", "id"))
    )
    if target_list.kind == List.Kind.CREATORS:
        data = tablib.Dataset(
            headers=["platform", "handle", "full_name", "followers", "engagement_rate", "emails", "phones", "note"]
        )
        for entry in entries:
            p = entry.profile
            contacts = list(p.contacts.all())
            data.append(
                [
                    p.platform,
                    p.handle,
                    p.full_name,
                    p.followers_count,
                    p.engagement_rate,
                    " ".join(c.value for c in contacts if c.kind == Contact.Kind.EMAIL),
                    " ".join(c.value for c in contacts if c.kind == Contact.Kind.PHONE),
                    entry.note,
                ]
            )
    else:
        data = tablib.Dataset(headers=["name", "title", "subscribers", "active_users", "is_nsfw", "note"])
        for entry in entries:
            c = entry.community
            data.append([c.name, c.title, c.subscribers, c.active_users, c.is_nsfw, entry.note])
    data.title = target_list.name[:31]  # the longest sheet name XLSX allows
    exported = data.export(file_format)
    return exported.encode() if isinstance(exported, str) else exported


# --- Favorites kept in step with the user's "Favorites" list (connected in ProfilesConfig.ready) ---


def favorite_saved(sender, instance: Favorite, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    favorites = List.favorites_of(instance.team, instance.user)
    ListEntry.objects.update_or_create(
        list=favorites, profile_id=instance.profile_id, defaults={"note": instance.note, "added_by": instance.user}
    )


def favorite_deleted(sender, instance: Favorite, **kwargs) -> None:
    ListEntry.objects.filter(
        list__team_id=instance.team_id,
        list__user_id=instance.user_id,
        list__name__iexact=List.FAVORITES,
        profile_id=instance.profile_id,
    ).delete()
