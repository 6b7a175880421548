"""Typed readers for environment variables, and the registry of every variable read.

Every setting that comes from the environment goes through one of these helpers, so a malformed
value stops start-up with one line naming the variable (the way healthchecks' ``envbool`` and
paperless' ``get_int_from_env`` do). A secret may also come from ``NAME_FILE``: the helpers read
the file's content when ``NAME`` itself is not set (Docker/Kubernetes secrets).

Each helper also records the variable (name, type, default, one line of help) in ``REGISTRY``.
The documentation's configuration reference is generated from it (``docs/hooks/configuration.py``),
so the reference lists exactly what ``config/settings.py`` reads.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Variable:
    """One environment variable the settings read, as the configuration reference shows it."""

    name: str
    kind: str
    default: Any
    help: str
    # What the reference shows as the default when the real one depends on the machine or on
    # another variable ("SQLite file in var/", "100 with OAuth, else 10").
    doc_default: str | None = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None

    def shown_default(self) -> str:
        if self.doc_default is not None:
            return self.doc_default
        if self.kind == "bool":
            return "1" if self.default else "0"
        if self.kind == "list":
            return ",".join(self.default) or "empty"
        if self.kind == "json":
            return json.dumps(self.default)
        return str(self.default) if self.default != "" else "empty"


# Insertion order is reading order, which follows the sections of config/settings.py.
REGISTRY: dict[str, Variable] = {}


def _record(name: str, kind: str, default: Any, help: str, doc_default: str | None, **extra: Any) -> None:
    REGISTRY[name] = Variable(name, kind, default, help, doc_default, **extra)


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is not None:
        return value
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_path}: {exc.strerror}") from exc
    return None


def env_str(name: str, default: str = "", *, help: str, doc_default: str | None = None) -> str:
    _record(name, "str", default, help, doc_default)
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool, *, help: str, doc_default: str | None = None) -> bool:
    _record(name, "bool", default, help, doc_default)
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected a boolean (1/0, true/false, yes/no), got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, help: str, doc_default: str | None = None) -> int:
    _record(name, "int", default, help, doc_default, minimum=minimum)
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {number}")
    return number


def env_float(
    name: str, default: float, *, minimum: float | None = None, help: str, doc_default: str | None = None
) -> float:
    _record(name, "float", default, help, doc_default, minimum=minimum)
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {number}")
    return number


def env_list(name: str, default: list[str] | None = None, *, help: str, doc_default: str | None = None) -> list[str]:
    """Comma-separated list; blank items are dropped."""
    _record(name, "list", list(default or []), help, doc_default)
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_json(name: str, default: Any, *, help: str, doc_default: str | None = None) -> Any:
    _record(name, "json", default, help, doc_default)
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"{name}: invalid JSON ({exc.msg} at position {exc.pos})") from None


def env_choice(name: str, default: str, choices: tuple[str, ...], *, help: str, doc_default: str | None = None) -> str:
    _record(name, "choice", default, help, doc_default, choices=choices)
    raw = _raw(name)
    value = (default if raw is None else raw).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value
