"""The whole pipeline against PostgreSQL, a loopback CDN and both storages (local folder, S3 on moto)."""

from __future__ import annotations

import hashlib
import io
import json
import urllib.request
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from media.models import Asset, RemoteSource
from media.pipeline import fetch, source_key
from media.tasks import backfill_missing
from media.tests import samples
from media.tests.conftest import local_storages, s3_storages
from posts.models import PostMedia
from posts.tasks import download_post_media
from profiles.tasks import download_avatar
from tests.factories import PostFactory, ProfileFactory

pytestmark = pytest.mark.django_db

POST_MAX = 300_000
PROFILE_MAX = 200_000


@pytest.fixture(scope="module")
def camera_jpeg():
    return samples.jpeg_bytes(samples.photo(4000, 3000, detail=0.9))


@pytest.fixture(scope="module")
def clip_1080p(tmp_path_factory):
    path = samples.make_video(str(tmp_path_factory.mktemp("clips") / "clip.mp4"), width=1920, height=1080, seconds=3)
    with open(path, "rb") as fh:
        return fh.read()


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as fh:
        return fh.read()


def test_image_is_compressed_and_stored_under_its_content_hash(cdn, any_storage, camera_jpeg):
    backend, keys = any_storage
    url = cdn.add("/v/t51/photo.jpg", body=camera_jpeg, content_type="image/jpeg")

    result = fetch(url)

    assert result.ok and result.created and result.reused == ""
    asset = result.asset
    sha = hashlib.sha256(camera_jpeg).hexdigest()
    assert asset.sha256 == sha and asset.kind == Asset.Kind.IMAGE
    assert asset.file.name == f"images/{sha[:2]}/{sha[2:4]}/{sha}.jpg"
    assert asset.thumbnail.name == f"thumbnails/{sha[:2]}/{sha[2:4]}/{sha}.jpg"
    assert keys() == sorted([asset.file.name, asset.thumbnail.name])
    assert asset.bytes_original == len(camera_jpeg) > 3_000_000
    data = stored_bytes(asset.file.name)
    assert len(data) == asset.bytes_stored <= POST_MAX
    assert Image.open(io.BytesIO(data)).size == (asset.width, asset.height) == (1080, 810)
    source = RemoteSource.objects.get(url_key=source_key(url))
    assert (source.status, source.asset_id, source.url, source.attempts) == ("done", asset.pk, url, 1)
    assert source.claimed_until is None


def test_same_url_again_is_not_downloaded_again(cdn, local_storage, camera_jpeg):
    url = cdn.add("/a.jpg", body=camera_jpeg)
    first = fetch(url)
    second = fetch(url)
    assert second.asset.pk == first.asset.pk and second.reused == "url" and not second.created
    assert cdn.hits["/a.jpg"] == 1
    assert Asset.objects.count() == 1


def test_same_bytes_under_another_url_reuse_the_asset(cdn, local_storage, camera_jpeg):
    # Two posts (e.g. a repost) point at different URLs serving identical bytes.
    one = PostMedia.objects.create(post=PostFactory(), position=0, source_url=cdn.add("/one.jpg", body=camera_jpeg))
    two = PostMedia.objects.create(post=PostFactory(), position=0, source_url=cdn.add("/two.jpg", body=camera_jpeg))

    download_post_media([one.pk, two.pk])

    one.refresh_from_db()
    two.refresh_from_db()
    assert one.asset_id == two.asset_id is not None
    assert one.status == two.status == PostMedia.Status.DONE
    assert Asset.objects.count() == 1
    assert cdn.hits["/one.jpg"] == cdn.hits["/two.jpg"] == 1
    # Idempotent: running the task again changes nothing and downloads nothing.
    download_post_media([one.pk, two.pk, 999_999])
    assert cdn.hits["/one.jpg"] == cdn.hits["/two.jpg"] == 1


