"""Reddit: app-only OAuth or the public ``.json`` endpoints, and the parsers for Reddit's JSON.

With ``REDDIT_CLIENT_ID``/``REDDIT_CLIENT_SECRET`` the client fetches an app-only token
(client-credentials grant) and calls ``REDDIT_OAUTH_BASE_URL`` with it: Reddit allows 100
requests/min per OAuth app. Without them it calls the public ``.json`` endpoints on
``REDDIT_BASE_URL``, allowed about 10 requests/min. Either way every call goes through
``scraping.http.request`` (budget ``REDDIT_REQUESTS_PER_MINUTE``).

Listings page with ``after`` and stop at Reddit's ~1,000-item wall, at ``max_items``, or when a
page brings nothing new (an upstream that repeats itself must not loop us forever).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from config.http import PermanentError
from scraping import http
from scraping.schemas import (
    REDDIT,
    CommentData,
    CommunityData,
    MediaData,
    PostData,
    ProfileData,
    as_float,
    as_int,
    as_signed_int,
    as_str,
    dig,
    from_epoch,
    text_signals,
)

# Reddit listings end after about 1,000 items, whatever the sort.
LISTING_WALL = 1000
_TOKEN_CACHE_KEY = "scraping:reddit:token:{client_id}"
_VERIFICATION = re.compile(r"\bverif(?:y|ied|ication)\b", re.IGNORECASE)


# --- Parsers ---------------------------------------------------------------------------------


def _unescape_url(value: Any) -> str:
    # Without raw_json=1 Reddit HTML-escapes URLs ("&amp;"); with it they are plain already.
    return html.unescape(as_str(value))


def parse_subreddit(data: dict[str, Any]) -> CommunityData:
    """A ``t5`` (subreddit about) object."""
    allowed: list[str] = []
    submission_type = data.get("submission_type") or "any"
    if submission_type in ("any", "link"):
        allowed.append("link")
    if submission_type in ("any", "self"):
        allowed.append("text")
    for key, kind in (
        ("allow_images", "image"),
        ("allow_videos", "video"),
        ("allow_galleries", "gallery"),
        ("allow_polls", "poll"),
    ):
        if data.get(key):
            allowed.append(kind)
    description = as_str(data.get("description"))
    return CommunityData(
        name=as_str(data.get("display_name")),
        external_id=as_str(data.get("name") or data.get("id")),
        title=as_str(data.get("title")),
        description=description,
        public_description=as_str(data.get("public_description")),
        subscribers=as_int(data.get("subscribers")),
        active_users=as_int(data.get("active_user_count", data.get("accounts_active"))),
        is_nsfw=bool(data.get("over18") or data.get("over_18")),
        created_utc=from_epoch(data.get("created_utc")),
        subreddit_type=as_str(data.get("subreddit_type")),
        allowed_post_types=allowed,
        verification_required=bool(_VERIFICATION.search(description)) or None,
        icon_url=_unescape_url(data.get("community_icon") or data.get("icon_img")).split("?")[0],
    )


def parse_rules(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """``/r/{name}/about/rules``: the subreddit's own rules (site-wide rules are not kept)."""
    rules = []
    for rule in payload.get("rules") or []:
        if not isinstance(rule, dict):
            continue
        rules.append(
            {
                "short_name": as_str(rule.get("short_name")),
                "description": as_str(rule.get("description")),
                "kind": as_str(rule.get("kind")),
                "priority": as_int(rule.get("priority")),
            }
        )
    return rules


def apply_rules(community: CommunityData, rules: list[dict[str, Any]]) -> CommunityData:
    """Attach rules; a rule or the sidebar mentioning verification marks the sub as requiring it."""
    community.rules = rules
    text = " ".join([community.description] + [f"{r['short_name']} {r['description']}" for r in rules])
    community.verification_required = bool(_VERIFICATION.search(text))
    return community


