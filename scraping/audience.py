"""Creator connect on the worker side: connect, refresh tokens, read insights, honour Meta's callbacks.

``sync_connection`` is what the beat-driven task runs for each due connection: refresh the token
when it nears expiry, read both demographic metrics (three breakdowns each) and the 28-day reach and
profile views, and store them through ``profiles.audience.store_demographics`` inside one
transaction, so either both segments of the day are written or neither. A token Meta refuses
(Graph error 190: expired, revoked, password changed) or any other permanent refusal marks the
connection broken, visibly and without retrying; stored history stays. Transient failures push the
next attempt back by an hour, so a Meta outage costs one call per connection per hour, not a storm.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.claims import claim
from config.http import PermanentError, TransientError
from profiles.audience import Demographics, InvalidDemographics, reindex_shares, shares, store_demographics, touch
from profiles.models import (
    AudienceDemographics,
    AudienceSource,
    ConnectionLogin,
    ConnectionStatus,
    DataDeletionRequest,
    InstagramConnection,
    Profile,
)
from scraping.instagram.meta import DEMOGRAPHIC_METRICS, FacebookLoginClient, MetaClient, PageAccount

logger = logging.getLogger(__name__)

# Meta: a long-lived token lasts 60 days and may be refreshed once it is 24 hours old; we refresh
# in its last 10 days so a missed night or two never lets it lapse.
REFRESH_WITHIN = timedelta(days=10)
RETRY_TRANSIENT_AFTER = timedelta(hours=1)
# How long a claimed connection is left alone by other workers while it syncs.
LEASE = timedelta(minutes=15)
DUE_BATCH = 200


def connect(profile: Profile, code: str, *, redirect_uri: str, team=None, user=None) -> InstagramConnection:
    """Finish the OAuth flow: code → short-lived → long-lived token, stored encrypted; sync soon."""
    client = MetaClient.from_settings()
    short = client.exchange_code(code, redirect_uri=redirect_uri)
    long = client.long_lived(short.access_token)
    return _store(
        profile,
        team=team,
        connected_by=user,
        ig_user_id=short.user_id,
        login=ConnectionLogin.INSTAGRAM,
        access_token=long.access_token,
        token_expires_at=long.expires_at,
        permissions=list(short.permissions),
    )


def _store(profile: Profile, **fields) -> InstagramConnection:
    """(Re)connect: a fresh active connection with these fields, synced soon; one per creator."""
    now = timezone.now()
    defaults = {"page_id": "", "meta_user_id": "", "permissions": [], **fields}
    defaults.update(status=ConnectionStatus.ACTIVE, status_reason="", connected_at=now, next_sync_at=now)
    connection, _ = InstagramConnection.objects.update_or_create(profile=profile, defaults=defaults)
    return connection


class NoInstagramAccount(Exception):
    """The Facebook user granted no Page with an Instagram business account linked to it."""


@dataclass
class FacebookGrant:
    """What Facebook Login for Business gave us: the user's long-lived token and their Pages."""

    user_id: str
    user_token: str
    expires_at: object  # datetime | None
    pages: list[PageAccount]

    @property
    def candidates(self) -> list[PageAccount]:
        return [page for page in self.pages if page.ig_user_id]

    def matching(self, handle: str) -> PageAccount | None:
        """The one Page whose Instagram account is the creator's (by username), if exactly one is."""
        found = [page for page in self.candidates if page.ig_username.lower() == handle.lower()]
        return found[0] if len(found) == 1 else None

    def to_dict(self) -> dict:
        return {
            "user_id": self.user_id,
            "user_token": self.user_token,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "pages": [page.__dict__ for page in self.pages],
        }

    @classmethod
    def from_dict(cls, data: dict) -> FacebookGrant:
        from datetime import datetime

        expires = data.get("expires_at")
        return cls(
            data["user_id"],
            data["user_token"],
            datetime.fromisoformat(expires) if expires else None,
            [PageAccount(**page) for page in data["pages"]],
        )


