"""Forms of the account pages."""

from __future__ import annotations

from django import forms

from accounts.models import ApiToken, Team


class ApiTokenForm(forms.ModelForm):
    """Name a new token and, optionally, bind it to one of the user's teams."""

    class Meta:
        model = ApiToken
        fields = ["name", "team"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(memberships__user=user)
        self.fields["team"].empty_label = "No team (the current one)"
