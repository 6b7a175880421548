"""The Python-rendered widgets write exactly what Django's widget templates write."""

from __future__ import annotations

import pytest
from django import forms

from config import widgets


class Sample(forms.Form):
    text = forms.CharField(max_length=20, required=False, widget=forms.TextInput(attrs={"placeholder": 'a "b" <c>'}))
    number = forms.DecimalField(min_value=0, max_value=100)
    flag = forms.CharField(widget=forms.TextInput(attrs={"autofocus": True, "disabled": False}))
    pick = forms.ChoiceField(choices=[("", "Any"), ("a", "A & co"), ("b", "B")], required=False)
    grouped = forms.ChoiceField(choices=[("", "None"), ("Fruit", [("apple", "Apple"), ("pear", "Pear")])])


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": "x<y", "number": "12.5", "flag": "1", "pick": "a", "grouped": "pear"},
        {"text": "", "number": "lots", "pick": "zzz"},
    ],
)
def test_each_widget_renders_the_same_html_as_djangos_templates(data):
    django_form, fast_form = Sample(data), Sample(data)
    for field in fast_form.fields.values():
        field.widget = widgets.faster(field.widget)
        assert type(field.widget).__module__ == "config.widgets"
    for name in Sample.base_fields:
        assert str(fast_form[name]) == str(django_form[name]), name


def test_other_widgets_are_kept_as_they_are():
    checkboxes = forms.CheckboxSelectMultiple(choices=[("a", "A")])
    assert widgets.faster(checkboxes) is checkboxes
