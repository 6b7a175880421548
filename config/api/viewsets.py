"""Viewset bases that scope every query to what the requesting user may see.

``ScopedViewSetMixin`` passes every queryset through its ``restrict(user, team, action)`` method
(``config.querysets``), so an endpoint cannot forget access scoping: another team's rows answer
404, not 403. On team-owned rows it also applies the write rules: creating needs a writer's role
in the current team (which the new row gets, with the user as its author), and changing or
deleting needs the author or an owner/manager of the row's team (teammates get 403).

The current team comes from ``accounts.teams.current_team``: ``accounts`` (users and teams) sits
below every app, like ``django.contrib.auth``, so these bases may ask it.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework import mixins, permissions, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import SAFE_METHODS

from accounts.operators import REFUSED, is_operator
from accounts.teams import HEADER, check_can, current_team, team_for_writing
from config.querysets import CHANGE, DELETE, TeamOwnedQuerySet

_ROW_ACTIONS = {"update": CHANGE, "partial_update": CHANGE, "destroy": DELETE}


class TeamRowPermission(permissions.BasePermission):
    """Refuse an ``X-Team`` of a team the user is not a member of (403) on every request, then
    check the write rules on team-owned rows."""

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return True  # IsAuthenticated answers
        if request.headers.get(HEADER):
            current_team(request)  # answers 403 now for a team the user is not a member of
        if view.action == "create" and view.is_team_owned():
            team_for_writing(request)
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        action = _ROW_ACTIONS.get(view.action)
        if action and view.is_team_owned():
            check_can(request.user, obj, action)
        return True


class ScopedViewSetMixin:
    """Apply the model queryset's ``restrict(user, team, action)`` to every query the viewset runs.

    A list shows the current team's rows; a detail lookup finds a row in any of the user's teams,
    except with a token bound to a team, which reaches that team's rows only.
    """

    def get_permissions(self):
        return [*super().get_permissions(), TeamRowPermission()]

    def get_queryset(self):
        queryset = super().get_queryset()
        restrict = getattr(queryset, "restrict", None)
        if restrict is None:
            raise ImproperlyConfigured(f"{queryset.model.__name__}'s queryset has no restrict(user) method")
        token_bound = getattr(self.request.auth, "team", None) is not None
        one_team = isinstance(queryset, TeamOwnedQuerySet) and (self.action == "list" or token_bound)
        team = current_team(self.request) if one_team else None
        return restrict(self.request.user, team=team)

    def is_team_owned(self) -> bool:
        return isinstance(self.queryset, TeamOwnedQuerySet)

    def perform_create(self, serializer):
        if not self.is_team_owned():
            return super().perform_create(serializer)
        author = getattr(serializer.Meta.model, "author_field", "user")
        serializer.save(team=team_for_writing(self.request), **{author: self.request.user})


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Create, read, update and delete the team's rows."""


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
    """Rows a team keeps and removes but does not edit (saved searches)."""


class ParentScopedMixin:
    """Rows under one team-owned parent row (a campaign's creators and posts, a list's entries).

    The parent is found through its ``restrict`` (another team's parent answers 404, a token bound
    to a team reaches that team's parents only); adding, changing or removing its rows changes the
    parent, so it needs the parent's author or an owner/manager of its team (teammates get 403).
    The parent is handed to the serializer's context and to ``save()`` under ``parent_name``.
    """

    parent_model: type | None = None
    parent_kwarg = ""  # the URL keyword holding the parent's pk
    parent_name = ""  # the child's field pointing at the parent

    def get_parent(self):
        if not hasattr(self, "_parent"):
            team = current_team(self.request) if getattr(self.request.auth, "team", None) else None
            queryset = self.parent_model.objects.restrict(self.request.user, team=team)
            self._parent = get_object_or_404(queryset, pk=self.kwargs[self.parent_kwarg])
            if self.request.method not in SAFE_METHODS:
                check_can(self.request.user, self._parent, CHANGE)
        return self._parent

    def get_queryset(self):
        return super().get_queryset().filter(**{self.parent_name: self.get_parent()})

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.parent_kwarg in self.kwargs:
            context[self.parent_name] = self.get_parent()
        return context

    def perform_create(self, serializer):
        serializer.save(**{self.parent_name: self.get_parent()})


class IsOperator(permissions.BasePermission):
    """Operations endpoints (scrapers, runs, logs, stats): the Staff role, not staff status
    (``accounts.operators.is_operator``, the check every door of operations asks)."""

    message = REFUSED

    def has_permission(self, request, view) -> bool:
        return is_operator(request.user)
