from django.urls import path
from rest_framework.routers import SimpleRouter

from profiles.api import contacts, lists, views

router = SimpleRouter()
router.register("communities", views.CommunityViewSet, basename="api-community")
router.register("favorites", views.FavoriteViewSet, basename="api-favorite")
router.register("search-history", views.SearchHistoryViewSet, basename="api-search-history")
router.register("profile-access", views.ProfileAccessViewSet, basename="api-profile-access")
router.register("tags", views.TagViewSet, basename="api-tag")
router.register("lists", lists.ListViewSet, basename="api-list")

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
    path(
        f"{profile_report}contacts/",
        contacts.ContactViewSet.as_view({"get": "list", "post": "create"}),
        name="api-profile-contacts",
    ),
    path(
        f"{profile_report}contacts/<int:pk>/",
        contacts.ContactViewSet.as_view({"patch": "partial_update", "delete": "destroy"}),
        name="api-profile-contact",
    ),
    path(
        "lists/<int:list_pk>/entries/",
        lists.ListEntryViewSet.as_view({"get": "list", "post": "create"}),
        name="api-list-entries",
    ),
    path(
        "lists/<int:list_pk>/entries/<int:pk>/",
        lists.ListEntryViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
        name="api-list-entry",
    ),
    *router.urls,
]
