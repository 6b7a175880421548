"""Forms of the campaign pages: a new campaign, its header, and one creator's place in the pipeline."""

from __future__ import annotations

from django import forms

from campaigns.models import Campaign, CampaignProfile


class CampaignForm(forms.ModelForm):
    """Create or edit a campaign on its page; the team and author come from the request."""

    class Meta:
        model = Campaign
        fields = ["name", "brand", "status", "start_date", "end_date", "budget", "currency"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "budget": forms.NumberInput(attrs={"step": "100", "min": "0"}),
            "currency": forms.TextInput(attrs={"size": 4, "maxlength": 3}),
        }

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError("Three letters, such as USD or EUR.")
        return currency

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "Must be on or after the start date.")
        return data


class EntryForm(forms.ModelForm):
    """One creator's status, agreed fee and notes in a campaign."""

    class Meta:
        model = CampaignProfile
        fields = ["status", "fee", "notes"]
        widgets = {
            "fee": forms.NumberInput(attrs={"step": "50", "min": "0", "inputmode": "decimal"}),
            "notes": forms.Textarea(attrs={"rows": 1}),
        }
