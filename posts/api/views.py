"""Posts across creators: the viral posts feed (a creator's own posts are part of the creator report)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.viewsets import ScopedViewSetMixin
from posts.api import serializers as s
from posts.filters import ViralPostFilterSet
from posts.models import Post
from profiles import mentions


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


class BrandMentionsView(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Who worked with a brand: creators whose posts name it, with counts and the posts."""

    queryset = Post.objects.select_related("author__avatar_asset", "community").prefetch_related("media__asset")
    serializer_class = s.BrandMentionsSerializer

    @extend_schema(
        summary="Who worked with a brand (@handle, #hashtag or name) in the last N days",
        parameters=[
            OpenApiParameter("mentions", str, required=True, description="@handle, #hashtag or a brand name"),
            OpenApiParameter("days", int, description="Window in days (default 90)"),
            OpenApiParameter("paid", bool, description="Only paid partnerships / sponsored posts"),
        ],
    )
    def summary(self, request: Request) -> Response:
        # One answer (the brand, its creators and their posts), not a page of rows: not named "list",
        # so the published schema describes one object instead of a paginated list.
        form = BrandMentionsForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        brand = mentions.parse(form.cleaned_data["mentions"])
        days = form.cleaned_data["days"] or 90
        posts = self.get_queryset().filter(
            mentions.post_q(brand), author__isnull=False, posted_at__gte=timezone.now() - timedelta(days=days)
        )
        if form.cleaned_data["paid"]:
            posts = posts.filter(Q(is_paid_partnership=True) | Q(is_sponsored=True))
        per_creator: dict[int, dict] = {}
        for post in posts.order_by("-posted_at", "-id")[:1000]:
            row = per_creator.setdefault(
                post.author_id, {"creator": post.author, "posts_count": 0, "paid_count": 0, "posts": []}
            )
            row["posts_count"] += 1
            row["paid_count"] += int(post.is_paid_partnership or post.is_sponsored)
            if len(row["posts"]) < 10:
                row["posts"].append(post)
        creators = sorted(per_creator.values(), key=lambda r: (-r["posts_count"], r["creator"].handle))
        data = {"brand": str(brand), "days": days, "creators_count": len(creators), "creators": creators}
        return Response(self.get_serializer(data).data)


class BrandMentionsForm(forms.Form):
    mentions = forms.CharField(max_length=120, strip=True)
    days = forms.IntegerField(min_value=1, max_value=3650, required=False)
    paid = forms.NullBooleanField(required=False)
