"""Parsers for every Instagram shape we meet, into ``ProfileData`` / ``PostData`` / ``CommentData``.

Shapes: the web profile (``web_profile_info``: ``data.user`` with ``edge_*`` counts), GraphQL
timeline nodes (``edge_owner_to_timeline_media``), the mobile item (feed, reels under
``items[].media``, ``?__a=1`` media detail), mobile user info (``/users/{id}/info``), the Graph API's
Business Discovery, and the camelCase profile some scraper providers return (Apify 2019).

Hidden likes: when the owner hides counts (``like_and_view_counts_disabled``,
``hide_like_and_view_counts``, or a Graph API media without ``like_count``) the count is stored as
unknown (None) with ``likes_hidden`` set, never as 0 or as Instagram's placeholder value.
"""

from __future__ import annotations

from typing import Any

from profiles import contacts
from scraping.schemas import (
    INSTAGRAM,
    CommentData,
    MediaData,
    Page,
    PostData,
    ProfileData,
    as_int,
    as_str,
    dig,
    from_epoch,
    from_iso,
    text_signals,
)

PERMALINK = "https://www.instagram.com/p/{code}/"
REEL_PERMALINK = "https://www.instagram.com/reel/{code}/"


def _links(*urls: Any) -> list[str]:
    return list(dict.fromkeys(u for u in (as_str(v) for v in urls) if u))


# --- Profiles --------------------------------------------------------------------------------


def _with_contacts(profile: ProfileData, fields: dict[str, Any], links: list[str] | None = None) -> ProfileData:
    """The contacts in the platform's business fields (``fields``), the bio and the links.

    ``links``: the links as received, when they may hold ``mailto:`` ones, which are contacts but
    never stored as links (``ProfileData`` keeps http(s) links only).
    """
    profile.contacts = contacts.extract(fields, profile.bio, profile.links if links is None else links)
    return profile


def parse_web_profile(user: dict[str, Any]) -> ProfileData:
    """``web_profile_info``'s ``data.user`` (also the GraphQL ``user`` of older ``?__a=1`` pages)."""
    bio_links = [link.get("url") for link in user.get("bio_links") or [] if isinstance(link, dict)]
    links = _links(user.get("external_url"), *bio_links)
    profile = ProfileData(
        platform=INSTAGRAM,
        handle=as_str(user.get("username")),
        external_id=as_str(user.get("id") or user.get("pk")),
        full_name=as_str(user.get("full_name")),
        bio=as_str(user.get("biography")),
        external_url=as_str(user.get("external_url")),
        links=links,
        is_verified=bool(user.get("is_verified")),
        is_private=bool(user.get("is_private")),
        is_business=bool(user.get("is_business_account") or user.get("is_professional_account")),
        category=as_str(user.get("category_name") or user.get("business_category_name")),
        followers_count=as_int(dig(user, "edge_followed_by", "count")),
        following_count=as_int(dig(user, "edge_follow", "count")),
        posts_count=as_int(dig(user, "edge_owner_to_timeline_media", "count")),
        avatar_url=as_str(user.get("profile_pic_url_hd") or user.get("profile_pic_url")),
        related_handles=[
            as_str(dig(edge, "node", "username"))
            for edge in dig(user, "edge_related_profiles", "edges", default=[])
            if dig(edge, "node", "username")
        ],
    )
    return _with_contacts(profile, user, links)


def parse_mobile_user(user: dict[str, Any]) -> ProfileData:
    """``/api/v1/users/{id}/info/``'s ``user`` (mobile shape)."""
    profile = ProfileData(
        platform=INSTAGRAM,
        handle=as_str(user.get("username")),
        external_id=as_str(user.get("pk") or user.get("pk_id") or user.get("id")),
        full_name=as_str(user.get("full_name")),
        bio=as_str(user.get("biography")),
        external_url=as_str(user.get("external_url")),
        links=_links(user.get("external_url")),
        is_verified=bool(user.get("is_verified")),
        is_private=bool(user.get("is_private")),
        is_business=bool(user.get("is_business")),
        category=as_str(user.get("category")),
        followers_count=as_int(user.get("follower_count")),
        following_count=as_int(user.get("following_count")),
        posts_count=as_int(user.get("media_count")),
        avatar_url=as_str(dig(user, "hd_profile_pic_url_info", "url") or user.get("profile_pic_url")),
    )
    return _with_contacts(profile, user)


