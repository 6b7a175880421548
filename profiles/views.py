"""Pages for signed-in users: creator search, the profile page, favorites, the subreddit review queue.

Thin views over the shared parts: the search binds ``request.GET`` to the API's ``ProfileFilterSet``
(one FilterSet for API and page, NetBox style), analytics come from ``posts/analytics.py`` and
bulk review from ``profiles/bulk.py``. Every page reads without JavaScript; htmx and the keyboard
only make it quicker.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.teams import check_can, current_membership, current_team, team_for_writing
from campaigns.models import Campaign
from campaigns.shortlist import add_creators
from config.paging import CappedCountPaginator
from config.querysets import CHANGE
from posts.analytics import CommunityFigures, profile_analytics, reddit_figures
from profiles import bulk, connect, contacts, exports, lists
from profiles.access import AccessLimitReached, check_quota, ensure_access, needs_confirmation, sharing_team
from profiles.audience import page_context as audience_page_context
from profiles.filters import ProfileFilterSet
from profiles.models import (
    Community,
    CommunityRequirements,
    CommunityReviewStatus,
    CommunityReviewSuggestion,
    Contact,
    Decision,
    Favorite,
    List,
    Platform,
    Profile,
    ProfileLink,
    RelatedProfile,
    SearchHistory,
    Tag,
    TagSuggestion,
)
from profiles.search_choices import search_languages, search_tags

# One key per review status in the subreddit queue (shown on every button).
REVIEW_KEYS = {
    "ok": "o",
    "no_seller": "s",
    "non_related": "n",
    "user_feed": "f",
    "banned": "b",
    "unreviewed": "u",
}


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


# "Updated in the last …" on the search page, turned into the FilterSet's ``last_scraped_after``.
UPDATED_WITHIN = [("", "Any time"), ("1", "Last 24 hours"), ("7", "Last 7 days"), ("30", "Last 30 days")]
EXPORT_LIMIT = 5000  # rows in one export of a whole search; a bigger shortlist is an admin export


def _search_data(params: QueryDict) -> QueryDict:
    """The page's plain-language fields translated into the shared FilterSet's parameters."""
    data = params.copy()
    within = data.get("updated_within", "")
    if within in dict(UPDATED_WITHIN) and within and not data.get("last_scraped_after"):
        data["last_scraped_after"] = (timezone.now() - timedelta(days=int(within))).isoformat()
    # The tag picker's text box (a slug or a tag's name, picked from the autocomplete list) adds one tag.
    typed = data.pop("tag_add", [""])[-1].strip()
    if typed:
        tag = Tag.objects.filter(slug=typed).first() or Tag.objects.filter(name__iexact=typed).first()
        data.appendlist("tags", tag.slug if tag else typed)
    return data


class _OrderingSelect(forms.Select):
    """One "Sort by" choice, handed to the FilterSet's comma-separated ordering field as its list."""

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        return value.split(",") if value else None


def _present(filterset: ProfileFilterSet) -> None:
    """Labels with units, checkboxes instead of Ctrl-click lists, languages by name: the same
    FilterSet as the API, dressed for people."""
    fields = filterset.form.fields
    fields["q"].label = "Search"
    fields["q"].widget.attrs.update(placeholder="Handle, name or words in the bio", type="search")
    fields["platform"].widget = forms.RadioSelect(choices=[("", "All platforms"), *Platform.choices])
    fields["platform"].label = "Platform"
    fields["category"].widget = forms.CheckboxSelectMultiple(choices=fields["category"].choices)
    fields["category"].label = "Content category"
    fields["review_status"].widget = forms.CheckboxSelectMultiple(choices=fields["review_status"].choices)
    fields["review_status"].label = "Review status"
    fields["language"].widget = forms.Select(choices=[("", "Any language"), *search_languages()])
    fields["language"].label = "Language"
    fields["verified"].label = "Verified account"
    fields["business"].label = "Business account"
    for name, step in (("followers", "1000"), ("engagement", "0.1"), ("growth", "0.1")):
        for end in ("min", "max"):
            field = fields[f"{name}_{end}"]
            field.label = "from" if end == "min" else "to"
            field.widget.attrs.update(step=step, placeholder="any", inputmode="decimal")
    # Brands, contacts and audience in plain words (the API's labels name codes and parameters).
    fields["mentions"].label = "Worked with a brand (@handle, #hashtag or name)"
    fields["mentions_days"].label = "…in the last N days"
    fields["paid"].label = "Only paid partnerships"
    fields["has_email"].label = "Has an e-mail address"
    fields["audience_country"].label = "Audience country (two letters, e.g. US)"
    fields["audience_language"].label = "Audience language (e.g. en, es)"
    fields["credibility_min"].label = "Audience credibility, at least (0–100)"
    tags = fields["tags"]
    tags.widget = forms.CheckboxSelectMultiple()
    tags.label = "Tags (any of)"
    ordering = fields["ordering"]
    ordering.label = "Sort by"
    ordering.widget = _OrderingSelect(
        choices=[
            ("", "Followers, most first"),
            ("-engagement", "Engagement, highest first"),
            ("-growth", "Growth, fastest first"),
            ("-recency", "Recently updated first"),
            ("followers", "Followers, fewest first"),
        ]
    )


