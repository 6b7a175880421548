"""The media pipeline: URL in, stored :class:`~media.models.Asset` out.

``fetch(url)`` is the one entry point (tasks, the ``media`` command and the bench call it):

1. look the URL up in :class:`RemoteSource` (signature parameters removed): a URL already
   fetched returns its asset without touching the network; a permanent failure is not retried
   unless ``force`` is given;
2. claim the row with a conditional UPDATE so concurrent workers do not download twice;
3. download (``media.download``: SSRF guard, size cap, retries on transient errors);
4. de-duplicate by the sha256 of the downloaded bytes: the same bytes seen under another URL
   reuse that asset;
5. compress (``media.images``, ``media.video``) and write the files under content-addressed
   keys through the configured Django storage; only after every upload succeeded is the
   ``Asset`` row created, so a row never points at a half-written file;
6. record the outcome on the ``RemoteSource`` row (asset, or error + permanent flag).
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from config.claims import claim
from config.http import TransportError
from media.download import Downloaded, DownloadPolicy, download
from media.errors import MediaError
from media.images import CompressedImage, compress_image
from media.models import Asset, RemoteSource
from media.video import FFmpeg, compress_video

logger = logging.getLogger(__name__)

# A claim outlives the slowest legitimate fetch (download deadline + a long video encode); a
# worker that died mid-fetch frees the URL when it expires.
CLAIM_SECONDS = 15 * 60
ERROR_MAX_CHARS = 2000

# Instagram/Facebook CDN URLs carry a signature (oh), an expiry (oe) and routing hints (_nc_*)
# that change on every scrape while the path names the same file. Only these are dropped; the
# rest (e.g. stp= size variants) still tells different renditions apart.
_SIGNED_CDN_SUFFIXES = (".cdninstagram.com", ".fbcdn.net")
_VOLATILE_PARAMS = {"oh", "oe", "ccb", "edm", "efg", "ig_cache_key", "_nc_sid"}


def source_key(url: str) -> str:
    """Stable identity of a remote file: sha256 of the URL minus volatile CDN parameters."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    query = parts.query
    if any(host == s.lstrip(".") or host.endswith(s) for s in _SIGNED_CDN_SUFFIXES):
        kept = [
            (k, v)
            for k, v in parse_qsl(query, keep_blank_values=True)
            if k not in _VOLATILE_PARAMS and not k.startswith("_nc_")
        ]
        query = urlencode(sorted(kept))
    normalised = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, query, ""))
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def storage_key(folder: str, sha256: str, extension: str) -> str:
    """``images/ab/cd/abcd....jpg``: two levels of fan-out keep directory listings short."""
    return f"{folder}/{sha256[:2]}/{sha256[2:4]}/{sha256}.{extension}"


@dataclass
class FetchResult:
    """What happened to one URL."""

    url: str
    asset: Asset | None = None
    created: bool = False
    # "url": known URL, nothing downloaded; "content": downloaded, same bytes already stored.
    reused: str = ""
    error: str = ""
    error_code: str = ""
    permanent: bool = False
    bytes_downloaded: int = 0

    @property
    def ok(self) -> bool:
        return self.asset is not None

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"url": self.url, "ok": self.ok}
        if self.asset is not None:
            asset = self.asset
            data.update(
                status="created" if self.created else "reused",
                reused=self.reused or None,
                asset_id=asset.pk,
                sha256=asset.sha256,
                kind=asset.kind,
                mime_type=asset.mime_type,
                file=asset.file.name,
                thumbnail=asset.thumbnail.name or None,
                poster=asset.poster.file.name if asset.poster_id and asset.poster else None,
                width=asset.width,
                height=asset.height,
                duration_seconds=asset.duration_seconds,
                bytes_original=asset.bytes_original,
                bytes_stored=asset.bytes_stored,
                bytes_downloaded=self.bytes_downloaded,
            )
        else:
            data.update(status="failed", error=self.error, error_code=self.error_code, permanent=self.permanent)
        return data


class StorageWriteError(MediaError):
    """The storage did not accept a file; transient (the bucket or disk may come back)."""

    permanent = False
    code = "storage"


def put_file(storage: Storage, key: str, content: File, size: int) -> None:
    """Write ``content`` at exactly ``key``.

    Keys are content hashes, so an existing file of the right size is the same file (a re-run);
    one of another size is the remains of an interrupted local write and is replaced.
    """
    try:
        if storage.exists(key):
            if storage.size(key) == size:
                return
            storage.delete(key)
        saved = storage.save(key, content)
    except Exception as exc:  # storage backends raise OSError, botocore errors, ...
        raise StorageWriteError(f"storing {key} failed: {exc}") from exc
    if saved != key:
        storage.delete(saved)
        raise StorageWriteError(f"storage renamed {key} to {saved}; refusing a non content-addressed key")


def _policy() -> DownloadPolicy:
    return DownloadPolicy.from_settings()


