"""/api/v1/auth/… (token exchange, the user's API tokens) and /api/v1/teams/… (teams, invitations)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import views

router = SimpleRouter()
router.register("auth/tokens", views.ApiTokenViewSet, basename="api-token")
router.register("teams", views.TeamViewSet, basename="api-team")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-auth-token"),
    path("auth/me/", views.MeView.as_view(), name="api-auth-me"),
    *router.urls,
    path(
        "teams/<slug:team_slug>/invitations/",
        views.InvitationViewSet.as_view({"get": "list", "post": "create"}),
        name="api-team-invitations",
    ),
]
