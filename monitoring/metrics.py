"""Creatorscope's own metrics, shared by every process on every machine. Import and increment.

The API is prometheus_client's, so it reads the way people expect::

    from monitoring import metrics

    metrics.API_CALLS.labels(upstream="reddit", status="200").inc()        # every HTTP attempt
    metrics.API_CALLS.labels(upstream="instagram", status="timeout").inc()  # no status: error kind
    metrics.API_COST.labels(upstream="instagram").inc(0.002)                # USD, when a call costs money
    metrics.ITEMS_SCRAPED.labels(upstream="reddit", kind="post").inc(25)    # after ingest
    metrics.AI_POSTS.labels(outcome="ok").inc(64)                           # posts analysed (ok|failed)
    metrics.AI_INFERENCES.labels(analyzer="sentiment", outcome="ok").inc(64)
    metrics.AI_LATENCY.labels(analyzer="sentiment").observe(1.8)           # seconds for one batch
    metrics.MEDIA_BYTES_SAVED.inc(bytes_original - bytes_stored)          # after compression
    breaker = pybreaker.CircuitBreaker(..., listeners=[metrics.BreakerListener("reddit")])

Unlike prometheus_client's in-process metrics, these add up across the web processes and the
Celery workers (see ``monitoring/store.py``): an increment costs a dict update, and a thread writes
them to Redis once a second. ``/metrics`` exports them (``creatorscope_*``) next to
django-prometheus' per-process request metrics, and the live monitor reads the same numbers.

Keep label values few and fixed (upstream names, status codes, analyzer names): every distinct
combination is a time series.
"""

from __future__ import annotations

import bisect
import json
import time
from collections.abc import Iterable, Sequence

from monitoring import store

_REGISTRY: dict[str, _Metric] = {}


def _field(values: Sequence[str]) -> str:
    return json.dumps(list(values), separators=(",", ":"))


def parse_field(field: str) -> list[str]:
    """Label values back from a stored field name (histograms add ``|b<i>``, ``|sum``, ``|count``)."""
    return json.loads(field.split("|", 1)[0])


class _Metric:
    kind = ""

    def __init__(
        self,
        name: str,
        documentation: str,
        labelnames: Iterable[str] = (),
        *,
        window: bool = False,
        daily: bool = False,
    ) -> None:
        if name in _REGISTRY:
            raise ValueError(f"metric {name} defined twice")
        self.name = name
        self.documentation = documentation
        self.labelnames = tuple(labelnames)
        self.window = window
        self.daily = daily
        self._key_cache: tuple[int, list[str]] = (-1, [])
        self._children: dict[tuple[str, ...], object] = {}
        _REGISTRY[name] = self

    def _label_values(self, labels: dict[str, object]) -> tuple[str, ...]:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} takes labels {self.labelnames}, got {tuple(labels)}")
        return tuple(str(labels[name]) for name in self.labelnames)

    def _keys(self) -> list[str]:
        # Hot path (every request records two metrics): rebuild the key names once a second only.
        second = int(time.time())
        cached = self._key_cache
        if cached[0] != second:
            keys = [store.total_key(self.name)]
            if self.window:
                keys.append(store.window_key(self.name, store.bucket_of(second)))
            if self.daily:
                keys.append(store.day_key(self.name, store.day_of(second)))
            cached = self._key_cache = (second, keys)
        return cached[1]

    def _child(self, factory, labels: dict[str, object]):
        values = self._label_values(labels) if labels or self.labelnames else ()
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = factory(self, values)
        return child

    def _unlabelled(self) -> tuple[str, ...]:
        if self.labelnames:
            raise ValueError(f"{self.name} needs .labels({', '.join(self.labelnames)})")
        return ()

    # Readers used by the monitor and the /metrics collector.
    def totals(self) -> dict[tuple[str, ...], float]:
        return _by_labels(store.read(store.total_key(self.name)))

    def recent(self, seconds: float) -> dict[tuple[str, ...], float]:
        """Per label set, what was added in the last ``seconds`` (``window=True`` metrics only)."""
        return _by_labels(store.read_window(self.name, seconds))

    def today(self) -> dict[tuple[str, ...], float]:
        """Per label set, what was added since 00:00 UTC (``daily=True`` metrics only)."""
        return _by_labels(store.read_day(self.name))


