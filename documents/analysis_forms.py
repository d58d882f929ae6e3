"""Forms of the analysis pages (plangov.forms: the text policy on every field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from governance.models import Answer, ConsultationRound, Theme
from plangov.forms import Form


class TagForm(Form):
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Themes", help_text="Choose every theme this answer raises.")
    new_theme = forms.CharField(required=False, max_length=200, label="New theme",
                                help_text="Name a theme not in the list to add it.")

    def __init__(self, *args: Any, round: ConsultationRound, **kwargs: Any):  # noqa: A002
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.filter(round=round)


class NoteForm(Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000,
                           label="Analyst note", help_text="Seen by analysts and auditors only.")


class RedactForm(Form):
    redacted_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000, label="Quote as published",
        help_text="Replace what identifies someone, for example with [name].")
    reason = forms.CharField(max_length=500, label="Reason for the redaction")


class StatementForm(Form):
    you_said = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                               label="You said")
    we_did = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                             required=False, label="We did",
                             help_text="What changed in the plan. Leave blank if nothing did.")
    no_change_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False,
        label="Why nothing changed", help_text="Only when nothing changed.")
    priority = forms.ChoiceField(required=False, label="Priority",
                                 help_text="The outcome or priority of the plan it concerns.")
    changed_in_version = forms.ChoiceField(required=False, label="Changed in version")
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Themes heard")
    quotes = forms.ModelMultipleChoiceField(
        queryset=Answer.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Quotes", help_text="Answers tagged with a theme, from people who consented to "
        "be quoted; the redacted text where redacted.")

    def __init__(self, *args: Any, round: ConsultationRound,  # noqa: A002
                 statement: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        plan = round.plan
        content = plan.current_version.content if plan.current_version else {}
        choices = [("", "None")]
        for outcome in content.get("outcomes", []):
            choices.append((f"{outcome['key']}:", outcome["title"]))
            for p in outcome.get("priorities", []):
                choices.append((f"{outcome['key']}:{p['key']}", f"{outcome['title']}: "
                                f"{p['title']}"))
        self.fields["priority"].choices = choices
        self.fields["changed_in_version"].choices = [("", "Not yet")] + [
            (str(n), f"Version {n}") for n in
            plan.versions.order_by("number").values_list("number", flat=True)]
        self.fields["themes"].queryset = Theme.objects.filter(round=round)
        quotes = (Answer.objects.filter(response__round=round,
                                        response__consent_to_quote=True)
                  .filter(Q(themes__isnull=False) | (
                      Q(statements=statement) if statement is not None else Q(pk__in=[])))
                  .exclude(text="").distinct().order_by("pk"))
        self.fields["quotes"].queryset = quotes
        self.fields["quotes"].label_from_instance = _quote_label

    def clean_priority(self) -> tuple[str, str]:
        value = self.cleaned_data.get("priority") or ""
        outcome, _, priority = value.partition(":")
        return outcome, priority


def _quote_label(answer: Answer) -> str:
    words = answer.redacted_text if answer.redacted_at else answer.text
    return words if len(words) <= 160 else words[:157] + "…"