def test_resigned_instagram_url_maps_to_the_fetched_source(local_storage, cdn, camera_jpeg):
    # Given a picture fetched under yesterday's signature...
    asset = fetch(cdn.add("/seed.jpg", body=camera_jpeg)).asset
    old = "https://scontent-fra5-1.cdninstagram.com/v/t51.2885-15/123_n.jpg?stp=dst-jpg_e35&_nc_ht=x&_nc_ohc=a&oh=00_AAA&oe=65F00000"
    RemoteSource.objects.create(url_key=source_key(old), url=old, status="done", asset=asset)
    # ...a re-scrape hands over the same file with a fresh signature: no DNS, no download.
    new = "https://scontent-fra5-1.cdninstagram.com/v/t51.2885-15/123_n.jpg?stp=dst-jpg_e35&_nc_ht=y&_nc_ohc=b&oh=00_BBB&oe=65F99999"
    result = fetch(new)
    assert result.asset.pk == asset.pk and result.reused == "url"
    assert RemoteSource.objects.get(url_key=source_key(new)).url == new, "newest URL kept for retries"
    # A different rendition (stp) or path is a different file.
    assert source_key(new.replace("dst-jpg_e35", "dst-jpg_s150x150")) != source_key(new)
    assert source_key("https://example.com/a.jpg?oh=1") != source_key("https://example.com/a.jpg?oh=2")


def test_profile_picture_gets_the_smaller_budget(cdn, local_storage):
    hard = samples.jpeg_bytes(samples.photo(1500, 1500, detail=0.9))
    profile = ProfileFactory(avatar_url=cdn.add("/avatar.jpg", body=hard))

    download_avatar(profile.pk)

    profile.refresh_from_db()
    asset = profile.avatar_asset
    assert asset is not None and asset.bytes_stored <= PROFILE_MAX
    assert len(stored_bytes(asset.file.name)) == asset.bytes_stored
    download_avatar(10**9)  # a deleted profile: returns quietly


def test_video_is_transcoded_with_poster_and_thumbnail(cdn, any_storage, clip_1080p):
    backend, keys = any_storage
    url = cdn.add("/reel.mp4", body=clip_1080p, content_type="video/mp4")

    result = fetch(url)

    assert result.ok, result.error
    video = result.asset
    sha = hashlib.sha256(clip_1080p).hexdigest()
    assert (video.kind, video.mime_type, video.width, video.height) == ("video", "video/mp4", 1280, 720)
    assert video.file.name == f"videos/{sha[:2]}/{sha[2:4]}/{sha}.mp4"
    assert video.bytes_stored <= 1_500_000 and video.duration_seconds == pytest.approx(3, abs=0.2)
    assert len(stored_bytes(video.file.name)) == video.bytes_stored
    poster = video.poster
    assert poster.kind == Asset.Kind.POSTER and poster.file.name.startswith("posters/")
    assert Image.open(io.BytesIO(stored_bytes(poster.file.name))).size == (1280, 720)
    assert video.thumbnail.name == poster.thumbnail.name
    assert video.poster_url and video.thumbnail_url
    assert keys() == sorted([video.file.name, poster.file.name, poster.thumbnail.name])


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(samples.truncated_jpeg(), id="truncated-jpeg"),
        pytest.param(b"<!doctype html><title>Login</title>", id="html-login-page"),
        pytest.param(samples.png_bomb(), id="decompression-bomb"),
        pytest.param(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4000, id="fake-mp4"),
    ],
)
def test_bad_files_are_rejected_with_nothing_stored(cdn, any_storage, body):
    backend, keys = any_storage
    item = PostMedia.objects.create(post=PostFactory(), position=0, source_url=cdn.add("/bad.jpg", body=body))

    download_post_media([item.pk])

    item.refresh_from_db()
    assert item.status == PostMedia.Status.FAILED and item.asset_id is None and item.error
    source = RemoteSource.objects.get(url_key=source_key(item.source_url))
    assert source.status == "failed" and source.permanent and source.url == item.source_url
    assert source.error_code in {"unsupported", "invalid"}
    assert Asset.objects.count() == 0
    assert keys() == []


def test_permanent_failure_is_recorded_and_only_retried_when_forced(cdn, local_storage):
    url = cdn.add("/gone.jpg", status=404, body=b"no")
    first = fetch(url)
    assert not first.ok and first.permanent and first.error_code == "http_status"
    again = fetch(url)
    assert not again.ok and cdn.hits["/gone.jpg"] == 1, "a permanent failure is not retried by re-scrapes"
    fetch(url, force=True)
    assert cdn.hits["/gone.jpg"] == 2


