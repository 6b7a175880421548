"""Write what a scrape saw: idempotent bulk upserts, one transaction per batch, history appended.

Rules (DESIGN §2):
- Everything for one target (its row, its snapshot, its posts and media, the profiles and
  communities they point at) is written in **one transaction**: a batch that fails halfway
  leaves nothing behind.
- Rows are upserted with PostgreSQL ``INSERT … ON CONFLICT … DO UPDATE`` (SQLite has the same
  syntax) on the natural keys the models declare unique: ``(lower(handle), platform)`` for
  profiles, ``lower(name)`` for communities, ``(platform, external_id)`` for posts and
  ``(post, position)`` for media. Django's ``bulk_create(update_conflicts=True)`` cannot name the
  expression indexes, so one small helper (``upsert``) builds the statement from the model's
  own field definitions.
- The ``DO UPDATE`` lists only scraped columns: analyst-owned fields (review status, niche, notes,
  tags, primary category) and scrape settings (enabled, priority) are never in it.
- Every scrape appends a ``ProfileSnapshot`` / ``CommunitySnapshot``.
- Discovery: handles and subreddits seen in passing are inserted if new (``DO NOTHING``), as
  unreviewed, with ``discovered_via`` saying how they were found; an existing row is not touched.
- After commit: media downloads for new media rows and AI analysis for new or re-worded posts are
  enqueued (``posts.tasks.download_post_media``, ``profiles.tasks.download_avatar``,
  ``intelligence.tasks.analyze_posts``), and the posts are offered to automatic campaign
  tracking (``campaigns.tasks.track_posts``).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from django.db import connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from config.celery import enqueue_on_commit
from posts.models import Post, PostMedia
from profiles.models import (
    Community,
    CommunityRequirements,
    CommunitySnapshot,
    Contact,
    Mention,
    Profile,
    ProfileSnapshot,
    RelatedProfile,
    ScrapeStatus,
)
from scraping.schemas import REDDIT, CommunityData, PostData, ProfileData

logger = logging.getLogger(__name__)

# The DO UPDATE lists: what the platform says (each model's SCRAPED_FIELDS) plus the scrape's
# bookkeeping. Everything else (review status, niche, notes, tags, scrape_enabled,
# scrape_priority, cached metrics, AI results) belongs to someone else.
_SCRAPE_STATUS_FIELDS = ("scrape_status", "last_error", "last_scraped_at", "updated_at")
PROFILE_UPDATE_FIELDS = [*Profile.SCRAPED_FIELDS, *_SCRAPE_STATUS_FIELDS]
COMMUNITY_UPDATE_FIELDS = [*Community.SCRAPED_FIELDS, *_SCRAPE_STATUS_FIELDS]
POST_UPDATE_FIELDS = [*Post.SCRAPED_FIELDS, "last_scraped_at", "updated_at"]


@dataclass
class IngestResult:
    """What one ingest wrote; the scrape run and the command's JSON summary report it."""

    created: int = 0
    updated: int = 0
    snapshots: int = 0
    posts_created: int = 0
    posts_updated: int = 0
    discovered_profiles: int = 0
    discovered_communities: int = 0
    target_id: int | None = None
    post_ids: list[int] = field(default_factory=list)
    analysis_ids: list[int] = field(default_factory=list)
    # post id → comments to score (intelligence.tasks.analyze_comments' payload).
    comments: dict[int, list[dict[str, str]]] = field(default_factory=dict)
    media_ids: list[int] = field(default_factory=list)
    avatar_profile_ids: list[int] = field(default_factory=list)
    # Comments handed to sentiment analysis, and those skipped: deleted or suspended authors.
    comments_collected: int = 0
    comments_skipped_authors: int = 0
    # Communities whose requirements and review suggestion are (re)assessed after commit.
    assess_community_ids: list[int] = field(default_factory=list)
    # Profiles whose accounts on other platforms are (re)suggested after commit.
    link_profile_ids: list[int] = field(default_factory=list)

    @property
    def items(self) -> int:
        return self.created + self.updated

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "snapshots": self.snapshots,
            "posts_created": self.posts_created,
            "posts_updated": self.posts_updated,
            "discovered_profiles": self.discovered_profiles,
            "discovered_communities": self.discovered_communities,
            "comments": self.comments_collected,
            "comments_skipped_authors": self.comments_skipped_authors,
        }


# --- The one upsert helper -------------------------------------------------------------------


