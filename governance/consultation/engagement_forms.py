"""Forms for the activities and imports pages. They only shape input: every rule is checked
by the services, whose InvalidInput errors are put back on the form's fields."""

from __future__ import annotations

from typing import Any

from django import forms

from plangov.forms import Form, put_back

from .models import Audience, Channel

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_HINT = "For example, 14/07/2016 or 2016-07-14."


class ActivityForm(Form):
    title = forms.CharField(label="Title", max_length=400,
                            help_text="For example, ‘Youth council workshop on priorities’.")
    description = forms.CharField(label="Description (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    channel = forms.ChoiceField(label="How it reached people", choices=Channel.choices,
                                widget=forms.RadioSelect)
    held_on = forms.DateField(label="Day it was held (or began)", input_formats=DATE_FORMATS,
                              help_text=DATE_HINT, required=False,
                              widget=forms.DateInput(format="%d/%m/%Y"))
    held_until = forms.DateField(label="Last day (optional)", input_formats=DATE_FORMATS,
                                 help_text="For a piece of work over several days.",
                                 required=False, widget=forms.DateInput(format="%d/%m/%Y"))

    def __init__(self, *args: Any, audiences: list[Audience], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audiences = audiences
        for audience in audiences:
            self.fields[self.reach_name(audience)] = forms.IntegerField(
                label=f"{audience.name}: people reached", required=False, min_value=0,
                max_value=10_000_000, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    @staticmethod
    def reach_name(audience: Audience) -> str:
        return f"reach_{audience.pk}"

    def reach_rows(self) -> list[tuple[Audience, forms.BoundField]]:
        return [(a, self[self.reach_name(a)]) for a in self.audiences]

    def reach(self) -> dict[int, int]:
        return {a.pk: self.cleaned_data[self.reach_name(a)] for a in self.audiences
                if self.cleaned_data.get(self.reach_name(a)) is not None}

    def put_errors(self, exc: Any) -> None:
        """Service errors back on the fields: ``reach.<slug>`` on that audience's box,
        ``reach`` on the first."""
        rename = {f"reach.{a.slug}": self.reach_name(a) for a in self.audiences}
        if self.audiences:
            rename["reach"] = self.reach_name(self.audiences[0])
        put_back(self, exc, rename=rename)


class ImportForm(Form):
    file = forms.FileField(label="File of responses (CSV or XLSX)", required=False,
                           help_text="Up to 50 MB. CSV files must be saved as ‘CSV UTF-8’.")
    only_valid_rows = forms.BooleanField(
        label="Import the valid rows even if some rows have problems", required=False,
        help_text="Otherwise nothing is imported unless every row is valid; you see the "
        "problems first either way.")
