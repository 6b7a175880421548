from django.urls import path
from rest_framework.routers import SimpleRouter

from posts.api import views

router = SimpleRouter()
router.register("posts/viral", views.ViralPostViewSet, basename="api-viral-post")

urlpatterns = [
    path("posts/brand-mentions/", views.BrandMentionsView.as_view({"get": "summary"}), name="api-brand-mentions"),
    *router.urls,
]