Row = dict[str, Any]


@dataclass(frozen=True)
class _Column:
    field: models.Field
    attname: str
    column: str
    auto: bool  # auto_now / auto_now_add: the write time
    json: bool
    max_length: int | None
    is_url: bool


@functools.cache
def _columns(model: type[models.Model]) -> tuple[_Column, ...]:
    return tuple(
        _Column(
            field=f,
            attname=f.attname,
            column=f.column,
            auto=bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)),
            json=isinstance(f, models.JSONField),
            max_length=getattr(f, "max_length", None),
            is_url=isinstance(f, models.URLField),
        )
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.generated  # the database computes generated columns
    )


def _clip(model: type[models.Model], col: _Column, value: Any) -> Any:
    if col.max_length and isinstance(value, str) and len(value) > col.max_length:
        # A URL cut short is a broken URL: drop it. Other text is clipped, not a failed batch.
        logger.warning("%s.%s: %d characters, limit %d", model.__name__, col.field.name, len(value), col.max_length)
        return "" if col.is_url else value[: col.max_length]
    return value


def column_values(model: type[models.Model], rows: Sequence[Row], now: datetime | None = None) -> list[list[Any]]:
    """One list per column: the rows' values (keyed by attname), the field default where a row
    has no key, and the write time for auto_now fields — what ``Model.save()`` would write,
    without building a model instance per row."""
    now = now or timezone.now()
    keys = rows[0].keys()
    values = []
    for col in _columns(model):
        if col.auto:
            values.append([now] * len(rows))
        elif col.attname in keys:
            values.append([_clip(model, col, row[col.attname]) for row in rows])
        else:
            values.append([col.field.get_default()] * len(rows))
    return values


def upsert(
    model: type[models.Model],
    rows: Sequence[Row],
    *,
    conflict: str,
    update_fields: Sequence[str] | None,
    extra_set: str = "",
    returning: str = "id",
) -> list[tuple[Any, ...]]:
    """``INSERT … ON CONFLICT (conflict) DO UPDATE SET <update_fields> RETURNING <returning>``.

    ``rows`` are dicts keyed by field attname (``author_id``), all with the same keys; missing
    fields get their model default. ``update_fields=None`` means ``DO NOTHING`` (discovery: never
    touch an existing row); then only inserted rows come back. On PostgreSQL the rows travel as
    one array per column through ``unnest()``: 40 parameters instead of 40 per row, which is what
    makes a 1,000-row batch cheap to send (the per-row VALUES form spent more time splitting the
    query than the server did writing it). Elsewhere (SQLite) it is a plain multi-row VALUES.
    """
    if not rows:
        return []
    columns = _columns(model)
    quote = connection.ops.quote_name
    names = ", ".join(quote(col.column) for col in columns)
    if update_fields is None:
        action = "DO NOTHING"
    else:
        by_name = {col.field.name: col.column for col in columns}
        sets = [f"{quote(by_name[name])} = EXCLUDED.{quote(by_name[name])}" for name in update_fields]
        if extra_set:
            sets.append(extra_set)
        action = "DO UPDATE SET " + ", ".join(sets)
    head = f"INSERT INTO {quote(model._meta.db_table)} AS t ({names})"
    tail = f"ON CONFLICT {conflict} {action} RETURNING {returning}"
    values = column_values(model, rows)
    if connection.vendor == "postgresql":
        arrays = []
        for col, column in zip(columns, values, strict=True):
            if col.json:
                column[:] = [None if v is None else json.dumps(v, cls=col.field.encoder) for v in column]
            arrays.append(f"%b::{'text' if col.json else col.field.db_type(connection)}[]")
        select = ", ".join(f"u.{quote(col.column)}{'::jsonb' if col.json else ''}" for col in columns)
        sql = f"{head} SELECT {select} FROM unnest({', '.join(arrays)}) AS u({names}) {tail}"
        # Server-side binding with binary arrays (%b) for this one statement: Django's cursors
        # bind client-side, quoting every array element into the SQL text in Python, and text
        # arrays are escaped element by element; binary arrays cost a quarter of that. Same
        # connection, same transaction.
        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, values)
            return cursor.fetchall()
    prepared = [
        [col.field.get_db_prep_save(v, connection) for v in column] for col, column in zip(columns, values, strict=True)
    ]
    # SQLite allows 32,766 parameters per statement: chunk the rows below that.
    per_chunk = max(1, 30_000 // len(columns))
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    returned: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_chunk):
            stop = min(start + per_chunk, len(rows))
            params = [column[i] for i in range(start, stop) for column in prepared]
            cursor.execute(f"{head} VALUES {', '.join([placeholders] * (stop - start))} {tail}", params)
            returned.extend(cursor.fetchall())
    return returned


