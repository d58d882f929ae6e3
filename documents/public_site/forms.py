"""The public response form, built from a round's questions. The form only collects what was
typed (under the text policy); the rules (required answers, choices offered, length) are the
service's (governance.consultation.responses), whose errors land on the fields here."""

from __future__ import annotations

from typing import Any

from django import forms

from governance.consultation.models import Audience, ConsultationRound, Question, QuestionKind
from governance.consultation.responses import MAX_ANSWER_CHARS, choices_offered
from plangov.forms import Form

HONEYPOT = "website"


def question_field_name(question_id: int | str) -> str:
    return f"q{question_id}"


class ResponseForm(Form):
    def __init__(
        self,
        *args: Any,
        round: ConsultationRound,  # noqa: A002
        questions: list[Question],
        audiences: list[Audience],
        children: bool,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.round = round
        self.questions = questions
        self.children = children
        for question in questions:
            label = (question.children_text or question.text) if children else question.text
            if not question.required:
                label = f"{label} (optional)"
            name = question_field_name(question.pk)
            if question.kind == QuestionKind.FREE_TEXT:
                field: forms.Field = forms.CharField(
                    label=label, required=False, strip=False,
                    widget=forms.Textarea(attrs={"rows": 4 if children else 6}),
                    help_text=("Write as much or as little as you like." if children else
                               f"Up to {MAX_ANSWER_CHARS:,} characters."),
                )
            elif question.kind == QuestionKind.MULTIPLE_CHOICE:
                field = forms.MultipleChoiceField(
                    label=label, required=False, choices=choices_offered(question),
                    widget=forms.CheckboxSelectMultiple,
                    help_text="Choose all that apply." if not children else "Tick all you like.",
                )
            else:
                field = forms.ChoiceField(
                    label=label, required=False, choices=choices_offered(question),
                    widget=forms.RadioSelect,
                )
            self.fields[name] = field
        if audiences and not children:
            self.fields["audience"] = forms.ChoiceField(
                label="Which of these best describes you? (optional)", required=False,
                choices=[(a.slug, a.name) for a in audiences], widget=forms.RadioSelect,
            )
        self.fields["consent_to_quote"] = forms.BooleanField(
            required=False,
            label=("You can use my words in what you publish (without my name)" if children
                   else "You may quote what I have written in the published results, "
                   "without my name"),
            help_text=("If you do not tick this, we will only count your answers." if children
                       else "If you leave this unticked we will not quote you; your answers "
                       "still count."),
        )
        self.fields[HONEYPOT] = forms.CharField(
            required=False, label="Leave this field blank",
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )
        self.fields["form_token"] = forms.CharField(required=False, widget=forms.HiddenInput)

    def question_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The question fields grouped by their group's heading, in order."""
        groups: list[tuple[str, list[forms.BoundField]]] = []
        for question in self.questions:
            bound = self[question_field_name(question.pk)]
            if groups and groups[-1][0] == question.group:
                groups[-1][1].append(bound)
            else:
                groups.append((question.group, [bound]))
        return groups

    def answers(self) -> dict[str, Any]:
        """question id → what was given, for the service."""
        out: dict[str, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(question_field_name(question.pk))
            if value not in (None, "", []):
                out[str(question.pk)] = value
        return out