def _searched_profiles(request: HttpRequest, data) -> ProfileFilterSet:
    filterset = ProfileFilterSet(
        data,
        queryset=Profile.objects.restrict(request.user)
        .select_related("avatar_asset")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.select_related("category"))),
    )
    # The shared FilterSet's tag choices print "Category: Tag": fetch the categories in the same query.
    filterset.form.fields["tags"].queryset = Tag.objects.select_related("category")
    return filterset


def _writable_campaigns(request: HttpRequest) -> list:
    """The current team's campaigns this user may add creators to (none for viewers or without a team)."""
    team = current_team(request)
    if team is None:
        return []
    return list(
        Campaign.objects.restrict(request.user, team=team, action=CHANGE).exclude(status="archived").order_by("name")
    )


@login_required
def creator_search(request: HttpRequest) -> HttpResponse:
    """Result cards for the API's creator filters; invalid filters answer 400 with field messages."""
    filterset = _searched_profiles(request, _search_data(request.GET))
    _present(filterset)  # before validation: bound fields keep the labels they were created with
    status = 200
    page = None
    if filterset.is_valid():
        # Counted up to SEARCH_COUNT_CAP (or the page asked for): "more than 250 creators", as the API.
        paginator = CappedCountPaginator(
            filterset.qs, settings.PAGES_PAGE_SIZE, cap=settings.SEARCH_COUNT_CAP, page=request.GET.get("page")
        )
        page = paginator.get_page(request.GET.get("page"))
        team = current_team(request)
        favorite_ids = set(
            Favorite.objects.filter(
                user=request.user, team=team, profile__in=[p.pk for p in page.object_list]
            ).values_list("profile_id", flat=True)
        )
        for profile in page.object_list:
            profile.is_favorite = profile.pk in favorite_ids
        searched = {k: v for k, v in request.GET.items() if k != "page" and v}
        # Searches are the team's history; a user of no team searches without one.
        if searched and page.number == 1 and team is not None:
            SearchHistory.record(
                team=team,
                user=request.user,
                query=request.GET.get("q", ""),
                filters={k: v for k, v in searched.items() if k != "q"},
                result_count=paginator.shown_count,
            )
    else:
        status = 400
    chosen_tags = set(filterset.form["tags"].value() or [])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "profiles/search.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "page": page,
            "query": query.urlencode(),
            "updated_within": UPDATED_WITHIN,
            "chosen_updated_within": request.GET.get("updated_within", ""),
            "all_tags": search_tags(),
            "chosen_tags": chosen_tags,
            "campaigns": _writable_campaigns(request),
            "range_fields": [
                ("Followers", "followers", filterset.form["followers_min"], filterset.form["followers_max"]),
                ("Engagement rate, %", "%", filterset.form["engagement_min"], filterset.form["engagement_max"]),
                ("Follower growth in 30 days, %", "%", filterset.form["growth_min"], filterset.form["growth_max"]),
            ],
        },
        status=status,
    )