def parse_graph_profile(business: dict[str, Any]) -> ProfileData:
    """Graph API ``business_discovery`` object (fields as requested by ``graph.py``): no contact
    fields there, so contacts come from the biography and the website."""
    profile = ProfileData(
        platform=INSTAGRAM,
        handle=as_str(business.get("username")),
        external_id=as_str(business.get("ig_id") or business.get("id")),
        full_name=as_str(business.get("name")),
        bio=as_str(business.get("biography")),
        external_url=as_str(business.get("website")),
        links=_links(business.get("website")),
        # Business Discovery only answers for business and creator accounts.
        is_business=True,
        followers_count=as_int(business.get("followers_count")),
        following_count=as_int(business.get("follows_count")),
        posts_count=as_int(business.get("media_count")),
        avatar_url=as_str(business.get("profile_picture_url")),
    )
    return _with_contacts(profile, {})


def parse_apify_profile(data: dict[str, Any]) -> tuple[ProfileData, list[PostData]]:
    """A scraper-provider profile in camelCase (``followersCount``, ``latestPosts[]``)."""
    profile = ProfileData(
        platform=INSTAGRAM,
        handle=as_str(data.get("username")),
        external_id=as_str(data.get("id")),
        full_name=as_str(data.get("fullName")),
        bio=as_str(data.get("biography")),
        external_url=as_str(data.get("externalUrl")),
        links=_links(data.get("externalUrl")),
        is_verified=bool(data.get("verified")),
        is_private=bool(data.get("private")),
        is_business=bool(data.get("isBusinessAccount")),
        category=as_str(data.get("businessCategoryName")),
        followers_count=as_int(data.get("followersCount")),
        following_count=as_int(data.get("followsCount")),
        posts_count=as_int(data.get("postsCount")),
        avatar_url=as_str(data.get("profilePicUrlHD") or data.get("profilePicUrl")),
    )
    _with_contacts(
        profile,
        {"business_email": data.get("businessEmail"), "business_phone_number": data.get("businessPhoneNumber")},
    )
    posts = [
        _parse_apify_post(item, profile)
        for item in (data.get("latestPosts") or []) + (data.get("latestIgtvVideos") or [])
        if isinstance(item, dict)
    ]
    return profile, posts


# --- Posts -----------------------------------------------------------------------------------


def _finish(post: PostData) -> PostData:
    if post.shortcode and not post.permalink:
        template = REEL_PERMALINK if post.kind == "reel" else PERMALINK
        post.permalink = template.format(code=post.shortcode)
    return text_signals(post)


def parse_graphql_node(node: dict[str, Any], *, likes_hidden: bool = False) -> PostData:
    """A timeline node (``GraphImage`` / ``GraphVideo`` / ``GraphSidecar``)."""
    typename = node.get("__typename", "")
    if typename == "GraphSidecar" or "edge_sidecar_to_children" in node:
        kind = "carousel"
    elif node.get("product_type") == "clips":
        kind = "reel"
    elif node.get("is_video") or typename == "GraphVideo":
        kind = "video"
    else:
        kind = "image"
    hidden = likes_hidden or bool(node.get("like_and_view_counts_disabled"))
    likes = dig(node, "edge_media_preview_like", "count", default=dig(node, "edge_liked_by", "count"))
    children = [dig(edge, "node", default={}) for edge in dig(node, "edge_sidecar_to_children", "edges", default=[])]
    media = [
        MediaData(
            "video" if child.get("is_video") else "image", as_str(child.get("video_url") or child.get("display_url"))
        )
        for child in (children or [node])
        if child.get("video_url") or child.get("display_url")
    ]
    post = PostData(
        platform=INSTAGRAM,
        external_id=as_str(node.get("id")),
        shortcode=as_str(node.get("shortcode")),
        posted_at=from_epoch(node.get("taken_at_timestamp")),
        kind=kind,
        author_handle=as_str(dig(node, "owner", "username")),
        author_external_id=as_str(dig(node, "owner", "id")),
        caption=as_str(dig(node, "edge_media_to_caption", "edges", 0, "node", "text")),
        likes_count=None if hidden else as_int(likes),
        likes_hidden=hidden,
        comments_count=as_int(
            dig(node, "edge_media_to_comment", "count", default=dig(node, "edge_media_preview_comment", "count"))
        ),
        views_count=None if hidden else as_int(node.get("video_view_count")),
        plays_count=None if hidden else as_int(node.get("video_play_count")),
        is_paid_partnership=bool(
            node.get("is_paid_partnership") or dig(node, "edge_media_to_sponsor_user", "edges", default=[])
        ),
        media=media,
    )
    return _finish(post)