def _by_labels(fields: dict[str, float]) -> dict[tuple[str, ...], float]:
    return {tuple(parse_field(field)): value for field, value in fields.items() if "|" not in field}


class _CounterChild:
    def __init__(self, metric: Counter, values: tuple[str, ...]) -> None:
        self._metric = metric
        self._field = _field(values)

    def inc(self, amount: float = 1) -> None:
        if amount < 0:
            raise ValueError("counters only go up")
        if amount:
            store.add(self._metric._keys(), self._field, amount)


class Counter(_Metric):
    """A number that only goes up (exported as ``creatorscope_<name>_total``)."""

    kind = "counter"

    def labels(self, **labels: object) -> _CounterChild:
        return self._child(_CounterChild, labels)

    def inc(self, amount: float = 1) -> None:
        self._unlabelled()
        self._child(_CounterChild, {}).inc(amount)


class _GaugeChild:
    def __init__(self, metric: Gauge, values: tuple[str, ...]) -> None:
        self._metric = metric
        self._field = _field(values)

    def set(self, value: float) -> None:
        store.set_gauge(self._metric.name, self._field, float(value))


class Gauge(_Metric):
    """A value that is set (last writer wins across processes)."""

    kind = "gauge"

    def labels(self, **labels: object) -> _GaugeChild:
        return self._child(_GaugeChild, labels)

    def set(self, value: float) -> None:
        self._unlabelled()
        self._child(_GaugeChild, {}).set(value)

    def values(self) -> dict[tuple[str, ...], float]:
        return _by_labels(store.read(store.gauge_key(self.name)))


# Seconds: from a cache lookup to a bart-large-mnli batch (2.6 pairs/s on CPU, BENCHMARKS.md).
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


class _HistogramChild:
    def __init__(self, metric: Histogram, values: tuple[str, ...]) -> None:
        self._metric = metric
        prefix = _field(values)
        self._bucket_fields = [f"{prefix}|b{i}" for i in range(len(metric.buckets) + 1)]
        self._sum, self._count = f"{prefix}|sum", f"{prefix}|count"

    def observe(self, value: float) -> None:
        index = bisect.bisect_left(self._metric.buckets, value)
        store.add_many(self._metric._keys(), {self._bucket_fields[index]: 1, self._sum: value, self._count: 1})