def facebook_grant(code: str, *, redirect_uri: str, client: FacebookLoginClient | None = None) -> FacebookGrant:
    """Facebook Login for Business: code → short-lived → 60-day user token, then the user's Pages.

    Nothing is stored here; ``NoInstagramAccount`` when no granted Page has an Instagram business
    account linked (the user is told so, and no token is kept).
    """
    client = client or FacebookLoginClient.from_settings()
    short = client.exchange_code(code, redirect_uri=redirect_uri)
    long = client.long_lived(short.access_token)
    grant = FacebookGrant(
        client.me(long.access_token), long.access_token, long.expires_at, client.pages(long.access_token)
    )
    if not grant.candidates:
        raise NoInstagramAccount(
            "None of the Facebook Pages you granted has an Instagram business or creator account linked to it."
        )
    return grant


def connect_page(
    profile: Profile, grant: FacebookGrant, page: PageAccount, *, team=None, user=None
) -> InstagramConnection:
    """Store the chosen Page's Instagram account: its Page token (no expiry) or else the 60-day user token."""
    token, expires = (page.page_token, None) if page.page_token else (grant.user_token, grant.expires_at)
    return _store(
        profile,
        team=team,
        connected_by=user,
        ig_user_id=page.ig_user_id,
        login=ConnectionLogin.FACEBOOK,
        page_id=page.page_id,
        meta_user_id=grant.user_id,
        access_token=token,
        token_expires_at=expires,
    )


def new_state() -> str:
    return secrets.token_urlsafe(24)


def due_connections(limit: int = DUE_BATCH) -> list[int]:
    """Claim the active connections whose sync is due (lease: next_sync_at moves forward)."""
    now = timezone.now()
    return claim(
        InstagramConnection.objects.order_by("next_sync_at"),
        Q(status=ConnectionStatus.ACTIVE, next_sync_at__lte=now),
        limit=limit,
        next_sync_at=now + LEASE,
    )


@dataclass
class SyncOutcome:
    status: str  # synced, skipped, broken, refused, retry
    detail: str = ""


def sync_connection(connection_id: int, client: MetaClient | None = None) -> SyncOutcome:
    connection = InstagramConnection.objects.select_related("profile").filter(pk=connection_id).first()
    if connection is None or connection.status != ConnectionStatus.ACTIVE:
        return SyncOutcome("skipped", "gone or not active")
    client = client or MetaClient.for_login(connection.login)
    if not client.configured:
        return SyncOutcome("skipped", f"no app id / secret for the {connection.login} login")
    now = timezone.now()
    try:
        token = _fresh_token(connection, client, now)
        day = timezone.localdate()
        segments = []
        for segment, metric in DEMOGRAPHIC_METRICS.items():
            segments.append(_read_segment(client, connection, token, segment, metric, day))
        totals = client.totals(connection.ig_user_id, token, now - timedelta(days=28), now)
    except PermanentError as exc:
        reason = f"{exc.reason}: {exc}"
        logger.warning("instagram connection %s broken: %s", connection.pk, reason)
        connection.mark_broken(reason)
        return SyncOutcome("broken", reason)
    except TransientError as exc:
        InstagramConnection.objects.filter(pk=connection.pk).update(next_sync_at=now + RETRY_TRANSIENT_AFTER)
        return SyncOutcome("retry", str(exc))
    followers = segments[0]
    followers.reach, followers.profile_views = totals.get("reach"), totals.get("profile_views")
    try:
        with transaction.atomic():
            for data in segments:
                store_demographics(connection.profile, data)
            InstagramConnection.objects.filter(pk=connection.pk).update(
                last_synced_at=now, next_sync_at=now + timedelta(hours=settings.META_SYNC_HOURS), status_reason=""
            )
    except InvalidDemographics as exc:
        # Logged by store_demographics; nothing of this sync was written. Try again next period.
        InstagramConnection.objects.filter(pk=connection.pk).update(
            status_reason=f"last insights refused: {exc}"[:300],
            next_sync_at=now + timedelta(hours=settings.META_SYNC_HOURS),
        )
        return SyncOutcome("refused", str(exc))
    return SyncOutcome("synced")


