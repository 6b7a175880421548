"""One FilterSet per list of creators and communities, shared by the REST API and the HTML pages.

Plain django-filter (no DRF import), so a page view can bind ``request.GET`` to the same class the
API uses. Every bad value is a form error on its field — an unknown choice, a malformed number, a
range whose minimum is above its maximum — which the API turns into a 400 with field messages.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import F, QuerySet

from profiles.categories import CATEGORY_CHOICES
from profiles.models import AudienceShare, Community, CommunityReviewStatus, Platform, Profile, ReviewStatus, Tag


class StrictBooleanField(forms.Field):
    """``true``/``false`` (also ``1``/``0``, ``yes``/``no``); anything else is an error, not "any"."""

    widget = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])
    TRUE = {"true", "1", "yes", "on"}
    FALSE = {"false", "0", "no", "off"}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in self.TRUE:
            return True
        if lowered in self.FALSE:
            return False
        raise forms.ValidationError(f"Expected true or false, got {value!r}.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601 date-time, normalised to UTC; an offset PostgreSQL cannot store is a form error."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError("Date-time out of range.", code="invalid") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """The one date-time filter of every FilterSet: ISO 8601, any real offset, compared in UTC."""

    field_class = UTCDateTimeField


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Order by the chosen metric with unknown (NULL) values last in both directions, then by id."""

    def get_ordering_value(self, param: str):
        descending = param.startswith("-")
        field = self.param_map[param.lstrip("-")]
        return F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)

    def filter(self, qs: QuerySet, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        return qs.order_by(*[self.get_ordering_value(param) for param in value], "id")


class RangeForm(forms.Form):
    """Checks every ``<name>_min``/``<name>_max`` pair declared in ``RANGES``."""

    RANGES: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        for name in self.RANGES:
            low, high = data.get(f"{name}_min"), data.get(f"{name}_max")
            if low is not None and high is not None and low > high:
                self.add_error(f"{name}_max", f"Must be greater than or equal to {name}_min ({low}).")
        return data


class ProfileFilterForm(RangeForm):
    RANGES = ("followers", "engagement", "growth", "sponsored")

    def clean(self):
        data = super().clean()
        # Audience filters: a share threshold needs the bucket it applies to.
        for bucket in ("audience_country", "audience_language"):
            if data.get(f"{bucket}_min") is not None and not data.get(bucket):
                self.add_error(bucket, f"Required when {bucket}_min is given.")
        after, before = data.get("last_scraped_after"), data.get("last_scraped_before")
        if after and before and after > before:
            self.add_error("last_scraped_before", "Must be later than last_scraped_after.")
        return data


def _range(field: str, label: str, **bounds) -> tuple[django_filters.NumberFilter, django_filters.NumberFilter]:
    return (
        django_filters.NumberFilter(field_name=field, lookup_expr="gte", label=f"{label}, at least", **bounds),
        django_filters.NumberFilter(field_name=field, lookup_expr="lte", label=f"{label}, at most", **bounds),
    )


def _tag_slugs() -> django_filters.ModelMultipleChoiceFilter:
    return django_filters.ModelMultipleChoiceFilter(
        field_name="tags",
        lookup_expr="slug",
        to_field_name="slug",
        queryset=Tag.objects.all(),
        label="Tag slugs (any of); each result appears once",
    )


def _audience_share(
    label: str, share_label: str, validator
) -> tuple[django_filters.CharFilter, django_filters.NumberFilter]:
    """A bucket (country, language) and its minimum share in %, read together by ``filter_audience_share``."""
    return (
        django_filters.CharFilter(method="filter_audience_share", label=label, validators=[validator]),
        django_filters.NumberFilter(
            method="filter_noop", label=f"{share_label}, at least (%)", min_value=0, max_value=100
        ),
    )


class SearchableFilterSet(django_filters.FilterSet):
    """Text through the model's indexed ``search()``; biggest first when no ``ordering`` is asked for."""

    # The column of the default order, largest first, unknown last, then id for stable pages.
    default_order_field = ""

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by(F(self.default_order_field).desc(nulls_last=True), "id")
        return queryset

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)


