"""Forms of the account pages: API tokens, creating a team, inviting a member, changing a member's role."""

from __future__ import annotations

from django import forms
from django.utils.text import slugify

from accounts.models import ApiToken, Membership, Team


class ApiTokenForm(forms.ModelForm):
    """Name a new token and, optionally, bind it to one of the user's teams."""

    class Meta:
        model = ApiToken
        fields = ["name", "team"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(memberships__user=user)
        self.fields["team"].empty_label = "No team (the current one)"


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name"]

    def save(self, commit: bool = True) -> Team:
        team = super().save(commit=False)
        base = slugify(team.name)[:50] or "team"
        slug, n = base, 1
        while Team.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        team.slug = slug
        if commit:
            team.save()
        return team


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.ANALYST)

    def __init__(self, *args, inviter: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.inviter = inviter

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        if role == Membership.Role.OWNER and self.inviter.role != Membership.Role.OWNER:
            raise forms.ValidationError("Only owners may invite owners.")
        return role

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if Membership.objects.filter(team=self.inviter.team, user__email__iexact=email).exists():
            raise forms.ValidationError("Someone with this address is already a member.")
        return email


class RoleForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(choices=Membership.Role.choices)
