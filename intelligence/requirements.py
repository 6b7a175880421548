"""Posting requirements stated in a subreddit's rules and sidebar, each linked to the rule it came from.

A rule-based reader: each rule (short name + description) and each sidebar paragraph is one unit;
patterns look for karma and account-age minimums, verification, flair, allowed post types, title
rules, link/self only, and the selling / OnlyFans / promotion stance. A unit that matches nothing
contributes nothing, so rules that parse to nothing leave every item unknown (``None``), never a
guessed number. Where two units disagree the rules win over the sidebar and the stricter number
wins among rules (moderators repeat minimums; the larger one is what AutoModerator enforces).

``extract(rules, sidebar)`` returns an ``Extraction``; ``intelligence/subreddits.py`` stores it on
``CommunityRequirements`` with the Reddit endpoint's answer and the observed lower bounds. Its
precision and recall on a hand-labelled set are printed by ``manage.py evaluate_requirements``.

The AI pass (``extract(..., classifier=...)``, in the worker only): a MiniLM sentence classifier
(``intelligence/analyzers/requirement_head.py``) reads the same sentences. Where the patterns found
nothing for a field, an item the model states (probability at or above its threshold) is added,
marked ``by: "model <version>"`` with its confidence; where the patterns found the same thing, the
parser's item is marked ``confirmed_by`` the model, with the model's confidence; where they
disagree, the parser's item stands. Numbers (karma, days) come from the parser only: the model says
a minimum is stated, never what it is. Without a classifier (web process, other backends, a model
that failed to load) the parser answers alone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

logger = logging.getLogger(__name__)

VERSION = "requirements-rules-1"

FIELDS = (
    "min_post_karma",
    "min_comment_karma",
    "min_total_karma",
    "min_account_age_days",
    "verification_required",
    "flair_required",
    "allowed_post_types",
    "submission_type",
    "title_rules",
    "selling_allowed",
    "onlyfans_allowed",
    "promotion_allowed",
)

_WORD_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fourteen": 14,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
}
_NUMBER = r"(\d[\d,\.]*\s*k?|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")"
_DAYS_PER = {"day": 1, "week": 7, "month": 30, "year": 365, "yr": 365, "hour": 1 / 24}

# A requirement is stated with one of these words in the same sentence ("karma farming" is not one).
_REQUIRING = re.compile(
    r"\b(must|need|needs|required?|requires|requirement|minimum|min\.?|at least|less than|fewer than|under|"
    r"below|more than|over|older than|younger than|or more|or older|removed|filtered|automatically|"
    r"allowed to (?:post|comment|submit)|to (?:post|submit|participate)|new accounts?)\b|\d\s*\+|>=?",
    re.IGNORECASE,
)
_KARMA = re.compile(
    r"(?:(?P<kind1>post|link|comment|combined|total)\s+karma\s*(?:of|:|score of|>=?|at least|over|above|"
    r"more than|minimum(?: of)?|requirement(?: of| is)?)?\s*(?:at least|over|above|more than|of)?\s*"
    + _NUMBER.replace("(", "(?P<num1>", 1)
    + r"|"
    + _NUMBER.replace("(", "(?P<num2>", 1)
    + r"\s*\+?\s*(?:\(?\s*(?P<kind2>post|link|comment|combined|total)\s*\)?\s*)?(?:or more\s+)?karma"
    + r"|karma\s*(?:of|:|score of|>=?|at least|over|above|more than|minimum(?: of)?|requirement(?: of| is)?|"
    r"(?:must|needs? to) be (?:at least|over|above|more than))\s*(?:at least|over|above|more than|of)?\s*"
    + _NUMBER.replace("(", "(?P<num3>", 1)
    + r")",
    re.IGNORECASE,
)
_AGE = re.compile(
    _NUMBER.replace("(", "(?P<num>", 1) + r"[\s-]*(?P<unit>day|week|month|year|yr|hour)s?\b(?:\s*old)?",
    re.IGNORECASE,
)
_ACCOUNT = re.compile(r"\b(account|accounts|acct|profile age|account age|reddit age)\b", re.IGNORECASE)
_NEGATION = re.compile(
    r"\b(no|not|don'?t|do not|never|isn'?t|aren'?t|without|nor|zero|prohibited|banned|forbidden|disallowed|"
    r"bann?ed|refrain|avoid)\b|\bno\s*-",
    re.IGNORECASE,
)
_AFTER_NEGATION = re.compile(
    r"\b(not allowed|not permitted|prohibited|banned|forbidden|is not ok|are not ok|will be (?:removed|banned)|"
    r"will result in (?:a )?ban|not tolerated|get(?:s)? you banned|isn'?t allowed|aren'?t allowed|"
    r"are removed|is removed|results? in (?:a )?(?:permanent )?ban)\b",
    re.IGNORECASE,
)
_ALLOWING = re.compile(
    r"\b(allowed|welcome|welcomed|permitted|encouraged|is fine|are fine|is ok|are ok|is okay|you (?:may|can)|"
    r"feel free|go ahead|freely)\b",
    re.IGNORECASE,
)
_VERIFY = re.compile(r"\bverif(?:y|ied|ication|ications)\b|\bverify\b", re.IGNORECASE)
_VERIFY_NOT_NEEDED = re.compile(
    r"(?:verification|verify|verified)\b[^.]{0,30}\b(?:not required|not needed|optional|isn'?t required|"
    r"isn'?t needed|not necessary)|\b(?:no|don'?t need(?: to)?|do not need(?: to)?|without)\s+(?:\w+\s+)?"
    r"(?:verification|verify|verifying|being verified)",
    re.IGNORECASE,
)
_VERIFY_NEEDED = re.compile(
    r"\b(must|need|needs|required|require|requires|only verified|have to|mandatory|verified users only|"
    r"verified members only|get verified|be verified|verify before)\b",
    re.IGNORECASE,
)
_FLAIR = re.compile(r"\b(?:post[\s-]*)?(?:flair|flaired|tag(?:ged)?)\b", re.IGNORECASE)
_FLAIR_NEEDED = re.compile(
    r"\b(?:must|need(?:s)? to|required|require|requires|mandatory|have to)\b[^.]{0,40}\bflair|"
    r"\bflair(?:ed)?\b[^.]{0,40}\b(?:required|mandatory|must|will be removed)\b|"
    r"\b(?:unflaired|un-flaired|without (?:a )?flair)\b",
    re.IGNORECASE,
)
_USER_FLAIR = re.compile(r"\buser[\s-]*flair\b", re.IGNORECASE)
_POST_TYPES = {
    "image": r"images?|pictures?|pics?|photos?|photographs?",
    "video": r"videos?|gifs?|clips?",
    "text": r"text(?:\s*posts?)?|self[\s-]*posts?|selftext",
    "link": r"link[\s-]*posts?",
    "gallery": r"galler(?:y|ies)",
    "poll": r"polls?",
}
_TYPE_WORD = "|".join(f"(?:{p})" for p in _POST_TYPES.values())
_ONLY_TYPES = re.compile(
    rf"\b(?:only|just|exclusively)\s+((?:(?:{_TYPE_WORD})(?:\s*(?:,|/|and|or|&)\s*)?)+)\b(?:\s*posts?)?(?:\s+(?:are|is)\s+allowed)?|"
    rf"\b((?:(?:{_TYPE_WORD})(?:\s*(?:,|/|and|or|&)\s*)?)+)\s*(?:posts?\s*)?only\b|"
    rf"\ball (?:posts|submissions) must (?:be|contain|include) (?:an? )?((?:(?:{_TYPE_WORD})(?:\s*(?:,|/|and|or|&)\s*)?(?:an? )?)+)",
    re.IGNORECASE,
)
_TITLE = re.compile(r"\btitles?\b", re.IGNORECASE)
_TITLE_RULE = re.compile(
    r"\btitles?\b[^.]{0,80}\b(must|should|need|needs|required|include|contain|start|begin|format|no |"
    r"not|tag|descriptive|clickbait|all caps|emoji|age|gender)\b|"
    r"\b(must|should|need to|required to|include|put)\b[^.]{0,60}\btitles?\b",
    re.IGNORECASE,
)
_LINK_ONLY = re.compile(r"\b(?:link[\s-]*posts? only|only link[\s-]*posts?|no (?:text|self)[\s-]*posts?)\b", re.I)
_SELF_ONLY = re.compile(
    r"\b(?:text posts? only|self[\s-]*posts? only|only (?:text|self)[\s-]*posts?|no (?:link|image|video)s? "
    r"(?:or|and|/) (?:link|image|video)s?(?: posts?)?|text[\s-]*only)\b",
    re.I,
)
_SELLING = re.compile(
    r"\b(sell|selling|sales?|seller|sellers|buy(?:ing)? (?:or|and|/) sell(?:ing)?|paid content|"
    r"content for sale|premium content|prices?|pay(?:ing)? for content|price lists?|menus?)\b",
    re.IGNORECASE,
)
# "OF" only in capitals: case-insensitively it would be every "of".
_ONLYFANS = re.compile(
    r"\b(onlyfans|only fans|(?-i:OF) links?|fansly|fanvue|paywall(?:ed)?|(?-i:\bOF\b))\b", re.IGNORECASE
)
_PROMOTION = re.compile(
    r"\b(self[\s-]*promo(?:tion|ting|te)?|promotion|promoting|promote|advertis(?:e|ing|ement|ements)|ads?\b|"
    r"spam(?:ming)?|social media links?|links? to (?:your )?(?:social|instagram|tiktok|youtube|channel)|"
    r"plug(?:ging)?|shameless)\b",
    re.IGNORECASE,
)
_PROMO_RATIO = re.compile(r"\b(?:9\s*:\s*1|10\s*%|90\s*/\s*10|one in ten)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<!e\.g\.)(?<!i\.e\.)(?<=[.!?;])\s+|\n+")


@dataclass
class Evidence:
    """One extracted item and where it came from."""

    field: str
    value: Any
    source: str  # "rules" | "sidebar"
    rule: str  # the rule's short name, or "sidebar"
    quote: str
    by: str = "parser"  # "parser" or "model <version>"
    confidence: float | None = None  # the model's probability (its own items, or a parser item it confirmed)
    confirmed_by: str = ""  # the model, when it states the same thing as the parser

    def as_dict(self) -> dict[str, Any]:
        item = {
            "field": self.field,
            "value": self.value,
            "source": self.source,
            "rule": self.rule,
            "quote": self.quote,
            "by": self.by,
            "confidence": self.confidence,
        }
        if self.confirmed_by:
            item["confirmed_by"] = self.confirmed_by
        return item


@dataclass
class Extraction:
    """Every requirement found, ``None`` where the text says nothing."""

    values: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(FIELDS))
    evidence: list[Evidence] = field(default_factory=list)
    model: str = ""  # the classifier's version when the AI pass ran

    @property
    def version(self) -> str:
        return f"{VERSION}+{self.model}" if self.model else VERSION

    @property
    def is_unknown(self) -> bool:
        return not self.evidence

    def known(self) -> dict[str, Any]:
        return {k: v for k, v in self.values.items() if v not in (None, [], "")}


def _to_number(raw: str) -> int | None:
    raw = raw.strip().lower().replace(",", "")
    if raw in _WORD_NUMBERS:
        return _WORD_NUMBERS[raw]
    multiplier = 1
    if raw.endswith("k"):
        raw, multiplier = raw[:-1].strip(), 1000
    try:
        return int(float(raw) * multiplier)
    except ValueError:
        return None


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text or "") if s.strip()]


def _negated_before(sentence: str, start: int, window: int = 40) -> bool:
    before = sentence[max(0, start - window) : start]
    return bool(_NEGATION.search(before))


def _stance(sentence: str, match: re.Match) -> bool | None:
    """Allowed (True), forbidden (False) or no stance (None) for a keyword match in a sentence."""
    after = sentence[match.end() : match.end() + 60]
    before = sentence[max(0, match.start() - 40) : match.start()]
    if _NEGATION.search(before) or _AFTER_NEGATION.search(after):
        return False
    if re.search(r"\b(must|need to|have to|should)\s+(?:be\s+)?verif", sentence, re.I) and match.re is _SELLING:
        # "Sellers must be verified": selling is allowed, under a condition.
        return True
    if _ALLOWING.search(after) or _ALLOWING.search(before):
        return True
    return None


def _union(current: list[str], new: list[str]) -> list[str]:
    """Types named in two places ("Images only. Only images and gifs") add up."""
    return sorted(set(current) | set(new))


class Classifier(Protocol):
    """What the AI pass needs (``requirement_head.RequirementClassifier``)."""

    version: str

    @property
    def name(self) -> str: ...

    def predict(self, sentences: Sequence[str]) -> list[dict[str, float]]: ...


# The model's kinds → (field, value). ``None``: the model only confirms (numbers are the parser's).
_KIND_ITEMS: dict[str, tuple[str, Any]] = {
    "no_selling": ("selling_allowed", False),
    "selling_allowed": ("selling_allowed", True),
    "no_onlyfans": ("onlyfans_allowed", False),
    "onlyfans_allowed": ("onlyfans_allowed", True),
    "no_promotion": ("promotion_allowed", False),
    "promotion_allowed": ("promotion_allowed", True),
    "verification_required": ("verification_required", True),
    "flair_required": ("flair_required", True),
    "images_only": ("allowed_post_types", ["image"]),
    "text_only": ("submission_type", "self"),
    "title_rule": ("title_rules", "quote"),
    "karma_minimum": ("min_total_karma", None),
    "account_age_minimum": ("min_account_age_days", None),
}
_KARMA_FIELDS = ("min_post_karma", "min_comment_karma", "min_total_karma")


def _agrees(name: str, current: Any, value: Any) -> bool:
    if value is None or name == "title_rules":
        return True
    if name == "allowed_post_types":
        return set(value) <= set(current)
    return current == value


class _Reader:
    def __init__(self) -> None:
        self.result = Extraction()
        self.units: list[tuple[str, str, str]] = []  # (sentence, source, rule) in reading order

    def put(self, name: str, value: Any, source: str, rule: str, quote: str, *, prefer=None) -> None:
        current = self.result.values[name]
        if current is None or current in ([], ""):
            self.result.values[name] = value
        elif prefer is not None:
            self.result.values[name] = prefer(current, value)
        else:
            return
        self.result.evidence.append(Evidence(name, value, source, rule, quote[:300]))

    def apply_model(self, classifier: Classifier) -> None:
        """Add what the model states where the patterns found nothing; confirm where they agree."""
        try:
            predictions = classifier.predict([sentence for sentence, _, _ in self.units])
        except Exception:  # a model that fails mid-run degrades to the parser, never fails the task
            logger.exception("requirement classifier failed; the parser answers alone")
            return
        self.result.model = classifier.version
        parsed = {name for name, value in self.result.values.items() if value not in (None, [], "")}
        for (sentence, source, rule), kinds in zip(self.units, predictions, strict=True):
            best: dict[str, tuple[float, str]] = {}  # per field, the likeliest kind ("no" vs "allowed")
            for kind, probability in kinds.items():
                if kind in _KIND_ITEMS and probability > best.get(_KIND_ITEMS[kind][0], (-1.0, ""))[0]:
                    best[_KIND_ITEMS[kind][0]] = (probability, kind)
            for name, (probability, kind) in best.items():
                value = _KIND_ITEMS[kind][1]
                names = _KARMA_FIELDS if kind == "karma_minimum" else (name,)
                if any(n in parsed for n in names):
                    ours = [e for e in self.result.evidence if e.field in names and e.by == "parser"]
                    # The parser's item from this sentence, else from this rule (its name, another sentence).
                    same = [e for e in ours if e.quote == sentence[:300]] or [
                        e for e in ours if (e.source, e.rule) == (source, rule)
                    ]
                    if same:  # the parser read this sentence or rule too: confirm what agrees
                        for item in same:
                            if _agrees(item.field, item.value, value) and (item.confidence or 0) < probability:
                                item.confirmed_by, item.confidence = classifier.name, probability
                        continue
                    if value is None or value == "quote" or not _agrees(name, self.result.values[name], value):
                        continue  # the parser's answer stands
                    # Another rule says the same as the parser's: more evidence, the value unchanged.
                    item = Evidence(name, value, source, rule, sentence[:300], classifier.name, probability)
                    self.result.evidence.append(item)
                    continue
                if value is None:
                    continue  # a minimum is stated, but only the parser reads numbers
                if value == "quote":
                    value = [*(self.result.values[name] or []), sentence[:300]]
                    self.result.values[name] = value
                    item = Evidence(name, sentence[:300], source, rule, sentence[:300])
                else:
                    current = self.result.values[name]
                    if current in (None, [], ""):
                        self.result.values[name] = value
                    elif isinstance(value, bool):
                        self.result.values[name] = current and value  # a "no" anywhere wins, as for the parser
                    elif isinstance(value, list):
                        self.result.values[name] = _union(current, value)
                    item = Evidence(name, value, source, rule, sentence[:300])
                item.by, item.confidence = classifier.name, probability
                self.result.evidence.append(item)

    def read(self, text: str, source: str, rule: str) -> None:
        for sentence in _sentences(text):
            self.units.append((sentence, source, rule))
            self._karma(sentence, source, rule)
            self._age(sentence, source, rule)
            self._verification(sentence, source, rule)
            self._flair(sentence, source, rule)
            self._types(sentence, source, rule)
            self._stances(sentence, source, rule)
        self._title(text, source, rule)

    def _karma(self, sentence: str, source: str, rule: str) -> None:
        if "karma" not in sentence.lower() or not _REQUIRING.search(sentence):
            return
        for match in _KARMA.finditer(sentence):
            number = _to_number(match.group("num1") or match.group("num2") or match.group("num3") or "")
            if number is None or number <= 0 or number > 1_000_000:
                continue
            kind = (match.group("kind1") or match.group("kind2") or "").lower()
            name = {"post": "min_post_karma", "link": "min_post_karma", "comment": "min_comment_karma"}.get(
                kind, "min_total_karma"
            )
            self.put(name, number, source, rule, sentence, prefer=max)

    def _age(self, sentence: str, source: str, rule: str) -> None:
        if not _ACCOUNT.search(sentence) or not _REQUIRING.search(sentence):
            return
        for match in _AGE.finditer(sentence):
            number = _to_number(match.group("num"))
            if number is None or number <= 0:
                continue
            days = number * _DAYS_PER[match.group("unit").lower()]
            # "posts older than 6 months cannot be reposted" is not about accounts: the unit must sit
            # near "account" (within the same clause).
            near = sentence[max(0, match.start() - 80) : match.end() + 40]
            if not _ACCOUNT.search(near):
                continue
            self.put("min_account_age_days", max(1, round(days)), source, rule, sentence, prefer=max)

    def _verification(self, sentence: str, source: str, rule: str) -> None:
        if not _VERIFY.search(sentence):
            return
        if _VERIFY_NOT_NEEDED.search(sentence):
            self.put("verification_required", False, source, rule, sentence)
        elif _VERIFY_NEEDED.search(sentence) or re.search(
            r"\bverified\s+(?:only|users|members|sellers)\b", sentence, re.I
        ):
            # "Sellers must be verified" still means: to post as a seller you verify.
            self.put("verification_required", True, source, rule, sentence, prefer=lambda a, b: a or b)

    def _flair(self, sentence: str, source: str, rule: str) -> None:
        if not _FLAIR.search(sentence) or _USER_FLAIR.search(sentence):
            return
        if _FLAIR_NEEDED.search(sentence):
            self.put("flair_required", True, source, rule, sentence)

    def _types(self, sentence: str, source: str, rule: str) -> None:
        match = _ONLY_TYPES.search(sentence)
        if match and not _negated_before(sentence, match.start(), 12):
            words = match.group(1) or match.group(2) or match.group(3) or ""
            kinds = [kind for kind, pattern in _POST_TYPES.items() if re.search(rf"\b(?:{pattern})\b", words, re.I)]
            if kinds:
                self.put("allowed_post_types", sorted(set(kinds)), source, rule, sentence, prefer=_union)
        if _SELF_ONLY.search(sentence):
            self.put("submission_type", "self", source, rule, sentence)
        elif _LINK_ONLY.search(sentence):
            self.put("submission_type", "link", source, rule, sentence)

    def _stances(self, sentence: str, source: str, rule: str) -> None:
        for name, pattern in (
            ("onlyfans_allowed", _ONLYFANS),
            ("selling_allowed", _SELLING),
            ("promotion_allowed", _PROMOTION),
        ):
            match = pattern.search(sentence)
            if not match:
                continue
            if name == "promotion_allowed" and _PROMO_RATIO.search(sentence):
                stance: bool | None = True  # the 9:1 rule allows some self-promotion
            else:
                stance = _stance(sentence, match)
            if stance is not None:
                # A "no" anywhere wins: moderators who forbid it in one rule forbid it.
                self.put(name, stance, source, rule, sentence, prefer=lambda a, b: a and b)

    def _title(self, text: str, source: str, rule: str) -> None:
        if (source == "rules" and _TITLE.search(rule)) or _TITLE_RULE.search(text):
            sentences = [s for s in _sentences(text) if _TITLE.search(s)]
            quote = max(sentences, key=len, default=rule)
            if quote and quote not in (self.result.values["title_rules"] or []):
                titles = list(self.result.values["title_rules"] or [])
                titles.append(quote[:300])
                self.result.values["title_rules"] = titles
                self.result.evidence.append(Evidence("title_rules", quote[:300], source, rule, quote[:300]))


def extract(rules: list[dict[str, Any]], sidebar: str = "", classifier: Classifier | None = None) -> Extraction:
    """Requirements from rules ``[{short_name, description}]`` first, then the sidebar text; with a
    ``classifier``, the AI pass over the same sentences after the patterns."""
    reader = _Reader()
    for rule in rules or []:
        if not isinstance(rule, dict):
            continue
        name = str(rule.get("short_name") or "").strip()
        text = f"{name}. {rule.get('description') or ''}".strip()
        reader.read(text, "rules", name or "rule")
    if sidebar:
        for paragraph in re.split(r"\n\s*\n", sidebar):
            reader.read(paragraph, "sidebar", "sidebar")
    if classifier is not None and reader.units:
        reader.apply_model(classifier)
    return reader.result


# --- Evaluation ------------------------------------------------------------------------------


def _comparable(name: str, value: Any) -> Any:
    if name == "title_rules":
        return bool(value)  # labelled as "a title rule is stated"
    if name == "allowed_post_types":
        return tuple(sorted(value))
    return value


def score(cases: list[dict[str, Any]], classifier: Classifier | None = None) -> dict[str, Any]:
    """Item-level precision and recall of ``extract`` on labelled cases ``[{rules, sidebar?, labels}]``.

    An item is one (field, value) pair. Predicted and labelled with the same value: true positive.
    Predicted with another value: a false positive and a false negative. Predicted where the label
    says nothing: false positive. Labelled but not predicted: false negative.
    """
    per_field = {name: {"tp": 0, "fp": 0, "fn": 0} for name in FIELDS}
    misses = []
    version = VERSION
    for case in cases:
        extraction = extract(case.get("rules") or [], case.get("sidebar", ""), classifier)
        version = extraction.version
        got = extraction.known()
        want = case.get("labels") or {}
        for name in FIELDS:
            g = _comparable(name, got[name]) if name in got else None
            w = _comparable(name, want[name]) if name in want else None
            if name == "title_rules" and w is False:
                w = None
            counts = per_field[name]
            if g is not None and w is not None and g == w:
                counts["tp"] += 1
                continue
            if g is not None:
                counts["fp"] += 1
            if w is not None:
                counts["fn"] += 1
            if g is not None or w is not None:
                misses.append({"case": case.get("id", ""), "field": name, "extracted": g, "labelled": w})
    tp, fp, fn = (sum(c[k] for c in per_field.values()) for k in ("tp", "fp", "fn"))
    return {
        "cases": len(cases),
        "items_labelled": tp + fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "per_field": per_field,
        "misses": misses,
        "extractor_version": version,
    }