def parse_user(data: dict[str, Any]) -> ProfileData:
    """A ``t2`` (user about) object; suspended accounts come back with only a name."""
    profile_sub = data.get("subreddit") if isinstance(data.get("subreddit"), dict) else {}
    link_karma = as_signed_int(data.get("link_karma"))
    comment_karma = as_signed_int(data.get("comment_karma"))
    total = as_signed_int(data.get("total_karma"))
    if total is None and link_karma is not None and comment_karma is not None:
        total = link_karma + comment_karma
    avatar = data.get("snoovatar_img") or data.get("icon_img")
    return ProfileData(
        platform=REDDIT,
        handle=as_str(data.get("name")),
        external_id=as_str(data.get("id")),
        full_name=as_str(profile_sub.get("title")),
        bio=as_str(profile_sub.get("public_description")),
        is_verified=bool(data.get("verified")),
        followers_count=as_int(profile_sub.get("subscribers")) if profile_sub else None,
        link_karma=link_karma,
        comment_karma=comment_karma,
        total_karma=total,
        account_created_at=from_epoch(data.get("created_utc")),
        avatar_url=_unescape_url(avatar).split("?")[0],
        is_suspended=bool(data.get("is_suspended")),
    )


def _post_kind(data: dict[str, Any]) -> str:
    if data.get("is_gallery"):
        return "gallery"
    if data.get("is_video") or data.get("post_hint") in ("hosted:video", "rich:video"):
        return "video"
    if data.get("post_hint") == "image":
        return "image"
    if data.get("is_self"):
        return "text"
    return "link"


def _post_media(data: dict[str, Any], kind: str) -> list[MediaData]:
    if kind == "gallery":
        metadata = data.get("media_metadata") or {}
        media = []
        for item in dig(data, "gallery_data", "items", default=[]):
            meta = metadata.get(item.get("media_id")) or {}
            url = dig(meta, "s", "u") or dig(meta, "s", "gif")
            if url:
                media.append(MediaData("image", _unescape_url(url)))
        return media
    if kind == "video":
        url = dig(data, "media", "reddit_video", "fallback_url") or dig(
            data, "secure_media", "reddit_video", "fallback_url"
        )
        return [MediaData("video", _unescape_url(url))] if url else []
    if kind == "image":
        url = data.get("url_overridden_by_dest") or data.get("url")
        return [MediaData("image", _unescape_url(url))] if url else []
    return []


def parse_post(data: dict[str, Any]) -> PostData:
    """A ``t3`` (submission) object from any listing, 2016 or 2026 shape."""
    kind = _post_kind(data)
    hidden = bool(data.get("hide_score"))
    score = None if hidden else as_signed_int(data.get("score"))
    permalink = as_str(data.get("permalink"))
    post = PostData(
        platform=REDDIT,
        external_id=as_str(data.get("id")),
        posted_at=from_epoch(data.get("created_utc")),
        kind=kind,
        author_handle="" if data.get("author") in (None, "[deleted]") else as_str(data.get("author")),
        author_external_id=as_str(data.get("author_fullname")).removeprefix("t2_"),
        community_name=as_str(data.get("subreddit")),
        caption=as_str(data.get("title")),
        body=as_str(data.get("selftext")),
        permalink=f"https://www.reddit.com{permalink}" if permalink.startswith("/") else permalink,
        url="" if data.get("is_self") else _unescape_url(data.get("url_overridden_by_dest") or data.get("url")),
        # Reddit has no likes: upvotes are its nearest equivalent, hidden while hide_score is set.
        likes_count=None if hidden else as_int(data.get("ups")),
        likes_hidden=hidden,
        score=score,
        comments_count=as_int(data.get("num_comments")),
        views_count=as_int(data.get("view_count")),
        shares_count=as_int(data.get("num_crossposts")),
        upvote_ratio=as_float(data.get("upvote_ratio")),
        is_nsfw=bool(data.get("over_18")),
        media=_post_media(data, kind),
    )
    return text_signals(post)


def parse_listing(payload: dict[str, Any]) -> tuple[list[PostData], str]:
    """A ``Listing`` of ``t3`` children, and its ``after`` cursor."""
    posts = [
        parse_post(child["data"]) for child in dig(payload, "data", "children", default=[]) if child.get("kind") == "t3"
    ]
    return posts, as_str(dig(payload, "data", "after"))


