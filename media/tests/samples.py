"""Generated test media: real files made with Pillow and ffmpeg, never checked in."""

from __future__ import annotations

import io
import random
import struct
import subprocess
import zlib

from PIL import Image, ImageDraw, ImageFilter


def photo(width: int, height: int, seed: int = 1, detail: float = 0.3) -> Image.Image:
    """A camera-like RGB picture: smooth gradients, shapes and sensor-like noise.

    Pure noise would not compress at all and flat colour would compress too well; this sits where
    real photos do (a 12 MP one is 3-6 MB as a quality-92 JPEG). ``detail`` near 1 makes a picture
    that is hard to compress (gravel, foliage), which forces the quality search to work.
    """
    rng = random.Random(seed)
    small = Image.linear_gradient("L").resize((width // 8 or 1, height // 8 or 1))
    base = Image.merge(
        "RGB",
        (
            small,
            small.rotate(90).resize(small.size),
            Image.new("L", small.size, rng.randint(40, 200)),
        ),
    )
    draw = ImageDraw.Draw(base)
    for _ in range(40):
        x, y = rng.randrange(base.width), rng.randrange(base.height)
        r = rng.randint(2, max(3, base.width // 6))
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    base = base.filter(ImageFilter.GaussianBlur(1)).resize((width, height), Image.Resampling.BICUBIC)
    # Texture at two scales: coarse grain survives downscaling to 1080 px (like foliage, hair,
    # fabric do), fine grain is sensor noise.
    coarse = Image.effect_noise((max(1, width // 3), max(1, height // 3)), 60).resize((width, height))
    fine = Image.effect_noise((width, height), 30)
    texture = Image.merge("RGB", (coarse, fine, coarse))
    return Image.blend(base, texture, detail)


def decoded(data: bytes) -> Image.Image:
    """Open encoded bytes and decode the pixels (what a browser would show)."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def jpeg_bytes(image: Image.Image, quality: int = 92, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, **kwargs)
    return buffer.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def rotated_exif_jpeg(width: int = 1200, height: int = 800) -> bytes:
    """Landscape pixels tagged Orientation=6 (rotate 90° clockwise to display) plus GPS data."""
    image = photo(width, height, seed=7)
    # Mark the top-left so tests can see where it ends up after the transpose.
    ImageDraw.Draw(image).rectangle((0, 0, width // 4, height // 4), fill=(255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "TestCam"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}  # GPSInfo
    return jpeg_bytes(image, exif=exif.tobytes())


def cmyk_jpeg(width: int = 1600, height: int = 1200) -> bytes:
    return jpeg_bytes(photo(width, height, seed=3).convert("CMYK"))


def alpha_png(width: int = 900, height: int = 900) -> bytes:
    """Transparent background with an opaque blue square in the middle."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=(0, 0, 255, 255))
    return png_bytes(image)


def truncated_jpeg() -> bytes:
    data = jpeg_bytes(photo(1600, 1200, seed=5))
    return data[: len(data) // 2]


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A ~100-byte PNG whose header claims ``width`` x ``height`` 8-bit greyscale pixels.

    2.5 GP would need 2.5 GB to decode; the guard must refuse it from the header alone.
    """

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    # One compressed row of zeros; the decoder would ask for the rest (never reached).
    idat = zlib.compress(b"\x00" * (width + 1), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def make_video(
    path: str,
    *,
    width: int,
    height: int,
    seconds: float,
    fps: int = 30,
    audio: bool = True,
    noise: bool = False,
    bitrate: str | None = None,
) -> str:
    """Write an H.264 MP4 from ffmpeg's test sources (``testsrc2``; ``noise`` adds grain).

    ``bitrate`` (e.g. "17M", what phones record 1080p30 at) caps the source like a camera would;
    without it the source is CRF 18, which for grain means hundreds of MB.
    """
    video = f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"
    filters = ["format=yuv420p"]
    if noise:
        filters.insert(0, "noise=alls=20:allf=t")
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-f", "lavfi", "-i", video]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    args += ["-vf", ",".join(filters), "-c:v", "libx264", "-preset", "ultrafast"]
    args += ["-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate] if bitrate else ["-crf", "18"]
    if audio:
        args += ["-c:a", "aac", "-b:a", "128k", "-shortest"]
    args.append(path)
    subprocess.run(args, check=True, capture_output=True)
    return path