def test_transient_failure_is_fixed_by_backfill(cdn, local_storage, camera_jpeg):
    # The CDN is down for the first two requests (the task's two attempts), then recovers.
    url = cdn.add("/flaky.jpg", body=camera_jpeg, fail_times=2, fail_status=503)
    item = PostMedia.objects.create(post=PostFactory(), position=0, source_url=url)
    profile = ProfileFactory(avatar_url=cdn.add("/pp.jpg", body=samples.jpeg_bytes(samples.photo(320, 320))))
    download_post_media([item.pk])
    item.refresh_from_db()
    assert item.status == PostMedia.Status.FAILED and "503" in item.error
    assert not RemoteSource.objects.get(url_key=source_key(url)).permanent

    out = io.StringIO()
    call_command("media", "backfill", "--json", stdout=out)

    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["fetched"] == 2 and summary["failed"] == 0
    assert summary["by_source"]["posts.tasks.backfill_post_media"] == {"checked": 1, "fetched": 1, "failed": 0}
    assert summary["by_source"]["profiles.tasks.backfill_avatars"] == {"checked": 1, "fetched": 1, "failed": 0}
    item.refresh_from_db()
    profile.refresh_from_db()
    assert item.status == PostMedia.Status.DONE and item.asset is not None and item.error == ""
    assert profile.avatar_asset is not None
    # Nothing left: a second backfill checks nothing.
    out = io.StringIO()
    call_command("media", "backfill", "--json", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["checked"] == 0


def test_backfill_leaves_permanent_failures_unless_asked(cdn, local_storage):
    item = PostMedia.objects.create(post=PostFactory(), position=0, source_url=cdn.add("/403.jpg", status=403))
    download_post_media([item.pk])
    for flags, hits in (([], 1), (["--include-permanent"], 2)):
        out = io.StringIO()
        call_command("media", "backfill", "--json", *flags, stdout=out)
        assert cdn.hits["/403.jpg"] == hits
    assert json.loads(out.getvalue().strip().splitlines()[-1])["failed"] == 1


def test_refused_address_is_never_requested(cdn, local_storage, media_settings, camera_jpeg):
    media_settings.MEDIA_ALLOWED_HOSTS = []
    url = cdn.add("/internal.jpg", body=camera_jpeg)
    result = fetch(url)
    assert not result.ok and result.permanent and result.error_code == "blocked"
    assert cdn.hits["/internal.jpg"] == 0 and Asset.objects.count() == 0


def test_url_claimed_by_another_worker_is_left_alone(cdn, local_storage, camera_jpeg):
    url = cdn.add("/busy.jpg", body=camera_jpeg)
    RemoteSource.objects.create(url_key=source_key(url), url=url, claimed_until=timezone.now() + timedelta(minutes=5))
    result = fetch(url)
    assert result.error_code == "busy" and cdn.hits["/busy.jpg"] == 0
    # An expired claim (the worker died) is taken over.
    RemoteSource.objects.filter(url_key=source_key(url)).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert fetch(url).ok


def test_storage_failure_leaves_no_row_and_is_retryable(cdn, media_settings, moto_endpoint, camera_jpeg):
    media_settings.STORAGES = s3_storages(moto_endpoint, "no-such-bucket")
    url = cdn.add("/x.jpg", body=camera_jpeg)
    result = fetch(url)
    assert not result.ok and result.error_code == "storage" and not result.permanent
    assert Asset.objects.count() == 0
    assert RemoteSource.objects.get(url_key=source_key(url)).status == "failed"


def test_local_storage_failure_leaves_no_row(cdn, media_settings, tmp_path, camera_jpeg):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the media folder should be")
    media_settings.STORAGES = local_storages(str(blocker / "media"))
    result = fetch(cdn.add("/y.jpg", body=camera_jpeg))
    assert not result.ok and result.error_code == "storage"
    assert Asset.objects.count() == 0


def test_partial_file_from_an_interrupted_write_is_replaced(cdn, local_storage, camera_jpeg):
    sha = hashlib.sha256(camera_jpeg).hexdigest()
    leftover = local_storage / "images" / sha[:2] / sha[2:4] / f"{sha}.jpg"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"\xff\xd8\xff half")
    asset = fetch(cdn.add("/z.jpg", body=camera_jpeg)).asset
    assert leftover.stat().st_size == asset.bytes_stored > 1000


