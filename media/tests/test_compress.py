"""media.compress on generated files, through real Pillow and a real ffmpeg."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess

import pytest
from PIL import Image, ImageChops, ImageStat

from media.compress import (
    THUMBNAIL_MAX_BYTES,
    FFmpeg,
    FFmpegMissing,
    InvalidMedia,
    compress_image,
    compress_video,
    probe,
)
from media.tests import samples

POST_MAX = 300 * 1024
PROFILE_MAX = 200 * 1024
VIDEO_MAX = 1_500_000


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# --- images -------------------------------------------------------------------------------------


def test_camera_photo_is_capped_at_1080_and_under_the_post_budget():
    source = samples.jpeg_bytes(samples.photo(4000, 3000, detail=0.9))
    assert len(source) > 3_000_000
    result = compress_image(source, max_bytes=POST_MAX)
    assert len(result.data) <= POST_MAX
    assert (result.width, result.height) == (1080, 810)
    assert (result.source_width, result.source_height) == (4000, 3000)
    image = decoded(result.data)
    assert image.format == "JPEG" and image.mode == "RGB" and image.size == (1080, 810)


def test_quality_search_goes_below_85_only_when_85_is_over_budget():
    source = samples.jpeg_bytes(samples.photo(2000, 2000, detail=0.9))
    result = compress_image(source, max_bytes=PROFILE_MAX)
    assert len(result.data) <= PROFILE_MAX
    # Re-encode the same pixels at 85: it must really be over the budget, else the search
    # should have stopped at 85.
    at_85 = io.BytesIO()
    decoded(result.data).save(at_85, "JPEG", quality=85, optimize=True, progressive=True)
    assert len(at_85.getvalue()) > PROFILE_MAX
    assert 40 <= result.quality < 85


def test_easy_picture_keeps_quality_85():
    result = compress_image(samples.jpeg_bytes(samples.photo(1200, 900, detail=0.1)), max_bytes=POST_MAX)
    assert result.quality == 85


def test_tiny_budget_shrinks_the_picture_instead_of_going_below_min_quality():
    source = samples.jpeg_bytes(samples.photo(3000, 2000, detail=0.9))
    result = compress_image(source, max_bytes=20_000)
    assert len(result.data) <= 20_000
    assert result.width < 1080 and result.quality >= 40


def test_small_picture_is_not_upscaled():
    result = compress_image(samples.jpeg_bytes(samples.photo(200, 150)), max_bytes=POST_MAX)
    assert (result.width, result.height) == (200, 150)


def test_exif_orientation_is_applied_and_metadata_stripped():
    source = samples.rotated_exif_jpeg(1200, 800)
    assert decoded(source).getexif().get(0x0112) == 6
    result = compress_image(source, max_bytes=POST_MAX)
    image = decoded(result.data)
    # Orientation 6 = rotate 90° clockwise for display: the stored 1200x800 becomes portrait and
    # the red top-left marker ends up top-right.
    assert image.size == (720, 1080)
    r, g, b = image.getpixel((image.width - 20, 20))
    assert r > 200 and g < 60 and b < 60
    assert len(image.getexif()) == 0, "no EXIF (orientation, camera, GPS) survives"
    assert "icc_profile" not in image.info and "exif" not in image.info


def test_cmyk_jpeg_becomes_rgb_with_the_same_colours():
    source = samples.cmyk_jpeg()
    expected = decoded(source).convert("RGB").resize((100, 75))
    result = compress_image(source, max_bytes=POST_MAX)
    image = decoded(result.data)
    assert image.mode == "RGB"
    got = image.resize((100, 75))
    mean_error = ImageStat.Stat(ImageChops.difference(got, expected)).mean
    assert max(mean_error) < 12, f"colours are not inverted or shifted ({mean_error})"


def test_png_alpha_is_flattened_on_white():
    result = compress_image(samples.alpha_png(), max_bytes=POST_MAX)
    image = decoded(result.data)
    assert image.mode == "RGB"
    assert min(image.getpixel((5, 5))) > 245  # transparent corner -> white
    r, g, b = image.getpixel((image.width // 2, image.height // 2))
    assert b > 200 and r < 40 and g < 40


def test_webp_output_when_configured():
    result = compress_image(samples.jpeg_bytes(samples.photo(2000, 1500)), max_bytes=POST_MAX, fmt="webp")
    assert result.data[:4] == b"RIFF" and result.data[8:12] == b"WEBP"
    assert (result.mime_type, result.extension) == ("image/webp", "webp")
    assert len(result.data) <= POST_MAX


def test_thumbnail_is_small():
    result = compress_image(samples.jpeg_bytes(samples.photo(3000, 2000, detail=0.9)), max_bytes=POST_MAX)
    thumb = decoded(result.thumbnail)
    assert max(thumb.size) == 320 and thumb.size == (result.thumbnail_width, result.thumbnail_height)
    assert len(result.thumbnail) <= THUMBNAIL_MAX_BYTES


def test_truncated_jpeg_is_invalid():
    with pytest.raises(InvalidMedia, match="truncated"):
        compress_image(samples.truncated_jpeg(), max_bytes=POST_MAX)


def test_decompression_bomb_is_refused_from_the_header():
    bomb = samples.png_bomb(50_000, 50_000)
    assert len(bomb) < 200
    with pytest.raises(InvalidMedia, match="decompression bomb"):
        compress_image(bomb, max_bytes=POST_MAX)


def test_own_pixel_limit_applies_below_pillows():
    with pytest.raises(InvalidMedia, match="over the 1,000,000-pixel limit"):
        compress_image(samples.png_bomb(2000, 2000), max_bytes=POST_MAX, max_pixels=1_000_000)


@pytest.mark.parametrize("data", [b"", b"hello", b"\xff\xd8\xff\xe0garbage", b"%PDF-1.7\n"])
def test_garbage_is_invalid(data):
    with pytest.raises(InvalidMedia):
        compress_image(data, max_bytes=POST_MAX)


# --- videos -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("videos")
    return {
        "landscape": samples.make_video(str(folder / "land.mp4"), width=1920, height=1080, seconds=3),
        "vertical": samples.make_video(str(folder / "vert.mp4"), width=1080, height=1920, seconds=2),
        "silent": samples.make_video(str(folder / "silent.mp4"), width=640, height=360, seconds=1, audio=False),
    }


def streams(path: str) -> list[dict]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", path], capture_output=True, check=True
    )
    return json.loads(out.stdout)["streams"]


def top_level_atoms(path: str) -> list[str]:
    atoms = []
    with open(path, "rb") as fh:
        while header := fh.read(8):
            size, kind = struct.unpack(">I4s", header)
            atoms.append(kind.decode("latin-1"))
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0] - 8
            fh.seek(size - 8, os.SEEK_CUR)
    return atoms


@pytest.fixture
def cleanup():
    paths = []
    yield paths.append
    for path in paths:
        os.unlink(path)


def test_1080p_clip_becomes_720p_h264_high_aac_faststart_under_budget(videos, cleanup):
    result = compress_video(videos["landscape"], max_bytes=VIDEO_MAX)
    cleanup(result.path)
    assert result.size == os.path.getsize(result.path) <= VIDEO_MAX
    assert result.target_met and (result.width, result.height) == (1280, 720)
    video, audio = sorted(streams(result.path), key=lambda s: s["codec_type"] != "video")
    assert (video["codec_name"], video["profile"], video["width"], video["height"]) == ("h264", "High", 1280, 720)
    assert video["pix_fmt"] == "yuv420p"
    assert audio["codec_name"] == "aac"
    atoms = top_level_atoms(result.path)
    assert atoms.index("moov") < atoms.index("mdat"), "+faststart puts the index first"
    poster = decoded(result.poster)
    assert poster.size == (1280, 720)


def test_vertical_clip_keeps_orientation_with_720_short_side(videos, cleanup):
    result = compress_video(videos["vertical"], max_bytes=VIDEO_MAX)
    cleanup(result.path)
    assert (result.width, result.height) == (720, 1280)
    assert result.size <= VIDEO_MAX
    assert probe(result.path).height == 1280


def test_silent_clip_stays_silent_and_is_not_upscaled(videos, cleanup):
    result = compress_video(videos["silent"], max_bytes=VIDEO_MAX)
    cleanup(result.path)
    assert (result.width, result.height) == (640, 360)
    assert [s["codec_type"] for s in streams(result.path)] == ["video"]


def test_unreachable_budget_falls_back_to_two_pass_and_says_so(videos, cleanup):
    # 20 kB for 3 s is below the 120 kbit/s floor: CRF overshoots, the two-pass ABR encode runs,
    # and the result is reported as over target instead of pretending.
    result = compress_video(videos["landscape"], max_bytes=20_000)
    cleanup(result.path)
    assert result.method == "two-pass"
    assert not result.target_met and result.size > 20_000
    # Low budgets also drop the resolution rather than starving 720p.
    assert (result.width, result.height) == (640, 360)


def test_not_a_video_is_invalid(tmp_path):
    path = tmp_path / "fake.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 1000)
    with pytest.raises(InvalidMedia):
        compress_video(str(path), max_bytes=VIDEO_MAX)


def test_image_is_not_a_video(tmp_path):
    path = tmp_path / "photo.mp4"
    path.write_bytes(samples.jpeg_bytes(samples.photo(64, 64)))
    with pytest.raises(InvalidMedia, match="no video stream|duration"):
        compress_video(str(path), max_bytes=VIDEO_MAX)


def test_missing_ffmpeg_is_reported_clearly():
    with pytest.raises(FFmpegMissing, match="FFMPEG_BINARY='/nonexistent/ffmpeg'.*install-system-packages"):
        FFmpeg.find("/nonexistent/ffmpeg")
    assert not FFmpegMissing.permanent


def test_rotation_metadata_is_applied(videos, tmp_path, cleanup):
    # Phones store portrait video as landscape pixels plus a display matrix; players rotate it.
    rotated = str(tmp_path / "rotated.mp4")
    subprocess.run(
        ["ffmpeg", "-nostdin", "-y", "-i", videos["vertical"], "-c", "copy", "-metadata:s:v", "rotate=90", rotated],
        check=True,
        capture_output=True,
    )
    assert probe(rotated).rotation in (90, -90)
    result = compress_video(rotated, max_bytes=VIDEO_MAX)
    cleanup(result.path)
    # 1080x1920 pixels turned by 90° display as 1920x1080: stored upright as 1280x720, no matrix left.
    info = probe(result.path)
    assert (info.width, info.height, info.rotation) == (1280, 720, 0)
    assert decoded(result.poster).size == (1280, 720)