def _best_image(item: dict[str, Any]) -> str:
    candidates = dig(item, "image_versions2", "candidates", default=[])
    if not candidates:
        return ""
    return as_str(max(candidates, key=lambda c: (c.get("width") or 0) * (c.get("height") or 0)).get("url"))


def _mobile_media(item: dict[str, Any]) -> list[MediaData]:
    media: list[MediaData] = []
    for part in item.get("carousel_media") or [item]:
        videos = part.get("video_versions") or []
        if videos:
            media.append(MediaData("video", as_str(videos[0].get("url"))))
        elif _best_image(part):
            media.append(MediaData("image", _best_image(part)))
    return media


def parse_mobile_item(item: dict[str, Any]) -> PostData:
    """A mobile API media item (feed, reels' ``items[].media``, ``?__a=1`` detail)."""
    media_type = as_int(item.get("media_type"))
    if media_type == 8 or item.get("carousel_media"):
        kind = "carousel"
    elif item.get("product_type") == "clips":
        kind = "reel"
    elif media_type == 2:
        kind = "video"
    else:
        kind = "image"
    hidden = bool(item.get("like_and_view_counts_disabled"))
    external_id = as_str(item.get("pk") or as_str(item.get("id")).split("_")[0])
    brand_tag = dig(item, "clips_metadata", "branded_content_tag_info", default={})
    post = PostData(
        platform=INSTAGRAM,
        external_id=external_id,
        shortcode=as_str(item.get("code")),
        posted_at=from_epoch(item.get("taken_at")),
        kind=kind,
        author_handle=as_str(dig(item, "user", "username")),
        author_external_id=as_str(dig(item, "user", "pk")),
        caption=as_str(dig(item, "caption", "text")),
        likes_count=None if hidden else as_int(item.get("like_count")),
        likes_hidden=hidden,
        comments_count=as_int(item.get("comment_count")),
        views_count=None if hidden else as_int(item.get("view_count")),
        plays_count=None if hidden else as_int(item.get("play_count")),
        shares_count=as_int(item.get("reshare_count")),
        is_paid_partnership=bool(
            item.get("is_paid_partnership") or (brand_tag.get("can_add_tag") is False and brand_tag.get("tags"))
        ),
        media=_mobile_media(item),
        comments=parse_mobile_comments(item),
    )
    return _finish(post)


def parse_graph_media(item: dict[str, Any], owner: ProfileData | None = None) -> PostData:
    """Graph API media: ``like_count`` is absent when the owner hides likes."""
    media_type = as_str(item.get("media_type")).upper()
    product = as_str(item.get("media_product_type")).upper()
    kind = {"CAROUSEL_ALBUM": "carousel", "VIDEO": "video"}.get(media_type, "image")
    if product == "REELS":
        kind = "reel"
    hidden = "like_count" not in item
    url = as_str(item.get("media_url"))
    post = PostData(
        platform=INSTAGRAM,
        external_id=as_str(item.get("id")),
        posted_at=from_iso(item.get("timestamp")),
        kind=kind,
        author_handle=owner.handle if owner else as_str(item.get("username")),
        author_external_id=owner.external_id if owner else "",
        caption=as_str(item.get("caption")),
        permalink=as_str(item.get("permalink")),
        likes_count=None if hidden else as_int(item.get("like_count")),
        likes_hidden=hidden,
        comments_count=as_int(item.get("comments_count")),
        views_count=as_int(item.get("view_count") or item.get("plays")),
        media=[MediaData("video" if media_type == "VIDEO" else "image", url)] if url else [],
    )
    shortcode = post.permalink.rstrip("/").rsplit("/", 1)[-1] if post.permalink else ""
    post.shortcode = shortcode
    return _finish(post)


