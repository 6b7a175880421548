"""Pages of the watches app (the API is under /api/v1/watches/ and /api/v1/inbox/)."""

from django.urls import path

from watches import views

app_name = "watches"

urlpatterns = [
    path("watches/", views.watch_list, name="list"),
    path("watches/add/", views.add_watch, name="add"),
    path("watches/<int:pk>/delete/", views.delete_watch, name="delete"),
    path("watches/inbox/", views.inbox, name="inbox"),
]
