"""Make downloaded images small with Pillow.

Decoded with a pixel budget (decompression bombs are refused before any pixel is decoded), EXIF
orientation applied, converted to sRGB RGB (CMYK, palette, alpha flattened on white), longest
side capped, metadata dropped, then encoded as JPEG (or WebP) at the highest quality, searched
downward from 85, that fits the byte budget. A list thumbnail comes with it.

:func:`compress_image` raises :class:`~media.errors.InvalidMedia` for input that cannot be
decoded (permanent).
"""

from __future__ import annotations

import io
import math
import pickle
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import (  # noqa: F401 - the plugin imports register decoders named in IMAGE_FORMATS
    AvifImagePlugin,
    GifImagePlugin,
    Image,
    ImageCms,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)

from media.errors import InvalidMedia

# Decoders we let Pillow use: the formats Instagram/Reddit serve. Restricting the list keeps
# obscure, rarely audited decoders away from untrusted bytes. The JPEG opener also yields MPO
# (what many phones write for JPEGs with a depth map); Pillow reads its first frame.
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "AVIF")
# 8K is ~33 MP and the biggest phone sensors write 50 MP (200 MP in special modes, rarely
# uploaded at full size); 90 MP leaves room for those while refusing 1 GP pixel bombs whose
# RGB buffer alone would take 3 GB.
DEFAULT_MAX_PIXELS = 90_000_000
# The quality search starts here (the figure) and never goes below MIN_QUALITY: under
# ~40 JPEG blocking is visible on faces, so we shrink the picture instead.
START_QUALITY = 85
MIN_QUALITY = 40
THUMBNAIL_SIDE = 320
THUMBNAIL_MAX_BYTES = 40 * 1024


@dataclass(frozen=True)
class CompressedImage:
    """An encoded image plus its list thumbnail."""

    data: bytes
    mime_type: str
    extension: str
    width: int
    height: int
    quality: int
    source_width: int
    source_height: int
    thumbnail: bytes
    thumbnail_width: int
    thumbnail_height: int


# Pictures whose decoded pixels take more than this are decoded in a memory-limited child process;
# smaller ones (every normal post image: 1080x1350 RGBA is 6 MB) in the worker, with no process start.
ISOLATE_ABOVE = 64 * 1024 * 1024
_ROOT = Path(__file__).resolve().parent.parent


