"""Measure an analyzer on a labelled CSV: per-class precision/recall/F1, macro-F1, accuracy, speed.

Evaluation only: nothing read here ever trains a model.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from intelligence.analyzers.registry import AnalyzerSet

LABEL_COLUMNS = {"sentiment": "label_name", "language": "lang", "category": "category"}
TASKS = tuple(LABEL_COLUMNS)


class EvaluationError(ValueError):
    """The CSV cannot be evaluated (missing file or columns, no rows)."""


@dataclass
class ClassScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Report:
    """The figures ``evaluate_ai`` prints."""

    task: str
    backend: str
    model_version: str
    n: int
    accuracy: float
    macro_f1: float
    texts_per_s: float
    per_class: dict[str, ClassScore] = field(default_factory=dict)
    # Expected calibration error of the shown confidences (10 equal-width bins): how far "shown at
    # 90 %" is from "right 90 % of the time", averaged over the rows.
    ece: float = 0.0
    # Sentiment on a CSV with a ``lang`` column: macro-F1 per language, and their plain mean.
    per_language: dict[str, float] = field(default_factory=dict)
    language_mean_macro_f1: float | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["per_class"] = {k: asdict(v) for k, v in self.per_class.items()}
        return data

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True)


def read_rows(path: Path, task: str, exclude_romanized: bool = False) -> list[tuple[str, str]]:
    """(text, label) pairs; raises EvaluationError with one clear line on bad input."""
    return [(text, label) for text, label, _ in read_rows_with_language(path, task, exclude_romanized)]


def read_rows_with_language(path: Path, task: str, exclude_romanized: bool = False) -> list[tuple[str, str, str]]:
    """(text, label, lang) triples (lang is "" where the CSV has no ``lang`` column)."""
    if task not in LABEL_COLUMNS:
        raise EvaluationError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    column = LABEL_COLUMNS[task]
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fields = reader.fieldnames or []
            missing = [c for c in ("text", column) if c not in fields]
            if missing:
                raise EvaluationError(f"{path}: missing column(s) {', '.join(missing)} (has: {', '.join(fields)})")
            rows = [
                (r["text"] or "", (r[column] or "").strip(), (r.get("lang") or "").strip())
                for r in reader
                if not (exclude_romanized and str(r.get("romanized", "0")).strip() in {"1", "true", "True"})
            ]
    except FileNotFoundError as exc:
        raise EvaluationError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise EvaluationError(f"{path}: not UTF-8 text") from exc
    rows = [(t, label, lang) for t, label, lang in rows if label]
    if not rows:
        raise EvaluationError(f"{path}: no labelled rows")
    return rows


def score(gold: list[str], predicted: list[str]) -> tuple[float, float, dict[str, ClassScore]]:
    """Accuracy, macro-F1 over the gold classes, and per-class scores."""
    classes = sorted(set(gold))
    per_class: dict[str, ClassScore] = {}
    true_pos = Counter(g for g, p in zip(gold, predicted, strict=True) if g == p)
    predicted_count = Counter(predicted)
    gold_count = Counter(gold)
    for c in classes:
        precision = true_pos[c] / predicted_count[c] if predicted_count[c] else 0.0
        recall = true_pos[c] / gold_count[c] if gold_count[c] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[c] = ClassScore(round(precision, 4), round(recall, 4), round(f1, 4), gold_count[c])
    accuracy = sum(true_pos.values()) / len(gold)
    macro_f1 = sum(s.f1 for s in per_class.values()) / len(classes)
    return round(accuracy, 4), round(macro_f1, 4), per_class


def expected_calibration_error(confidences: list[float], correct: list[bool], bins: int = 10) -> float:
    """Σ over equal-width confidence bins of (share of rows) × |accuracy − mean confidence|."""
    if not confidences:
        return 0.0
    total = 0.0
    edges = [i / bins for i in range(bins + 1)]
    for low, high in zip(edges, edges[1:], strict=False):
        members = [i for i, c in enumerate(confidences) if (low < c <= high) or (low == 0 and c == 0)]
        if not members:
            continue
        accuracy = sum(correct[i] for i in members) / len(members)
        confidence = sum(confidences[i] for i in members) / len(members)
        total += len(members) / len(confidences) * abs(accuracy - confidence)
    return round(total, 4)


def evaluate(
    task: str, rows: list[tuple[str, str]], analyzer_set: AnalyzerSet, languages: list[str] | None = None
) -> Report:
    """Score ``analyzer_set``'s ``task`` analyzer on (text, gold) rows; ``languages`` (one per row)
    adds per-language macro-F1."""
    analyzer = getattr(analyzer_set, task)
    texts = [t for t, _ in rows]
    gold = [label for _, label in rows]
    analyzer.analyze(texts[:2])  # warm-up: first call may load lazily; not part of the speed figure
    started = time.perf_counter()
    results = analyzer.analyze(texts)
    elapsed = time.perf_counter() - started
    if task == "sentiment":
        predicted = [r.label for r in results]
    elif task == "language":
        predicted = [r.code for r in results]
    else:
        predicted = [r.category for r in results]
    accuracy, macro_f1, per_class = score(gold, predicted)
    per_language: dict[str, float] = {}
    if languages and any(languages):
        for lang in sorted(set(languages)):
            idx = [i for i, code in enumerate(languages) if code == lang]
            per_language[lang] = score([gold[i] for i in idx], [predicted[i] for i in idx])[1]
    confidences = [float(r.confidence) for r in results]
    ece = expected_calibration_error(confidences, [g == p for g, p in zip(gold, predicted, strict=True)])
    return Report(
        task=task,
        backend=analyzer.backend,
        model_version=analyzer.version_tag,
        n=len(rows),
        accuracy=accuracy,
        macro_f1=macro_f1,
        texts_per_s=round(len(texts) / elapsed, 1) if elapsed else 0.0,
        per_class=per_class,
        ece=ece,
        per_language=per_language,
        language_mean_macro_f1=round(sum(per_language.values()) / len(per_language), 4) if per_language else None,
    )


def build_reddit_category_set(fixtures_dir: Path, out: Path) -> int:
    """Write a (text, category) CSV from the Reddit fixtures' listings using our subreddit labels."""
    labels = json.loads((Path(__file__).parent / "eval" / "reddit_categories.json").read_text())
    by_subreddit = {
        name.lower(): category for category, names in labels.items() if category != "_about" for name in names
    }
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for path in sorted(Path(fixtures_dir).glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError):
            continue
        for child in _listing_children(data):
            post = child.get("data", {})
            subreddit = str(post.get("subreddit", "")).lower()
            if child.get("kind") != "t3" or subreddit not in by_subreddit or post.get("id") in seen:
                continue
            seen.add(post.get("id"))
            text = "\n\n".join(p for p in (post.get("title", ""), post.get("selftext", "")) if p)
            rows.append((text, by_subreddit[subreddit], subreddit))
    _write_csv(out, ["text", "category", "subreddit"], rows)
    return len(rows)


