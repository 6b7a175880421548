from django.urls import path
from rest_framework.routers import SimpleRouter

from posts.api import views

router = SimpleRouter()
router.register("communities", views.CommunityViewSet, basename="api-community")
router.register("posts/viral", views.ViralPostViewSet, basename="api-viral-post")

report = "profiles/<str:platform>/<str:handle>/"

urlpatterns = [
    path(f"{report}posts/", views.ProfileReportViewSet.as_view({"get": "posts"}), name="api-profile-posts"),
    path(f"{report}analytics/", views.ProfileReportViewSet.as_view({"get": "analytics"}), name="api-profile-analytics"),
    path(
        f"{report}ai-insights/",
        views.ProfileReportViewSet.as_view({"get": "ai_insights"}),
        name="api-profile-ai-insights",
    ),
    *router.urls,
]
