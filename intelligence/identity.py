"""The same person on Reddit and Instagram (or elsewhere): ``ProfileLink`` suggestions with evidence.

Evidence, each with its weight (how often it named the right person when an analyst checked is
what the weights stand for; they combine as independent signals, 1 − Π(1 − w)):

- the Reddit profile's description or links name an Instagram (or TikTok, OnlyFans, X…) account: 0.85
- an Instagram bio or external link names the Reddit user (``reddit.com/u/name``, ``u/name``): 0.9
- both point to the same link-in-bio page (Linktree, Beacons, allmylinks…) or the same URL: 0.8
- the same distinctive handle on both (6+ characters with a digit, ``_`` or ``.``, or 9+): 0.5

The Reddit side is always ``ProfileLink.profile``. A pair an analyst rejected keeps its row and
is never suggested again; a confirmed one is never downgraded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower

from profiles.models import Platform, Profile, ProfileLink

WEIGHTS = {"named_on_reddit": 0.85, "names_reddit_user": 0.9, "same_link_page": 0.8, "same_handle": 0.5}
# Other platforms' profile URLs and "ig: @name" style mentions in a bio.
_PROFILE_URLS = {
    "instagram": re.compile(r"(?:instagram\.com|instagr\.am)/([A-Za-z0-9._]{1,30})", re.I),
    "tiktok": re.compile(r"tiktok\.com/@([A-Za-z0-9._]{2,24})", re.I),
    "onlyfans": re.compile(r"onlyfans\.com/([A-Za-z0-9._-]{2,40})", re.I),
    "fansly": re.compile(r"fansly\.com/([A-Za-z0-9._-]{2,40})", re.I),
    "x": re.compile(r"(?:twitter|x)\.com/([A-Za-z0-9_]{2,15})", re.I),
}
_MENTIONS = {
    # The handle starts with a letter, digit or "_": "instagram.com/x" is a URL (above), not "@.com".
    "instagram": re.compile(r"\b(?:ig|insta|instagram)\b\s*[:\-–—]?\s*@?([A-Za-z0-9_][A-Za-z0-9._]{1,29})", re.I),
    "tiktok": re.compile(r"\b(?:tiktok|tt)\b\s*[:\-–—]?\s*@([A-Za-z0-9._]{2,24})", re.I),
}
_NOT_HANDLES = {"p", "reel", "reels", "explore", "stories", "accounts", "tv", "home", "share", "me", "and", "the"}
_REDDIT_USER = re.compile(r"(?:reddit\.com/(?:u|user)/|(?<![A-Za-z0-9/])/?u/)([A-Za-z0-9_-]{3,20})", re.I)
_LINK_PAGES = re.compile(
    r"((?:linktr\.ee|beacons\.ai|allmylinks\.com|linkin\.bio|lnk\.bio|bio\.link|campsite\.bio|hoo\.be|"
    r"solo\.to|carrd\.co|withkoji\.com|fans\.ly)/[A-Za-z0-9._-]+|[A-Za-z0-9-]+\.carrd\.co)",
    re.I,
)


@dataclass
class Candidate:
    platform: str
    handle: str
    evidence: list[dict[str, str]] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        remaining = 1.0
        for kind in {e["kind"] for e in self.evidence}:
            remaining *= 1 - WEIGHTS[kind]
        return round(1 - remaining, 3)


def _text(profile: Profile) -> str:
    return " \n".join([profile.bio or "", profile.external_url or "", *map(str, profile.links or [])])


def named_accounts(text: str) -> list[tuple[str, str, str]]:
    """(platform, handle, the words that named it) for every other-platform account a text names."""
    found: dict[tuple[str, str], tuple[str, str, str]] = {}
    for platform, pattern in [*_PROFILE_URLS.items(), *_MENTIONS.items()]:
        for match in pattern.finditer(text or ""):
            handle = match.group(1).rstrip("._")
            if handle.lower() in _NOT_HANDLES or len(handle) < 2:
                continue
            found.setdefault((platform, handle.lower()), (platform, handle, match.group(0)))
    return list(found.values())


def reddit_users_named(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(0)) for m in _REDDIT_USER.finditer(text or "")]


def link_pages(profile: Profile) -> set[str]:
    """Link-in-bio pages and other external URLs, normalised (no scheme, no www, no trailing slash)."""
    pages = {m.group(1).lower().rstrip("/") for m in _LINK_PAGES.finditer(_text(profile))}
    if profile.external_url:
        pages.add(re.sub(r"^https?://(www\.)?", "", profile.external_url.lower()).rstrip("/"))
    return {p for p in pages if p}


def is_distinctive(handle: str) -> bool:
    """A handle two different people are unlikely to share: long, or with digits or separators."""
    return (len(handle) >= 6 and bool(re.search(r"[\d_.]", handle))) or len(handle) >= 9


def candidates_for(profile: Profile) -> dict[tuple[str, str], tuple[Profile, Candidate]]:
    """{(platform, handle): (reddit profile, candidate)} for a Reddit user or an Instagram creator."""
    out: dict[tuple[str, str], tuple[Profile, Candidate]] = {}

    def add(reddit: Profile, platform: str, handle: str, kind: str, text: str, where: str) -> None:
        key = (reddit.pk, platform, handle.lower())
        _, candidate = out.setdefault(key, (reddit, Candidate(platform, handle)))
        candidate.evidence.append({"kind": kind, "text": text[:200], "where": where})

    if profile.platform == Platform.REDDIT:
        for platform, handle, text in named_accounts(_text(profile)):
            add(profile, platform, handle, "named_on_reddit", text, f"u/{profile.handle} description")
        named_in = Profile.objects.filter(platform=Platform.INSTAGRAM).filter(
            Q(bio__icontains=f"u/{profile.handle}")
            | Q(external_url__icontains=f"/u/{profile.handle}")
            | Q(external_url__icontains=f"/user/{profile.handle}")
        )
        for creator in named_in[:20]:
            if any(name.lower() == profile.handle.lower() for name, _ in reddit_users_named(_text(creator))):
                add(
                    profile,
                    creator.platform,
                    creator.handle,
                    "names_reddit_user",
                    f"u/{profile.handle}",
                    f"@{creator.handle} bio",
                )
        instagram = [Platform.INSTAGRAM]
        for creator in _same_pages(profile, instagram):
            add(
                profile,
                creator.platform,
                creator.handle,
                "same_link_page",
                ", ".join(sorted(link_pages(profile) & link_pages(creator))),
                "both profiles",
            )
        if is_distinctive(profile.handle):
            twin = Profile.objects.by_handle(Platform.INSTAGRAM, profile.handle).first()
            if twin:
                add(profile, twin.platform, twin.handle, "same_handle", profile.handle, "both handles")
    else:
        for name, text in reddit_users_named(_text(profile)):
            reddit = _reddit_profile(name, profile)
            add(reddit, profile.platform, profile.handle, "names_reddit_user", text, f"@{profile.handle} bio")
        for reddit in _same_pages(profile, [Platform.REDDIT]):
            add(
                reddit,
                profile.platform,
                profile.handle,
                "same_link_page",
                ", ".join(sorted(link_pages(profile) & link_pages(reddit))),
                "both profiles",
            )
        if is_distinctive(profile.handle):
            twin = Profile.objects.by_handle(Platform.REDDIT, profile.handle).first()
            if twin:
                add(twin, profile.platform, profile.handle, "same_handle", profile.handle, "both handles")
        for reddit in Profile.objects.filter(platform=Platform.REDDIT, bio__icontains=profile.handle)[:20]:
            for platform, handle, text in named_accounts(_text(reddit)):
                if platform == profile.platform and handle.lower() == profile.handle.lower():
                    add(reddit, platform, handle, "named_on_reddit", text, f"u/{reddit.handle} description")
    return {(k[1], k[2], k[0]): v for k, v in out.items()}


def _same_pages(profile: Profile, platforms: list[str]) -> list[Profile]:
    pages = link_pages(profile)
    if not pages:
        return []
    query = Q()
    for page in pages:
        query |= Q(external_url__icontains=page) | Q(bio__icontains=page)
    return [
        p
        for p in Profile.objects.filter(query, platform__in=platforms).exclude(pk=profile.pk)[:20]
        if link_pages(p) & pages
    ]


def _reddit_profile(name: str, named_by: Profile) -> Profile:
    """The Reddit user an Instagram bio names, added as a discovery when we do not track it yet."""
    existing = Profile.objects.by_handle(Platform.REDDIT, name).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Profile.objects.create(
                platform=Platform.REDDIT, handle=name, discovered_via=f"named by @{named_by.handle}"
            )
    except IntegrityError:
        return Profile.objects.by_handle(Platform.REDDIT, name).get()


def suggest_links(profile_id: int) -> list[ProfileLink]:
    """Create or refresh suggestions for one profile; decided pairs (confirmed, rejected) stay as they are."""
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None:
        return []
    written = []
    for (platform, handle_key, _reddit_pk), (reddit, candidate) in candidates_for(profile).items():
        if platform == Platform.REDDIT or reddit.pk is None:
            continue
        linked = Profile.objects.by_handle(platform, candidate.handle).first() if platform in Platform.values else None
        if linked is not None and linked.pk == reddit.pk:
            continue
        existing = (
            ProfileLink.objects.annotate(h=Lower("handle"))
            .filter(profile=reddit, platform=platform, h=handle_key)
            .first()
        )
        if existing is not None and existing.status != ProfileLink.Status.SUGGESTED:
            continue  # an analyst decided: never crossed, never downgraded
        values: dict[str, Any] = {
            "linked": linked,
            "confidence": candidate.confidence,
            "evidence": candidate.evidence,
        }
        if existing is None:
            try:
                with transaction.atomic():
                    written.append(
                        ProfileLink.objects.create(profile=reddit, platform=platform, handle=candidate.handle, **values)
                    )
            except IntegrityError:
                continue
        else:
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save(update_fields=[*values, "updated_at"])
            written.append(existing)
    return written


# --- Measuring the weights ----------------------------------------------------------------------


def pair_evidence(pairs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """Load a labelled set's profiles and read every candidate the linker finds among them.

    ``pairs``: ``[{id, same, reddit: {handle, bio, external_url, links}, other: {platform, handle, …}}]``.
    Returns one row per pair with the evidence kinds found for it (``[]``: never suggested), and the
    candidates no pair labels. Writes profiles: call it inside a transaction that is rolled back.
    """
    profiles: dict[tuple[str, str], Profile] = {}
    for pair in pairs:
        for side in (pair["reddit"], pair["other"]):
            key = (side["platform"], side["handle"].lower())
            if key not in profiles:
                profiles[key] = Profile.objects.create(
                    platform=side["platform"],
                    handle=side["handle"],
                    bio=side.get("bio", ""),
                    external_url=side.get("external_url", ""),
                    links=side.get("links", []),
                )
    found: dict[tuple[str, str, str], set[str]] = {}
    for profile in list(profiles.values()):
        for (platform, handle, _), (reddit, candidate) in candidates_for(profile).items():
            kinds = found.setdefault((reddit.handle.lower(), platform, handle), set())
            kinds.update(e["kind"] for e in candidate.evidence)
    rows, labelled = [], set()
    for pair in pairs:
        key = (pair["reddit"]["handle"].lower(), pair["other"]["platform"], pair["other"]["handle"].lower())
        labelled.add(key)
        rows.append({"id": pair["id"], "same": bool(pair["same"]), "kinds": sorted(found.get(key, ()))})
    return rows, sorted(set(found) - labelled)


def decided_rows() -> list[dict[str, Any]]:
    """Analysts' decisions as labelled pairs: confirmed = the same person, rejected = not."""
    decided = ProfileLink.objects.filter(status__in=[ProfileLink.Status.CONFIRMED, ProfileLink.Status.REJECTED])
    return [
        {
            "id": str(link.pk),
            "same": link.status == ProfileLink.Status.CONFIRMED,
            "kinds": sorted({e.get("kind") for e in link.evidence or [] if e.get("kind") in WEIGHTS}),
        }
        for link in decided.only("pk", "status", "evidence")
    ]


