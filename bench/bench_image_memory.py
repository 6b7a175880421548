"""Peak memory of decoding and compressing one large image, per format (issue 16: "an image just inside
the pixel budget took 1.5 GB to decode").

Each image is built once into a temporary file, then compressed in a fresh process of its own, which
reports its peak resident size (ru_maxrss) before and after ``compress_image``. Run:

    .venv/bin/python bench/bench_image_memory.py [--megapixels 89]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Structured content (not one flat colour, not noise): a small pattern blown up, so the PNG stays a
# few MB on disk, the way a decompression-bomb-like upload would arrive.
BUILD = """
import sys
from PIL import Image
width, height, fmt, mode, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
small = Image.radial_gradient("L").resize((width // 40, height // 40)).convert(mode)
small.resize((width, height), Image.Resampling.NEAREST).save(path, fmt)
"""

MEASURE = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from media.errors import InvalidMedia
from media.images import compress_image
data = open(sys.argv[1], "rb").read()
kw = {"decode_memory": int(sys.argv[3]) * 1024 * 1024} if sys.argv[3] != "0" else {}
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    out = compress_image(data, max_bytes=300_000, max_side=1080, max_pixels=90_000_000, **kw)
    outcome = f"{out.width}x{out.height}"
except InvalidMedia as exc:
    outcome = f"refused: {exc}"[:70]
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"before_mb": before / 1024, "peak_mb": peak / 1024, "child_mb": child / 1024,
                  "seconds": seconds, "outcome": outcome}))
"""

CASES = [
    ("PNG", "RGBA", "png"),
    ("PNG", "RGB", "png"),
    ("GIF", "P", "gif"),
    ("WEBP", "RGB", "webp"),
    ("JPEG", "RGB", "jpg"),
]


def measure(path: Path, source: Path, memory_mb: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), str(source), str(memory_mb)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megapixels", type=float, default=89.0, help="size of each test image (budget: 90)")
    parser.add_argument("--source", default=str(ROOT), help="checkout whose media/images.py to measure")
    parser.add_argument(
        "--decode-memory-mb", type=int, default=1024, help="MEDIA_IMAGE_DECODE_MEMORY_MB; 0: decode in the worker"
    )
    args = parser.parse_args()
    side = int((args.megapixels * 1e6) ** 0.5)
    print(f"compress_image on {side}x{side} ({side * side / 1e6:.1f} MP), peak RSS of a fresh process")
    print(f"decode memory limit: {args.decode_memory_mb or 'none (in the worker)'} MB")
    print(f"{'format':<10}{'file MB':>9}{'worker MB':>11}{'child MB':>10}{'seconds':>9}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, mode, ext in CASES:
            path = Path(tmp) / f"big-{mode}.{ext}"
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", BUILD, str(side), str(side), fmt, mode, str(path)], check=True)
            built = time.perf_counter() - started
            result = measure(path, Path(args.source), args.decode_memory_mb)
            size_mb = path.stat().st_size / 1e6
            print(
                f"{fmt + ' ' + mode:<10}{size_mb:>9.1f}{result['peak_mb']:>11.0f}{result['child_mb']:>10.0f}"
                f"{result['seconds']:>9.1f}  {result['outcome']} (built in {built:.0f} s)"
            )
            path.unlink()


if __name__ == "__main__":
    main()
