"""Lists of creators and subreddits: ``/api/v1/lists/``, their entries and their export.

Team-owned like campaigns (``TeamOwnedQuerySet.restrict``): the team reads a list; its author and
the team's owners and managers change it and its entries; another team's list is a 404.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from config.api.viewsets import ParentScopedMixin, ScopedModelViewSet
from profiles import lists
from profiles.api.serializers import ProfileSummarySerializer
from profiles.models import Community, List, ListEntry, Profile


class ListSerializer(serializers.ModelSerializer):
    entries_count = serializers.IntegerField(read_only=True, source="entries.count")

    class Meta:
        model = List
        fields = ["id", "name", "kind", "description", "entries_count", "created_at", "updated_at"]
        read_only_fields = ["id", "entries_count", "created_at", "updated_at"]

    def validate(self, data):
        changed = self.instance is not None and data.get("kind", self.instance.kind) != self.instance.kind
        if changed and self.instance.entries.exists():
            raise serializers.ValidationError({"kind": ["Empty the list before changing what it holds."]})
        return data


class ListEntrySerializer(serializers.ModelSerializer):
    profile = serializers.PrimaryKeyRelatedField(queryset=Profile.objects.all(), required=False, write_only=True)
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all(), required=False, write_only=True)
    creator = ProfileSummarySerializer(source="profile", read_only=True, allow_null=True)
    subreddit = serializers.CharField(source="community.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ListEntry
        fields = ["id", "profile", "community", "creator", "subreddit", "note", "added_at", "updated_at"]
        read_only_fields = ["id", "creator", "subreddit", "added_at", "updated_at"]

    def validate(self, data):
        if self.instance is not None:
            data.pop("profile", None), data.pop("community", None)
            return data
        target_list: List = self.context["list"]
        field = "profile" if target_list.kind == List.Kind.CREATORS else "community"
        other = "community" if field == "profile" else "profile"
        if data.get(other) is not None or data.get(field) is None:
            noun = "a creator (profile)" if field == "profile" else "a subreddit (community)"
            raise serializers.ValidationError({field: [f"“{target_list.name}” holds {noun}; give its id."]})
        if target_list.entries.filter(**{field: data[field]}).exists():
            raise serializers.ValidationError({field: ["Already on this list."]})
        return data


@extend_schema_view(
    list=extend_schema(summary="Your team's lists of creators and subreddits"),
    create=extend_schema(summary="Make a list"),
    retrieve=extend_schema(summary="A list"),
    update=extend_schema(summary="Replace a list"),
    partial_update=extend_schema(summary="Rename a list"),
    destroy=extend_schema(summary="Delete a list"),
)
class ListViewSet(ScopedModelViewSet):
    queryset = List.objects.order_by("name", "id")
    serializer_class = ListSerializer

    @extend_schema(
        summary="Export a list as CSV or XLSX",
        parameters=[OpenApiParameter("file_format", enum=lists.EXPORT_FORMATS, default="csv")],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str) -> HttpResponse:
        return export_response(self.get_object(), request.query_params.get("file_format", "csv"))


def export_response(target_list: List, file_format: str) -> HttpResponse:
    if file_format not in lists.EXPORT_FORMATS:
        raise ValidationError({"file_format": [f"One of {', '.join(lists.EXPORT_FORMATS)}."]})
    content_type = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[file_format]
    response = HttpResponse(lists.export(target_list, file_format), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="list-{target_list.pk}.{file_format}"'
    return response


@extend_schema_view(
    list=extend_schema(summary="What is on a list"),
    create=extend_schema(summary="Add a creator or subreddit to a list"),
    retrieve=extend_schema(summary="A list entry"),
    partial_update=extend_schema(summary="Change an entry's note"),
    destroy=extend_schema(summary="Take an entry off a list"),
)
class ListEntryViewSet(
    ParentScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Rows under one list, scoped through it: another team's list is a 404; changing needs the list's
    author or an owner/manager of its team (403 for other teammates)."""

    queryset = ListEntry.objects.select_related("profile", "community").order_by("added_at", "id")
    serializer_class = ListEntrySerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    parent_model = List
    parent_kwarg = "list_pk"
    parent_name = "list"

    def perform_create(self, serializer):
        serializer.save(list=self.get_parent(), added_by=self.request.user)