def _listing_children(data) -> list[dict]:
    listings = data if isinstance(data, list) else [data]
    children: list[dict] = []
    for listing in listings:
        if isinstance(listing, dict) and isinstance(listing.get("data"), dict):
            children.extend(c for c in listing["data"].get("children", []) if isinstance(c, dict))
    return children


def build_instagram_category_set(fixtures_dir: Path, out: Path) -> int:
    """Write a (text, category) CSV of the Instagram fixtures' captions using our shortcode labels."""
    labels = json.loads((Path(__file__).parent / "eval" / "instagram_categories.json").read_text())
    by_code = {code: category for category, codes in labels.items() if category != "_about" for code in codes}
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for path in sorted(Path(fixtures_dir).rglob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError):
            continue
        for code, caption in _captions(data):
            if code in by_code and code not in seen and caption.strip():
                seen.add(code)
                rows.append((caption, by_code[code], code))
    _write_csv(out, ["text", "category", "shortcode"], rows)
    return len(rows)


def _captions(node) -> list[tuple[str, str]]:
    """(shortcode, caption) of every media object in an Instagram body, whatever its shape."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        code = node.get("shortcode") or node.get("shortCode") or node.get("code")
        caption = node.get("caption")
        if isinstance(caption, dict):
            caption = caption.get("text")
        if caption is None and isinstance(node.get("edge_media_to_caption"), dict):
            edges = node["edge_media_to_caption"].get("edges") or []
            caption = edges[0].get("node", {}).get("text") if edges else None
        if isinstance(code, str) and isinstance(caption, str):
            found.append((code, caption))
        for value in node.values():
            found.extend(_captions(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_captions(value))
    return found


def _write_csv(out: Path, header: list[str], rows: list[tuple[str, ...]]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
