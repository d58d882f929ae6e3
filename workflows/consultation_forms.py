"""Forms of the consultation round pages: a round's details, and one question of the
questions editor (many on one page, each with its own prefix)."""

from __future__ import annotations

from typing import Any

from django import forms

from governance.consultation.models import Channel, QuestionKind
from plangov.forms import Form

DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
                    "%Y-%m-%d"]


class RoundForm(Form):
    title = forms.CharField(max_length=200, label="Title",
                            help_text="For example, \"Our priorities for 2009 to 2012\".")
    purpose = forms.CharField(required=False, max_length=10000, label="Purpose",
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="What the round asks about, and why.")
    recorded = forms.BooleanField(
        required=False, label="Recorded after the event",
        help_text="The round ran before it was put on plangov: give its real, past dates. "
        "Every page marks it \"recorded, not run on plangov\".")
    opens_at = forms.DateTimeField(
        required=False, label="Opens", input_formats=DATETIME_FORMATS,
        help_text="Date and time, for example 20/07/2016 09:00. It opens by itself then; leave "
        "blank to open it by hand.")
    closes_at = forms.DateTimeField(
        required=False, label="Closes", input_formats=DATETIME_FORMATS,
        help_text="Date and time, for example 30/09/2016 23:59. It closes by itself then.")
    version = forms.TypedChoiceField(
        required=False, label="Version consulted on", coerce=int, empty_value=None,
        help_text="Questions can be grouped by this version's outcomes.")
    audiences = forms.MultipleChoiceField(
        required=False, label="Audiences", widget=forms.CheckboxSelectMultiple,
        help_text="Who the round asks. Staff add and rename the partnership's audiences in "
        "the admin.")
    channels = forms.MultipleChoiceField(
        required=False, label="Channels", choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple)
    children_form = forms.BooleanField(
        required=False, label="Offer the children's version of the form",
        help_text="Each question in plain words beside the standard one.")
    privacy_notice = forms.CharField(
        required=False, max_length=20000, label="Privacy notice",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Who holds the responses, why, and for how long.")
    retention_months = forms.IntegerField(
        min_value=1, max_value=120, label="Keep responses for (months)",
        help_text="Responses are anonymised this long after the round closes.")

    def __init__(self, *args: Any, plan: Any, audiences: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [("", "None")] + [
            (v.number, f"Version {v.number}{' — ' + v.note if v.note else ''}")
            for v in plan.versions.order_by("-number")
        ]
        self.fields["audiences"].choices = [(a.slug, a.name) for a in audiences]

    # Names the service's errors use that the form calls something else.
    FIELD_FOR_ERROR = {"opens_on": "opens_at", "closes_on": "closes_at"}


class QuestionForm(Form):
    kind = forms.ChoiceField(choices=QuestionKind.choices, label="Kind of answer",
                             initial=QuestionKind.FREE_TEXT)
    text = forms.CharField(max_length=1000, label="Question",
                           widget=forms.Textarea(attrs={"rows": 2}))
    children_text = forms.CharField(
        required=False, max_length=1000, label="The question for children",
        widget=forms.Textarea(attrs={"rows": 2}), help_text="In plain words.")
    required = forms.BooleanField(required=False, label="An answer is required")
    outcome_key = forms.ChoiceField(required=False, label="Outcome it is about")
    group = forms.CharField(required=False, max_length=200, label="Group heading",
                            help_text="Blank: the outcome's title.")
    choices = forms.CharField(
        required=False, max_length=10000, label="Choices",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Single and multiple choice only: one choice a line. An agreement scale "
        "always offers strongly agree to strongly disagree.")

    def __init__(self, *args: Any, outcomes: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome_key"].choices = [("", "None")] + [
            (key, title) for key, title in outcomes.items()]

    def question(self) -> dict[str, Any]:
        """The question as questions_set takes it."""
        data = self.cleaned_data
        kind = data["kind"]
        choices = [{"label": line.strip()} for line in data["choices"].splitlines()
                   if line.strip()]
        return {
            "kind": kind, "text": data["text"], "children_text": data["children_text"],
            "required": data["required"], "outcome_key": data["outcome_key"],
            "group": data["group"],
            "choices": choices if kind in (QuestionKind.SINGLE_CHOICE,
                                           QuestionKind.MULTIPLE_CHOICE) else [],
        }


def question_initial(question: dict[str, Any]) -> dict[str, Any]:
    """A stored question as the editor shows it."""
    return {**question, "choices": "\n".join(c["label"] for c in question.get("choices") or [])
            if question.get("kind") in (QuestionKind.SINGLE_CHOICE,
                                        QuestionKind.MULTIPLE_CHOICE) else ""}
