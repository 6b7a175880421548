"""Make downloaded media small: images with Pillow, videos with ffmpeg.

Images: decoded with a pixel budget (decompression bombs are refused before any pixel is
decoded), EXIF orientation applied, converted to sRGB RGB (CMYK, palette, alpha flattened on
white), longest side capped, metadata dropped, then encoded as JPEG (or WebP) at the highest
quality, searched downward from 85, that fits the byte budget. A list thumbnail comes with it.

Videos: H.264 High + AAC in MP4 with ``+faststart`` so browsers can start playing before the
whole file arrives; the short side is capped at 720 px and the frame rate at 30. A CRF encode with
a max-rate cap runs first; when the result is still over the byte budget a two-pass average
bitrate encode aims at the budget directly. A poster frame is taken from the source.

Both functions raise :class:`InvalidMedia` for input that cannot be decoded (permanent) and
:class:`FFmpegMissing` when ffmpeg/ffprobe are not installed (an operator problem, not the file's).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

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


class MediaError(Exception):
    """Base class for processing failures; ``permanent`` says whether a retry can help."""

    permanent = True
    code = "media"


class InvalidMedia(MediaError):
    """The bytes are not a decodable image/video (truncated, corrupt, a bomb, no video stream)."""

    code = "invalid"


class FFmpegMissing(MediaError):
    """ffmpeg or ffprobe is not installed; retrying after installing it will work."""

    permanent = False
    code = "ffmpeg_missing"


class EncodeTimeout(MediaError):
    """ffmpeg ran past its time limit (an overloaded worker, most likely); worth retrying."""

    permanent = False
    code = "timeout"


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


# --- images ------------------------------------------------------------------------------------

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
) -> CompressedImage:
    """Decode ``data`` and re-encode it under ``max_bytes`` (see the module docstring)."""
    fmt = fmt.lower()
    if fmt not in ("jpeg", "webp"):
        raise ValueError(f"unsupported image format {fmt!r} (use 'jpeg' or 'webp')")
    image = _open_image(data, max_pixels)
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


# --- videos ------------------------------------------------------------------------------------

VIDEO_SHORT_SIDE = 720
VIDEO_MAX_FPS = 30
AUDIO_BITRATE = 96_000
LOW_AUDIO_BITRATE = 48_000
# Below these video bitrates 720p turns to mush; drop the resolution instead (Apple's HLS
# authoring ladder uses ~145 kbit/s for 416x234 and ~365 kbit/s for 480x270..640x360).
LOW_BITRATE_360P = 250_000
LOW_BITRATE_480P = 500_000
# Whatever the budget, never ask x264 for less than this; the result is then over budget and
# reported as such rather than unwatchable.
MIN_VIDEO_BITRATE = 120_000


@dataclass(frozen=True)
class VideoInfo:
    """What ffprobe says about a file."""

    width: int
    height: int
    duration: float
    fps: float
    has_audio: bool
    video_codec: str
    rotation: int = 0


@dataclass(frozen=True)
class CompressedVideo:
    """An encoded MP4 on disk plus a JPEG poster frame (bytes)."""

    path: str
    size: int
    width: int
    height: int
    duration: float
    method: str  # "crf" or "two-pass"
    target_met: bool
    poster: bytes
    source: VideoInfo


@dataclass(frozen=True)
class FFmpeg:
    """Locations of ffmpeg and ffprobe; :meth:`find` checks they exist."""

    ffmpeg: str
    ffprobe: str

    @classmethod
    def find(cls, binary: str | None = None) -> FFmpeg:
        if binary is None:
            from django.conf import settings

            # Usable without Django configured (bench scripts, plain pytest runs).
            binary = getattr(settings, "FFMPEG_BINARY", None) if settings.configured else None
        binary = binary or "ffmpeg"
        ffmpeg = shutil.which(binary)
        if ffmpeg is None:
            raise FFmpegMissing(
                f"ffmpeg not found (FFMPEG_BINARY={binary!r}); run "
                "scripts/install-system-packages.sh or point FFMPEG_BINARY at an ffmpeg binary"
            )
        # ffprobe ships next to ffmpeg in every distribution we know of.
        directory, name = os.path.split(ffmpeg)
        candidate = os.path.join(directory, name.replace("ffmpeg", "ffprobe"))
        ffprobe = candidate if os.access(candidate, os.X_OK) else shutil.which("ffprobe")
        if ffprobe is None:
            raise FFmpegMissing(f"ffprobe not found next to {ffmpeg} or on PATH")
        return cls(ffmpeg=ffmpeg, ffprobe=ffprobe)


def _run(args: list[str], what: str, timeout: float) -> subprocess.CompletedProcess[bytes]:
    try:
        result = subprocess.run(args, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise EncodeTimeout(f"{what} took longer than {timeout:g}s") from exc
    if result.returncode != 0:
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise InvalidMedia(f"{what} failed: {' | '.join(tail) or f'exit {result.returncode}'}")
    return result


def _parse_rate(value: str | None) -> float:
    if not value or value in ("0/0", "0"):
        return 0.0
    if "/" in value:
        num, den = value.split("/", 1)
        return float(num) / float(den) if float(den) else 0.0
    return float(value)


def probe(path: str, tools: FFmpeg | None = None) -> VideoInfo:
    """Read stream facts with ffprobe; :class:`InvalidMedia` when there is no video stream."""
    tools = tools or FFmpeg.find()
    result = _run(
        [
            tools.ffprobe,
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            path,
        ],
        "ffprobe",
        timeout=60,
    )
    info = json.loads(result.stdout or b"{}")
    streams = info.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None or not video.get("width") or not video.get("height"):
        raise InvalidMedia("no video stream found")
    duration = float(info.get("format", {}).get("duration") or video.get("duration") or 0)
    if duration <= 0:
        raise InvalidMedia("video has no duration")
    rotation = 0
    for side in video.get("side_data_list", []) or []:
        if "rotation" in side:
            rotation = int(side["rotation"])
    rotation = rotation or int(video.get("tags", {}).get("rotate", 0) or 0)
    return VideoInfo(
        width=int(video["width"]),
        height=int(video["height"]),
        duration=duration,
        fps=_parse_rate(video.get("avg_frame_rate")) or _parse_rate(video.get("r_frame_rate")),
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
        video_codec=str(video.get("codec_name", "")),
        rotation=rotation,
    )


def _output_size(info: VideoInfo, short_side: int) -> tuple[int, int]:
    """Display size after rotation, short side capped, both even (x264 4:2:0 needs even)."""
    width, height = info.width, info.height
    if abs(info.rotation) % 180 == 90:
        width, height = height, width
    scale = min(1.0, short_side / min(width, height))
    out_w = max(2, int(round(width * scale / 2)) * 2)
    out_h = max(2, int(round(height * scale / 2)) * 2)
    return out_w, out_h


def _encode_args(
    tools: FFmpeg,
    src: str,
    dst: str,
    info: VideoInfo,
    size: tuple[int, int],
    audio_bitrate: int | None,
    video_args: list[str],
    preset: str,
    pass_args: list[str] | None = None,
) -> list[str]:
    """ffmpeg command line; ``audio_bitrate`` None drops audio (pass 1, silent sources)."""
    filters = [f"scale={size[0]}:{size[1]}:flags=lanczos"]
    if info.fps > VIDEO_MAX_FPS + 0.5:
        filters.append(f"fps={VIDEO_MAX_FPS}")
    filters.append("format=yuv420p")
    args = [
        tools.ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-y",
        "-i",
        src,
        "-map",
        "0:v:0",
        "-vf",
        ",".join(filters),
        "-c:v",
        "libx264",
        "-profile:v",
        "high",
        "-preset",
        preset,
        *video_args,
        "-map_metadata",
        "-1",
    ]
    if pass_args:
        args += pass_args
    if info.has_audio and audio_bitrate is not None:
        args += ["-map", "0:a:0", "-c:a", "aac", "-b:a", str(audio_bitrate), "-ac", "2"]
    else:
        args += ["-an"]
    args += ["-movflags", "+faststart", dst]
    return args


def compress_video(
    src: str,
    *,
    max_bytes: int,
    short_side: int = VIDEO_SHORT_SIDE,
    crf: int = 23,
    preset: str = "veryfast",
    tools: FFmpeg | None = None,
    work_dir: str | None = None,
    timeout: float = 600,
) -> CompressedVideo:
    """Encode ``src`` to a web MP4 under ``max_bytes`` when reachable; see the module docstring.

    The caller owns the returned ``path`` (a file in ``work_dir`` or the system temp dir).
    """
    tools = tools or FFmpeg.find()
    info = probe(src, tools)
    seconds = max(info.duration, 0.1)
    # Bits available per second, with 3% for the MP4 container and moov atom.
    budget = int(max_bytes * 8 * 0.97 / seconds)
    audio_bitrate = AUDIO_BITRATE if budget > 600_000 else LOW_AUDIO_BITRATE
    video_budget = max(MIN_VIDEO_BITRATE, budget - (audio_bitrate if info.has_audio else 0))
    if video_budget < LOW_BITRATE_360P:
        short_side = min(short_side, 360)
    elif video_budget < LOW_BITRATE_480P:
        short_side = min(short_side, 480)
    size = _output_size(info, short_side)

    fd, out = tempfile.mkstemp(prefix="media-video-", suffix=".mp4", dir=work_dir)
    os.close(fd)
    try:
        # CRF gives steady quality where the clip is easy. The VBV model bounds the bits of any
        # stretch of T seconds by maxrate * T + bufsize, so with a one-second buffer and
        # maxrate = budget * d / (d + 1) the whole clip cannot exceed the budget (give or take
        # x264's VBV slack), and busy clips are capped instead of overshooting.
        cap = max(MIN_VIDEO_BITRATE, int(video_budget * seconds / (seconds + 1)))
        crf_args = ["-crf", str(crf), "-maxrate", str(cap), "-bufsize", str(cap)]
        _run(
            _encode_args(tools, src, out, info, size, audio_bitrate, crf_args, preset),
            "ffmpeg (crf)",
            timeout,
        )
        method = "crf"
        if os.path.getsize(out) > max_bytes:
            # CRF overshot (VBV is a cap on peaks, not a size target): two-pass ABR aims at the
            # average bitrate that fills the budget, with 8% headroom for its own error.
            method = "two-pass"
            target = max(MIN_VIDEO_BITRATE, int(video_budget * 0.92))
            passlog = out + ".passlog"
            abr = [
                "-b:v",
                str(target),
                "-maxrate",
                str(int(target * 1.5)),
                "-bufsize",
                str(target * 2),
            ]
            try:
                _run(
                    _encode_args(
                        tools,
                        src,
                        os.devnull,
                        info,
                        size,
                        None,
                        abr,
                        preset,
                        ["-pass", "1", "-passlogfile", passlog, "-f", "mp4"],
                    ),
                    "ffmpeg (pass 1)",
                    timeout,
                )
                _run(
                    _encode_args(
                        tools,
                        src,
                        out,
                        info,
                        size,
                        audio_bitrate,
                        abr,
                        preset,
                        ["-pass", "2", "-passlogfile", passlog],
                    ),
                    "ffmpeg (pass 2)",
                    timeout,
                )
            finally:
                for suffix in ("-0.log", "-0.log.mbtree"):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(passlog + suffix)
        poster = extract_poster(src, info, size, tools, timeout=timeout)
        final_size = os.path.getsize(out)
        return CompressedVideo(
            path=out,
            size=final_size,
            width=size[0],
            height=size[1],
            duration=info.duration,
            method=method,
            target_met=final_size <= max_bytes,
            poster=poster,
            source=info,
        )
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(out)
        raise


def extract_poster(
    src: str,
    info: VideoInfo,
    size: tuple[int, int],
    tools: FFmpeg | None = None,
    *,
    timeout: float = 120,
) -> bytes:
    """One frame as PNG bytes, from 1 s in (or the middle of shorter clips).

    The first frame is often black or a fade-in; one second in is what players show too.
    """
    tools = tools or FFmpeg.find()
    at = min(1.0, info.duration / 2)
    result = _run(
        [
            tools.ffmpeg,
            "-hide_banner",
            "-nostdin",
            "-ss",
            f"{at:.3f}",
            "-i",
            src,
            "-frames:v",
            "1",
            "-vf",
            f"scale={size[0]}:{size[1]}",
            "-f",
            "image2pipe",
            "-c:v",
            "png",
            "-",
        ],
        "ffmpeg (poster)",
        timeout,
    )
    if not result.stdout:
        raise InvalidMedia("ffmpeg produced no poster frame")
    return result.stdout
