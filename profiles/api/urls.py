from django.urls import path
from rest_framework.routers import SimpleRouter

from profiles.api import views

router = SimpleRouter()
router.register("communities", views.CommunityViewSet, basename="api-community")
router.register("favorites", views.FavoriteViewSet, basename="api-favorite")
router.register("search-history", views.SearchHistoryViewSet, basename="api-search-history")
router.register("profile-access", views.ProfileAccessViewSet, basename="api-profile-access")
router.register("tags", views.TagViewSet, basename="api-tag")

profile_report = "profiles/<str:platform>/<str:handle>/"

urlpatterns = [
    path("profiles/", views.ProfileViewSet.as_view({"get": "list"}), name="api-profile-list"),
    path(
        profile_report,
        views.ProfileViewSet.as_view({"get": "retrieve", "post": "open_access"}),
        name="api-profile-detail",
    ),
    path(f"{profile_report}similar/", views.ProfileViewSet.as_view({"get": "similar"}), name="api-profile-similar"),
    path(f"{profile_report}posts/", views.ProfileReportViewSet.as_view({"get": "posts"}), name="api-profile-posts"),
    path(
        f"{profile_report}analytics/",
        views.ProfileReportViewSet.as_view({"get": "analytics"}),
        name="api-profile-analytics",
    ),
    path(
        f"{profile_report}ai-insights/",
        views.ProfileReportViewSet.as_view({"get": "ai_insights"}),
        name="api-profile-ai-insights",
    ),
    *router.urls,
]
