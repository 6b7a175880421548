"""Campaigns of the user's teams, their creators and tracked posts, and their results."""

from __future__ import annotations

from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from campaigns.api import serializers as s
from campaigns.metrics import campaign_metrics
from campaigns.models import Campaign, CampaignPost, CampaignProfile
from campaigns.tracking import remove
from config.api.viewsets import ParentScopedMixin, ScopedModelViewSet
from config.celery import enqueue_on_commit


@extend_schema_view(
    list=extend_schema(summary="Your campaigns"),
    create=extend_schema(summary="Create a campaign"),
    retrieve=extend_schema(summary="A campaign"),
    update=extend_schema(summary="Replace a campaign"),
    partial_update=extend_schema(summary="Change a campaign"),
    destroy=extend_schema(summary="Delete a campaign"),
)
class CampaignViewSet(ScopedModelViewSet):
    """The team reads a campaign; its author and the team's owners and managers change it; other teams get 404."""

    queryset = Campaign.objects.annotate(
        creators_count=Count("campaign_profiles", distinct=True),
        posts_count=Count("campaign_posts", filter=Q(campaign_posts__removed_at__isnull=True), distinct=True),
    ).order_by("-created_at", "-id")
    serializer_class = s.CampaignSerializer

    def perform_create(self, serializer):
        super().perform_create(serializer)
        _track_later(serializer.instance)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        _track_later(serializer.instance)

    @extend_schema(summary="Campaign results", responses=s.CampaignMetricsSerializer, request=None)
    @action(detail=True, methods=["get"])
    def metrics(self, request: Request, pk: str) -> Response:
        return Response(campaign_metrics(self.get_object()))


def _track_later(campaign: Campaign) -> None:
    """New handles, hashtags or dates: match the creators' posts already collected (a worker's job)."""
    if campaign.track_handles or campaign.track_hashtags:
        enqueue_on_commit("campaigns.tasks.track_campaign", [campaign.pk])


class CampaignChildViewSet(
    ParentScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Rows under one campaign: scoped through the parent, so another team's campaign is a 404.

    Adding, moving or removing a campaign's rows changes the campaign: its author or the team's
    owners and managers (teammates get 403).
    """

    parent_model = Campaign
    parent_kwarg = "campaign_pk"
    parent_name = "campaign"


@extend_schema_view(
    list=extend_schema(summary="Creators in a campaign"),
    create=extend_schema(summary="Add a creator to a campaign"),
    retrieve=extend_schema(summary="A creator's campaign entry"),
    partial_update=extend_schema(summary="Move a creator in the pipeline, set the fee or notes"),
    destroy=extend_schema(summary="Remove a creator from a campaign"),
)
class CampaignCreatorViewSet(mixins.UpdateModelMixin, CampaignChildViewSet):
    queryset = CampaignProfile.objects.select_related("profile").order_by("added_at", "id")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return s.CampaignCreatorUpdateSerializer
        return s.CampaignCreatorSerializer


@extend_schema_view(
    list=extend_schema(summary="Posts tracked in a campaign"),
    create=extend_schema(summary="Track a post in a campaign"),
    retrieve=extend_schema(summary="A tracked post"),
    destroy=extend_schema(summary="Stop tracking a post"),
)
class CampaignPostViewSet(CampaignChildViewSet):
    """Tracked posts; deleting an automatic match keeps it out of the campaign after re-ingest."""

    queryset = CampaignPost.objects.tracked().select_related("post__author").order_by("-added_at", "-id")
    serializer_class = s.CampaignPostSerializer

    def perform_destroy(self, instance: CampaignPost) -> None:
        remove(instance)
