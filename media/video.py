"""Make downloaded videos small with ffmpeg.

H.264 High + AAC in MP4 with ``+faststart`` so browsers can start playing before the whole file
arrives; the short side is capped at 720 px and the frame rate at 30. A CRF encode with a
max-rate cap runs first; when the result is still over the byte budget a two-pass average
bitrate encode aims at the budget directly. A poster frame is taken from the source.

:func:`compress_video` raises :class:`~media.errors.InvalidMedia` for input that cannot be
decoded (permanent) and :class:`FFmpegMissing` when ffmpeg/ffprobe are not installed (an
operator problem, not the file's).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from media.errors import InvalidMedia, MediaError


class FFmpegMissing(MediaError):
    """ffmpeg or ffprobe is not installed; retrying after installing it will work."""

    permanent = False
    code = "ffmpeg_missing"


class EncodeTimeout(MediaError):
    """ffmpeg ran past its time limit (an overloaded worker, most likely); worth retrying."""

    permanent = False
    code = "timeout"


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
    """An encoded MP4 on disk plus a PNG poster frame (bytes; the pipeline compresses it like any image)."""

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
