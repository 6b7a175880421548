"""Media compression speed and savings.

    .venv/bin/python bench/bench_media.py [--images 200] [--processes 1] [--videos 1] [--preset veryfast]

Images: ``--images`` distinct camera-sized (4000x3000, 12 MP) JPEGs at quality 92, generated
before timing starts, compressed with the post budget (300 KB, longest side 1080) exactly as the
pipeline does (``media.images.compress_image``; thumbnails included). Prints images/s, MB in,
MB stored, MB saved.

Videos: 10 s 1080p30 clips with AAC audio from ffmpeg's ``testsrc2`` (synthetic, compresses well)
and the same with film grain at 17 Mbit/s (``noise``; what phones record 1080p30 at), each
transcoded to the 1.5 MB 720p target (``media.video.compress_video``: CRF + VBV cap, two-pass
fallback, poster).
Prints seconds per clip (wall and ffmpeg CPU, the latter less sensitive to other load on a
shared machine) and bytes in/out.

No Django, network or database: this measures the CPU work that dominates the pipeline. The last
line is a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw

from media.images import compress_image
from media.tests import samples
from media.video import FFmpeg, compress_video

POST_MAX = 300_000
VIDEO_MAX = 1_500_000


def make_images(count: int, folder: Path) -> list[Path]:
    """``count`` distinct 12 MP JPEGs: a few generated scenes, each copy shifted and marked."""
    bases = [samples.photo(4000, 3000, seed=seed, detail=0.3 + 0.1 * (seed % 6)) for seed in range(8)]
    rng = random.Random(42)
    paths = []
    for index in range(count):
        image = bases[index % len(bases)].rotate(rng.uniform(-3, 3), resample=Image.Resampling.BILINEAR)
        draw = ImageDraw.Draw(image)
        for _ in range(6):
            x, y = rng.randrange(4000), rng.randrange(3000)
            draw.rectangle(
                (x, y, x + rng.randint(50, 600), y + rng.randint(50, 400)), fill=tuple(rng.choices(range(256), k=3))
            )
        path = folder / f"camera_{index:03d}.jpg"
        image.save(path, "JPEG", quality=92)
        paths.append(path)
    return paths


def _compress_one(path: str) -> tuple[int, int, int]:
    data = Path(path).read_bytes()
    result = compress_image(data, max_bytes=POST_MAX)
    return len(data), len(result.data), len(result.thumbnail)


def bench_images(count: int, processes: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-media-") as tmp:
        print(f"generating {count} camera-sized JPEGs ...", flush=True)
        paths = [str(p) for p in make_images(count, Path(tmp))]
        start = time.perf_counter()
        cpu_start = time.process_time() + _children_cpu()
        if processes > 1:
            with ProcessPoolExecutor(processes) as pool:
                sizes = list(pool.map(_compress_one, paths, chunksize=4))
        else:
            sizes = [_compress_one(p) for p in paths]
        elapsed = time.perf_counter() - start
        cpu = time.process_time() + _children_cpu() - cpu_start
    bytes_in = sum(s[0] for s in sizes)
    bytes_out = sum(s[1] + s[2] for s in sizes)
    over = sum(1 for s in sizes if s[1] > POST_MAX)
    report = {
        "images": count,
        "processes": processes,
        "seconds": round(elapsed, 2),
        "images_per_second": round(count / elapsed, 2),
        "cpu_seconds_per_image": round(cpu / count, 3),
        "mb_downloaded": round(bytes_in / 1e6, 1),
        "mb_stored": round(bytes_out / 1e6, 1),
        "mb_saved": round((bytes_in - bytes_out) / 1e6, 1),
        "stored_ratio": round(bytes_out / bytes_in, 4),
        "max_image_bytes": max(s[1] for s in sizes),
        "over_budget": over,
    }
    print(
        f"images: {count} in {elapsed:.1f}s = {report['images_per_second']} images/s ({processes} process(es), "
        f"{report['cpu_seconds_per_image']}s CPU each); "
        f"{report['mb_downloaded']} MB in -> {report['mb_stored']} MB stored (incl. thumbnails), "
        f"{report['mb_saved']} MB saved, largest {report['max_image_bytes']} B, {over} over 300 KB"
    )
    return report


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_videos(clips: int, preset: str) -> list[dict[str, object]]:
    FFmpeg.find()
    reports = []
    with tempfile.TemporaryDirectory(prefix="bench-video-") as tmp:
        for grain in (False, True):
            label = "testsrc2+grain" if grain else "testsrc2"
            source = samples.make_video(
                os.path.join(tmp, f"{label}.mp4"),
                width=1920,
                height=1080,
                seconds=10,
                noise=grain,
                bitrate="17M" if grain else None,
            )
            size_in = os.path.getsize(source)
            for run in range(clips):
                start = time.perf_counter()
                cpu_before = _children_cpu()
                result = compress_video(source, max_bytes=VIDEO_MAX, preset=preset)
                elapsed = time.perf_counter() - start
                cpu = _children_cpu() - cpu_before
                os.unlink(result.path)
                report = {
                    "clip": label,
                    "run": run + 1,
                    "seconds": round(elapsed, 2),
                    "cpu_seconds": round(cpu, 2),
                    "bytes_in": size_in,
                    "bytes_out": result.size,
                    "poster_png_bytes": len(result.poster),
                    "method": result.method,
                    "target_met": result.target_met,
                    "size": f"{result.width}x{result.height}",
                    "preset": preset,
                }
                reports.append(report)
                print(
                    f"video {label} 10 s 1080p: {elapsed:.1f}s wall, {cpu:.1f}s CPU (ffmpeg), {size_in / 1e6:.1f} MB -> {result.size / 1e6:.2f} MB "
                    f"({result.width}x{result.height}, {result.method}, target met: {result.target_met})",
                    flush=True,
                )
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--videos", type=int, default=1, help="runs per clip kind (0 skips videos)")
    parser.add_argument("--preset", default="veryfast", help="x264 preset (MEDIA_VIDEO_PRESET)")
    args = parser.parse_args()
    summary: dict[str, object] = {"cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)}
    if args.images:
        summary["images"] = bench_images(args.images, args.processes)
    if args.videos:
        summary["videos"] = bench_videos(args.videos, args.preset)
    summary["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
