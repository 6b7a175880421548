"""Permissively licensed training data for the sentiment head.

The vaderSentiment 3.3.2 source distribution (MIT, C.J. Hutto) ships the ICWSM-2014 ground
truth: 23,700 sentences (tweets, movie-review and Amazon-review snippets, NYT editorial
snippets), each rated −4…+4 by about 20 people. The wheel leaves it out, so the sdist is fetched
with pip — the one registry we may reach — once, into a cache folder, at build time.
Nothing from ``shared/eval`` is ever used here: that is evaluation data only.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VADER_SDIST = "vaderSentiment==3.3.2"
HUTTO_ARCHIVE = "additional_resources/hutto_ICWSM_2014.tar.gz"
HUTTO_SOURCES = {
    "tweets": "tweets",
    "movies": "movieReviewSnippets",
    "amazon": "amazonReviewSnippets",
    "nyt": "nytEditorialSnippets",
}
# Per source: "<id> TAB <mean> TAB <text>" and "<id> TAB <mean> TAB <sd> TAB [each rater's vote]".
HUTTO_FILES = [f"{stem}_{kind}.txt" for stem in HUTTO_SOURCES.values() for kind in ("GroundTruth", "anonDataRatings")]


class TrainingDataError(RuntimeError):
    """The training data could not be fetched or read."""


@dataclass(frozen=True)
class RatedText:
    """One sentence with its mean human rating on −4…+4 and every rater's vote."""

    text: str
    rating: float
    source: str
    votes: tuple[int, ...]


def fetch_hutto(cache_dir: Path) -> Path:
    """Return the folder holding the ground-truth files, fetching the sdist on first use."""
    target = Path(cache_dir) / "hutto_ICWSM_2014"
    if all((target / name).exists() for name in HUTTO_FILES):
        return target
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--disable-pip-version-check",
                "-q",
                "-d",
                tmp,
                VADER_SDIST,
            ],
            capture_output=True,
            text=True,
        )
        sdists = list(Path(tmp).glob("vaderSentiment-*.tar.gz"))
        if result.returncode != 0 or not sdists:
            raise TrainingDataError(f"pip download {VADER_SDIST} failed: {result.stderr.strip()[-300:]}")
        with tarfile.open(sdists[0]) as outer:
            member = next((m for m in outer.getmembers() if m.name.endswith(HUTTO_ARCHIVE)), None)
            if member is None:
                raise TrainingDataError(f"{HUTTO_ARCHIVE} not found in {sdists[0].name}")
            inner_file = outer.extractfile(member)
            assert inner_file is not None
            with tarfile.open(fileobj=inner_file) as inner:
                staging = Path(tmp) / "out"
                staging.mkdir()
                for name in HUTTO_FILES:
                    found = next((m for m in inner.getmembers() if m.name.endswith("/" + name)), None)
                    if found is None:
                        raise TrainingDataError(f"{name} missing from {HUTTO_ARCHIVE}")
                    data = inner.extractfile(found)
                    assert data is not None
                    (staging / name).write_bytes(data.read())
        # Rename last so a half-extracted folder is never taken for a complete one.
        if target.exists():
            for stale in target.iterdir():
                stale.unlink()
            target.rmdir()
        staging.rename(target)
    return target


def _read_tsv(path: Path) -> list[list[str]]:
    # utf-8-sig: the rating files start with a byte-order mark.
    lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    return [line.split("\t") for line in lines if line.strip()]


def load_hutto(cache_dir: Path, sources: tuple[str, ...] = tuple(HUTTO_SOURCES)) -> list[RatedText]:
    """Every rated sentence of the chosen sources, with the raters' votes joined on id."""
    folder = fetch_hutto(cache_dir)
    rows: list[RatedText] = []
    for source in sources:
        stem = HUTTO_SOURCES[source]
        votes: dict[str, tuple[int, ...]] = {}
        for parts in _read_tsv(folder / f"{stem}_anonDataRatings.txt"):
            if len(parts) >= 4:
                votes[parts[0].strip()] = tuple(int(v) for v in parts[3].strip(" []").split(",") if v.strip())
        for parts in _read_tsv(folder / f"{stem}_GroundTruth.txt"):
            if len(parts) < 3 or not parts[2].strip():
                continue
            key = parts[0].strip()
            rows.append(RatedText("\t".join(parts[2:]).strip(), float(parts[1]), source, votes.get(key, ())))
    return rows
