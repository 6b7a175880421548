"""Posts across creators: the viral posts feed (a creator's own posts are part of the creator report)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from config.api.viewsets import ScopedViewSetMixin
from posts.api import serializers as s
from posts.filters import ViralPostFilterSet
from posts.models import Post


@extend_schema_view(
    list=extend_schema(
        summary="Viral posts",
        description="Posts flagged viral by the metrics job (engagement far above the author's norm) in the last `days` days, most engaging first.",
    )
)
class ViralPostViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = (
        Post.objects.viral()
        .with_engagement()
        .select_related("author", "community")
        .prefetch_related("media__asset")
        .order_by("-engagement", "-posted_at", "-id")
    )
    serializer_class = s.PostSerializer
    filterset_class = ViralPostFilterSet