# Authors Reddit blanks out: the account was deleted, or the comment was removed.
GONE_AUTHORS = frozenset({"[deleted]", "[removed]"})


@dataclass
class CommentTree:
    """One post's comments as far as they were read: ``more_ids`` are the stubs not expanded yet."""

    post: PostData | None
    comments: list[CommentData] = field(default_factory=list)
    more_ids: list[str] = field(default_factory=list)
    hidden: int = 0
    skipped_authors: int = 0
    expanded: int = 0


def _walk_comments(children: Any, post_id: str, tree: CommentTree) -> None:
    """Add ``t1`` children (depth first) to ``tree``; count ``more`` stubs and gone authors."""
    for child in children or []:
        if not isinstance(child, dict):
            continue
        data = child.get("data") or {}
        if child.get("kind") == "more":
            ids = [str(i) for i in data.get("children") or [] if i]
            tree.hidden += as_int(data.get("count")) or len(ids)
            tree.more_ids.extend(ids)
            continue
        if child.get("kind") != "t1":
            continue
        if data.get("author") in (None, *GONE_AUTHORS) or as_str(data.get("body")) in GONE_AUTHORS:
            tree.skipped_authors += 1
        else:
            tree.comments.append(parse_comment(data, post_id))
        if isinstance(data.get("replies"), dict):
            _walk_comments(dig(data["replies"], "data", "children", default=[]), post_id, tree)


def parse_comment_tree(payload: Any) -> CommentTree:
    """``/comments/{id}``: [post listing, comment listing] → the post, its comments and its ``more`` stubs.

    Comments by deleted accounts or with removed bodies are skipped and counted (``skipped_authors``).
    """
    if not isinstance(payload, list) or len(payload) < 2:
        return CommentTree(post=None)
    posts, _ = parse_listing(payload[0])
    tree = CommentTree(post=posts[0] if posts else None)
    _walk_comments(dig(payload[1], "data", "children", default=[]), tree.post.external_id if tree.post else "", tree)
    return tree


def parse_more_children(payload: Any, post_id: str, tree: CommentTree) -> None:
    """``/api/morechildren``: a flat list of ``t1`` (and nested ``more``) things, added to ``tree``."""
    things = dig(payload, "json", "data", "things", default=None)
    if things is None:
        things = dig(payload, "data", "things", default=[])
    before = len(tree.comments) + tree.skipped_authors
    _walk_comments(things, post_id, tree)
    tree.expanded += len(tree.comments) + tree.skipped_authors - before


def parse_post_requirements(payload: Any) -> dict[str, Any]:
    """``/api/v1/{sub}/post_requirements``: what Reddit itself enforces on a new post.

    Only the keys that say something are kept (empty lists, ``null`` and "none" policies are
    dropped), so an empty dict means Reddit enforces nothing beyond its defaults.
    """
    if not isinstance(payload, dict):
        return {}
    kept: dict[str, Any] = {}
    for key in _POST_REQUIREMENT_KEYS:
        value = payload.get(key)
        if value in (None, "", [], "none", False) and key != "is_flair_required":
            continue
        if key == "is_flair_required":
            if value is None:
                continue
            value = bool(value)
        kept[key] = value
    return kept


_POST_REQUIREMENT_KEYS = (
    "is_flair_required",
    "title_required_strings",
    "title_blacklisted_strings",
    "title_regexes",
    "title_text_min_length",
    "title_text_max_length",
    "body_restriction_policy",
    "body_required_strings",
    "body_blacklisted_strings",
    "body_regexes",
    "body_text_min_length",
    "body_text_max_length",
    "link_restriction_policy",
    "domain_whitelist",
    "domain_blacklist",
    "link_repost_age",
    "gallery_min_items",
    "gallery_max_items",
    "gallery_captions_requirement",
    "gallery_urls_requirement",
    "guidelines_text",
)