def _reports_inserts() -> bool:
    # PostgreSQL tells which rows an upsert inserted (a fresh row version has xmax = 0), which
    # saves a look-up query per batch; other databases are asked beforehand.
    return connection.vendor == "postgresql"


def _inserted_column() -> str:
    return "(t.xmax = 0)" if _reports_inserts() else "false"


# --- Discovery helpers -----------------------------------------------------------------------


def ensure_profiles(platform: str, handles: Iterable[str], *, discovered_via: str) -> tuple[dict[str, int], int]:
    """Ids of these handles (lower-cased keys), inserting unknown ones as unreviewed discoveries."""
    wanted: dict[str, str] = {}
    for handle in handles:
        if handle:
            wanted.setdefault(handle.lower(), handle[:64])
    if not wanted:
        return {}, 0
    now = timezone.now()
    new_rows = [
        {"platform": platform, "handle": handle, "discovered_via": discovered_via[:120], "next_scrape_at": now}
        for handle in wanted.values()
    ]
    inserted = upsert(Profile, new_rows, conflict='(lower("handle"), "platform")', update_fields=None)
    ids = dict(
        Profile.objects.filter(platform=platform)
        .annotate(key=Lower("handle"))
        .filter(key__in=list(wanted))
        .values_list("key", "id")
    )
    return ids, len(inserted)


def ensure_communities(names: Iterable[str], *, discovered_via: str) -> tuple[dict[str, int], int]:
    """Ids of these subreddits (lower-cased keys), inserting unknown ones as unreviewed discoveries."""
    wanted: dict[str, str] = {}
    for name in names:
        # "u_name" is a user's profile subreddit, not a community.
        if name and not name.lower().startswith("u_"):
            wanted.setdefault(name.lower(), name[:64])
    if not wanted:
        return {}, 0
    now = timezone.now()
    rows = [{"name": name, "discovered_via": discovered_via[:120], "next_scrape_at": now} for name in wanted.values()]
    inserted = upsert(Community, rows, conflict='(lower("name"))', update_fields=None)
    ids = dict(Community.objects.annotate(key=Lower("name")).filter(key__in=list(wanted)).values_list("key", "id"))
    return ids, len(inserted)


# --- Targets ---------------------------------------------------------------------------------


def _scraped(model: type[models.Model], data: ProfileData | CommunityData | PostData) -> Row:
    """The model's ``SCRAPED_FIELDS`` read off the scrape's dataclass, which uses the same names."""
    return {name: getattr(data, name) for name in model.SCRAPED_FIELDS}


def _profile_row(data: ProfileData, now: datetime, discovered_via: str) -> Row:
    return {
        "platform": data.platform,
        **_scraped(Profile, data),
        "scrape_status": "private" if data.is_private else "ok",
        "last_error": "",
        "last_scraped_at": now,
        "discovered_via": discovered_via,
    }


def upsert_profiles(
    profiles: Sequence[ProfileData], *, now: datetime | None = None, discovered_via: str = ""
) -> dict[str, tuple[int, bool]]:
    """Upsert full profile rows; returns ``{lower(handle): (id, created)}``. Call inside a transaction."""
    if not profiles:
        return {}
    now = now or timezone.now()
    platform = profiles[0].platform
    unique = {p.handle.lower(): p for p in profiles if p.handle}
    existing = (
        None
        if _reports_inserts()
        else set(
            Profile.objects.filter(platform=platform)
            .annotate(key=Lower("handle"))
            .filter(key__in=list(unique))
            .values_list("key", flat=True)
        )
    )
    rows = upsert(
        Profile,
        [_profile_row(p, now, discovered_via) for p in unique.values()],
        conflict='(lower("handle"), "platform")',
        update_fields=PROFILE_UPDATE_FIELDS,
        returning=f'id, lower("handle"), {_inserted_column()}',
    )
    return {key: (pk, inserted if existing is None else key not in existing) for pk, key, inserted in rows}


def _community_row(data: CommunityData, now: datetime, discovered_via: str) -> Row:
    return {
        **_scraped(Community, data),
        "scrape_status": "ok",
        "last_error": "",
        "last_scraped_at": now,
        "discovered_via": discovered_via,
    }


