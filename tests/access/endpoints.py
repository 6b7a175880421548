"""Every URL the project serves, read from the URLconf, with the HTTP methods each one answers.

``endpoints()`` walks ``get_resolver()`` recursively, so a new ``path()``, router registration or
ModelAdmin appears here without anyone listing it. Each endpoint is named by its URL name (with the
namespace, ``admin:auth_user_change``), or by its full route when it has no name (the admin's
``<object_id>/`` redirects and catch-all).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Admin views all accept any method; POST is checked everywhere but on the pages that only read.
ADMIN_READ_SUFFIXES = ("_history", "/<path:object_id>/")
ADMIN_READ_NAMES = frozenset(
    {
        "admin:index",
        "admin:search",
        "admin:app_list",
        "admin:jsi18n",
        "admin:autocomplete",
        "admin:view_on_site",
        "admin:password_change_done",
        "admin/(?P<url>.*)$",
    }
)


@dataclass(frozen=True)
class Endpoint:
    key: str  # URL name with namespace, or the route when the pattern has no name
    route: str
    methods: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.key} (/{self.route.replace('^', '').replace('$', '')})"


def _declared_methods(callback) -> tuple[str, ...] | None:
    """Methods named by ``require_http_methods`` (``require_GET``, ``require_POST``...) on a function view."""
    func = callback
    while func is not None:
        closure = inspect.getclosurevars(func).nonlocals if inspect.isfunction(func) else {}
        if "request_method_list" in closure:
            return tuple(closure["request_method_list"])
        func = getattr(func, "__wrapped__", None)
    return None


def _methods(callback, key: str) -> tuple[str, ...]:
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset route: exactly the methods mapped to actions
        return tuple(m.upper() for m in actions if m not in ("head", "options"))
    view_class = getattr(callback, "cls", None)  # a DRF APIView
    if view_class is not None:
        return tuple(m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m))
    if key.startswith(("admin:", "admin/")):
        return ("GET",) if key.endswith(ADMIN_READ_SUFFIXES) or key in ADMIN_READ_NAMES else ("GET", "POST")
    view_class = getattr(callback, "view_class", None)  # a Django class-based view
    if view_class is not None:
        return tuple(m.upper() for m in ("get", "post") if m in view_class.http_method_names and hasattr(view_class, m))
    declared = _declared_methods(callback)
    if declared is None:
        return ("GET", "POST")
    return tuple(m for m in ("GET", "POST") if m in declared)


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            key = name or route
            yield Endpoint(key=key, route=route, methods=_methods(pattern.callback, key))


def endpoints() -> list[Endpoint]:
    """Every URL pattern of the project, each once (the first pattern wins, as in resolving)."""
    found: dict[str, Endpoint] = {}
    for endpoint in _walk(get_resolver()):
        found.setdefault(endpoint.key, endpoint)
    return list(found.values())
