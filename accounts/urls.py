"""Account pages under /accounts/ (the API's token endpoints are in accounts/api/)."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("accounts/audit/", views.audit_trail, name="audit"),
    path("accounts/team/", views.teams, name="teams"),
    path("accounts/team/new/", views.create_team, name="create_team"),
    path("accounts/team/members/", views.members, name="members"),
    path("accounts/invitations/<str:key>/", views.invitation, name="invitation"),
]