def parse_comment(data: dict[str, Any], post_id: str = "") -> CommentData:
    """A ``t1`` comment, from a post's tree or a user's comment listing."""
    parent = as_str(data.get("parent_id"))
    return CommentData(
        platform=REDDIT,
        external_id=as_str(data.get("id")),
        post_external_id=post_id or as_str(data.get("link_id")).removeprefix("t3_"),
        body=as_str(data.get("body")),
        author_handle="" if data.get("author") in (None, "[deleted]") else as_str(data.get("author")),
        parent_external_id=parent.split("_", 1)[-1] if parent.startswith("t1_") else "",
        score=None if data.get("score_hidden") else as_signed_int(data.get("score")),
        posted_at=from_epoch(data.get("created_utc")),
        depth=as_int(data.get("depth")) or 0,
    )


# --- Client ----------------------------------------------------------------------------------


class RedditClient:
    """Calls Reddit through the shared transport; counts its calls in ``stats``."""

    def __init__(
        self,
        *,
        base_url: str,
        oauth_base_url: str,
        auth_url: str,
        client_id: str = "",
        client_secret: str = "",
        upstream: http.Upstream,
        stats: http.CallStats | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.oauth_base_url = oauth_base_url.rstrip("/")
        self.auth_url = auth_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.upstream = upstream
        self.stats = stats if stats is not None else http.CallStats()

    @classmethod
    def from_settings(cls, stats: http.CallStats | None = None) -> RedditClient:
        from django.conf import settings

        upstream = http.Upstream.from_settings(
            "reddit",
            requests_per_minute=settings.REDDIT_REQUESTS_PER_MINUTE,
            user_agent=settings.REDDIT_USER_AGENT,
        )
        return cls(
            base_url=settings.REDDIT_BASE_URL,
            oauth_base_url=settings.REDDIT_OAUTH_BASE_URL,
            auth_url=settings.REDDIT_AUTH_URL,
            client_id=settings.REDDIT_CLIENT_ID,
            client_secret=settings.REDDIT_CLIENT_SECRET,
            upstream=upstream,
            stats=stats,
        )

    @property
    def uses_oauth(self) -> bool:
        return bool(self.client_id and self.client_secret)

    # --- auth ---

    def _token(self, *, refresh: bool = False) -> str:
        from django.core.cache import cache

        key = _TOKEN_CACHE_KEY.format(client_id=self.client_id)
        token = None if refresh else cache.get(key)
        if token:
            return token
        response = http.request(
            self.upstream,
            "POST",
            self.auth_url,
            data={"grant_type": "client_credentials"},
            auth=(self.client_id, self.client_secret),
            stats=self.stats,
        )
        token = as_str(dig(response.data, "access_token"))
        if not token:
            raise PermanentError("no access_token in the token answer", upstream="reddit", reason="unauthorized")
        # Tokens live 24 h (expires_in 86400); renew a minute early so no call carries a dead one.
        cache.set(key, token, timeout=max(60, (as_int(dig(response.data, "expires_in")) or 3600) - 60))
        return token

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET a Reddit API path (``/r/python/about``) in whichever mode is configured."""
        query = {"raw_json": 1, **(params or {})}
        if not self.uses_oauth:
            url = f"{self.base_url}{path.rstrip('/')}.json"
            return http.request(self.upstream, "GET", url, params=query, stats=self.stats).data
        url = f"{self.oauth_base_url}{path}"
        try:
            headers = {"Authorization": f"bearer {self._token()}"}
            return http.request(self.upstream, "GET", url, params=query, headers=headers, stats=self.stats).data
        except PermanentError as exc:
            if exc.reason != "unauthorized":
                raise
            # The cached token expired or was revoked: one fresh token, one more try.
            headers = {"Authorization": f"bearer {self._token(refresh=True)}"}
            return http.request(self.upstream, "GET", url, params=query, headers=headers, stats=self.stats).data

    # --- calls ---

    def subreddit_about(self, name: str) -> CommunityData:
        payload = self.get(f"/r/{name}/about")
        if dig(payload, "kind") != "t5" or not isinstance(dig(payload, "data"), dict):
            # Reddit answers a search page (kind Listing) for names that do not exist.
            raise PermanentError(f"r/{name} does not exist", upstream="reddit", reason="not_found")
        return parse_subreddit(payload["data"])

    def subreddit_rules(self, name: str) -> list[dict[str, Any]]:
        return parse_rules(self.get(f"/r/{name}/about/rules") or {})

    def subreddit(self, name: str) -> CommunityData:
        """About plus rules: two calls."""
        return apply_rules(self.subreddit_about(name), self.subreddit_rules(name))

    def listing(
        self, name: str, sort: str = "hot", *, max_items: int = 100, time_filter: str | None = None
    ) -> list[PostData]:
        """``/r/{name}/{hot|new|top|rising}``, paged with ``after`` up to ``max_items`` (≤ 1,000)."""
        params = {"t": time_filter} if time_filter else {}
        return self._paged(f"/r/{name}/{sort}", params, max_items)

    def user_about(self, name: str) -> ProfileData:
        payload = self.get(f"/user/{name}/about")
        if dig(payload, "kind") != "t2" or not isinstance(dig(payload, "data"), dict):
            raise PermanentError(f"u/{name} does not exist", upstream="reddit", reason="not_found")
        profile = parse_user(payload["data"])
        if profile.is_suspended:
            raise PermanentError(f"u/{name} is suspended", upstream="reddit", reason="banned")
        return profile

    def user_submitted(self, name: str, sort: str = "new", *, max_items: int = 100) -> list[PostData]:
        return self._paged(f"/user/{name}/submitted", {"sort": sort}, max_items)

    def post_comments(self, post_id: str, *, sort: str = "top", limit: int = 100, more_budget: int = 0) -> CommentTree:
        """A post's comments, then up to ``more_budget`` ``/api/morechildren`` calls expanding its stubs.

        Each expansion asks for at most 100 children (Reddit's limit per call); stubs beyond the
        budget stay counted in ``hidden``/``more_ids``, unread.
        """
        tree = parse_comment_tree(self.get(f"/comments/{post_id}", {"sort": sort, "limit": limit}))
        calls = 0
        while tree.more_ids and calls < more_budget:
            batch, tree.more_ids = tree.more_ids[:100], tree.more_ids[100:]
            payload = self.get(
                "/api/morechildren",
                {"link_id": f"t3_{post_id}", "children": ",".join(batch), "sort": sort, "api_type": "json"},
            )
            calls += 1
            parse_more_children(payload, post_id, tree)
        return tree

    def post_requirements(self, name: str) -> dict[str, Any]:
        """``/api/v1/{sub}/post_requirements``: title/body/link/flair/gallery rules Reddit enforces."""
        return parse_post_requirements(self.get(f"/api/v1/{name}/post_requirements"))

    def subreddits_info(self, names: list[str]) -> list[CommunityData]:
        """``/api/info?sr_name=a,b``: up to 100 subreddits' about data in one call (discovery)."""
        found: list[CommunityData] = []
        for start in range(0, len(names), 100):
            payload = self.get("/api/info", {"sr_name": ",".join(names[start : start + 100])})
            found.extend(
                parse_subreddit(child["data"])
                for child in dig(payload, "data", "children", default=[])
                if child.get("kind") == "t5"
            )
        return found

    def _paged(self, path: str, params: dict[str, Any], max_items: int) -> list[PostData]:
        max_items = min(max_items, LISTING_WALL)
        posts: list[PostData] = []
        seen: set[str] = set()
        after = ""
        while len(posts) < max_items:
            page_params = {**params, "limit": min(100, max_items - len(posts))}
            if after:
                page_params["after"] = after
                page_params["count"] = len(posts)
            page, after = parse_listing(self.get(path, page_params))
            fresh = [post for post in page if post.external_id not in seen]
            seen.update(post.external_id for post in fresh)
            posts.extend(fresh)
            if not fresh or not after:
                break
        return posts[:max_items]
