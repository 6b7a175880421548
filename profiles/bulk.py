"""Bulk edits analysts run from admin and pages, on profiles and communities alike.

Every operation takes a queryset and returns how many rows it *changed* (a row that already had the
value does not count), so the admin can say "12 profiles approved, 3 were already approved". A
selection larger than ``ADMIN_BULK_SYNC_LIMIT`` is handed to ``profiles.tasks.bulk_edit`` by id; the
job's outcome is kept in the cache under the user's id and shown to them on their next page view.
Analyst-owned fields only: nothing here touches what a scrape writes. Each decision (``AUDITED``) is
written to the audit trail once per bulk edit, with its count, however many batches it ran in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone

from accounts import audit
from accounts.models import Team
from config.celery import enqueue_on_commit
from profiles.models import Community, Profile, Tag, TagSuggestion

# Task names, not imports: profiles must not import scraping or intelligence (DESIGN §1).
SCRAPE_TASKS = {Profile: "scraping.tasks.scrape_profile", Community: "scraping.tasks.scrape_community"}
ANALYSE_TASK = "intelligence.tasks.analyze_profile_posts"
BULK_EDIT_TASK = "profiles.tasks.bulk_edit"

JOB_TTL = 24 * 3600


def set_review_status(queryset: models.QuerySet, user=None, *, status: str) -> int:
    valid = {choice for choice, _ in queryset.model._meta.get_field("review_status").choices}
    if status not in valid:
        raise ValueError(f"unknown review status {status!r}")
    changed = queryset.exclude(review_status=status).update(review_status=status, reviewed_at=timezone.now())
    if changed:
        # Now for this request's next page, and after commit for anyone who read the old counts meanwhile.
        forget_review_counts(queryset.model)
        transaction.on_commit(lambda: forget_review_counts(queryset.model))
    return changed


# Counts per review status over the whole table: one GROUP BY over 100,000 rows is the slowest query of
# a changelist, and the counts only move when someone reviews (which clears them) or a scrape discovers
# new creators (then they lag by at most this long).
REVIEW_COUNTS_TTL = 30


def _counts_key(model) -> str:
    return f"review-counts:{model._meta.label_lower}"


def review_counts(model) -> dict[str, int]:
    """{status: rows} for Profile or Community, cached for ``REVIEW_COUNTS_TTL`` seconds."""
    counts = cache.get(_counts_key(model))
    if counts is None:
        counts = dict(
            model.objects.order_by()
            .values_list("review_status")
            .annotate(n=models.Count("id"))
            .values_list("review_status", "n")
        )
        cache.set(_counts_key(model), counts, REVIEW_COUNTS_TTL)
    return counts


def forget_review_counts(model) -> None:
    cache.delete(_counts_key(model))


def set_niche(queryset: models.QuerySet, user=None, *, niche: str) -> int:
    return queryset.exclude(niche=niche).update(niche=niche.strip())


def _through(queryset: models.QuerySet):
    through = queryset.model.tags.through
    column = "profile_id" if queryset.model is Profile else "community_id"
    return through, column


def add_tag(queryset: models.QuerySet, user=None, *, tag_id: int) -> int:
    through, column = _through(queryset)
    tagged = through.objects.filter(tag_id=tag_id).values(column)
    ids = list(queryset.exclude(pk__in=tagged).values_list("pk", flat=True))
    through.objects.bulk_create([through(**{column: pk, "tag_id": tag_id}) for pk in ids], ignore_conflicts=True)
    return len(ids)


def remove_tag(queryset: models.QuerySet, user=None, *, tag_id: int) -> int:
    through, column = _through(queryset)
    deleted, _ = through.objects.filter(**{f"{column}__in": queryset.values("pk")}, tag_id=tag_id).delete()
    return deleted


def decide_suggestions(queryset: models.QuerySet, user=None, *, accept: bool, min_confidence: float = 0.0) -> int:
    """Accept or reject every pending AI suggestion on the selected rows; returns suggestions decided."""
    target = "profile" if queryset.model is Profile else "community"
    pending = TagSuggestion.objects.filter(
        **{f"{target}__in": queryset.values("pk")},
        status=TagSuggestion.Status.PENDING,
        confidence__gte=min_confidence,
    )
    with transaction.atomic():
        rows = list(pending.select_for_update().values_list("pk", f"{target}_id", "tag_id"))
        if accept:
            through, column = _through(queryset)
            through.objects.bulk_create(
                [through(**{column: target_id, "tag_id": tag_id}) for _, target_id, tag_id in rows],
                ignore_conflicts=True,
            )
        TagSuggestion.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(
            status=TagSuggestion.Status.ACCEPTED if accept else TagSuggestion.Status.REJECTED,
            decided_by=user if user and user.is_authenticated else None,
            decided_at=timezone.now(),
        )
    return len(rows)


def add_to_campaign(queryset: models.QuerySet, user=None, *, campaign_id: int) -> int:
    # The campaign entry model is reached through the reverse relation: profiles must not import
    # campaigns (the arrows in DESIGN §1 point the other way).
    entry_model = Profile._meta.get_field("campaign_entries").related_model
    present = entry_model.objects.filter(campaign_id=campaign_id).values("profile_id")
    ids = list(queryset.exclude(pk__in=present).values_list("pk", flat=True))
    entry_model.objects.bulk_create(
        [entry_model(campaign_id=campaign_id, profile_id=pk) for pk in ids], ignore_conflicts=True
    )
    return len(ids)


def enqueue_scrape(queryset: models.QuerySet, user=None) -> int:
    name = SCRAPE_TASKS[queryset.model]
    ids = list(queryset.values_list("pk", flat=True))
    for pk in ids:
        enqueue_on_commit(name, [pk])
    return len(ids)


def enqueue_analysis(queryset: models.QuerySet, user=None) -> int:
    ids = list(queryset.values_list("pk", flat=True))
    for pk in ids:
        enqueue_on_commit(ANALYSE_TASK, [pk])
    return len(ids)


OPERATIONS: dict[str, Callable[..., int]] = {
    "set_review_status": set_review_status,
    "set_niche": set_niche,
    "add_tag": add_tag,
    "remove_tag": remove_tag,
    "decide_suggestions": decide_suggestions,
    "add_to_campaign": add_to_campaign,
    "enqueue_scrape": enqueue_scrape,
    "enqueue_analysis": enqueue_analysis,
}
MODELS = {"profiles.profile": Profile, "profiles.community": Community}

# The analyst decisions among the operations and how the trail names them; queueing a scrape or an
# analysis is operations work, not a decision, and is not recorded.
AUDITED = {
    "set_review_status": audit.Action.REVIEW_STATUS,
    "set_niche": audit.Action.BULK_EDIT,
    "add_tag": audit.Action.TAG_ADDED,
    "remove_tag": audit.Action.TAG_REMOVED,
    "add_to_campaign": audit.Action.BULK_EDIT,
}


def record_edit(
    model, operation: str, user, ids: list[int], changed: int, *, request=None, team=None, **params
) -> None:
    """One audit entry for one bulk edit: the operation, its parameters, rows selected and changed."""
    if operation == "decide_suggestions":
        action = audit.Action.SUGGESTION_ACCEPTED if params.get("accept") else audit.Action.SUGGESTION_REJECTED
    elif operation in AUDITED:
        action = AUDITED[operation]
    else:
        return
    # One row selected (a single object's button) names it; a selection is described by its size.
    target = model.objects.filter(pk=ids[0]).first() if len(ids) == 1 else None
    audit.record(
        action,
        actor=user,
        team=team if team is not None else audit.acting_team(user, request),
        target=target,
        request=request,
        operation=operation,
        model=model._meta.label_lower,
        selected=len(ids),
        count=changed,
        **params,
    )


@dataclass
class BulkJob:
    """A bulk edit handed to the worker; its state lives in the cache for a day."""

    id: str
    user_id: int
    model: str
    operation: str
    description: str
    total: int
    status: str = "queued"
    changed: int | None = None
    error: str = ""
    params: dict = field(default_factory=dict)
    team_id: int | None = None


def _job_key(job_id: str) -> str:
    return f"bulk-job:{job_id}"


def _user_key(user_id: int) -> str:
    return f"bulk-jobs-user:{user_id}"


@dataclass
class BulkResult:
    changed: int | None
    job: BulkJob | None = None


def run(
    queryset: models.QuerySet,
    operation: str,
    user,
    *,
    description: str,
    limit: int | None = None,
    request=None,
    **params,
) -> BulkResult:
    """Apply ``operation`` now, or hand it to the worker when the selection is large. ``request``, when
    given, puts the address and the current team in the audit entry."""
    if operation not in OPERATIONS:
        raise ValueError(f"unknown bulk operation {operation!r}")
    if operation == "add_to_campaign" and queryset.model is not Profile:
        raise ValueError("only profiles can be added to a campaign")
    limit = settings.ADMIN_BULK_SYNC_LIMIT if limit is None else limit
    ids = list(queryset.order_by().values_list("pk", flat=True)[: limit + 1])
    if len(ids) <= limit:
        with transaction.atomic():
            changed = OPERATIONS[operation](queryset.model.objects.filter(pk__in=ids), user, **params)
            record_edit(queryset.model, operation, user, ids, changed, request=request, **params)
        return BulkResult(changed)
    team = audit.acting_team(user, request)
    all_ids = list(queryset.order_by().values_list("pk", flat=True))
    job = BulkJob(
        id=uuid.uuid4().hex,
        user_id=user.pk,
        model=queryset.model._meta.label_lower,
        operation=operation,
        description=description,
        total=len(all_ids),
        params=params,
        team_id=team.pk if team else None,
    )
    cache.set(_job_key(job.id), asdict(job), JOB_TTL)
    cache.set(_user_key(user.pk), [*cache.get(_user_key(user.pk), []), job.id], JOB_TTL)
    enqueue_on_commit(BULK_EDIT_TASK, [job.id, all_ids])
    return BulkResult(None, job)


def execute_job(job_id: str, ids: list[int]) -> BulkJob | None:
    """Run a queued bulk job in batches (called by the worker); returns the finished job."""
    data = cache.get(_job_key(job_id))
    if data is None:
        return None  # expired or never queued: nothing to report to anyone
    job = BulkJob(**data)
    user = None
    if job.user_id:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=job.user_id).first()
    model = MODELS[job.model]
    operation = OPERATIONS[job.operation]
    changed = 0
    try:
        # Batches of 1,000 keep each transaction short, so reviewers editing alongside never wait long.
        for start in range(0, len(ids), 1000):
            with transaction.atomic():
                changed += operation(model.objects.filter(pk__in=ids[start : start + 1000]), user, **job.params)
        job.status, job.changed = "done", changed
    except Exception as exc:  # reported to the analyst instead of vanishing into the worker log
        job.status, job.changed, job.error = "failed", changed, str(exc)[:500]
        cache.set(_job_key(job.id), asdict(job), JOB_TTL)
        _record_job(job, model, user, ids)
        raise
    cache.set(_job_key(job.id), asdict(job), JOB_TTL)
    _record_job(job, model, user, ids)
    return job


def _record_job(job: BulkJob, model, user, ids: list[int]) -> None:
    team = Team.objects.filter(pk=job.team_id).first() if job.team_id else None
    params = {**job.params, "outcome": "failed", "error": job.error} if job.status == "failed" else job.params
    record_edit(model, job.operation, user, ids, job.changed or 0, team=team, **params)


def pop_finished_jobs(user) -> list[BulkJob]:
    """Finished jobs of this user, removed from their list so each is reported once."""
    job_ids = cache.get(_user_key(user.pk), [])
    if not job_ids:
        return []
    finished, waiting = [], []
    for job_id in job_ids:
        data = cache.get(_job_key(job_id))
        if data is None:
            continue
        job = BulkJob(**data)
        (finished if job.status in ("done", "failed") else waiting).append(job)
    cache.set(_user_key(user.pk), [job.id for job in waiting], JOB_TTL)
    return finished


def tag_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Tags grouped by taxonomy category, for grouped <select> widgets."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for tag in Tag.objects.select_related("category").order_by("category__position", "category__name", "name"):
        groups.setdefault(tag.category.name, []).append((tag.pk, tag.name))
    return list(groups.items())