def test_s3_signed_url_serves_the_stored_file(cdn, s3_bucket, camera_jpeg):
    asset = fetch(cdn.add("/s.jpg", body=camera_jpeg)).asset
    url = asset.url
    assert url.startswith("http://127.0.0.1:") and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == stored_bytes(asset.file.name)
    assert "X-Amz-Signature=" in asset.thumbnail_url


def test_s3_public_urls_when_signing_is_off(cdn, media_settings, moto_endpoint, s3_bucket, camera_jpeg):
    client, bucket = s3_bucket
    media_settings.STORAGES = s3_storages(moto_endpoint, bucket, signed=False)
    asset = fetch(cdn.add("/p.jpg", body=camera_jpeg)).asset
    assert asset.url == f"{moto_endpoint}/{bucket}/{asset.file.name}"


def test_local_urls(cdn, local_storage, camera_jpeg):
    asset = fetch(cdn.add("/l.jpg", body=camera_jpeg)).asset
    assert asset.url == f"/media/{asset.file.name}"
    assert asset.thumbnail_url == f"/media/{asset.thumbnail.name}"
    assert asset.poster_url == ""


# --- the command --------------------------------------------------------------------------------


def test_fetch_command_prints_json_with_created_then_reused(cdn, local_storage, camera_jpeg):
    url = cdn.add("/cmd.jpg", body=camera_jpeg)
    out = io.StringIO()
    call_command("media", "fetch", url, "--json", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (summary["created"], summary["reused"], summary["failed"]) == (1, 0, 0)
    (asset,) = summary["assets"]
    assert asset["status"] == "created" and asset["bytes_stored"] <= POST_MAX
    assert asset["sha256"] == hashlib.sha256(camera_jpeg).hexdigest()

    out = io.StringIO()
    call_command("media", "fetch", url, "--json", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (summary["created"], summary["reused"]) == (0, 1)
    assert summary["assets"][0]["reused"] == "url"


def test_fetch_command_fails_with_one_line_and_json_listing_the_failure(cdn, local_storage, camera_jpeg):
    good = cdn.add("/good.jpg", body=camera_jpeg)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 of 3 URLs failed"):
        call_command("media", "fetch", good, "ftp://example.com/x.jpg", good, "--json", stdout=out, stderr=err)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (summary["created"], summary["reused"], summary["failed"]) == (1, 1, 1)
    assert summary["failures"][0]["error_code"] == "blocked"
    assert err.getvalue().count("\n") == 1 and "only http and https" in err.getvalue()


def test_backfill_command_rejects_bad_limit(local_storage):
    with pytest.raises(CommandError, match="--limit"):
        call_command("media", "backfill", "--limit", "0")


def test_missing_ffmpeg_is_a_transient_failure_the_backfill_recovers(cdn, local_storage, media_settings, clip_1080p):
    media_settings.FFMPEG_BINARY = "/nonexistent/ffmpeg"
    url = cdn.add("/needs-ffmpeg.mp4", body=clip_1080p)
    result = fetch(url)
    assert not result.ok and not result.permanent and result.error_code == "ffmpeg_missing"
    assert "FFMPEG_BINARY='/nonexistent/ffmpeg'" in result.error
    assert Asset.objects.count() == 0 and not any(local_storage.rglob("*.mp4"))

    media_settings.FFMPEG_BINARY = "ffmpeg"  # the operator installs it
    backfill_missing()
    source = RemoteSource.objects.get(url_key=source_key(url))
    assert source.status == "done" and source.asset.kind == "video"


def test_webp_setting_stores_webp_under_webp_keys(cdn, local_storage, media_settings, camera_jpeg):
    media_settings.MEDIA_IMAGE_FORMAT = "webp"
    asset = fetch(cdn.add("/w.jpg", body=camera_jpeg)).asset
    assert asset.mime_type == "image/webp" and asset.file.name.endswith(".webp")
    assert asset.thumbnail.name.endswith(".webp")
    data = stored_bytes(asset.file.name)
    assert data[8:12] == b"WEBP" and len(data) <= POST_MAX
