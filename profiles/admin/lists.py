"""Lists of creators and subreddits, their entries, and a creator's contacts (an inline on the creator)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from unfold.admin import ModelAdmin, TabularInline

from config.admin import TeamChildInlineMixin, TeamScopedAdminMixin
from profiles import contacts
from profiles.models import Contact, List, ListEntry


class ContactForm(forms.ModelForm):
    """What an analyst types is validated and normalised like the API's (field messages on error)."""

    class Meta:
        model = Contact
        fields = ["kind", "value", "label"]

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("value"):
            try:
                data["value"] = contacts.normalise(data["kind"], data["value"])
            except ValidationError as exc:
                self.add_error("value", exc)
        return data

    def save(self, commit: bool = True):
        # Only changed rows are saved: a contact typed or corrected here becomes the analyst's.
        self.instance.source = Contact.Source.ANALYST
        return super().save(commit)


class ContactInline(TabularInline):
    """Scraped contacts show their source; an entry saved here is the analyst's (no scrape overwrites it)."""

    model = Contact
    form = ContactForm
    extra = 0
    fields = ["kind", "value", "label", "source"]
    readonly_fields = ["source"]


class ListEntryInline(TeamChildInlineMixin, TabularInline):
    model = ListEntry
    extra = 0
    raw_id_fields = ["profile", "community"]
    fields = ["profile", "community", "note", "added_at"]
    readonly_fields = ["added_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("profile", "community")


@admin.register(List)
class ListAdmin(TeamScopedAdminMixin, ModelAdmin):
    """A team's lists by the rule of the API and the pages (config/admin.py TeamScopedAdminMixin)."""

    list_display = ["name", "kind", "team", "user", "created_at"]
    list_filter = ["kind", "team"]
    search_fields = ["name", "team__name", "user__username"]
    list_select_related = ["team", "user"]
    raw_id_fields = ["user"]
    inlines = [ListEntryInline]

    def view_on_site(self, obj):
        from django.urls import reverse

        return reverse("profiles:list", args=[obj.pk])
