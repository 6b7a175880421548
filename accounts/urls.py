from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/team/", views.teams, name="teams"),
    path("accounts/team/new/", views.create_team, name="create_team"),
    path("accounts/team/members/", views.members, name="members"),
    path("accounts/invitations/<str:key>/", views.invitation, name="invitation"),
]