@login_required
@require_POST
def bulk_creators(request: HttpRequest) -> HttpResponse:
    """The search's bulk bar: add the ticked creators to favorites or a campaign (an existing one, or a
    new one named in place), or export them — or, with none ticked, the whole search — as CSV/XLSX."""
    action = request.POST.get("action", "")
    back = _safe_next(request, reverse("profiles:search"))
    ids = [int(pk) for pk in request.POST.getlist("profile") if pk.isdigit()]
    visible = Profile.objects.restrict(request.user)
    chosen = list(visible.filter(pk__in=ids).order_by(F("followers_count").desc(nulls_last=True), "id"))
    if action in exports.FORMATS:
        if chosen:
            rows = chosen
        else:
            filterset = _searched_profiles(request, _search_data(QueryDict(request.POST.get("query", ""))))
            if not filterset.is_valid():
                messages.error(request, "The search's filters are not valid; fix them before exporting.")
                return HttpResponseRedirect(back)
            rows = list(filterset.qs[:EXPORT_LIMIT])
        return exports.file_response(exports.creators_dataset(rows), action, "creators")
    if not chosen:
        messages.error(request, "Tick at least one creator first.")
        return HttpResponseRedirect(back)
    team = team_for_writing(request)
    if action == "favorite":
        added = 0
        for profile in chosen:
            _, created = Favorite.objects.get_or_create(team=team, user=request.user, profile=profile)
            added += created
        messages.success(request, f"Saved {added} creator{'s' if added != 1 else ''} to favorites.")
        return HttpResponseRedirect(back)
    if action == "campaign":
        return _shortlist(request, chosen, back)
    messages.error(request, "Choose what to do with the ticked creators.")
    return HttpResponseRedirect(back)


def _shortlist(request: HttpRequest, chosen: list[Profile], back: str) -> HttpResponse:
    """Add creators to the chosen campaign, or to a new one named in ``new_campaign`` (created in the
    current team, this user its author); then show the warnings ``add_creators`` raises."""
    new_name = request.POST.get("new_campaign", "").strip()
    if new_name:
        team = team_for_writing(request)
        campaign = Campaign.objects.create(team=team, owner=request.user, name=new_name[:200])
        messages.success(request, f"Created the campaign “{campaign.name}”.")
    else:
        campaign = (
            Campaign.objects.restrict(request.user, action=CHANGE)
            .filter(pk=request.POST.get("campaign") or None)
            .first()
        )
        if campaign is None:
            messages.error(request, "Choose a campaign you may change, or name a new one.")
            return HttpResponseRedirect(back)
    result = add_creators(campaign, chosen, request.user, request=request)
    for level, text in result.messages(campaign):
        getattr(messages, level)(request, text)
    return HttpResponseRedirect(back)


def _similar(profile: Profile, limit: int = 8) -> list[Profile]:
    """Stored links first (AI lookalikes, provider, mentions); else same platform, category and size."""
    related = [
        link.related
        for link in RelatedProfile.objects.filter(profile=profile)
        .select_related("related__avatar_asset")
        .order_by(F("score").desc(nulls_last=True), "id")[:limit]
    ]
    if related:
        return related
    candidates = Profile.objects.filter(platform=profile.platform).exclude(pk=profile.pk).select_related("avatar_asset")
    if profile.ai_primary_content_type:
        candidates = candidates.filter(ai_primary_content_type=profile.ai_primary_content_type)
    if profile.followers_count:
        candidates = candidates.filter(
            followers_count__gte=profile.followers_count // 2, followers_count__lte=profile.followers_count * 2
        )
    # Up to 200 neighbours read along the (platform, -followers_count) index, then the most engaging:
    # sorting every creator of a category by engagement cost ~80 ms at 100,000 creators.
    nearby = list(candidates.order_by("platform", "-followers_count")[:200])
    nearby.sort(key=lambda p: (p.engagement_rate is None, -(p.engagement_rate or 0), p.pk))
    return nearby[:limit]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A creator's report. Opening one that counts against a monthly quota takes the POST of the
    confirmation page's button (``profiles.access.needs_confirmation``); a GET never spends it."""
    profile = get_object_or_404(
        Profile.objects.restrict(request.user)
        .select_related("avatar_asset")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.select_related("category"))),
        pk=pk,
    )
    team = current_team(request)
    sharing = sharing_team(request)
    try:
        if request.method == "POST":
            ensure_access(request.user, profile, team=sharing)
            return HttpResponseRedirect(reverse("profiles:profile", args=[profile.pk]))
        if needs_confirmation(request.user, profile, team=sharing):
            check_quota(request.user, profile, team=sharing)
            context = {
                "profile": profile,
                "limit": settings.PROFILE_ACCESS_MONTHLY_LIMIT,
                "days": settings.PROFILE_ACCESS_DAYS,
                "by_team": sharing is not None,
            }
            return render(request, "profiles/open_access.html", context)
        access = ensure_access(request.user, profile, team=sharing)
    except AccessLimitReached as exc:
        return render(request, "profiles/access_limit.html", {"profile": profile, "error": exc}, status=403)
    posts = profile.posts.prefetch_related("media__asset").select_related("community")
    recent_posts = list(posts.order_by("-posted_at")[:12])
    context = {
        "profile": profile,
        "reddit": reddit_figures(profile, recent_posts) if profile.platform == Platform.REDDIT else None,
        "in_campaigns": list(
            Campaign.objects.restrict(request.user, team=team).filter(campaign_profiles__profile=profile).distinct()
        )
        if team
        else [],
        "access": access,
        "analytics": profile_analytics(profile),
        "recent_posts": recent_posts,
        "viral_posts": list(posts.filter(is_viral=True).order_by("-posted_at")[:6]),
        "similar": _similar(profile),
        "is_favorite": Favorite.objects.filter(user=request.user, team=team, profile=profile).exists(),
        # The campaigns this user may add a creator to: their team's that they may change.
        "campaigns": _writable_campaigns(request),
        "can_write": can_write(request),
        "suggestions": list(
            TagSuggestion.objects.filter(profile=profile, status=TagSuggestion.Status.PENDING)
            .select_related("tag__category")
            .order_by("-confidence")
        ),
        **_identity_links(profile),
        "audience": audience_page_context(profile),
        "connect_available": connect.configured(),
        "connect_logins": connect.logins(),
    }
    return render(request, "profiles/profile_detail.html", context)


