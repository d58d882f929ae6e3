"""The timetable's edit form: one form per milestone in a formset (add a row, remove one,
suggest from the diaries), all without JavaScript. Forms only shape input; the rules are
``timetable_save``'s, whose errors (``milestones[i].field``) go back beside each field."""

from __future__ import annotations

from typing import Any

from django import forms

from governance.models import Body
from plangov.forms import Form

from ..forms import DATE_FORMATS
from .models import MilestoneKind
from .services import MAX_LABEL, MAX_MILESTONES, MAX_NOTE

DATE_HINT = "For example, 14/07/2016."


def _date(label: str, *, required: bool, hint: str = DATE_HINT) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, help_text=hint, input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y"),
        error_messages={"required": "Give the target date, for example 14/07/2016.",
                        "invalid": "Give a real date, for example 14/07/2016."},
    )


class MilestoneForm(Form):
    kind = forms.ChoiceField(
        label="Milestone", choices=[("", "Choose a milestone"), *MilestoneKind.choices],
        error_messages={"required": "Choose what this milestone is."})
    body = forms.ModelChoiceField(
        label="Body that meets", required=False, queryset=Body.objects.none(),
        empty_label="None", help_text="A board's meeting only.")
    label = forms.CharField(
        label="Name", required=False, max_length=MAX_LABEL,
        help_text="Needed for 'Other'; optional otherwise.")
    target_on = _date("Target date", required=True)
    key_decision = forms.BooleanField(
        label="The executive's meeting takes a key decision", required=False,
        help_text="On the forward plan at least 28 clear days before the meeting.")
    forward_plan_published_on = _date(
        "Forward plan notice published on", required=False,
        hint="Once published, for example 16/06/2016.")
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, bodies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies if bodies is not None else Body.objects.none()
        self.fields["DELETE"] = forms.BooleanField(
            label="Remove this milestone", required=False)


class BaseMilestoneFormSet(forms.BaseFormSet):
    """Every row is optional until something is typed in it: a blank row (one just added)
    is left out rather than refused. Unbound, there is one row per initial milestone."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        # The DELETE box is the form's own (with GOV.UK classes and label); no ORDER.
        pass

    def initial_form_count(self) -> int:
        return 0

    def total_form_count(self) -> int:
        if self.is_bound:
            return super().total_form_count()
        return min(len(self.initial or []), self.absolute_max)


MilestoneFormSet = forms.formset_factory(
    MilestoneForm, formset=BaseMilestoneFormSet, extra=0, can_delete=True,
    max_num=MAX_MILESTONES, validate_max=True, absolute_max=MAX_MILESTONES + 10)


class SuggestForm(Form):
    executive_meeting_on = _date(
        "The executive's meeting (optional)", required=False,
        hint="Give it to plan backwards from that meeting; leave blank to plan forwards from "
        "the day the plan was started. For example, 14/07/2016.")
