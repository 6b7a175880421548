"""Plain dataclasses that every upstream's JSON is normalised into before ingestion.

The clients parse (``scraping/reddit.py``, ``scraping/instagram/parse.py``); ingestion only ever
sees these. Unknown means ``None``: a count the platform hides or does not give is never 0.
Small readers here tolerate the decade of shape drift in the recorded responses (missing keys,
``null`` where a dict was, ints as strings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from config.links import clean_url, clean_urls

REDDIT = "reddit"
INSTAGRAM = "instagram"


@dataclass
class MediaData:
    """One photo or video of a post, in display order."""

    kind: str  # "image" | "video"
    url: str

    def __post_init__(self) -> None:
        self.url = clean_url(self.url, source="media url")


@dataclass
class ProfileData:
    """An Instagram account or a Reddit user as one scrape saw it."""

    platform: str
    handle: str
    external_id: str = ""
    full_name: str = ""
    bio: str = ""
    external_url: str = ""
    links: list[str] = field(default_factory=list)
    is_verified: bool = False
    is_private: bool = False
    is_business: bool = False
    category: str = ""
    followers_count: int | None = None
    following_count: int | None = None
    posts_count: int | None = None
    link_karma: int | None = None
    comment_karma: int | None = None
    total_karma: int | None = None
    account_created_at: datetime | None = None
    avatar_url: str = ""
    is_suspended: bool = False
    # Handles the provider itself calls related ("similar accounts"); discovery input.
    related_handles: list[str] = field(default_factory=list)
    # E-mail, phone and contact links from the platform's business fields, the bio and the links
    # (profiles.contacts.ContactData); ingest replaces the profile's scraped contacts with these.
    contacts: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Every upstream's parser builds one of these, so this is the one gate for scraped links.
        self.external_url = clean_url(self.external_url, source=f"{self.platform}:{self.handle} external_url")
        self.links = clean_urls(self.links, source=f"{self.platform}:{self.handle} bio link")
        self.avatar_url = clean_url(self.avatar_url, source=f"{self.platform}:{self.handle} avatar_url")


@dataclass
class PostData:
    """An Instagram post/reel or a Reddit submission."""

    platform: str
    external_id: str
    posted_at: datetime | None
    kind: str = "image"
    shortcode: str = ""
    author_handle: str = ""
    author_external_id: str = ""
    community_name: str = ""
    caption: str = ""
    body: str = ""
    permalink: str = ""
    url: str = ""
    likes_count: int | None = None
    likes_hidden: bool = False
    score: int | None = None
    comments_count: int | None = None
    views_count: int | None = None
    plays_count: int | None = None
    shares_count: int | None = None
    saves_count: int | None = None
    upvote_ratio: float | None = None
    is_nsfw: bool = False
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    is_paid_partnership: bool = False
    sponsor_markers: list[str] = field(default_factory=list)
    media: list[MediaData] = field(default_factory=list)
    # Comments that came with the post at no extra call (Instagram's preview comments).
    comments: list[CommentData] = field(default_factory=list)

    def __post_init__(self) -> None:
        where = f"{self.platform} post {self.external_id}"
        self.permalink = clean_url(self.permalink, source=f"{where} permalink")
        self.url = clean_url(self.url, source=f"{where} url")
        # A photo whose URL was refused has nothing to download.
        self.media = [item for item in self.media if item.url]

    @property
    def is_sponsored(self) -> bool:
        return self.is_paid_partnership or bool(self.sponsor_markers)


@dataclass
class CommunityData:
    """A subreddit's about page (plus its rules when fetched)."""

    name: str
    external_id: str = ""
    title: str = ""
    description: str = ""
    public_description: str = ""
    subscribers: int | None = None
    visitors: int | None = None
    active_users: int | None = None
    is_nsfw: bool = False
    created_utc: datetime | None = None
    subreddit_type: str = ""
    rules: list[dict[str, Any]] = field(default_factory=list)
    allowed_post_types: list[str] = field(default_factory=list)
    verification_required: bool | None = None
    icon_url: str = ""
    # Reddit's /api/v1/{sub}/post_requirements answer; None when not fetched this time.
    post_requirements: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.icon_url = clean_url(self.icon_url, source=f"r/{self.name} icon_url")