def _identity_links(profile: Profile) -> dict:
    """Confirmed links ("also on Instagram: …") and the pending suggestions an analyst decides on."""
    linked = [
        (link, link.linked if link.profile_id == profile.pk else link.profile)
        for link in ProfileLink.for_profile(
            profile, statuses=(ProfileLink.Status.CONFIRMED, ProfileLink.Status.SUGGESTED)
        )
    ]
    return {
        "also_on": [(link, other) for link, other in linked if link.status == ProfileLink.Status.CONFIRMED],
        "link_suggestions": [(link, other) for link, other in linked if link.status == ProfileLink.Status.SUGGESTED],
    }


@login_required
@require_POST
def decide_profile_link(request: HttpRequest, pk: int) -> HttpResponse:
    """An analyst confirms or rejects a suggested identity link; a rejection is kept so it never comes back."""
    link = get_object_or_404(ProfileLink.objects.select_related("profile", "linked"), pk=pk)
    back = _safe_next(request, reverse("profiles:profile", args=[link.profile_id]))
    if not request.user.has_perm("profiles.change_profilelink"):
        messages.error(request, "Confirming identity links needs the analyst role.")
        return HttpResponseRedirect(back)
    decision = request.POST.get("decision", "")
    if decision not in (ProfileLink.Status.CONFIRMED, ProfileLink.Status.REJECTED):
        messages.error(request, "Choose confirm or reject.")
        return HttpResponseRedirect(back)
    link.decide(decision, request.user)
    messages.success(request, f"u/{link.profile.handle} = {link.platform_label} {link.handle}: {decision}.")
    return HttpResponseRedirect(back)


REQUIREMENT_LABELS = {
    "min_total_karma": "Minimum karma (total)",
    "min_post_karma": "Minimum post karma",
    "min_comment_karma": "Minimum comment karma",
    "min_account_age_days": "Minimum account age (days)",
    "verification_required": "Verification required",
    "flair_required": "Flair required",
    "allowed_post_types": "Allowed post types",
    "submission_type": "Link or text only",
    "title_rules": "Title rules",
    "selling_allowed": "Selling allowed",
    "onlyfans_allowed": "OnlyFans links allowed",
    "promotion_allowed": "Self-promotion allowed",
}


def _requirement_rows(requirements: CommunityRequirements, evidence: dict[str, list[dict]]) -> list[dict]:
    """One row per requirement: its value ("unknown" when nothing states it) and the evidence behind it."""
    rows = []
    for field, label in REQUIREMENT_LABELS.items():
        value = getattr(requirements, field)
        if value is None or value in ([], ""):
            shown = "unknown"
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        elif field == "submission_type":
            shown = {"self": "text posts only", "link": "link posts only"}[value]
        elif isinstance(value, list):
            shown = f"{len(value)} rule{'s' if len(value) != 1 else ''}" if field == "title_rules" else ", ".join(value)
        else:
            shown = str(value)
        rows.append({"field": field, "label": label, "value": shown, "evidence": evidence.get(field, [])})
    return rows


