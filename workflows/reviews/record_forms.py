"""Forms for the scrutiny and external submission pages. They only shape input: the services
in workflows.reviews.scrutiny and .external check every rule, and their InvalidInput errors
are put back on these fields."""

from __future__ import annotations

from django import forms

from plangov.forms import Form

from ..forms import DATE_FORMATS

DATE_HINT = "For example, 14/07/2016 or 2016-07-14."


class ScrutinyFeedbackForm(Form):
    meeting_on = forms.DateField(label="Date of the committee's meeting", help_text=DATE_HINT,
                                 input_formats=DATE_FORMATS,
                                 error_messages={"required": "Give the date of the meeting.",
                                                 "invalid": "Give the date like 14/07/2016."})
    attendance = forms.IntegerField(
        required=False, min_value=0, max_value=1000, label="Members present",
        help_text="Needed when this meeting is not recorded yet.")
    points = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), label="The committee's points",
        help_text="One point per line; each is numbered and answered on its own.",
        error_messages={"required": "Give at least one point of the committee's feedback."})
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              label="Summary (optional)")


class PointAnswerForm(Form):
    response = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Response",
                               error_messages={"required": "Write the response to this point."})


class IncorporatedForm(Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                           label="How the feedback was incorporated",
                           error_messages={"required": "Say how the feedback was incorporated."})


class SubmissionSetForm(Form):
    recipient = forms.CharField(max_length=200, label="Recipient",
                                help_text="For example, Department for Education.",
                                error_messages={"required": "Say whom the review goes to."})
    deadline = forms.DateField(label="Deadline", help_text=DATE_HINT, input_formats=DATE_FORMATS,
                               error_messages={"required": "Give the deadline.",
                                               "invalid": "Give the date like 14/06/2017."})


class SubmissionRecordForm(Form):
    submitted_on = forms.DateField(label="Date it was submitted", help_text=DATE_HINT,
                                   input_formats=DATE_FORMATS,
                                   error_messages={"required": "Give the date it was sent.",
                                                   "invalid": "Give the date like 09/06/2017."})
    what_was_sent = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                                    label="What was sent",
                                    error_messages={"required": "Say what was sent."})
    file = forms.FileField(required=False, label="The file sent (optional)",
                           help_text="plangov keeps its SHA-256 fingerprint, not the file.")
