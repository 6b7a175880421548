"""Viewset bases that scope every query to what the requesting user may see.

``ScopedViewSetMixin`` passes every queryset through its ``restrict(user)`` method
(``config.querysets``), so an endpoint cannot forget access scoping and another user's rows
answer 404, not 403.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework import mixins, permissions, viewsets


class ScopedViewSetMixin:
    """Apply the model queryset's ``restrict(user)`` to every query the viewset runs."""

    def get_queryset(self):
        queryset = super().get_queryset()
        restrict = getattr(queryset, "restrict", None)
        if restrict is None:
            raise ImproperlyConfigured(f"{queryset.model.__name__}'s queryset has no restrict(user) method")
        return restrict(self.request.user)


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Create, read, update and delete the requesting user's own rows."""


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and read rows the requesting user may see."""


class ScopedListDestroyViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Rows a user keeps and removes but does not edit (saved searches)."""


class IsStaff(permissions.IsAdminUser):
    """Operations endpoints: scrapers, runs, logs, dashboard."""

    message = "Only staff may use operations endpoints."