@login_required
@permission_required("profiles.view_community", raise_exception=True)
def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A subreddit: who may post (stated, Reddit's own, observed, contradictions), best times, sentiment."""
    community = get_object_or_404(Community.objects.prefetch_related("tags"), pk=pk)
    requirements = CommunityRequirements.objects.filter(community=community).first()
    figures = CommunityFigures(community, 30)
    evidence_by_field: dict[str, list[dict]] = {}
    for item in requirements.evidence if requirements else []:
        evidence_by_field.setdefault(item["field"], []).append(item)
    context = {
        "community": community,
        "requirements": requirements,
        "requirement_rows": _requirement_rows(requirements, evidence_by_field) if requirements else [],
        "contradictions": [
            {**c, "label": REQUIREMENT_LABELS.get(c["field"], c["field"])}
            for c in (requirements.contradictions if requirements else [])
        ],
        "best_times": figures.best_time_by_kind,
        "window_posts": len(figures._posts),
        "suggestion": community.review_suggestions.filter(status=Decision.PENDING).first(),
        "can_review": request.user.has_perm("profiles.change_community"),
    }
    return render(request, "profiles/community_detail.html", context)


@login_required
@require_POST
def toggle_favorite(request: HttpRequest, pk: int) -> HttpResponse:
    """Star or unstar a creator in the current team's favorites; htmx swaps just the button, a form post goes back.

    Viewers and users of no team get 403 with the reason.
    """
    profile = get_object_or_404(Profile.objects.restrict(request.user), pk=pk)
    team = team_for_writing(request)
    deleted, _ = Favorite.objects.filter(team=team, user=request.user, profile=profile).delete()
    if not deleted:
        Favorite.objects.get_or_create(team=team, user=request.user, profile=profile)
    is_favorite = not deleted
    if request.headers.get("HX-Request"):
        return render(request, "profiles/_favorite_button.html", {"profile": profile, "is_favorite": is_favorite})
    messages.success(
        request,
        f"{'Saved' if is_favorite else 'Removed'} {profile.handle} {'to' if is_favorite else 'from'} favorites.",
    )
    return HttpResponseRedirect(_safe_next(request, reverse("profiles:profile", args=[pk])))


@login_required
def favorites(request: HttpRequest) -> HttpResponse:
    """The current team's favorites, each with who starred it."""
    entries = (
        Favorite.objects.restrict(request.user, team=current_team(request))
        .select_related("profile__avatar_asset", "user")
        .order_by("-created_at")
    )
    fmt = request.GET.get("format", "")
    if fmt in exports.FORMATS:
        columns = [
            exports.Column("Saved by", lambda f: f.user.get_username()),
            exports.Column("Note", lambda f: f.note),
            *[exports.Column(c.header, lambda f, c=c: c.value(f.profile)) for c in exports.CREATOR_COLUMNS],
        ]
        return exports.file_response(exports.dataset(entries[:EXPORT_LIMIT], columns, "Favorites"), fmt, "favorites")
    page = Paginator(entries, settings.PAGES_PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.profile.is_favorite = entry.user_id == request.user.pk
    return render(request, "profiles/favorites.html", {"page": page})


@login_required
@require_POST
def add_to_campaign(request: HttpRequest, pk: int) -> HttpResponse:
    """A profile's "Add to campaign": an existing campaign, or a new one named in place; warns about
    rejected or unreviewed creators."""
    profile = get_object_or_404(Profile.objects.restrict(request.user), pk=pk)
    return _shortlist(request, [profile], reverse("profiles:profile", args=[pk]))


def can_write(request: HttpRequest) -> bool:
    """Whether the user may add rows to the current team (analysts, managers, owners; not viewers)."""
    membership = current_membership(request)
    return membership is not None and membership.can_write


def _queue_counts() -> list[dict]:
    counts = bulk.review_counts(Community)
    return [
        {"value": value, "label": label, "count": counts.get(value, 0), "key": REVIEW_KEYS[value]}
        for value, label in CommunityReviewStatus.choices
    ]


@login_required
@permission_required("profiles.view_community", raise_exception=True)
def review_queue(request: HttpRequest) -> HttpResponse:
    """Subreddits waiting for a decision, biggest first, with their rules; one key per status."""
    status = request.GET.get("status") or CommunityReviewStatus.UNREVIEWED
    if status not in CommunityReviewStatus.values:
        status = CommunityReviewStatus.UNREVIEWED
    queryset = (
        Community.objects.filter(review_status=status)
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.select_related("category")),
            Prefetch(
                "review_suggestions",
                queryset=CommunityReviewSuggestion.objects.filter(status=Decision.PENDING),
                to_attr="pending_suggestions",
            ),
        )
        .order_by(F("subscribers").desc(nulls_last=True), "id")
    )
    page = Paginator(queryset, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "profiles/review_queue.html",
        {
            "page": page,
            "status": status,
            "counts": _queue_counts(),
            "statuses": [(value, label, REVIEW_KEYS[value]) for value, label in CommunityReviewStatus.choices],
            "can_review": request.user.has_perm("profiles.change_community"),
        },
    )


