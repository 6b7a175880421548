"""Watches of the user's teams, the user's inbox of events, and their alert settings."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from watches.api import serializers as s
from watches.models import AlertSettings, Event, Watch


@extend_schema_view(
    list=extend_schema(summary="Watches of your team"),
    create=extend_schema(summary="Watch a creator, a subreddit or a list"),
    retrieve=extend_schema(summary="A watch"),
    update=extend_schema(summary="Replace a watch"),
    partial_update=extend_schema(summary="Change a watch's events or thresholds"),
    destroy=extend_schema(summary="Stop watching"),
)
class WatchViewSet(ScopedModelViewSet):
    """The team sees its watches; the author and the team's owners and managers change them; other teams 404."""

    queryset = Watch.objects.select_related("profile", "community", "watched_list").order_by("-created_at", "-id")
    serializer_class = s.WatchSerializer


@extend_schema_view(
    list=extend_schema(summary="Your inbox: events of your watches, newest first (?unread=true)"),
    retrieve=extend_schema(summary="An event"),
    partial_update=extend_schema(summary="Mark an event read or unread"),
)
class InboxViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """A user's own events; nobody else's (404)."""

    queryset = Event.objects.select_related("profile", "community").order_by("-created_at", "-id")
    serializer_class = s.EventSerializer
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.unread()
        return queryset

    def perform_update(self, serializer):
        read = serializer.validated_data.get("read")
        if read is not None:
            serializer.instance.read_at = (serializer.instance.read_at or timezone.now()) if read else None
            serializer.instance.save(update_fields=["read_at"])

    @extend_schema(summary="How many events you have not read", responses=s.UnreadCountSerializer)
    @action(detail=False, methods=["get"])
    def count(self, request: Request) -> Response:
        return Response({"unread": self.get_queryset().unread().count()})

    @extend_schema(summary="Mark every event read", request=None, responses=s.UnreadCountSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        self.get_queryset().unread().update(read_at=timezone.now())
        return Response({"unread": 0})


class AlertSettingsView(GenericAPIView):
    """How you are told of your events: e-mail, webhook (checked against private addresses), frequency."""

    serializer_class = s.AlertSettingsSerializer

    @extend_schema(summary="Your alert settings")
    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(AlertSettings.of(request.user)).data)

    @extend_schema(summary="Change your alert settings")
    def patch(self, request: Request) -> Response:
        serializer = self.get_serializer(AlertSettings.of(request.user), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)