class ProfileFilterSet(SearchableFilterSet):
    """Creator search: text, platform, audience size, engagement, growth, content, review state."""

    default_order_field = "followers_count"
    q = django_filters.CharFilter(method="filter_text", label="Text in handle, name or bio", max_length=200)
    platform = django_filters.ChoiceFilter(choices=Platform.choices)
    followers_min, followers_max = _range("followers_count", "Followers", min_value=0)
    engagement_min, engagement_max = _range("engagement_rate", "Engagement rate % (mean of last 12 posts)")
    growth_min, growth_max = _range("follower_growth_30d", "Follower growth % over 30 days")
    sponsored_min, sponsored_max = _range(
        "sponsored_share", "Share of sponsored posts (0..1)", min_value=0, max_value=1
    )
    category = django_filters.MultipleChoiceFilter(
        field_name="ai_primary_content_type",
        choices=CATEGORY_CHOICES,
        label="Primary content category (AI)",
        distinct=False,
    )
    language = django_filters.CharFilter(
        method="filter_language",
        label="Primary language (ISO 639-1, AI)",
        validators=[RegexValidator(r"^[A-Za-z]{2,3}$", "Expected an ISO 639-1 language code such as 'en'.")],
    )
    verified = StrictBooleanFilter(field_name="is_verified")
    business = StrictBooleanFilter(field_name="is_business")
    tags = _tag_slugs()
    review_status = django_filters.MultipleChoiceFilter(choices=ReviewStatus.choices, distinct=False)
    last_scraped_after = DateTimeFilter(field_name="last_scraped_at", lookup_expr="gte")
    last_scraped_before = DateTimeFilter(field_name="last_scraped_at", lookup_expr="lte")
    # --- Audience (issue 19): shares from profiles.AudienceShare, credibility from intelligence/audience.py.
    audience_country, audience_country_min = _audience_share(
        "Audience country (ISO 3166-1 alpha-2, verified insights)",
        "Audience country share",
        RegexValidator(r"^[A-Za-z]{2}$", "Expected a two-letter country code such as 'US'."),
    )
    audience_language, audience_language_min = _audience_share(
        "Audience language (ISO 639-1, estimated from commenters)",
        "Audience language share",
        RegexValidator(r"^[A-Za-z]{2,3}$", "Expected an ISO 639-1 language code such as 'en'."),
    )
    credibility_min = django_filters.NumberFilter(
        field_name="audience_credibility",
        lookup_expr="gte",
        label="Audience credibility, at least (0-100, estimate)",
        min_value=0,
        max_value=100,
    )
    ordering = NullsLastOrderingFilter(
        fields={
            "followers_count": "followers",
            "engagement_rate": "engagement",
            "follower_growth_30d": "growth",
            "last_scraped_at": "recency",
        },
        label="Order by followers, engagement, growth or recency (prefix - for descending)",
    )

    class Meta:
        model = Profile
        form = ProfileFilterForm
        fields: list[str] = []

    def filter_language(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(ai_primary_language=value.lower())

    def filter_audience_share(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Creators whose current audience share in this bucket is at least ``<name>_min`` % (any, if unset)."""
        dimension = "country" if name == "audience_country" else "language"
        code = value.upper() if dimension == "country" else value.lower()
        minimum = self.form.cleaned_data.get(f"{name}_min")
        shares = AudienceShare.objects.filter(dimension=dimension, code=code)
        shares = shares.filter(share__gte=float(minimum) / 100) if minimum else shares.filter(share__gt=0)
        return queryset.filter(pk__in=shares.values("profile_id"))

    def filter_noop(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # Read by filter_audience_share together with its bucket.
        return queryset


class CommunityFilterSet(SearchableFilterSet):
    """Subreddits: review queue, NSFW, category, tags, size, text."""

    default_order_field = "subscribers"
    q = django_filters.CharFilter(method="filter_text", label="Text in name or title", max_length=200)
    review_status = django_filters.MultipleChoiceFilter(choices=CommunityReviewStatus.choices, distinct=False)
    nsfw = StrictBooleanFilter(field_name="is_nsfw")
    category = django_filters.MultipleChoiceFilter(
        field_name="primary_category", choices=CATEGORY_CHOICES, label="Analyst's category", distinct=False
    )
    ai_category = django_filters.MultipleChoiceFilter(
        field_name="ai_suggested_category", choices=CATEGORY_CHOICES, label="AI-suggested category", distinct=False
    )
    tags = _tag_slugs()
    subscribers_min, subscribers_max = _range("subscribers", "Subscribers", min_value=0)
    ordering = NullsLastOrderingFilter(
        fields={"subscribers": "subscribers", "score": "score", "posts_per_day": "activity", "name": "name"},
    )

    class Meta:
        model = Community
        form = type("CommunityFilterForm", (RangeForm,), {"RANGES": ("subscribers",)})
        fields: list[str] = []