@login_required
@require_POST
def review_communities(request: HttpRequest) -> HttpResponse:
    """Set one status on one or many subreddits (the queue's buttons, keys and bulk form post here)."""
    if not request.user.has_perm("profiles.change_community"):
        messages.error(request, "You may read the queue but not review subreddits.")
        return HttpResponseRedirect(reverse("profiles:review_queue"))
    single = request.POST.get("single", "")
    if single:  # one subreddit's own button: "<id>:<status>"
        pk, _, status = single.partition(":")
        ids = [int(pk)] if pk.isdigit() else []
    else:
        status = request.POST.get("review_status", "")
        ids = [int(pk) for pk in request.POST.getlist("community") if pk.isdigit()]
    if status not in CommunityReviewStatus.values or not ids:
        messages.error(request, "Choose at least one subreddit and a status.")
    else:
        with transaction.atomic():
            changed = bulk.set_review_status(Community.objects.filter(pk__in=ids), request.user, status=status)
            bulk.record_edit(Community, "set_review_status", request.user, ids, changed, request=request, status=status)
        label = CommunityReviewStatus(status).label
        messages.success(request, f"{changed} subreddit{'s' if changed != 1 else ''} marked {label}.")
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return HttpResponseRedirect(_safe_next(request, reverse("profiles:review_queue")))


@login_required
@require_POST
def decide_review_suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept (the suggestion becomes the review status) or reject (never suggested again) — keys a / r."""
    suggestion = get_object_or_404(CommunityReviewSuggestion.objects.select_related("community"), pk=pk)
    back = _safe_next(request, reverse("profiles:review_queue"))
    if not request.user.has_perm("profiles.change_community"):
        messages.error(request, "You may read the queue but not review subreddits.")
        return HttpResponseRedirect(back)
    decision = request.POST.get("decision", "")
    if suggestion.status != Decision.PENDING or decision not in ("accept", "reject"):
        messages.error(request, "That suggestion was already decided, or the decision is not accept/reject.")
        return HttpResponseRedirect(back)
    with transaction.atomic():
        if decision == "accept":
            suggestion.accept(request.user)
            bulk.forget_review_counts(Community)
            bulk.record_edit(
                Community,
                "set_review_status",
                request.user,
                [suggestion.community_id],
                1,
                request=request,
                status=suggestion.suggested_status,
            )
        else:
            suggestion.reject(request.user)
    label = CommunityReviewStatus(suggestion.suggested_status).label
    messages.success(request, f"r/{suggestion.community.name}: suggestion “{label}” {decision}ed.")
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return HttpResponseRedirect(back)


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"{reverse('account_login')}?next=/")
    return HttpResponseRedirect(reverse("profiles:search"))


# --- Contacts and lists (issue 20) -------------------------------------------------------------


@login_required
@require_POST
def add_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """An analyst's contact for a creator (never overwritten by a scrape); a bad value is a message."""
    profile = get_object_or_404(Profile.objects.restrict(request.user), pk=pk)
    team_for_writing(request)
    kind = request.POST.get("kind", "")
    try:
        value = contacts.normalise(kind, request.POST.get("value", "")) if kind in contacts.NORMALISERS else None
    except ValidationError as exc:
        messages.error(request, f"{' '.join(exc.messages)}")
        return HttpResponseRedirect(reverse("profiles:profile", args=[pk]))
    if value is None:
        messages.error(request, "Choose e-mail, phone or link.")
    else:
        Contact.objects.update_or_create(
            profile=profile,
            kind=kind,
            value=value,
            defaults={
                "source": Contact.Source.ANALYST,
                "added_by": request.user,
                "label": request.POST.get("label", "")[:120],
            },
        )
        Profile.objects.filter(pk=profile.pk).update(updated_at=timezone.now())  # the report's cache version
        messages.success(request, f"Saved {value} for {profile.handle}.")
    return HttpResponseRedirect(reverse("profiles:profile", args=[pk]))


