from django.urls import path
from rest_framework.routers import SimpleRouter

from campaigns.api import views

router = SimpleRouter()
router.register("campaigns", views.CampaignViewSet, basename="api-campaign")

children = {"get": "list", "post": "create"}
creator = {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
tracked_post = {"get": "retrieve", "delete": "destroy"}

urlpatterns = [
    *router.urls,
    path(
        "campaigns/<int:campaign_pk>/creators/",
        views.CampaignCreatorViewSet.as_view(children),
        name="api-campaign-creators",
    ),
    path(
        "campaigns/<int:campaign_pk>/creators/<int:pk>/",
        views.CampaignCreatorViewSet.as_view(creator),
        name="api-campaign-creator",
    ),
    path("campaigns/<int:campaign_pk>/posts/", views.CampaignPostViewSet.as_view(children), name="api-campaign-posts"),
    path(
        "campaigns/<int:campaign_pk>/posts/<int:pk>/",
        views.CampaignPostViewSet.as_view(tracked_post),
        name="api-campaign-post",
    ),
]
