"""Background tasks of the posts app (thin: ids in, call a function, return quietly if gone)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from posts.models import PostMedia

# --- Media (routed to the "media" queue by CELERY_TASK_ROUTES) ---


@shared_task(bind=True, name="posts.tasks.download_post_media", ignore_result=True, max_retries=5)
def download_post_media(self, post_media_ids: list[int]) -> None:
    """Download, compress and attach the photos/videos of these PostMedia rows (missing ids are skipped)."""
    fetch_post_media(post_media_ids)
    # Rows still pending had their URL claimed by another worker (same picture in two posts):
    # look again shortly, when that worker has stored it and the lookup is free.
    waiting = list(
        PostMedia.objects.filter(
            pk__in=post_media_ids, status=PostMedia.Status.PENDING, asset__isnull=True
        ).values_list("pk", flat=True)
    )
    if waiting and not self.request.called_directly:
        raise self.retry(args=[waiting], countdown=settings.MEDIA_BUSY_RETRY_SECONDS)


def fetch_post_media(post_media_ids: list[int], *, force: bool = False) -> dict[str, int]:
    """Run the media pipeline for each row still without an asset and record the outcome on it.

    Idempotent: rows already done are skipped, and a URL the pipeline already fetched returns its
    asset without a download.
    """
    from media.pipeline import fetch

    counts = {"checked": 0, "fetched": 0, "failed": 0}
    rows = PostMedia.objects.filter(pk__in=post_media_ids, asset__isnull=True).only("pk", "source_url")
    for item in rows:
        counts["checked"] += 1
        result = fetch(item.source_url, purpose="post", force=force)
        if result.ok:
            counts["fetched"] += 1
            # The bytes decide the kind, not what the scraper guessed from the JSON.
            kind = "video" if result.asset.kind == "video" else "image"
            PostMedia.objects.filter(pk=item.pk).update(
                asset=result.asset, status=PostMedia.Status.DONE, error="", kind=kind
            )
        elif result.error_code != "busy":  # "busy": another worker has it; it will record the outcome
            counts["failed"] += 1
            PostMedia.objects.filter(pk=item.pk).update(status=PostMedia.Status.FAILED, error=result.error)
    return counts


def backfill_post_media(*, limit: int, include_permanent: bool) -> dict[str, int]:
    """`manage.py media backfill` handler: post media rows that have no asset yet."""
    ids = list(PostMedia.objects.filter(asset__isnull=True).order_by("pk").values_list("pk", flat=True)[:limit])
    return fetch_post_media(ids, force=include_permanent)