@login_required
def list_index(request: HttpRequest) -> HttpResponse:
    """The current team's lists; a POST makes a new one."""
    team = current_team(request)
    if request.method == "POST":
        team = team_for_writing(request)
        name = request.POST.get("name", "").strip()[:120]
        kind = request.POST.get("kind") if request.POST.get("kind") in List.Kind.values else List.Kind.CREATORS
        if not name:
            messages.error(request, "Give the list a name.")
        elif List.objects.filter(team=team, user=request.user, name__iexact=name).exists():
            messages.error(request, f"You already have a list named “{name}”.")
        else:
            made = List.objects.create(team=team, user=request.user, name=name, kind=kind)
            return HttpResponseRedirect(reverse("profiles:list", args=[made.pk]))
    rows = (
        List.objects.restrict(request.user, team=team)
        .select_related("user")
        .annotate(size=Count("entries"))
        .order_by("name", "id")
        if team
        else []
    )
    return render(request, "profiles/lists.html", {"lists": rows, "kinds": List.Kind.choices})


@login_required
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One list with its notes; its author or the team's owners/managers change notes and remove entries."""
    shown = get_object_or_404(List.objects.restrict(request.user), pk=pk)
    can_change = List.objects.can(request.user, shown, CHANGE)
    if request.method == "POST":
        check_can(request.user, shown, CHANGE)
        entry = get_object_or_404(shown.entries, pk=request.POST.get("entry") or 0)
        if request.POST.get("action") == "remove":
            entry.delete()
            messages.success(request, f"Removed {entry.target} from “{shown.name}”.")
        else:
            entry.note = request.POST.get("note", "")[:5000]
            entry.save(update_fields=["note", "updated_at"])
            messages.success(request, f"Saved the note on {entry.target}.")
        return HttpResponseRedirect(reverse("profiles:list", args=[pk]))
    entries = shown.entries.select_related("profile__avatar_asset", "community").prefetch_related("profile__contacts")
    return render(request, "profiles/list_detail.html", {"list": shown, "entries": entries, "can_change": can_change})


@login_required
def list_export(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    from profiles.api.lists import export_response

    return export_response(get_object_or_404(List.objects.restrict(request.user), pk=pk), file_format)


@login_required
@require_POST
def add_to_list(request: HttpRequest) -> HttpResponse:
    """Put creators (``profile`` ids) or subreddits (``community`` ids) on a list you may change, or on a
    new one (``new_name``): from the profile page and the search results' bulk bar."""
    team = team_for_writing(request)
    fallback = reverse("profiles:lists")
    new_name = request.POST.get("new_name", "").strip()[:120]
    profile_ids = [int(v) for v in request.POST.getlist("profile") if v.isdigit()]
    community_ids = [int(v) for v in request.POST.getlist("community") if v.isdigit()]
    kind = List.Kind.COMMUNITIES if community_ids and not profile_ids else List.Kind.CREATORS
    if new_name:
        target, _ = List.objects.get_or_create(team=team, user=request.user, name=new_name, defaults={"kind": kind})
    else:
        target = (
            List.objects.restrict(request.user, team=team, action=CHANGE)
            .filter(pk=request.POST.get("list") or 0)
            .first()
        )
    if target is None:
        messages.error(request, "Choose a list you may change, or name a new one.")
        return HttpResponseRedirect(_safe_next(request, fallback))
    rows = (
        Profile.objects.restrict(request.user).filter(pk__in=profile_ids)
        if target.kind == List.Kind.CREATORS
        else Community.objects.restrict(request.user).filter(pk__in=community_ids)
    )
    try:
        added = lists.add(target, rows, user=request.user, note=request.POST.get("note") or None)
    except lists.WrongKind as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Added {added} to “{target.name}”." if added else f"Already on “{target.name}”.")
    return HttpResponseRedirect(_safe_next(request, reverse("profiles:list", args=[target.pk])))