def _decode_cost(image: Image.Image, max_side: int) -> int:
    """Bytes of the decoded picture: 4 a pixel, at JPEG's reduced decode size where ``draft`` applies."""
    width, height = image.size
    if image.format in ("JPEG", "MPO"):
        scale = 1
        while scale < 8 and max(width, height) // (scale * 2) >= max_side:
            scale *= 2
        width, height = -(-width // scale), -(-height // scale)
    return width * height * 4


def _compress_in_child(data: bytes, options: dict, memory: int) -> CompressedImage:
    """``compress_image`` in ``python -m media.images`` under RLIMIT_AS = ``memory``; its result back by pickle."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "media.images", str(memory), repr(options)],
            input=data,
            capture_output=True,
            cwd=_ROOT,
            timeout=300,
        )
    except subprocess.TimeoutExpired as exc:
        raise InvalidMedia("image decode took over 300 s") from exc
    if done.returncode == 0:
        return pickle.loads(done.stdout)
    reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
    raise InvalidMedia(f"cannot decode image within {memory // (1024 * 1024)} MB: {reason[0]}")


def _child_main(argv: list[str]) -> int:
    import ast

    memory, options = int(argv[1]), ast.literal_eval(argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        result = compress_image(sys.stdin.buffer.read(), **options)
    except MemoryError:
        print("decoder ran out of its memory limit", file=sys.stderr)
        return 3
    except InvalidMedia as exc:
        print(exc, file=sys.stderr)
        return 2
    sys.stdout.buffer.write(pickle.dumps(result))
    return 0


_SRGB = None


def _srgb_profile() -> ImageCms.ImageCmsProfile:
    global _SRGB
    if _SRGB is None:
        _SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return _SRGB


def _open_image(data: bytes, max_pixels: int) -> Image.Image:
    # Image.open reads only the header. Pillow itself merely warns between its MAX_IMAGE_PIXELS
    # and twice that (and raises above); we refuse at our own limit below, before any pixel is
    # decoded, without touching Pillow's process-wide limit or the warnings filters (not
    # thread-safe in a threaded worker).
    try:
        image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        raise InvalidMedia(f"not a decodable image: {exc}") from exc
    width, height = image.size
    if width <= 0 or height <= 0:
        raise InvalidMedia("image has no pixels")
    if width * height > max_pixels:
        raise InvalidMedia(
            f"image is {width}x{height} ({width * height:,} pixels), over the "
            f"{max_pixels:,}-pixel limit (decompression bomb guard)"
        )
    return image


def _to_srgb_rgb(image: Image.Image) -> Image.Image:
    """Return an RGB image in sRGB with alpha flattened on white and no metadata."""
    icc = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        background.alpha_composite(image)
        image = background
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        # Wide-gamut (Display P3) and CMYK pictures look wrong if the profile is simply dropped;
        # convert the pixels to sRGB, which is what browsers assume for untagged images.
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(image, source, _srgb_profile(), outputMode="RGB", renderingIntent=0)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: fall back to a plain conversion below
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image


def _encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "webp":
        image.save(buffer, "WEBP", quality=quality, method=4)
    else:
        # No exif=/icc_profile= arguments: the output carries no metadata (GPS, camera serial).
        image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def _fit(image: Image.Image, fmt: str, max_bytes: int) -> tuple[bytes, int, Image.Image]:
    """Highest quality in [MIN_QUALITY, START_QUALITY] under ``max_bytes``; shrink if none is."""
    while True:
        data = _encode(image, fmt, START_QUALITY)
        if len(data) <= max_bytes:
            return data, START_QUALITY, image
        best: tuple[bytes, int] | None = None
        low, high = MIN_QUALITY, START_QUALITY - 1
        # Size grows monotonically with quality (near enough), so bisect: ~4 encodes, not 45.
        while low <= high:
            mid = (low + high) // 2
            candidate = _encode(image, fmt, mid)
            if len(candidate) <= max_bytes:
                best = (candidate, mid)
                low = mid + 1
            else:
                high = mid - 1
        if best is not None:
            return best[0], best[1], image
        # Even MIN_QUALITY is too big (huge noisy picture, tiny budget): shrink the area in
        # proportion to the overshoot, with a margin, and search again.
        smallest = _encode(image, fmt, MIN_QUALITY)
        scale = max(0.5, min(0.95, math.sqrt(max_bytes / len(smallest)) * 0.95))
        new_size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
        if new_size == image.size or max(new_size) < 16:
            raise InvalidMedia(f"cannot fit image under {max_bytes} bytes")
        image = image.resize(new_size, Image.Resampling.LANCZOS)


def compress_image(
    data: bytes,
    *,
    max_bytes: int,
    max_side: int = 1080,
    fmt: str = "jpeg",
    max_pixels: int = DEFAULT_MAX_PIXELS,
    thumbnail_side: int = THUMBNAIL_SIDE,
    decode_memory: int | None = None,
) -> CompressedImage:
    """Decode ``data`` and re-encode it under ``max_bytes`` (see the module docstring).

    With ``decode_memory`` (bytes), a picture whose decoder may need more than ``ISOLATE_ABOVE``
    bytes is decoded in a child process limited to that much address space: PNG and WebP decoders
    cannot decode at a reduced size (JPEG's ``draft`` can), and an 89 MP WebP peaked at 1.4 GB
    (bench/bench_image_memory.py). Past the limit the child fails and the image is refused
    (``InvalidMedia``, permanent); the worker itself never grows.
    """
    fmt = fmt.lower()
    if fmt not in ("jpeg", "webp"):
        raise ValueError(f"unsupported image format {fmt!r} (use 'jpeg' or 'webp')")
    image = _open_image(data, max_pixels)
    if decode_memory and _decode_cost(image, max_side) > ISOLATE_ABOVE:
        image.close()
        options = {"max_bytes": max_bytes, "max_side": max_side, "fmt": fmt, "max_pixels": max_pixels}
        return _compress_in_child(data, options | {"thumbnail_side": thumbnail_side}, decode_memory)
    source_width, source_height = image.size
    try:
        if image.format in ("JPEG", "MPO"):
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the picture is far bigger than
            # the output: a 24 MP photo decodes ~4x faster and needs a quarter of the memory.
            image.draft("RGB", (max_side, max_side))
        image.load()
        image = ImageOps.exif_transpose(image)
        image = _to_srgb_rgb(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        # Truncated files raise OSError("image file is truncated") here.
        raise InvalidMedia(f"cannot decode image: {exc}") from exc
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A fresh image without info: nothing from the source (EXIF, XMP, ICC, comments) can leak
    # into the encoder.
    image = Image.frombytes("RGB", image.size, image.tobytes())
    encoded, quality, final = _fit(image, fmt, max_bytes)

    thumb = final.copy()
    thumb.thumbnail((thumbnail_side, thumbnail_side), Image.Resampling.LANCZOS)
    thumb_data, _, thumb = _fit(thumb, "jpeg" if fmt == "jpeg" else fmt, THUMBNAIL_MAX_BYTES)
    return CompressedImage(
        data=encoded,
        mime_type="image/webp" if fmt == "webp" else "image/jpeg",
        extension="webp" if fmt == "webp" else "jpg",
        width=final.width,
        height=final.height,
        quality=quality,
        source_width=source_width,
        source_height=source_height,
        thumbnail=thumb_data,
        thumbnail_width=thumb.width,
        thumbnail_height=thumb.height,
    )


if __name__ == "__main__":
    # Through the module's own name, so the pickled result's class is media.images.CompressedImage.
    from media.images import _child_main as main

    sys.exit(main(sys.argv))