def _claim(source: RemoteSource) -> bool:
    now = timezone.now()
    return bool(
        claim(
            RemoteSource.objects.filter(pk=source.pk),
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    )


def _finish(source: RemoteSource, **fields: object) -> None:
    fields.setdefault("claimed_until", None)
    fields["updated_at"] = timezone.now()
    RemoteSource.objects.filter(pk=source.pk).update(**fields)
    for name, value in fields.items():
        setattr(source, name, value)


def _fail(source: RemoteSource, result: FetchResult, exc: Exception, code: str) -> FetchResult:
    result.error = str(exc)[:ERROR_MAX_CHARS]
    result.error_code = code
    result.permanent = bool(getattr(exc, "permanent", False))
    _finish(
        source,
        status=RemoteSource.Status.FAILED,
        error=result.error,
        error_code=code,
        permanent=result.permanent,
        bytes_downloaded=result.bytes_downloaded or None,
    )
    logger.info("media fetch failed", extra={"url": source.url, "error": result.error, "permanent": result.permanent})
    return result


def fetch(url: str, *, purpose: str = RemoteSource.Purpose.POST, force: bool = False) -> FetchResult:
    """Run the whole pipeline for ``url`` synchronously; never raises for a bad URL or file."""
    result = FetchResult(url=url)
    source, _ = RemoteSource.objects.get_or_create(url_key=source_key(url), defaults={"url": url, "purpose": purpose})
    if source.url != url:
        # Keep the newest URL: an expired signature in the old one would make retries fail.
        RemoteSource.objects.filter(pk=source.pk).update(url=url)
        source.url = url
    if source.status == RemoteSource.Status.DONE and source.asset_id:
        asset = Asset.objects.filter(pk=source.asset_id).select_related("poster").first()
        if asset is not None and asset.file:
            result.asset, result.reused = asset, "url"
            return result
    if source.status == RemoteSource.Status.FAILED and source.permanent and not force:
        result.error, result.error_code, result.permanent = source.error, source.error_code, True
        return result
    if not _claim(source):
        result.error, result.error_code = "another worker is fetching this URL", "busy"
        return result
    try:
        return _fetch_claimed(source, result, purpose)
    except BaseException:
        # Unexpected errors (a bug, the database going away): free the claim so a retry can run.
        RemoteSource.objects.filter(pk=source.pk).update(claimed_until=None)
        raise


def _fetch_claimed(source: RemoteSource, result: FetchResult, purpose: str) -> FetchResult:
    try:
        downloaded = download(source.url, _policy())
    except TransportError as exc:
        return _fail(source, result, exc, exc.reason)
    with downloaded:
        result.bytes_downloaded = downloaded.size
        asset = Asset.objects.filter(sha256=downloaded.sha256).select_related("poster").first()
        if asset is not None and asset.file:
            result.asset, result.reused = asset, "content"
        else:
            try:
                result.asset, result.created = _store(downloaded, purpose), True
            except MediaError as exc:
                return _fail(source, result, exc, exc.code)
    _finish(
        source,
        status=RemoteSource.Status.DONE,
        asset=result.asset,
        error="",
        error_code="",
        permanent=False,
        bytes_downloaded=result.bytes_downloaded,
    )
    return result


def _image_budget(purpose: str) -> int:
    if purpose == RemoteSource.Purpose.PROFILE:
        return settings.MEDIA_PROFILE_IMAGE_MAX_BYTES
    return settings.MEDIA_POST_IMAGE_MAX_BYTES


def _compress(data: bytes, purpose: str, max_side: int | None = None) -> CompressedImage:
    return compress_image(
        data,
        max_bytes=_image_budget(purpose),
        max_side=max_side or settings.MEDIA_IMAGE_MAX_SIDE,
        fmt=settings.MEDIA_IMAGE_FORMAT,
        max_pixels=settings.MEDIA_IMAGE_MAX_PIXELS,
        decode_memory=settings.MEDIA_IMAGE_DECODE_MEMORY_MB * 1024 * 1024,
    )


def _store(downloaded: Downloaded, purpose: str) -> Asset:
    if downloaded.kind == "image":
        return _store_image(downloaded, purpose)
    return _store_video(downloaded)


def _save_asset(asset: Asset) -> Asset:
    """Insert ``asset``; when a concurrent worker inserted the same sha256 first, use theirs."""
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError:
        existing = Asset.objects.filter(sha256=asset.sha256).select_related("poster").first()
        if existing is None:
            raise
        return existing
    return asset


def _store_image(downloaded: Downloaded, purpose: str, kind: str = Asset.Kind.IMAGE) -> Asset:
    image = _compress(downloaded.read_bytes(), purpose)
    return _store_compressed_image(
        image, sha256=downloaded.sha256, kind=kind, source_url=downloaded.url, bytes_original=downloaded.size
    )


def _store_compressed_image(
    image: CompressedImage, *, sha256: str, kind: str, source_url: str, bytes_original: int
) -> Asset:
    folder = "posters" if kind == Asset.Kind.POSTER else "images"
    file_key = storage_key(folder, sha256, image.extension)
    thumb_key = storage_key("thumbnails", sha256, image.extension)
    put_file(default_storage, file_key, ContentFile(image.data), len(image.data))
    put_file(default_storage, thumb_key, ContentFile(image.thumbnail), len(image.thumbnail))
    # Both uploads succeeded: only now does a row point at them.
    return _save_asset(
        Asset(
            sha256=sha256,
            kind=kind,
            source_url=source_url[:2000],
            file=file_key,
            thumbnail=thumb_key,
            mime_type=image.mime_type,
            bytes_original=bytes_original,
            bytes_stored=len(image.data),
            width=image.width,
            height=image.height,
        )
    )


def store_generated_image(data: bytes, *, label: str, purpose: str = RemoteSource.Purpose.POST) -> Asset:
    """Store an image made on this machine (the demo's placeholders) exactly as a download would be
    stored: compressed, content-addressed, with a thumbnail. ``label`` names it in ``source_url``
    ("generated:avatar/…"), so nobody mistakes it for a platform's picture. No network."""
    sha256 = hashlib.sha256(data).hexdigest()
    existing = Asset.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    image = _compress(data, purpose)
    return _store_compressed_image(
        image, sha256=sha256, kind=Asset.Kind.IMAGE, source_url=f"generated:{label}", bytes_original=len(data)
    )


def _store_video(downloaded: Downloaded) -> Asset:
    tools = FFmpeg.find()
    video = compress_video(
        downloaded.path,
        max_bytes=settings.MEDIA_VIDEO_MAX_BYTES,
        preset=settings.MEDIA_VIDEO_PRESET,
        tools=tools,
    )
    try:
        if not video.target_met:
            logger.warning(
                "video over its byte budget",
                extra={"url": downloaded.url, "bytes": video.size, "budget": settings.MEDIA_VIDEO_MAX_BYTES},
            )
        # The poster covers the player before it starts, so it matches the video's size.
        poster_image = _compress(video.poster, RemoteSource.Purpose.POST, max_side=max(video.width, video.height))
        poster_sha = hashlib.sha256(poster_image.data).hexdigest()
        poster = Asset.objects.filter(sha256=poster_sha).first() or _store_compressed_image(
            poster_image,
            sha256=poster_sha,
            kind=Asset.Kind.POSTER,
            source_url=downloaded.url,
            bytes_original=len(video.poster),
        )
        file_key = storage_key("videos", downloaded.sha256, "mp4")
        with open(video.path, "rb") as fh:
            put_file(default_storage, file_key, File(fh, name=os.path.basename(file_key)), video.size)
        return _save_asset(
            Asset(
                sha256=downloaded.sha256,
                kind=Asset.Kind.VIDEO,
                source_url=downloaded.url[:2000],
                file=file_key,
                thumbnail=poster.thumbnail.name,
                poster=poster,
                mime_type="video/mp4",
                bytes_original=downloaded.size,
                bytes_stored=video.size,
                width=video.width,
                height=video.height,
                duration_seconds=round(video.duration, 3),
            )
        )
    finally:
        os.unlink(video.path)


def missing_sources(*, include_permanent: bool = False, before: datetime | None = None) -> QuerySet[RemoteSource]:
    """RemoteSource rows without a stored asset that a backfill should retry."""
    rows = RemoteSource.objects.filter(Q(asset__isnull=True) | ~Q(status=RemoteSource.Status.DONE))
    if not include_permanent:
        rows = rows.exclude(status=RemoteSource.Status.FAILED, permanent=True)
    if before is not None:
        rows = rows.filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=before))
    return rows.order_by("pk")


def backfill(*, limit: int = 500, include_permanent: bool = False) -> dict[str, dict[str, int]]:
    """Retry what is missing: each app's handler (``MEDIA_BACKFILL_HANDLERS``), then any other
    URL fetched directly (``media fetch``) that has no asset yet.

    Returns counts per handler: ``{"posts.tasks.backfill_post_media": {"checked": ..}, ...}``.
    """
    from django.utils.module_loading import import_string

    started = timezone.now()
    report: dict[str, dict[str, int]] = {}
    for path in getattr(settings, "MEDIA_BACKFILL_HANDLERS", []):
        report[path] = import_string(path)(limit=limit, include_permanent=include_permanent)
    # Rows the handlers just retried carry a newer last_attempt_at and are skipped here.
    counts = {"checked": 0, "fetched": 0, "failed": 0}
    for source in missing_sources(include_permanent=include_permanent, before=started)[:limit]:
        counts["checked"] += 1
        result = fetch(source.url, purpose=source.purpose, force=include_permanent)
        counts["fetched" if result.ok else "failed"] += 1
    report["media.sources"] = counts
    return report
