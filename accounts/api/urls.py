from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import views

router = SimpleRouter()
router.register("teams", views.TeamViewSet, basename="api-team")

urlpatterns = [
    *router.urls,
    path(
        "teams/<slug:team_slug>/invitations/",
        views.InvitationViewSet.as_view({"get": "list", "post": "create"}),
        name="api-team-invitations",
    ),
]
