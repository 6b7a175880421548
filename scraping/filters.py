"""FilterSets for the operations lists (scrape runs, system log), shared by the API and pages."""

from __future__ import annotations

import django_filters
from django import forms

from profiles.filters import DateTimeFilter
from scraping.models import ScrapeRun, SystemLog

LEVELS = [level for level, _ in SystemLog.Level.choices]


class _WindowForm(forms.Form):
    def clean(self):
        data = super().clean()
        after, before = data.get("created_after"), data.get("created_before")
        if after and before and after > before:
            self.add_error("created_before", "Must be later than created_after.")
        return data


class ScrapeRunFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ScrapeRun.Status.choices, distinct=False)
    kind = django_filters.CharFilter(max_length=32)
    scraper = django_filters.CharFilter(field_name="scraper__name", max_length=64, label="Scraper name")
    target = django_filters.CharFilter(lookup_expr="icontains", max_length=200)
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = ScrapeRun
        form = _WindowForm
        fields: list[str] = []


class SystemLogFilterSet(django_filters.FilterSet):
    level = django_filters.MultipleChoiceFilter(choices=SystemLog.Level.choices, distinct=False)
    min_level = django_filters.ChoiceFilter(
        choices=SystemLog.Level.choices, method="filter_min_level", label="This level and more severe"
    )
    source = django_filters.CharFilter(lookup_expr="startswith", max_length=64, label="Source prefix, e.g. scraping")
    q = django_filters.CharFilter(
        field_name="message", lookup_expr="icontains", max_length=200, label="Text in message"
    )
    scrape_run = django_filters.NumberFilter(field_name="scrape_run_id", min_value=1)
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = SystemLog
        form = _WindowForm
        fields: list[str] = []

    def filter_min_level(self, queryset, name: str, value: str):
        return queryset.filter(level__in=LEVELS[LEVELS.index(value) :])