def _post_row(data: PostData, now: datetime, author_id: int | None, community_id: int | None) -> Row:
    return {
        "platform": data.platform,
        "external_id": data.external_id,
        "author_id": author_id,
        "community_id": community_id,
        **_scraped(Post, data),
        "last_scraped_at": now,
    }


def upsert_posts(
    posts: Sequence[PostData],
    *,
    now: datetime | None = None,
    author_ids: dict[str, int] | None = None,
    community_ids: dict[str, int] | None = None,
    default_author_id: int | None = None,
    default_community_id: int | None = None,
) -> tuple[dict[str, int], int, list[int]]:
    """Upsert posts and their media. Returns ({external id: post id}, how many were new, ids needing analysis).

    A re-scrape keeps the post's AI results unless its text changed; then ``ai_status`` goes
    back to ``pending`` so the analyzers read the new words. An author or community the new
    answer lacks does not erase the one already linked.
    """
    posts = [p for p in {p.external_id: p for p in posts if p.external_id and p.posted_at}.values()]
    if not posts:
        return {}, 0, []
    now = now or timezone.now()
    author_ids = author_ids or {}
    community_ids = community_ids or {}
    platform = posts[0].platform
    existing = (
        None
        if _reports_inserts()
        else set(
            Post.objects.filter(platform=platform, external_id__in=[p.external_id for p in posts]).values_list(
                "external_id", flat=True
            )
        )
    )
    rows = [
        _post_row(
            p,
            now,
            author_ids.get(p.author_handle.lower(), default_author_id),
            community_ids.get(p.community_name.lower(), default_community_id),
        )
        for p in posts
    ]
    # Text changed → analysis again. "t" is the existing row, EXCLUDED the incoming one.
    returned = upsert(
        Post,
        rows,
        conflict='("platform", "external_id")',
        update_fields=POST_UPDATE_FIELDS,
        extra_set=(
            '"author_id" = COALESCE(EXCLUDED."author_id", t."author_id"), '
            '"community_id" = COALESCE(EXCLUDED."community_id", t."community_id"), '
            '"ai_status" = CASE WHEN t."caption" IS DISTINCT FROM EXCLUDED."caption" '
            'OR t."body" IS DISTINCT FROM EXCLUDED."body" THEN \'pending\' ELSE t."ai_status" END'
        ),
        returning=f'id, "external_id", "ai_status", {_inserted_column()}',
    )
    id_by_external = {external_id: pk for pk, external_id, _status, _inserted in returned}
    analysis = [pk for pk, _external_id, status, _inserted in returned if status == "pending"]
    media = [
        {"post_id": id_by_external[p.external_id], "position": position, "kind": item.kind, "source_url": item.url}
        for p in posts
        for position, item in enumerate(p.media)
        if item.url
    ]
    # CDN URLs are signed and change on every fetch: refresh the URL, keep asset and status.
    upsert(PostMedia, media, conflict='("post_id", "position")', update_fields=["source_url"])
    if existing is None:
        created = sum(1 for *_row, inserted in returned if inserted)
    else:
        created = sum(1 for p in posts if p.external_id not in existing)
    return id_by_external, created, analysis


def _pending_media(post_ids: list[int]) -> list[int]:
    return list(
        PostMedia.objects.filter(post_id__in=post_ids, asset__isnull=True, status=PostMedia.Status.PENDING).values_list(
            "id", flat=True
        )
    )