def combined(kinds: list[str], weights: dict[str, float]) -> float:
    remaining = 1.0
    for kind in set(kinds):
        remaining *= 1 - weights[kind]
    return 1 - remaining


def precision_recall(rows: list[dict[str, Any]], weights: dict[str, float], threshold: float) -> dict[str, Any]:
    """A pair is suggested when it has evidence and its confidence reaches ``threshold``."""
    tp = fp = fn = 0
    for row in rows:
        suggested = bool(row["kinds"]) and combined(row["kinds"], weights) >= threshold
        tp += suggested and row["same"]
        fp += suggested and not row["same"]
        fn += (not suggested) and row["same"]
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
    }


def measured_weights(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Each kind's weight = how often a pair with that evidence was the same person (Laplace-smoothed)."""
    weights = {}
    for kind in WEIGHTS:
        with_kind = [row["same"] for row in rows if kind in row["kinds"]]
        weights[kind] = round((sum(with_kind) + 1) / (len(with_kind) + 2), 3)
    return weights


THRESHOLDS = tuple(round(t * 0.05, 2) for t in range(20))


def best_threshold(rows: list[dict[str, Any]], weights: dict[str, float]) -> float:
    return max(THRESHOLDS, key=lambda t: (precision_recall(rows, weights, t)["f1"], -t))


def cross_validate_weights(rows: list[dict[str, Any]], folds: int = 5) -> dict[str, dict[str, Any]]:
    """Out-of-fold P/R of each recipe: folds stratified by label, in id order; a recipe's weights and
    threshold are chosen on the other folds only."""
    ordered = sorted(rows, key=lambda r: (not r["same"], r["id"]))
    fold_of = {row["id"]: i % folds for i, row in enumerate(ordered)}
    recipes = {
        "shipped weights, every candidate suggested": lambda train: (WEIGHTS, 0.0),
        "shipped weights, threshold by CV": lambda train: (WEIGHTS, best_threshold(train, WEIGHTS)),
        "measured weights, threshold by CV": lambda train: (
            measured_weights(train),
            best_threshold(train, measured_weights(train)),
        ),
    }
    out = {}
    for name, choose in recipes.items():
        predictions = []
        chosen = []
        for k in range(folds):
            train = [r for r in rows if fold_of[r["id"]] != k]
            test = [r for r in rows if fold_of[r["id"]] == k]
            weights, threshold = choose(train)
            chosen.append(threshold)
            predictions += [
                dict(r, kinds=r["kinds"] if combined(r["kinds"], weights) >= threshold else []) for r in test
            ]
        out[name] = {**precision_recall(predictions, WEIGHTS, 0.0), "thresholds": chosen}
    return out
