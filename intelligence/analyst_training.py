"""Retraining the category head on the analysts' own decisions (``manage.py retrain_category_model``,
and weekly on the beat through ``intelligence.tasks.retrain_category_model``).

What counts as a decision (the analyst's, never the AI's):
- a subreddit's ``primary_category`` (set in admin, or by accepting its ``ai_suggested_category``):
  its texts are ``r/name``, its title, its public description and its most recent post titles;
- a creator's ``niche`` when it names a content category (its key or its label, any case): its
  most recent captions.

Subreddits that the Reddit category evaluation set labels and Instagram posts that the Instagram
evaluation set labels are left out, so the scorecard never scores text it was trained on.
Accepted tags are not category decisions (a tag is not one of the content categories) and are
not used here.

A category is learned from decisions once it has ``MIN_DECISIONS_PER_CATEGORY`` of them; fewer
than that and they are left out (too few to trust, and too few for a fold of the
cross-validation each). When no category has enough, the retrain refuses (``NotEnoughDecisions``).
The decisions' weight against the written training data is chosen by cross-validation at every
retrain (``category_head.cross_validate``); the new head is a new file with a new version
(``r2-a<digest of the decisions>``), the worker loads it on its next batch, and the posts the old
head analysed are queued for re-analysis.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Prefetch
from django.db.models.functions import Lower, Trim
from django.utils import timezone

from intelligence.analyzers.base import AIConfig
from intelligence.models import AnalysisBatch
from posts.models import AIStatus, Post
from profiles.models import Community, Profile

logger = logging.getLogger(__name__)

# Decisions a category needs before the retrain learns it from them (one per fold of the 5-fold
# cross-validation that picks their weight).
MIN_DECISIONS_PER_CATEGORY = 5
# Recent posts read per decided community or creator.
POSTS_PER_DECISION = 20
# Posts re-queued at once by the retrain; ``analyze_pending`` re-queues the rest (its
# ``queue_outdated`` compares every post's stored version with the new one).
REQUEUE_LIMIT = 5000
_EVAL = Path(__file__).resolve().parent / "eval"


class NotEnoughDecisions(Exception):
    """Fewer decisions than the minimum in every category: nothing to retrain on."""


@dataclass
class Decision:
    source: str  # "community:12", "profile:34"
    category: str
    texts: list[str] = field(default_factory=list)


def _evaluation_shortcodes() -> set[str]:
    labels = json.loads((_EVAL / "instagram_categories.json").read_text(encoding="utf-8"))
    return {code for key, codes in labels.items() if key != "_about" for code in codes}


def _recent_posts() -> Prefetch:
    """Each decided community's or creator's newest posts, fetched for all of them in one query
    (a sliced prefetch): twice what is kept, as some are held out or have no text."""
    newest = Post.objects.order_by("-posted_at").only("id", "shortcode", "caption", "community_id", "author_id")
    return Prefetch("posts", queryset=newest[: POSTS_PER_DECISION * 2], to_attr="recent_posts")


def _recent_texts(posts: list[Post], held_out: set[str], limit: int = POSTS_PER_DECISION) -> list[str]:
    """The captions or titles of ``posts`` (newest first), none of those the Instagram evaluation set labels."""
    return [p.caption for p in posts if p.shortcode not in held_out and p.caption.strip()][:limit]


def gather_decisions(categories: dict[str, str]) -> list[Decision]:
    """Every analyst decision on a content category among ``categories`` ({key: label})."""
    from intelligence.analyzers.category_head import evaluation_subreddits

    held_out, held_out_posts = evaluation_subreddits(), _evaluation_shortcodes()
    decisions: list[Decision] = []
    communities = (
        Community.objects.filter(primary_category__in=list(categories))
        .alias(name_lower=Lower("name"))
        .exclude(name_lower__in=held_out)
        .order_by("id")
        .only("id", "name", "title", "public_description", "primary_category")
        .prefetch_related(_recent_posts())
    )
    for community in communities:
        texts = [f"r/{community.name}", community.title, community.public_description]
        texts += _recent_texts(community.recent_posts, held_out_posts)
        decisions.append(
            Decision(f"community:{community.pk}", community.primary_category, [t for t in texts if t.strip()])
        )
    by_name = {key.lower(): key for key in categories} | {label.lower(): key for key, label in categories.items()}
    profiles = (
        Profile.objects.alias(niche_key=Lower(Trim("niche")))
        .filter(niche_key__in=list(by_name))
        .order_by("id")
        .only("id", "niche")
        .prefetch_related(_recent_posts())
    )
    for profile in profiles.iterator(chunk_size=500):
        key = by_name.get(profile.niche.strip().lower())  # the database's trim is spaces only
        if key is None:
            continue
        texts = _recent_texts(profile.recent_posts, held_out_posts)
        if texts:
            decisions.append(Decision(f"profile:{profile.pk}", key, texts))
    return decisions


def usable(decisions: list[Decision], minimum: int = MIN_DECISIONS_PER_CATEGORY) -> tuple[list[Decision], Counter]:
    """The decisions of the categories that reach ``minimum``, and the count per category."""
    counts = Counter(d.category for d in decisions)
    return [d for d in decisions if counts[d.category] >= minimum], counts


def describe(counts: Counter, minimum: int) -> str:
    have = ", ".join(f"{key} {n}" for key, n in counts.most_common()) or "none"
    return f"not enough analyst decisions to retrain the category model: need {minimum} per category, have {have}"


def requeue_old_version(old_version_tag: str, limit: int = REQUEUE_LIMIT) -> int:
    """Put posts whose category was given by ``old_version_tag`` back in the backlog (bounded)."""
    ids = list(
        Post.objects.filter(ai_status__in=[AIStatus.DONE, AIStatus.FAILED], ai_model_version__endswith=old_version_tag)
        .order_by()
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return 0
    return Post.objects.filter(pk__in=ids).exclude(ai_status=AIStatus.PROCESSING).update(ai_status=AIStatus.PENDING)


def retrain(
    echo: Callable[[str], None] | None = None,
    minimum: int = MIN_DECISIONS_PER_CATEGORY,
    config: AIConfig | None = None,
) -> dict:
    """Gather the decisions, retrain the head, switch to it and queue re-analysis; returns a summary.

    ``config``: the AI settings (default: this process's); its categories are the taxonomy learned.
    Raises ``NotEnoughDecisions`` when no category has ``minimum`` decisions.
    """
    from intelligence.analyzers import category_head, use_encoder
    from intelligence.analyzers.embedded import HeadCategoryAnalyzer
    from intelligence.conf import ai_config
    from intelligence.model_builds import Progress, finish_batch, release_lease, take_lease

    config = config or ai_config()
    artifacts = Path(config.artifacts_dir)
    categories = config.category_labels()

    def say(line: str) -> None:
        logger.info(line)
        if echo:
            echo(line)

    decisions, counts = usable(gather_decisions(categories), minimum)
    if not decisions:
        raise NotEnoughDecisions(describe(counts, minimum))
    kept = Counter(d.category for d in decisions)
    say(
        f"category model: retraining on {len(decisions)} analyst decisions in {len(kept)} categories "
        f"({', '.join(f'{k} {n}' for k, n in kept.most_common())}); left out (under {minimum}): "
        f"{', '.join(f'{k} {n}' for k, n in counts.items() if k not in kept) or 'none'}"
    )
    encoder = use_encoder.get_encoder(config.num_threads)

    def version_tag(path: Path) -> str:
        """What posts store for the category part of their ``ai_model_version`` with this head."""
        return HeadCategoryAnalyzer(encoder, category_head.CategoryHead.load(path), categories).version_tag

    base = category_head.head_file(artifacts, use_encoder.NAME, list(categories))
    old_path = category_head.active_file(base)
    old_tag = version_tag(old_path) if old_path.exists() else ""
    # The model builds' lease: a retrain and a build never write model files at the same time.
    lease = take_lease()
    if lease is None:
        return {"retrained": False, "busy": True}
    started = time.monotonic()
    batch = AnalysisBatch.objects.create(kind=AnalysisBatch.Kind.MODELS, backend="embedded", model_version="")
    try:
        path, cv = category_head.retrain_head(
            artifacts,
            encoder.encode,
            list(categories),
            use_encoder.NAME,
            [(d.category, d.texts) for d in decisions],
            progress=Progress(batch, echo, "category model (analyst decisions)", lease),
        )
    except Exception as exc:
        finish_batch(
            batch, AnalysisBatch.Status.FAILED, started, [{"id": None, "error": f"{type(exc).__name__}: {exc}"}]
        )
        raise
    finally:
        release_lease(lease)
    batch.model_version = path.name
    batch.save(update_fields=["model_version"])
    finish_batch(batch, AnalysisBatch.Status.DONE, started)
    new_tag = version_tag(path)
    # Every process's registry (this one's too) sees the newer file on its next batch and loads it.
    queued = requeue_old_version(old_tag) if old_tag and old_tag != new_tag else 0
    summary = {
        "retrained": old_tag != new_tag,
        "path": str(path),
        "version": new_tag,
        "previous_version": old_tag,
        "decisions": len(decisions),
        "per_category": dict(kept),
        "cv": cv,
        "queued_for_reanalysis": queued,
        "seconds": round(time.monotonic() - started, 1),
        "at": timezone.now().isoformat(),
    }
    say(
        f"category model: {new_tag} (was {old_tag or 'none'}); analyst weight {cv.get('analyst_weight')} by CV "
        f"(accuracy {cv.get('accuracy')}, macro-F1 {cv.get('macro_f1')}); {queued} posts queued for re-analysis"
    )
    return summary