def ingest_community(
    data: CommunityData, posts: Sequence[PostData] = (), *, discovered_via: str = "", now: datetime | None = None
) -> IngestResult:
    """One subreddit scrape: the community row, a snapshot, its posts, and their authors discovered."""
    now = now or timezone.now()
    result = IngestResult()
    with transaction.atomic():
        existed = Community.objects.by_name(data.name).exists()
        ((community_id,),) = upsert(
            Community,
            [_community_row(data, now, discovered_via)],
            conflict='(lower("name"))',
            update_fields=COMMUNITY_UPDATE_FIELDS,
        )
        result.target_id = community_id
        result.created, result.updated = (0, 1) if existed else (1, 0)
        CommunitySnapshot.objects.create(
            community_id=community_id,
            captured_at=now,
            subscribers=data.subscribers,
            visitors=data.visitors,
            active_users=data.active_users,
        )
        result.snapshots = 1
        result.assess_community_ids = [community_id]
        if data.post_requirements is not None:
            CommunityRequirements.objects.update_or_create(
                community_id=community_id, defaults={"reddit": data.post_requirements, "reddit_fetched_at": now}
            )
        if posts:
            authors, result.discovered_profiles = ensure_profiles(
                REDDIT, (p.author_handle for p in posts), discovered_via=f"r/{data.name} posts"
            )
            commenters = {c.author_handle for p in posts for c in p.comments if c.author_handle}
            if commenters:
                _, found = ensure_profiles(REDDIT, commenters, discovered_via=f"r/{data.name} comments")
                result.discovered_profiles += found
                _drop_suspended_commenters(result, posts)
            # r/popular and r/all list other subreddits' posts: those belong to (discovered) them.
            others, result.discovered_communities = ensure_communities(
                (p.community_name for p in posts if p.community_name.lower() != data.name.lower()),
                discovered_via=f"seen in r/{data.name}",
            )
            _add_posts(
                result,
                posts,
                now,
                author_ids=authors,
                community_ids={data.name.lower(): community_id, **others},
                default_community_id=community_id,
            )
        _after_commit(result)
    return result


def _drop_suspended_commenters(result: IngestResult, posts: Sequence[PostData]) -> None:
    """Comments of authors known to be suspended are not analysed; they are counted instead."""
    handles = {c.author_handle.lower() for p in posts for c in p.comments if c.author_handle}
    suspended = {
        handle.lower()
        for handle in Profile.objects.filter(platform=REDDIT, scrape_status=ScrapeStatus.BANNED)
        .annotate(lower=Lower("handle"))
        .filter(lower__in=handles)
        .values_list("handle", flat=True)
    }
    if not suspended:
        return
    for post in posts:
        kept = [c for c in post.comments if c.author_handle.lower() not in suspended]
        result.comments_skipped_authors += len(post.comments) - len(kept)
        post.comments = kept


def ingest_profile(
    data: ProfileData, posts: Sequence[PostData] = (), *, discovered_via: str = "", now: datetime | None = None
) -> IngestResult:
    """One creator scrape: the profile row, a snapshot, its posts, and what they lead to.

    Leads: @mentions in Instagram captions (``Mention`` rows plus unreviewed profiles), the
    provider's related accounts, and on Reddit the communities the user posts in.
    """
    now = now or timezone.now()
    result = IngestResult()
    with transaction.atomic():
        ((profile_id, created),) = upsert_profiles([data], now=now, discovered_via=discovered_via).values()
        result.target_id = profile_id
        result.link_profile_ids = [profile_id]
        result.created, result.updated = (1, 0) if created else (0, 1)
        ProfileSnapshot.objects.create(
            profile_id=profile_id,
            captured_at=now,
            followers_count=data.followers_count,
            following_count=data.following_count,
            posts_count=data.posts_count,
            total_karma=data.total_karma,
        )
        result.snapshots = 1
        _replace_contacts(profile_id, data)
        community_ids: dict[str, int] = {}
        if data.platform == REDDIT and posts:
            community_ids, result.discovered_communities = ensure_communities(
                (p.community_name for p in posts), discovered_via=f"u/{data.handle} posts in"
            )
        if posts:
            _add_posts(result, posts, now, default_author_id=profile_id, community_ids=community_ids)
            _record_mentions(result, data, profile_id, posts, now)
        if data.related_handles:
            related, found = ensure_profiles(
                data.platform, data.related_handles, discovered_via=f"related to @{data.handle}"
            )
            result.discovered_profiles += found
            RelatedProfile.objects.bulk_create(
                [
                    RelatedProfile(profile_id=profile_id, related_id=pk, source=RelatedProfile.Source.PROVIDER)
                    for pk in related.values()
                    if pk != profile_id
                ],
                ignore_conflicts=True,
            )
        if data.avatar_url:
            result.avatar_profile_ids = [profile_id]
        _after_commit(result)
    return result


def _replace_contacts(profile_id: int, data: ProfileData) -> None:
    """The profile's scraped contacts become what this scrape found; an analyst's entries stay as
    they are (and a found value an analyst already entered is not added twice)."""
    found = {(c.kind, c.value): c for c in data.contacts}
    scraped = Contact.objects.filter(profile_id=profile_id).exclude(source=Contact.Source.ANALYST)
    stale = [pk for pk, kind, value in scraped.values_list("pk", "kind", "value") if (kind, value) not in found]
    Contact.objects.filter(pk__in=stale).delete()
    Contact.objects.bulk_create(
        [Contact(profile_id=profile_id, kind=c.kind, value=c.value[:500], source=c.source) for c in found.values()],
        ignore_conflicts=True,
    )