class Histogram(_Metric):
    """Observations counted in buckets (seconds unless the name says otherwise)."""

    kind = "histogram"

    def __init__(self, *args, buckets: Sequence[float] = DEFAULT_BUCKETS, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.buckets = tuple(sorted(buckets))

    def labels(self, **labels: object) -> _HistogramChild:
        return self._child(_HistogramChild, labels)

    def observe(self, value: float) -> None:
        self._unlabelled()
        self._child(_HistogramChild, {}).observe(value)

    def summarise(self, fields: dict[str, float]) -> dict[tuple[str, ...], HistogramData]:
        """Group stored fields into one ``HistogramData`` per label set."""
        out: dict[tuple[str, ...], HistogramData] = {}
        for field, value in fields.items():
            if "|" not in field:
                continue
            prefix, part = field.split("|", 1)
            data = out.setdefault(tuple(json.loads(prefix)), HistogramData(self.buckets))
            if part == "sum":
                data.sum += value
            elif part == "count":
                data.count += value
            else:
                data.counts[int(part[1:])] += value
        return out

    def recent_summary(self, seconds: float) -> dict[tuple[str, ...], HistogramData]:
        return self.summarise(store.read_window(self.name, seconds))

    def total_summary(self) -> dict[tuple[str, ...], HistogramData]:
        return self.summarise(store.read(store.total_key(self.name)))


class HistogramData:
    """Bucket counts of one label set, with the mean and a bucket-interpolated quantile."""

    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        self.counts = [0.0] * (len(buckets) + 1)  # the last one is +Inf
        self.sum = 0.0
        self.count = 0.0

    @property
    def mean(self) -> float | None:
        return self.sum / self.count if self.count else None

    def quantile(self, q: float) -> float | None:
        """Linear interpolation inside the bucket holding the q-th observation (as PromQL does)."""
        total = sum(self.counts)
        if not total:
            return None
        rank = q * total
        seen = 0.0
        for index, count in enumerate(self.counts):
            if seen + count >= rank and count:
                lower = self.buckets[index - 1] if index else 0.0
                if index == len(self.buckets):
                    return self.buckets[-1]  # beyond the last bound: report the bound, as PromQL does
                upper = self.buckets[index]
                return lower + (upper - lower) * (rank - seen) / count
            seen += count
        return self.buckets[-1]

    def cumulative(self) -> list[tuple[str, float]]:
        running = 0.0
        out = []
        for upper, count in zip([*map(str, self.buckets), "+Inf"], self.counts, strict=True):
            running += count
            out.append((upper, running))
        return out


def registry() -> dict[str, _Metric]:
    return dict(_REGISTRY)


# --- Collection (scraping/) ---
API_CALLS = Counter(
    "api_calls",
    "Upstream HTTP attempts by upstream and outcome: the status code, or timeout/connection/breaker_open.",
    ["upstream", "status"],
    window=True,
    daily=True,
)
ITEMS_SCRAPED = Counter(
    "items_scraped",
    "Items ingested from upstreams (kind: profile, post, community, comment...).",
    ["upstream", "kind"],
    window=True,
    daily=True,
)
API_COST = Counter(
    "api_cost_usd",
    "Estimated upstream cost in USD (provider pricing per call), by upstream; add it where the call is counted.",
    ["upstream"],
    daily=True,
)
BREAKER_STATE = Gauge("breaker_state", "Circuit breaker per upstream: 0 closed, 1 half-open, 2 open.", ["name"])

# --- AI (intelligence/) ---
AI_POSTS = Counter(
    "ai_posts_analysed",
    "Posts that went through analysis, by outcome (ok, failed).",
    ["outcome"],
    window=True,
    daily=True,
)
AI_INFERENCES = Counter(
    "ai_inferences",
    "Texts run through one analyzer, by analyzer (sentiment, language, category, tags) and outcome (ok, failed, fallback).",
    ["analyzer", "outcome"],
    window=True,
)
AI_LATENCY = Histogram("ai_batch_seconds", "Wall time of one analyzer batch.", ["analyzer"], window=True)

# --- Media (media/) ---
MEDIA_BYTES_SAVED = Counter(
    "media_bytes_saved", "Bytes saved by compression (downloaded minus stored) of new assets.", daily=True
)

# --- Recorded by monitoring itself (middleware, cache backend, Celery signals) ---
HTTP_REQUESTS = Counter("http_requests", "HTTP requests by status class (2xx..5xx).", ["status"], window=True)
HTTP_LATENCY = Histogram("http_request_seconds", "Time from request to response in Django.", window=True)
CACHE_LOOKUPS = Counter("cache_lookups", "Django cache reads by result (hit, miss).", ["result"], window=True)
TASKS = Counter("celery_tasks", "Celery tasks finished, by task name and state.", ["task", "state"], window=True)
TASK_LATENCY = Histogram("celery_task_seconds", "Celery task run time.", ["task"], window=True)

BREAKER_STATES = {"closed": 0, "half-open": 1, "half_open": 1, "open": 2}


def set_breaker_state(name: str, state: str) -> None:
    """Record a breaker's state by name (``closed``, ``half-open``, ``open``) and tell the monitor."""
    from monitoring.events import publish

    BREAKER_STATE.labels(name=name).set(BREAKER_STATES[state])
    publish("breaker.changed", {"name": name, "state": state.replace("_", "-")})


class BreakerListener:
    """A pybreaker listener: ``CircuitBreaker(..., listeners=[BreakerListener("reddit")])``.

    Records every state change in ``BREAKER_STATE`` and pushes a ``breaker.changed`` event. It
    subclasses nothing so this module stays importable without pybreaker; pybreaker calls the
    methods by name.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def before_call(self, cb, func, *args, **kwargs) -> None:
        pass

    def success(self, cb) -> None:
        pass

    def failure(self, cb, exc) -> None:
        pass

    def state_change(self, cb, old_state, new_state) -> None:
        set_breaker_state(self.name, getattr(new_state, "name", str(new_state)))
