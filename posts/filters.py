"""The FilterSet for lists of posts (a creator's feed, viral posts), shared by the API and pages."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from posts.models import Post, PostKind, Sentiment
from profiles import mentions
from profiles.categories import CATEGORY_CHOICES
from profiles.filters import DateTimeFilter, StrictBooleanFilter
from profiles.models import Platform


class PostFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        after, before = data.get("posted_after"), data.get("posted_before")
        if after and before and after > before:
            self.add_error("posted_before", "Must be later than posted_after.")
        return data


class PostFilterSet(django_filters.FilterSet):
    """Posts by platform, format, time, sponsorship and AI results."""

    platform = django_filters.ChoiceFilter(choices=Platform.choices)
    kind = django_filters.MultipleChoiceFilter(choices=PostKind.choices, distinct=False)
    posted_after = DateTimeFilter(field_name="posted_at", lookup_expr="gte")
    posted_before = DateTimeFilter(field_name="posted_at", lookup_expr="lte")
    sponsored = StrictBooleanFilter(field_name="is_sponsored")
    nsfw = StrictBooleanFilter(field_name="is_nsfw")
    sentiment = django_filters.MultipleChoiceFilter(
        field_name="ai_sentiment", choices=Sentiment.choices, distinct=False
    )
    category = django_filters.MultipleChoiceFilter(field_name="ai_category", choices=CATEGORY_CHOICES, distinct=False)
    mentions = django_filters.CharFilter(
        method="filter_mentions", max_length=120, label="Brand: @handle, #hashtag or a name in the text"
    )
    paid = StrictBooleanFilter(method="filter_paid", label="Paid partnership or sponsor marker")

    class Meta:
        model = Post
        form = PostFilterForm
        fields: list[str] = []

    def filter_mentions(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        brand = mentions.parse(value)
        return queryset.filter(mentions.post_q(brand)) if brand else queryset

    def filter_paid(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        paid = Q(is_paid_partnership=True) | Q(is_sponsored=True)
        return queryset.filter(paid) if value else queryset.exclude(paid)


class ViralPostFilterSet(PostFilterSet):
    """Viral posts across creators or communities within the last ``days`` days."""

    days = django_filters.NumberFilter(
        method="filter_days", min_value=1, max_value=365, label="Window in days (default 7)"
    )
    community = django_filters.CharFilter(
        field_name="community__name", lookup_expr="iexact", label="Subreddit name, without r/", max_length=64
    )
    author = django_filters.NumberFilter(field_name="author_id", label="Creator id", min_value=1)

    def filter_days(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset  # applied in ``qs`` so the default window holds when the parameter is absent

    @property
    def qs(self) -> QuerySet:
        days = self.form.cleaned_data.get("days") or 7
        return super().qs.filter(posted_at__gte=timezone.now() - timedelta(days=int(days)))
