"""Forms of the team pages: create a team, invite a member, change a member's role."""

from __future__ import annotations

from django import forms
from django.utils.text import slugify

from accounts.models import Membership, Team


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
