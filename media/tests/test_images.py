"""media.images on generated files, through real Pillow."""

from __future__ import annotations

import io

import pytest
from PIL import ImageChops, ImageStat

from media.errors import InvalidMedia
from media.images import THUMBNAIL_MAX_BYTES, compress_image
from media.tests import samples

POST_MAX = 300 * 1024
PROFILE_MAX = 200 * 1024


def test_camera_photo_is_capped_at_1080_and_under_the_post_budget():
    source = samples.jpeg_bytes(samples.photo(4000, 3000, detail=0.9))
    assert len(source) > 3_000_000
    result = compress_image(source, max_bytes=POST_MAX)
    assert len(result.data) <= POST_MAX
    assert (result.width, result.height) == (1080, 810)
    assert (result.source_width, result.source_height) == (4000, 3000)
    image = samples.decoded(result.data)
    assert image.format == "JPEG" and image.mode == "RGB" and image.size == (1080, 810)


def test_quality_search_goes_below_85_only_when_85_is_over_budget():
    source = samples.jpeg_bytes(samples.photo(2000, 2000, detail=0.9))
    result = compress_image(source, max_bytes=PROFILE_MAX)
    assert len(result.data) <= PROFILE_MAX
    # Re-encode the same pixels at 85: it must really be over the budget, else the search
    # should have stopped at 85.
    at_85 = io.BytesIO()
    samples.decoded(result.data).save(at_85, "JPEG", quality=85, optimize=True, progressive=True)
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
    assert samples.decoded(source).getexif().get(0x0112) == 6
    result = compress_image(source, max_bytes=POST_MAX)
    image = samples.decoded(result.data)
    # Orientation 6 = rotate 90° clockwise for display: the stored 1200x800 becomes portrait and
    # the red top-left marker ends up top-right.
    assert image.size == (720, 1080)
    r, g, b = image.getpixel((image.width - 20, 20))
    assert r > 200 and g < 60 and b < 60
    assert len(image.getexif()) == 0, "no EXIF (orientation, camera, GPS) survives"
    assert "icc_profile" not in image.info and "exif" not in image.info


def test_cmyk_jpeg_becomes_rgb_with_the_same_colours():
    source = samples.cmyk_jpeg()
    expected = samples.decoded(source).convert("RGB").resize((100, 75))
    result = compress_image(source, max_bytes=POST_MAX)
    image = samples.decoded(result.data)
    assert image.mode == "RGB"
    got = image.resize((100, 75))
    mean_error = ImageStat.Stat(ImageChops.difference(got, expected)).mean
    assert max(mean_error) < 12, f"colours are not inverted or shifted ({mean_error})"


def test_png_alpha_is_flattened_on_white():
    result = compress_image(samples.alpha_png(), max_bytes=POST_MAX)
    image = samples.decoded(result.data)
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
    thumb = samples.decoded(result.thumbnail)
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


# Built in one process and compressed in another, so the measuring process's high-water mark starts
# low: a delta over a peak the image's construction already set could not fail.
_BUILD_LARGE_PNG = """
import sys
from PIL import Image
small = Image.radial_gradient("L").resize((150, 150)).convert("RGBA")
small.resize((6000, 6000), Image.Resampling.NEAREST).save(sys.argv[1], "PNG")
"""
# The high-water mark of this process's own memory (VmHWM, kB). Not getrusage's ru_maxrss: Linux
# carries that over exec from the forking parent, so under a big pytest process it started above
# anything the decode could reach and the in-worker control read 0 MB.
_COMPRESS = """
import json, sys
from media.errors import InvalidMedia
from media.images import compress_image

def peak_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

data = open(sys.argv[1], "rb").read()
before = peak_kb()
try:
    out = compress_image(data, max_bytes=300_000, decode_memory=int(sys.argv[2]) * 1024 * 1024 or None)
    outcome = [out.width, out.height]
except InvalidMedia as exc:
    outcome = str(exc)
grew = (peak_kb() - before) / 1024
print(json.dumps({"outcome": outcome, "worker_grew_mb": grew}))
"""


@pytest.fixture(scope="module")
def large_png(tmp_path_factory):
    """A 36 MP RGBA PNG: 144 MB of decoded pixels, a fraction of a MB on disk."""
    import subprocess
    import sys

    path = tmp_path_factory.mktemp("large") / "large.png"
    subprocess.run([sys.executable, "-c", _BUILD_LARGE_PNG, str(path)], check=True)
    return path


def _compress_in_fresh_process(path, decode_memory_mb: int) -> dict:
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", _COMPRESS, str(path), str(decode_memory_mb)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_large_png_is_decoded_in_a_memory_limited_child_not_the_worker(large_png):
    in_worker = _compress_in_fresh_process(large_png, 0)  # no limit: decoded in the process itself
    isolated = _compress_in_fresh_process(large_png, 1024)
    assert in_worker["outcome"] == isolated["outcome"] == [1080, 1080]
    # The 144 MB of decoded pixels never enter the worker process (in it, its peak grew 84-200 MB here)
    assert in_worker["worker_grew_mb"] > 60, in_worker
    assert isolated["worker_grew_mb"] < 40, isolated


def test_a_decode_over_the_memory_limit_is_refused_not_grown_into(large_png):
    result = _compress_in_fresh_process(large_png, 128)
    assert "cannot decode image within 128 MB" in result["outcome"], result
