from rest_framework.routers import SimpleRouter

from posts.api import views

router = SimpleRouter()
router.register("posts/viral", views.ViralPostViewSet, basename="api-viral-post")

urlpatterns = router.urls
