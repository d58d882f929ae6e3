"""Forms for the inbox pages. They only shape input: every rule is checked by the services,
whose InvalidInput errors are put back on the form's fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from governance.models import CallInOutcomeKind, Meeting
from governance.models import DecisionOutcome as O
from plangov.forms import Form

from .models import TaskKind

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

OUTCOMES: dict[str, list[str]] = {
    TaskKind.BOARD_DECISION: [O.APPROVED, O.APPROVED_WITH_AMENDMENTS, O.DEFERRED,
                              O.REFERRED_BACK, O.REJECTED],
    TaskKind.EXECUTIVE_DECISION: [O.APPROVED, O.ENDORSED, O.DEFERRED, O.REFERRED_BACK,
                                  O.REJECTED],
    TaskKind.FULL_COUNCIL_DECISION: [O.APPROVED, O.DEFERRED, O.REFERRED_BACK],
    # A review's board and executive (workflows.reviews.decisions): no endorsement.
    TaskKind.REVIEW_BOARD_DECISION: [O.APPROVED, O.APPROVED_WITH_AMENDMENTS, O.DEFERRED,
                                     O.REFERRED_BACK, O.REJECTED],
    TaskKind.REVIEW_EXECUTIVE_DECISION: [O.APPROVED, O.DEFERRED, O.REFERRED_BACK, O.REJECTED],
}
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DecisionForm(Form):
    outcome = forms.ChoiceField(widget=forms.RadioSelect, label="Decision",
                                error_messages={"required": "Choose the decision taken."})
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.none(), required=False, label="Meeting already recorded",
        empty_label="A new meeting (give its date and attendance below)",
    )
    decided_on = forms.DateField(required=False, label="Date of the meeting",
                                 help_text="For example, 14/07/2016 or 2016-07-14.",
                                 input_formats=DATE_FORMATS)
    attendance = forms.IntegerField(required=False, min_value=0, max_value=1000,
                                    label="Members present")
    minute_reference = forms.CharField(required=False, max_length=60, label="Minute reference")
    votes_for = forms.IntegerField(min_value=0, max_value=1000, initial=0, label="For")
    votes_against = forms.IntegerField(min_value=0, max_value=1000, initial=0, label="Against")
    votes_abstaining = forms.IntegerField(min_value=0, max_value=1000, initial=0,
                                          label="Abstaining")
    declarations_of_interest = forms.CharField(required=False, widget=forms.Textarea(
        attrs={"rows": 3}), label="Declarations of interest")
    reasons = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              label="Reasons and comments")
    alternatives_considered = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label="Alternative options considered and rejected")
    dispensations = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                    label="Dispensations granted")

    def __init__(self, *args: Any, task: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        info = task.info
        self.fields["outcome"].choices = self.outcome_choices(info.kind)
        self.fields["meeting"].queryset = Meeting.objects.filter(body=info.body).order_by("-date")
        self.fields["meeting"].label_from_instance = (
            lambda m: f"{m.date:%d %B %Y} ({m.attendance} present)"
        )

    def outcome_choices(self, kind: str) -> list[tuple[str, str]]:
        return [(o, O(o).label) for o in OUTCOMES.get(kind, [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        meeting = data.get("meeting")
        if meeting is not None:
            data["decided_on"] = meeting.date
            data["attendance"] = meeting.attendance
        elif not data.get("decided_on") and "decided_on" not in self.errors:
            self.add_error("decided_on", "Give the date of the meeting, or choose a recorded one.")
        return data

    def decision(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("meeting", None)
        return data


class CallInOutcomeForm(DecisionForm):
    """The scrutiny committee's outcome on a call-in request, taken at its meeting."""

    alternatives_considered = None  # type: ignore[assignment]
    dispensations = None  # type: ignore[assignment]

    def outcome_choices(self, kind: str) -> list[tuple[str, str]]:
        if kind == TaskKind.REVIEW_CALL_IN_OUTCOME:  # a review's is never sent to full council
            return [c for c in CallInOutcomeKind.choices
                    if c[0] != CallInOutcomeKind.REFERRED_TO_FULL_COUNCIL]
        return list(CallInOutcomeKind.choices)


class CallInRequestForm(Form):
    """Members' call-in request, as the scrutiny committee's secretary received it."""

    requesters = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="Members requesting the call-in",
        help_text="One name per line.")
    by_scrutiny_chair = forms.BooleanField(
        required=False, label="Requested by the scrutiny committee's chair")
    requested_on = forms.DateField(label="Date of the request", input_formats=DATE_FORMATS,
                                   help_text="For example, 18/07/2016 or 2016-07-18.")
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                              label="The members' reasons")


class RedraftForm(Form):
    reasons = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              label="What changed in this version")
    submitted_on = forms.DateField(
        required=False, label="Date it was resubmitted",
        help_text="Leave blank for today, or give the real date when recording it later, "
        "for example 06/03/2009.", input_formats=DATE_FORMATS,
    )


class PlanActionForm(Form):
    """A lifecycle action fired from the plan page. ``on`` is the date it happened, for
    opening or closing a consultation round and submitting (blank: today)."""

    reason = forms.CharField(required=False, max_length=5000)
    on = forms.DateField(
        required=False, label="Date it happened",
        help_text="Leave blank for today, or give the real date when recording it later, "
        "for example 06/03/2009.", input_formats=DATE_FORMATS,
    )


class ReassignForm(Form):
    to = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="Give it to")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason",
                             help_text="Required; the audit record keeps it.")

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = people
        self.fields["to"].label_from_instance = (
            lambda u: f"{u.get_full_name() or u.get_username()} ({u.get_username()})"
        )


class RenameForm(Form):
    title = forms.CharField(max_length=250, label="Title",
                            help_text="The title can be corrected until the plan is adopted.")
    reason = forms.CharField(required=False, max_length=5000, label="Why it changed",
                             widget=forms.Textarea(attrs={"rows": 2}))
