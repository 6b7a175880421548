"""Spreadsheets (django-import-export): creator and subreddit exports, the CSV of handles to track."""

from __future__ import annotations

from import_export import fields, resources, widgets

from profiles.models import Community, Platform, Profile, ReviewStatus, Tag


class TagsWidget(widgets.ManyToManyWidget):
    def render(self, value, obj=None, **kwargs):
        return ", ".join(str(tag) for tag in value.all()) if value is not None else ""


class ProfileExportResource(resources.ModelResource):
    """What an exported creator list holds (CSV/XLSX)."""

    tags = fields.Field(attribute="tags", column_name="tags", widget=TagsWidget(Tag))
    permalink = fields.Field(attribute="permalink", column_name="url")
    # Audience (issue 19): top shares with their source; credibility is an estimate (formula on the page).
    audience_countries = fields.Field(column_name="audience_countries (verified)")
    audience_languages = fields.Field(column_name="audience_languages (estimate)")
    audience_sources = fields.Field(column_name="audience_sources")

    class Meta:
        model = Profile
        name = "Creators (full list)"
        fields = [
            "id",
            "platform",
            "handle",
            "full_name",
            "followers_count",
            "following_count",
            "posts_count",
            "total_karma",
            "engagement_rate",
            "engagement_rate_median",
            "avg_likes",
            "avg_comments",
            "posts_per_week",
            "follower_growth_30d",
            "ai_primary_content_type",
            "ai_primary_language",
            "is_verified",
            "review_status",
            "niche",
            "tags",
            "last_scraped_at",
            "permalink",
            "audience_credibility",
            "audience_countries",
            "audience_languages",
            "audience_sources",
        ]
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags__category")

    def filter_export(self, queryset, **kwargs):
        # Also the admin's export, which hands over the changelist's queryset: tags and audience shares
        # in one query each, not one per creator.
        return super().filter_export(queryset, **kwargs).prefetch_related("tags__category", "audience_shares")

    @staticmethod
    def _shares(profile: Profile, dimension: str, limit: int = 3) -> str:
        rows = sorted((s for s in profile.audience_shares.all() if s.dimension == dimension), key=lambda s: -s.share)
        return ", ".join(f"{s.code} {s.share * 100:.0f} %" for s in rows[:limit])

    def dehydrate_audience_countries(self, profile: Profile) -> str:
        return self._shares(profile, "country")

    def dehydrate_audience_languages(self, profile: Profile) -> str:
        return self._shares(profile, "language")

    def dehydrate_audience_sources(self, profile: Profile) -> str:
        return "+".join(sorted({s.source for s in profile.audience_shares.all()}))


class ProfileImportResource(resources.ModelResource):
    """A CSV of handles to track: columns ``platform,handle`` (optional ``niche``, ``notes``).

    A handle already known (case-insensitively) is switched to tracked and keeps its review status;
    a new one starts on the watchlist, which is what the scheduler scrapes.
    """

    class Meta:
        model = Profile
        name = "Handles to track (platform, handle, niche, notes)"
        fields = ["platform", "handle", "niche", "notes"]
        import_id_fields = ["platform", "handle"]
        skip_unchanged = False
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        handle = (row.get("handle") or "").strip().lstrip("@")
        platform = (row.get("platform") or "").strip().lower()
        if platform not in Platform.values:
            raise ValueError(f"platform must be one of {', '.join(Platform.values)}, got {platform!r}")
        if not handle or len(handle) > 64 or not all(ch.isalnum() or ch in "._-" for ch in handle):
            raise ValueError(f"not a valid handle: {handle!r}")
        row["handle"], row["platform"] = handle, platform

    def get_instance(self, instance_loader, row):
        return Profile.objects.by_handle(row["platform"], row["handle"]).first()

    def import_instance(self, instance, row, **kwargs):
        is_new = instance.pk is None
        kept = {name: getattr(instance, name) for name in ("handle", "niche", "notes")}
        super().import_instance(instance, row, **kwargs)
        if not is_new:
            # The platform's spelling of a known handle stays; the CSV's "BETA" only found it.
            instance.handle = kept["handle"]
        for name in ("niche", "notes"):
            # An analyst's niche and notes are not overwritten by an empty CSV cell.
            if not (row.get(name) or "").strip():
                setattr(instance, name, kept[name])
        instance.scrape_enabled = True
        instance.next_scrape_at = None
        if is_new:
            instance.review_status = ReviewStatus.WATCHLIST
            instance.discovered_via = "csv import"


class CommunityExportResource(resources.ModelResource):
    tags = fields.Field(attribute="tags", column_name="tags", widget=TagsWidget(Tag))

    class Meta:
        model = Community
        fields = [
            *Community.HEADLINE_FIELDS,
            "posts_per_day",
            "avg_upvotes",
            "comments_per_upvote",
            "subscriber_growth_30d",
            "primary_category",
            "review_status",
            "tags",
            "verification_required",
            "last_scraped_at",
        ]
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags__category")
