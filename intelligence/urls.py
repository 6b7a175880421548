from django.urls import path

from intelligence import views

urlpatterns = [
    path("ai/scorecard/", views.scorecard, name="ai-scorecard"),
]