def _fresh_token(connection: InstagramConnection, client: MetaClient, now) -> str:
    if not connection.access_token:
        raise PermanentError("no usable token stored", upstream="meta-graph", reason="unauthorized")
    expires = connection.token_expires_at
    if expires is not None and expires <= now:
        raise PermanentError("token expired", upstream="meta-graph", reason="expired")
    if (
        client.refreshable
        and expires is not None
        and expires - now <= REFRESH_WITHIN
        and now - connection.connected_at >= timedelta(hours=24)
    ):
        fresh = client.refresh(connection.access_token)
        InstagramConnection.objects.filter(pk=connection.pk).update(
            access_token=fresh.access_token,
            token_expires_at=fresh.expires_at,
        )
        return fresh.access_token
    return connection.access_token


def _read_segment(client, connection, token, segment, metric, day) -> Demographics:
    country = client.demographics(connection.ig_user_id, token, metric, "country").counts
    city = client.demographics(connection.ig_user_id, token, metric, "city").counts
    joint = client.demographics(connection.ig_user_id, token, metric, "age,gender").counts
    ages: dict[str, float] = {}
    genders: dict[str, float] = {}
    for (age, gender), count in joint.items():
        ages[age] = ages.get(age, 0) + count
        genders[gender] = genders.get(gender, 0) + count
    total_joint = sum(joint.values())
    return Demographics(
        source=AudienceSource.GRAPH_INSIGHTS,
        segment=segment,
        captured_on=day,
        countries=shares({key[0]: value for key, value in country.items()}),
        cities=shares({key[0]: value for key, value in city.items()}),
        ages=shares(ages),
        genders=shares(genders),
        age_genders={age: {g: joint[(a, g)] / total_joint for (a, g) in joint if a == age} for age in ages}
        if total_joint
        else {},
    )


def _named_by(user_id: str, login: str):
    """The connections a callback's ``user_id`` names: the Instagram user id, or the Facebook user id."""
    if login == ConnectionLogin.FACEBOOK:
        return InstagramConnection.objects.filter(login=login, meta_user_id=user_id)
    return InstagramConnection.objects.filter(login=login, ig_user_id=user_id)


def deauthorize(user_id: str, login: str = ConnectionLogin.INSTAGRAM) -> int:
    """Meta says the creator removed our app: drop the token, keep the history, show it broken."""
    connections = _named_by(user_id, login).exclude(status=ConnectionStatus.DELETED)
    profile_ids = list(connections.values_list("profile_id", flat=True))
    changed = connections.update(
        access_token="",
        status=ConnectionStatus.BROKEN,
        status_reason=f"revoked by the creator on {'Facebook' if login == ConnectionLogin.FACEBOOK else 'Instagram'}",
        next_sync_at=None,
    )
    touch(*profile_ids)
    return changed


def delete_user_data(user_id: str, login: str = ConnectionLogin.INSTAGRAM) -> DataDeletionRequest:
    """Meta forwarded a data-deletion request: delete the token and every insights row from Meta."""
    request = DataDeletionRequest.objects.create(confirmation_code=secrets.token_hex(8), ig_user_id=user_id)
    with transaction.atomic():
        connections = list(_named_by(user_id, login).select_for_update())
        profile_ids = [c.profile_id for c in connections]
        deleted, _ = AudienceDemographics.objects.filter(
            profile_id__in=profile_ids, source=AudienceSource.GRAPH_INSIGHTS
        ).delete()
        InstagramConnection.objects.filter(pk__in=[c.pk for c in connections]).update(
            access_token="",
            status=ConnectionStatus.DELETED,
            status_reason="data deleted at the creator's request",
            next_sync_at=None,
        )
        for profile in Profile.objects.filter(pk__in=profile_ids):
            reindex_shares(profile)
        touch(*profile_ids)
        request.completed_at, request.deleted_rows = timezone.now(), deleted
        request.save(update_fields=["completed_at", "deleted_rows"])
    return request
