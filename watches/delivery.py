"""Sending a user's events: one e-mail and one webhook POST per batch, each event at most once.

A batch is every event of the user not yet sent on that channel: at once after an ingest
(``AlertSettings.Frequency.IMMEDIATE``) or as an hourly / daily digest (``send_digests``, run by
beat). Events are claimed with a conditional ``UPDATE`` (``config/claims.py``) before anything is
sent, so two workers never send the same event. A failed e-mail gives its events back for the
next batch; a webhook that fails is retried by ``watches.tasks.send_webhook`` with exponential
backoff and jitter, then its events are marked ``failed`` in the inbox.

Webhook URLs go through the media download's SSRF guard (``media.download.check_url``): a URL
whose host resolves to a private, loopback or link-local address is refused when it is saved and
again when it is called (the DNS answer may have changed), unless the host is listed in
``WATCHES_WEBHOOK_ALLOWED_HOSTS``. The connection is pinned to the checked address.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from config import http
from config.celery import enqueue_on_commit
from config.claims import claim
from media.download import DownloadPolicy, check_url
from watches.models import AlertSettings, Event

logger = logging.getLogger(__name__)

DIGEST_PERIODS = {
    AlertSettings.Frequency.HOURLY: timedelta(hours=1),
    AlertSettings.Frequency.DAILY: timedelta(days=1),
}
WEBHOOK_TIMEOUT = (5.0, 10.0)  # connect, read: a receiver that needs longer should queue the work itself


def webhook_policy() -> DownloadPolicy:
    return DownloadPolicy(allowed_hosts=tuple(settings.WATCHES_WEBHOOK_ALLOWED_HOSTS))


def check_webhook_url(url: str):
    """The checked target of ``url``; raises ``media.download.BlockedURL`` (a ``PermanentError``)."""
    return check_url(url, webhook_policy())


def payload(events: list[Event]) -> dict:
    return {
        "events": [
            {
                "id": e.pk,
                "kind": e.kind,
                "title": e.title,
                "created_at": e.created_at.isoformat(),
                "profile": e.profile.handle if e.profile_id else None,
                "platform": e.profile.platform if e.profile_id else None,
                "community": e.community.name if e.community_id else None,
                "post_id": e.post_id,
                "detail": e.detail,
            }
            for e in events
        ]
    }


def deliver(user_id: int) -> dict[str, int]:
    """Send this user's unsent events now: e-mail in one message, webhook in one POST (queued)."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return {"emailed": 0, "webhook": 0}
    prefs = AlertSettings.of(user)
    emailed = _email(user, prefs) if prefs.email_enabled and user.email else 0
    queued = 0
    if prefs.webhook_url:
        ids = claim(
            Event.objects.filter(user=user).order_by("id"),
            Q(webhook_status=Event.Webhook.PENDING),
            webhook_status=Event.Webhook.SENDING,
        )
        if ids:
            queued = len(ids)
            enqueue_on_commit("watches.tasks.send_webhook", [user.pk, ids])
    AlertSettings.objects.filter(pk=prefs.pk).update(last_digest_at=timezone.now())
    return {"emailed": emailed, "webhook": queued}


def _email(user, prefs: AlertSettings) -> int:
    now = timezone.now()
    ids = claim(Event.objects.filter(user=user).order_by("id"), Q(emailed_at__isnull=True), emailed_at=now)
    if not ids:
        return 0
    events = list(Event.objects.filter(pk__in=ids).select_related("profile", "community", "post").order_by("id"))
    context = {"user": user, "events": events, "digest": prefs.frequency != AlertSettings.Frequency.IMMEDIATE}
    subject = events[0].title if len(events) == 1 else f"{len(events)} new events on your watches"
    try:
        send_mail(
            f"[Creatorscope] {subject}"[:200],
            render_to_string("watches/email.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    except Exception:
        # Give the events back: the next batch sends them (the mail server may be down for a while).
        Event.objects.filter(pk__in=ids, emailed_at=now).update(emailed_at=None)
        logger.exception("alert e-mail to user %s failed; %d events wait for the next batch", user.pk, len(ids))
        return 0
    return len(events)


def post_webhook(user_id: int, event_ids: list[int]) -> None:
    """One POST of these events to the user's webhook; raises ``TransientError`` / ``PermanentError``."""
    prefs = AlertSettings.objects.filter(user_id=user_id).first()
    if prefs is None or not prefs.webhook_url:
        raise http.PermanentError("no webhook URL set", reason="webhook")
    target = check_webhook_url(prefs.webhook_url)
    events = list(Event.objects.filter(pk__in=event_ids).select_related("profile", "community").order_by("id"))
    Event.objects.filter(pk__in=event_ids).update(webhook_attempts=F("webhook_attempts") + 1)
    host = f"[{target.host}]" if ":" in target.host else target.host
    default_port = 443 if target.scheme == "https" else 80
    with http.pinned(target.address) as session:
        response = http.send(
            "POST",
            prefs.webhook_url,
            session=session,
            timeout=WEBHOOK_TIMEOUT,
            upstream="webhook",
            allow_redirects=False,
            json=payload(events),
            headers={
                "Host": host if target.port == default_port else f"{host}:{target.port}",
                "User-Agent": "Creatorscope-alerts/1.0",
            },
        )
    http.check_status(response, upstream="webhook")
    Event.objects.filter(pk__in=event_ids).update(webhook_status=Event.Webhook.SENT, webhook_error="")


def webhook_failed(event_ids: list[int], error: str) -> None:
    Event.objects.filter(pk__in=event_ids).update(webhook_status=Event.Webhook.FAILED, webhook_error=error[:2000])


def due_digests(now=None) -> list[int]:
    """Users on a digest whose period has passed since their last one and who have unsent events."""
    now = now or timezone.now()
    due = []
    for frequency, period in DIGEST_PERIODS.items():
        rows = AlertSettings.objects.filter(frequency=frequency).filter(
            Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - period)
        )
        due.extend(rows.values_list("user_id", flat=True))
    waiting = Event.objects.filter(Q(emailed_at__isnull=True) | Q(webhook_status=Event.Webhook.PENDING))
    return sorted(set(waiting.filter(user_id__in=due).values_list("user_id", flat=True)))


def send_digests() -> int:
    """Deliver every due digest (beat); returns how many users got one."""
    users = due_digests()
    for user_id in users:
        deliver(user_id)
    return len(users)
