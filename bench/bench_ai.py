"""Posts per second for the full AI analysis (sentiment + language + category), per backend.

Each backend runs in its own process (so peak RSS is that backend's worker with its models
loaded), on synthetic social posts (captions with hashtags, emoji, handles, links, eight
languages), in batches of AI_BATCH_SIZE (32), after a warm-up batch. No database is touched.

    .venv/bin/python bench/bench_ai.py                       # embedded and rules
    .venv/bin/python bench/bench_ai.py --backends embedded,rules,transformers --posts 1024
    AI_MODELS_CACHE_DIR=/models .venv/bin/python bench/bench_ai.py --backends transformers

The machine is shared: besides wall-clock posts/s it prints posts per CPU-second of this process,
which does not fall when other processes take the cores. Prints one table and a JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TEMPLATES = [
    "Loving this {thing} so much 😍 #{tag} #{tag2}",
    "RT @{user}: worst {thing} ever, never again 😡 http://t.co/xyz",
    "New {thing} review is up! Link in bio 👆 #{tag}",
    "Receta de {thing} para el domingo, ¡qué rica! #{tag}",
    "Nouvelle vidéo sur {thing}, dites-moi ce que vous en pensez #{tag}",
    "Heute gibt es {thing} – was meint ihr? #{tag}",
    "Dica rápida de {thing} para vocês 💪 #{tag}",
    "Oggi parliamo di {thing}, seguitemi per altri consigli #{tag}",
    "What do you think about the new {thing}? Asking for a friend",
    "{thing} day ✨✨✨",
]
THINGS = ["pasta", "running shoes", "lipstick", "camera", "game patch", "sourdough", "road trip", "phone", "album"]
TAGS = ["food", "fitness", "beauty", "photography", "gaming", "travel", "tech", "music", "ootd", "vegan"]


def make_posts(n: int, seed: int = 7) -> list[str]:
    """``n`` different posts: each ends with its number, so no analyzer's cache answers a repeat."""
    rng = random.Random(seed)
    return [
        rng.choice(TEMPLATES).format(
            thing=rng.choice(THINGS), tag=rng.choice(TAGS), tag2=rng.choice(TAGS), user=f"user{rng.randint(1, 99)}"
        )
        + f" {i}"
        for i in range(n)
    ]


def run_one(backend: str, n_posts: int, batch: int) -> dict:
    """In a fresh process: load the backend, warm up, time full analysis of ``n_posts`` posts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from intelligence.analyzers.registry import get_analyzers
    from intelligence.conf import ai_config

    started = time.perf_counter()
    analyzers = get_analyzers(ai_config(backend))
    posts = make_posts(n_posts)
    analyzers.sentiment.analyze(posts[:batch])
    analyzers.language.analyze(posts[:batch])
    analyzers.category.analyze(posts[:batch])
    load_seconds = time.perf_counter() - started

    wall = time.perf_counter()
    cpu = time.process_time()
    for start in range(0, len(posts), batch):
        chunk = posts[start : start + batch]
        analyzers.sentiment.analyze(chunk)
        analyzers.language.analyze(chunk)
        analyzers.category.analyze(chunk)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    try:
        import torch

        threads = torch.get_num_threads()
    except ImportError:
        threads = 0
    return {
        "backend": backend,
        "answered_by": analyzers.last_batch_version,
        "posts": len(posts),
        "batch": batch,
        "posts_per_s": round(len(posts) / wall, 1),
        "posts_per_cpu_s": round(len(posts) / cpu, 1) if cpu else None,
        "load_and_warmup_s": round(load_seconds, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "torch_threads": threads,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="embedded,rules")
    parser.add_argument("--posts", type=int, default=512)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.posts, args.batch)))
        return
    results = []
    for backend in args.backends.split(","):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", backend, "--posts", str(args.posts), "--batch", str(args.batch)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if proc.returncode != 0:
            print(f"{backend}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"{'backend':<14}{'posts/s':>9}{'posts/cpu-s':>13}{'load s':>8}{'peak RSS MiB':>14}{'load avg':>10}")
    for r in results:
        print(
            f"{r['backend']:<14}{r['posts_per_s']:>9}{r['posts_per_cpu_s']:>13}{r['load_and_warmup_s']:>8}"
            f"{r['peak_rss_mib']:>14}{r['load_average_1m']:>10}"
        )
    print(json.dumps({"bench": "ai", "results": results}))


if __name__ == "__main__":
    main()
