"""Forms for the review pages. They only shape input: the services check every rule, and
their InvalidInput errors are put back on the forms' fields."""

from __future__ import annotations

from django import forms

from documents.models import ReviewKind
from plangov.forms import Form

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_HINT = "Leave blank for today, or give the real date when recording it later, for " \
            "example 14/07/2016."


class StartReviewForm(Form):
    kind = forms.ChoiceField(choices=ReviewKind.choices, initial=ReviewKind.ANNUAL,
                             widget=forms.RadioSelect, label="Kind of review",
                             error_messages={"required": "Choose the kind of review."})
    started_on = forms.DateField(required=False, label="Date it started", help_text=DATE_HINT,
                                 input_formats=DATE_FORMATS)


class CompileForm(Form):
    strengths = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20000,
                                label="Strengths and achievements",
                                error_messages={"required": "Enter the strengths and "
                                                            "achievements."})
    areas_for_development = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=20000,
        label="Areas for development",
        error_messages={"required": "Enter the areas for development."})
    next_year_priorities = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=20000,
        label="Priorities for next year",
        error_messages={"required": "Enter the priorities for next year."})
    consultation_heard = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=20000, required=False,
        label="What consultation heard during the year",
        help_text="Leave blank to take the published summaries of the consultation rounds "
                  "that closed in the period the review covers.")
    changes_priorities = forms.BooleanField(
        required=False, label="The review changes the plan's priorities",
        help_text="A revision of the plan follows.")


class ProgressReportForm(Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=20000,
                           label="Progress made",
                           error_messages={"required": "Say what progress was made."})
    submitted_on = forms.DateField(required=False, label="Date reported", help_text=DATE_HINT,
                                   input_formats=DATE_FORMATS)


class ReviewActionForm(Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             required=False, label="Why (optional)")
