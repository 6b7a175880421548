"""List filters of the creator and subreddit changelists that Django and unfold do not provide."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.utils import timezone
from unfold.contrib.filters.admin import DropdownFilter, TextFilter

from profiles import mentions
from profiles.models import Contact, Profile, TagSuggestion


class TaggedFilter(admin.SimpleListFilter):
    title = "tags"
    parameter_name = "tagged"

    def lookups(self, request, model_admin):
        return [("yes", "Tagged"), ("no", "Untagged")]

    def queryset(self, request, queryset):
        through = queryset.model.tags.through
        column = "profile_id" if queryset.model is Profile else "community_id"
        has_tag = Exists(through.objects.filter(**{column: OuterRef("pk")}))
        if self.value() == "yes":
            return queryset.filter(has_tag)
        if self.value() == "no":
            return queryset.filter(~has_tag)
        return queryset


class PendingSuggestionsFilter(admin.SimpleListFilter):
    title = "AI tag suggestions"
    parameter_name = "suggestions"

    def lookups(self, request, model_admin):
        return [("pending", "Has pending suggestions"), ("none", "No pending suggestions")]

    def queryset(self, request, queryset):
        target = "profile" if queryset.model is Profile else "community"
        pending = Exists(TagSuggestion.objects.filter(**{target: OuterRef("pk")}, status=TagSuggestion.Status.PENDING))
        if self.value() == "pending":
            return queryset.filter(pending)
        if self.value() == "none":
            return queryset.filter(~pending)
        return queryset


class LanguageFilter(DropdownFilter):
    title = "language"
    parameter_name = "language"

    def lookups(self, request, model_admin):
        # DISTINCT over 100,000 rows on every page view is wasted work: the set of languages the AI has
        # seen changes rarely, so it is kept for ten minutes.
        codes = cache.get("admin:profile-languages")
        if codes is None:
            codes = list(
                Profile.objects.exclude(ai_primary_language="")
                .order_by("ai_primary_language")
                .values_list("ai_primary_language", flat=True)
                .distinct()
            )
            cache.set("admin:profile-languages", codes, 600)
        return [(code, code) for code in codes]

    def queryset(self, request, queryset):
        return queryset.filter(ai_primary_language=self.value()) if self.value() else queryset


class NsfwPostsFilter(admin.SimpleListFilter):
    title = "NSFW"
    parameter_name = "nsfw"

    def lookups(self, request, model_admin):
        return [("yes", "Has NSFW posts"), ("no", "No NSFW posts")]

    def queryset(self, request, queryset):
        post_model = Profile._meta.get_field("posts").related_model
        nsfw = Exists(post_model.objects.filter(author=OuterRef("pk"), is_nsfw=True))
        if self.value() == "yes":
            return queryset.filter(nsfw)
        if self.value() == "no":
            return queryset.filter(~nsfw)
        return queryset


class MentionsFilter(TextFilter):
    """ "Worked with a brand": creators (or posts) naming @handle, #hashtag or a name, last 90 days."""

    title = "brand mentioned (90 days)"
    parameter_name = "mentions"

    def queryset(self, request, queryset):
        brand = mentions.parse(self.value() or "")
        if brand is None:
            return queryset
        if queryset.model is Profile:
            return queryset.filter(pk__in=Profile.objects.filter(mentions.creator_q(brand, days=90)).values("pk"))
        return queryset.filter(mentions.post_q(brand), posted_at__gte=timezone.now() - timedelta(days=90))


class HasEmailFilter(admin.SimpleListFilter):
    title = "e-mail"
    parameter_name = "has_email"

    def lookups(self, request, model_admin):
        return [("yes", "Has an e-mail"), ("no", "No e-mail")]

    def queryset(self, request, queryset):
        emails = Exists(Contact.objects.filter(profile=OuterRef("pk"), kind=Contact.Kind.EMAIL))
        if self.value() == "yes":
            return queryset.filter(emails)
        if self.value() == "no":
            return queryset.filter(~emails)
        return queryset
