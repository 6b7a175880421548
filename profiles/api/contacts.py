"""A creator's contacts under the creator report: ``/api/v1/profiles/{platform}/{handle}/contacts/``.

Everyone signed in reads them (collected data); an analyst of a team (not a viewer) adds or
corrects one. An added or corrected contact is the analyst's (``source="analyst"``), which no
re-scrape overwrites. Bad values answer 400 with the field's message.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import SAFE_METHODS

from accounts.teams import team_for_writing
from profiles import contacts
from profiles.models import Contact, Profile


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "kind", "value", "label", "source", "created_at", "updated_at"]
        read_only_fields = ["id", "source", "created_at", "updated_at"]

    def validate(self, data):
        kind = data.get("kind", getattr(self.instance, "kind", None))
        value = data.get("value", getattr(self.instance, "value", ""))
        try:
            data["value"] = contacts.normalise(kind, value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"value": exc.messages}) from exc
        profile = self.context["profile"]
        clash = Contact.objects.filter(profile=profile, kind=kind, value=data["value"])
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError({"value": ["This creator already has this contact."]})
        return data


@extend_schema_view(
    list=extend_schema(summary="A creator's e-mail, phone and contact links, with their sources"),
    create=extend_schema(summary="Add a contact (the analyst's: a re-scrape never overwrites it)"),
    partial_update=extend_schema(summary="Correct a contact (it becomes the analyst's)"),
    destroy=extend_schema(summary="Remove a contact"),
)
class ContactViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ContactSerializer
    pagination_class = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_profile(self) -> Profile:
        if not hasattr(self, "_profile"):
            self._profile = get_object_or_404(Profile.objects.by_handle(self.kwargs["platform"], self.kwargs["handle"]))
            if self.request.method not in SAFE_METHODS:
                team_for_writing(self.request)  # viewers and users of no team read only (403)
        return self._profile

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no creator in the path
            return Contact.objects.none()
        return Contact.objects.filter(profile=self.get_profile()).order_by("kind", "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "profile": self.get_profile()}

    def perform_create(self, serializer):
        serializer.save(profile=self.get_profile(), source=Contact.Source.ANALYST, added_by=self.request.user)
        touch(self.get_profile())

    def perform_update(self, serializer):
        serializer.save(source=Contact.Source.ANALYST, added_by=self.request.user)
        touch(self.get_profile())

    def perform_destroy(self, instance):
        instance.delete()
        touch(self.get_profile())


def touch(profile: Profile) -> None:
    """A new version of the creator report (its cache and ETag follow ``updated_at``)."""
    Profile.objects.filter(pk=profile.pk).update(updated_at=timezone.now())
