"""Forms of the action progress pages. They only shape input: every rule is the services'."""

from __future__ import annotations

from typing import Any

from django import forms

from documents.models import ActionStatus
from plangov.forms import Form

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class ProgressNoteForm(Form):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices,
                               widget=forms.RadioSelect)
    noted_on = forms.DateField(
        label="Date of the progress", input_formats=DATE_FORMATS,
        help_text="Not in the future, not before the plan was adopted. For example, "
        "14/07/2016.", widget=forms.DateInput(format="%d/%m/%Y"))
    text = forms.CharField(label="Progress note (optional)", required=False,
                           widget=forms.Textarea(attrs={"rows": 5}))


class ProgressUploadForm(Form):
    file = forms.FileField(label="Spreadsheet of progress (CSV or XLSX)", required=False,
                           help_text="Up to 5 MB. CSV files must be saved as ‘CSV UTF-8’.")


class StatusFilterForm(Form):
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Any status"), *ActionStatus.choices])


class LeadLinkForm(Form):
    name = forms.CharField(widget=forms.HiddenInput, max_length=200)
    person = forms.ChoiceField(label="Person", required=False)

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Nobody: the lead officer gets the tasks")] + [
            (str(p.pk), p.get_full_name() or p.get_username()) for p in people]