def _add_posts(
    result: IngestResult,
    posts: Sequence[PostData],
    now: datetime,
    *,
    author_ids: dict[str, int] | None = None,
    community_ids: dict[str, int] | None = None,
    default_author_id: int | None = None,
    default_community_id: int | None = None,
) -> None:
    id_by_external, created, analysis = upsert_posts(
        posts,
        now=now,
        author_ids=author_ids,
        community_ids=community_ids,
        default_author_id=default_author_id,
        default_community_id=default_community_id,
    )
    ids = list(id_by_external.values())
    result.post_ids = ids
    result.comments = {
        id_by_external[post.external_id]: [
            {
                "external_id": c.external_id,
                "text": c.body,
                "author_handle": c.author_handle,
                "posted_at": c.posted_at.isoformat() if c.posted_at else "",
            }
            for c in post.comments
            if c.body
        ]
        for post in posts
        if post.comments and post.external_id in id_by_external
    }
    result.comments_collected = sum(len(items) for items in result.comments.values())
    result.posts_created = created
    result.posts_updated = len(ids) - created
    result.created += created
    result.updated += len(ids) - created
    result.analysis_ids = analysis
    result.media_ids = _pending_media(ids)


def _record_mentions(
    result: IngestResult, data: ProfileData, profile_id: int, posts: Sequence[PostData], now: datetime
) -> None:
    """@mentions across this scrape's posts → ``Mention`` rows and unreviewed profiles to look at."""
    counts: dict[str, tuple[str, int]] = {}
    for post in posts:
        for handle in post.mentions:
            if handle.lower() == data.handle.lower():
                continue
            original, times = counts.get(handle.lower(), (handle, 0))
            counts[handle.lower()] = (original, times + 1)
    if not counts:
        return
    ids, found = ensure_profiles(
        data.platform, (original for original, _ in counts.values()), discovered_via=f"mentioned by @{data.handle}"
    )
    result.discovered_profiles += found
    mentions = [
        dict(
            profile_id=profile_id,
            platform=data.platform,
            mentioned_handle=original[:64],
            mentioned_profile_id=ids.get(key),
            times=times,
            first_seen_at=now,
            last_seen_at=now,
        )
        for key, (original, times) in counts.items()
    ]
    # "times" counts the mentions in the posts currently known, so a re-scrape of the same posts
    # does not inflate it: it is replaced, not added to.
    upsert(
        Mention,
        mentions,
        conflict='(lower("mentioned_handle"), "profile_id")',
        update_fields=["times", "last_seen_at", "mentioned_profile"],
    )


# --- Hand-offs after commit ------------------------------------------------------------------


def _after_commit(result: IngestResult) -> None:
    """Send the media and AI work a scrape created to their queues once it commits.

    By task name: the task modules belong to other apps (intelligence is not below scraping).
    """
    media_ids, analysis_ids = list(result.media_ids), list(result.analysis_ids)
    # Batches of 50 keep one task short enough to be retried cheaply.
    for start in range(0, len(media_ids), 50):
        enqueue_on_commit("posts.tasks.download_post_media", [media_ids[start : start + 50]])
    for profile_id in result.avatar_profile_ids:
        enqueue_on_commit("profiles.tasks.download_avatar", [profile_id])
    for start in range(0, len(analysis_ids), 100):
        enqueue_on_commit("intelligence.tasks.analyze_posts", [analysis_ids[start : start + 100]])
    for post_id, items in result.comments.items():
        if items:
            enqueue_on_commit("intelligence.tasks.analyze_comments", [post_id, items])
    # Campaigns that name a handle or hashtag these posts carry attach them (campaigns/tracking.py).
    post_ids = list(result.post_ids)
    for start in range(0, len(post_ids), 500):
        enqueue_on_commit("campaigns.tasks.track_posts", [post_ids[start : start + 500]])
    if result.assess_community_ids:
        enqueue_on_commit("intelligence.tasks.assess_communities", [list(result.assess_community_ids)])
    if result.link_profile_ids:
        enqueue_on_commit("intelligence.tasks.suggest_profile_links", [list(result.link_profile_ids)])
