from django.urls import path
from rest_framework.routers import SimpleRouter

from profiles.api import views

router = SimpleRouter()
router.register("favorites", views.FavoriteViewSet, basename="api-favorite")
router.register("search-history", views.SearchHistoryViewSet, basename="api-search-history")
router.register("profile-access", views.ProfileAccessViewSet, basename="api-profile-access")
router.register("tags", views.TagViewSet, basename="api-tag")

profile_report = "profiles/<str:platform>/<str:handle>/"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-auth-token"),
    path("auth/me/", views.MeView.as_view(), name="api-auth-me"),
    path("profiles/", views.ProfileViewSet.as_view({"get": "list"}), name="api-profile-list"),
    path(profile_report, views.ProfileViewSet.as_view({"get": "retrieve"}), name="api-profile-detail"),
    path(f"{profile_report}similar/", views.ProfileViewSet.as_view({"get": "similar"}), name="api-profile-similar"),
    *router.urls,
]