def _parse_apify_post(item: dict[str, Any], owner: ProfileData) -> PostData:
    kind = {"Video": "video", "Sidecar": "carousel"}.get(as_str(item.get("type")), "image")
    likes = item.get("likesCount")
    hidden = likes is None or as_int(likes) is None
    url = as_str(item.get("videoUrl") or item.get("displayUrl"))
    post = PostData(
        platform=INSTAGRAM,
        external_id=as_str(item.get("id") or item.get("shortCode")),
        shortcode=as_str(item.get("shortCode")),
        posted_at=from_iso(item.get("timestamp")),
        kind=kind,
        author_handle=owner.handle,
        author_external_id=owner.external_id,
        caption=as_str(item.get("caption")),
        likes_count=None if hidden else as_int(likes),
        likes_hidden=hidden,
        comments_count=as_int(item.get("commentsCount")),
        views_count=as_int(item.get("videoViewCount")),
        media=[MediaData("video" if item.get("videoUrl") else "image", url)] if url else [],
    )
    return _finish(post)


# --- Pages -----------------------------------------------------------------------------------


def parse_web_profile_page(payload: dict[str, Any]) -> tuple[ProfileData | None, Page]:
    """``web_profile_info``: the profile plus the first timeline page it embeds (may be empty)."""
    user = dig(payload, "data", "user") or dig(payload, "graphql", "user")
    if not isinstance(user, dict):
        return None, Page([])
    profile = parse_web_profile(user)
    return profile, parse_timeline(user, likes_hidden=bool(user.get("hide_like_and_view_counts")))


def parse_timeline(user: dict[str, Any], *, likes_hidden: bool = False) -> Page:
    """``edge_owner_to_timeline_media`` of a user object (GraphQL timeline page)."""
    timeline = user.get("edge_owner_to_timeline_media") or {}
    posts = [
        parse_graphql_node(edge["node"], likes_hidden=likes_hidden)
        for edge in timeline.get("edges") or []
        if isinstance(edge.get("node"), dict)
    ]
    cursor = as_str(dig(timeline, "page_info", "end_cursor")) if dig(timeline, "page_info", "has_next_page") else ""
    return Page(posts, cursor)


def parse_mobile_page(payload: dict[str, Any]) -> Page:
    """Feed (``items[]``), reels (``items[].media`` + ``paging_info``) or media detail pages."""
    posts = []
    for item in payload.get("items") or []:
        media = item.get("media") if isinstance(item.get("media"), dict) else item
        posts.append(parse_mobile_item(media))
    paging = payload.get("paging_info") or {}
    more = paging.get("more_available", payload.get("more_available"))
    cursor = paging.get("max_id") or payload.get("next_max_id")
    return Page(posts, as_str(cursor) if more and cursor else "")


def parse_graphql_comments(payload: dict[str, Any], post_id: str = "") -> Page:
    """A GraphQL comments page of one post."""
    media = dig(payload, "data", "shortcode_media", default={})
    edges = dig(media, "edge_media_to_parent_comment") or dig(media, "edge_media_to_comment") or {}
    comments = []
    for edge in edges.get("edges") or []:
        node = edge.get("node") or {}
        comments.append(
            CommentData(
                platform=INSTAGRAM,
                external_id=as_str(node.get("id")),
                post_external_id=post_id or as_str(media.get("id")),
                body=as_str(node.get("text")),
                author_handle=as_str(dig(node, "owner", "username")),
                posted_at=from_epoch(node.get("created_at")),
                score=as_int(dig(node, "edge_liked_by", "count")),
            )
        )
    cursor = as_str(dig(edges, "page_info", "end_cursor")) if dig(edges, "page_info", "has_next_page") else ""
    return Page(comments, cursor)


def parse_mobile_comments(item: dict[str, Any]) -> list[CommentData]:
    """Preview comments carried by a mobile media item."""
    post_id = as_str(item.get("pk"))
    return [
        CommentData(
            platform=INSTAGRAM,
            external_id=as_str(comment.get("pk")),
            post_external_id=post_id,
            body=as_str(comment.get("text")),
            author_handle=as_str(dig(comment, "user", "username")),
            posted_at=from_epoch(comment.get("created_at_utc") or comment.get("created_at")),
            score=as_int(comment.get("comment_like_count")),
        )
        for comment in item.get("comments") or item.get("preview_comments") or []
        if isinstance(comment, dict)
    ]