@dataclass
class CommentData:
    """One comment under a post (``more`` stubs are counted by the caller, not parsed)."""

    platform: str
    external_id: str
    post_external_id: str
    body: str
    author_handle: str = ""
    parent_external_id: str = ""
    score: int | None = None
    posted_at: datetime | None = None
    depth: int = 0


@dataclass
class Page:
    """One page of a paged listing: its items and the cursor for the next page ('' when done)."""

    items: list[Any]
    cursor: str = ""


# --- Tolerant readers ------------------------------------------------------------------------


def dig(data: Any, *path: str | int, default: Any = None) -> Any:
    """``dig(d, "a", "b", 0)`` is ``d["a"]["b"][0]`` or ``default`` when any step is missing/None."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(data, list) or not -len(data) <= step < len(data):
                return default
            data = data[step]
        else:
            if not isinstance(data, dict) or step not in data:
                return default
            data = data[step]
        if data is None:
            return default
    return data


def as_int(value: Any) -> int | None:
    """An int, or None for missing/blank/garbage; negative counts are treated as unknown."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        try:
            number = int(float(value))
        except (TypeError, ValueError):
            return None
    return number if number >= 0 else None


def as_signed_int(value: Any) -> int | None:
    """Like ``as_int`` but keeps negatives (Reddit scores can be below zero)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def as_str(value: Any) -> str:
    return "" if value is None else str(value)


def from_epoch(value: Any) -> datetime | None:
    number = as_float(value)
    if number is None or number <= 0:
        return None
    return datetime.fromtimestamp(number, tz=UTC)


def from_iso(value: Any) -> datetime | None:
    """ISO 8601 as the Graph API ('2019-05-01T18:44:12+0000') and Apify ('...000Z') write it."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- Text signals ----------------------------------------------------------------------------

_HASHTAG = re.compile(r"(?<![\w&])#(\w{1,100})", re.UNICODE)
# Instagram usernames: letters, digits, '.', '_', at most 30 characters; no trailing '.'.
_IG_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
# Reddit: "u/name" or "/u/name"; 3-20 of letters, digits, '_' and '-'.
_REDDIT_MENTION = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})")

# Disclosure hashtags the FTC ("#ad", "#sponsored") and the UK ASA/CMA guidance name, plus the
# German "Werbung/Anzeige" and French "publicité/sponsorisé" that EU creators are told to use.
SPONSOR_HASHTAGS = frozenset(
    {
        "ad",
        "ads",
        "advert",
        "advertisement",
        "sponsored",
        "sponsor",
        "paid",
        "paidpartnership",
        "paidpartner",
        "partner",
        "brandpartner",
        "gifted",
        "werbung",
        "anzeige",
        "publicite",
        "publicité",
        "sponsorisé",
        "sponsorise",
    }
)
_SPONSOR_PHRASES = ("paid partnership", "in partnership with", "sponsored by", "partenariat rémunéré")


def hashtags(text: str) -> list[str]:
    """Lower-cased hashtags in first-seen order, without duplicates."""
    return list(dict.fromkeys(tag.lower() for tag in _HASHTAG.findall(text or "")))


def mentions(text: str, platform: str) -> list[str]:
    """@handles (Instagram) or u/names (Reddit) in first-seen order, without duplicates."""
    pattern = _REDDIT_MENTION if platform == REDDIT else _IG_MENTION
    seen: dict[str, str] = {}
    for handle in pattern.findall(text or ""):
        seen.setdefault(handle.lower(), handle)
    return list(seen.values())


def sponsor_markers(text: str, tags: list[str] | None = None) -> list[str]:
    """Disclosure markers found in a caption: '#ad', '#sponsored', 'paid partnership'…"""
    found = [f"#{tag}" for tag in (tags if tags is not None else hashtags(text)) if tag in SPONSOR_HASHTAGS]
    lowered = (text or "").lower()
    found.extend(phrase for phrase in _SPONSOR_PHRASES if phrase in lowered)
    return found


def text_signals(post: PostData) -> PostData:
    """Fill hashtags, mentions and sponsor markers from the post's caption and body."""
    text = "\n".join(part for part in (post.caption, post.body) if part)
    post.hashtags = hashtags(text)
    post.mentions = mentions(text, post.platform)
    post.sponsor_markers = sponsor_markers(text, post.hashtags)
    return post
