"""Spreadsheets (django-import-export): creator and subreddit exports, the CSV of handles to track."""

from __future__ import annotations

from import_export import fields, resources, widgets

from config.admin import AnalystImportResource
from profiles.handles import handle_errors
from profiles.models import Community, Contact, Profile, ReviewStatus, Tag


class TagsWidget(widgets.ManyToManyWidget):
    def render(self, value, obj=None, **kwargs):
        return ", ".join(str(tag) for tag in value.all()) if value is not None else ""


class ProfileExportResource(resources.ModelResource):
    """What an exported creator list holds (CSV/XLSX)."""

    tags = fields.Field(attribute="tags", column_name="tags", widget=TagsWidget(Tag))
    permalink = fields.Field(attribute="permalink", column_name="url")
    emails = fields.Field(column_name="emails")
    phones = fields.Field(column_name="phones")
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
            "emails",
            "phones",
        ]
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags__category", "contacts")

    def dehydrate_emails(self, profile: Profile) -> str:
        return " ".join(c.value for c in profile.contacts.all() if c.kind == Contact.Kind.EMAIL)

    def dehydrate_phones(self, profile: Profile) -> str:
        return " ".join(c.value for c in profile.contacts.all() if c.kind == Contact.Kind.PHONE)

    def filter_export(self, queryset, **kwargs):
        # Also the admin's export, which hands over the changelist's queryset: tags, audience shares and contacts
        # in one query each, not one per creator.
        return (
            super().filter_export(queryset, **kwargs).prefetch_related("tags__category", "audience_shares", "contacts")
        )

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


class ProfileImportResource(AnalystImportResource):
    """A CSV of handles to track: columns ``platform,handle`` (optional ``niche``, ``notes``, ``review_status``).

    Only what an analyst owns (``Profile.ANALYST_FIELDS``) besides the two that name the account;
    handles are checked by the API's rule (``profiles/handles.py``). A handle already known
    (case-insensitively) is switched to tracked and keeps its spelling and, unless the file gives
    one, its review status; a new one starts on the watchlist, which is what the scheduler scrapes.
    """

    OWNED = ("niche", "notes", "review_status")

    class Meta:
        model = Profile
        name = "Handles to track (platform, handle, niche, notes, review_status)"
        fields = ["platform", "handle", "niche", "notes", "review_status"]
        import_id_fields = ["platform", "handle"]
        skip_unchanged = False
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        handle = (row.get("handle") or "").strip().lstrip("@")
        platform = (row.get("platform") or "").strip().lower()
        errors = handle_errors(platform, handle)
        if errors:
            raise ValueError(" ".join(errors.values()))
        status = (row.get("review_status") or "").strip().lower()
        if status and status not in ReviewStatus.values:
            raise ValueError(f"review_status must be one of {', '.join(ReviewStatus.values)}, got {status!r}")
        row["handle"], row["platform"] = handle, platform
        if "review_status" in row:
            row["review_status"] = status

    def get_instance(self, instance_loader, row):
        return Profile.objects.by_handle(row["platform"], row["handle"]).first()

    def import_instance(self, instance, row, **kwargs):
        is_new = instance.pk is None
        kept = {name: getattr(instance, name) for name in ("handle", *self.OWNED)}
        super().import_instance(instance, row, **kwargs)
        if not is_new:
            # The platform's spelling of a known handle stays; the CSV's "BETA" only found it.
            instance.handle = kept["handle"]
        for name in self.OWNED:
            # What an analyst set is not overwritten by an empty CSV cell.
            if not (row.get(name) or "").strip():
                setattr(instance, name, kept[name])
        instance.scrape_enabled = True
        instance.next_scrape_at = None
        if is_new:
            if not (row.get("review_status") or "").strip():
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
