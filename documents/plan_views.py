"""Pages for plans as a whole: the list of plans a person may see (filtered by stage, kind and
body, searched by title) and "Create a plan" for lead officers, through ``plan_create``."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Q, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from governance import policy
from governance.models import Body, BodyKind, Membership, Partnership, Role
from plangov.errors import Forbidden, InvalidInput
from plangov.forms import Form, put_back

from .models import ApprovalRoute, PlanKind, Stage
from .queries import visible_plans
from .services import plan_create

PAGE_SIZE = 25


class PlanFilterForm(Form):
    q = forms.CharField(required=False, max_length=200, label="Title contains")
    stage = forms.ChoiceField(required=False, label="Stage",
                              choices=[("", "Any stage"), *Stage.choices])
    kind = forms.ChoiceField(required=False, label="Kind of plan",
                             choices=[("", "Any kind"), *PlanKind.choices])
    body = forms.ModelChoiceField(queryset=Body.objects.none(), required=False, label="Body",
                                  empty_label="Any body",
                                  help_text="Plans the body owns, approves or decides on.")

    def __init__(self, *args: Any, bodies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = visible_plans(request.user)
    bodies = Body.objects.filter(
        partnership_id__in=visible_plans(request.user).values("partnership_id")
    ).select_related("partnership").order_by("partnership__name", "name")
    form = PlanFilterForm(request.GET or None, bodies=bodies)
    status = 200
    filters: dict[str, str] = {}
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            if data["q"].strip():
                plans = plans.filter(title__icontains=data["q"].strip())
            if data["stage"]:
                plans = plans.filter(stage=data["stage"])
            if data["kind"]:
                plans = plans.filter(kind=data["kind"])
            if data["body"] is not None:
                body = data["body"]
                plans = plans.filter(
                    Q(owning_body=body) | Q(executive_body=body)
                    | Q(pk__in=Body.plans_to_approve.through.objects.filter(
                        body_id=body.pk).values("plan_id")))
            filters = {k: (str(v.pk) if isinstance(v, Body) else v)
                       for k, v in data.items() if v not in (None, "")}
        else:
            status = 400
            plans = plans.none()
    paginator = Paginator(plans, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = urlencode(filters)
    return render(request, "documents/plan_list.html", {
        "form": form, "page": page, "plans": page.object_list, "query": query,
        "pages": _page_links(page, query), "filtered": bool(filters),
        "may_create": policy.may_create_plans(request.user),
    }, status=status)


def _page_links(page: Any, query: str) -> list[dict[str, Any]]:
    """The numbered links of govuk-pagination: first, last, and the current page's
    neighbours, with an ellipsis between runs."""
    last = page.paginator.num_pages
    if last <= 1:
        return []
    wanted = sorted({1, last, page.number - 1, page.number, page.number + 1} & set(
        range(1, last + 1)))
    links: list[dict[str, Any]] = []
    previous = 0
    for number in wanted:
        if number - previous > 1:
            links.append({"ellipsis": True})
        links.append({"number": number, "current": number == page.number,
                      "href": f"?{query + '&' if query else ''}page={number}"})
        previous = number
    return links


# Create a plan.


class DateParts(forms.MultiWidget):
    """A GOV.UK date input: day, month and year boxes."""

    def __init__(self) -> None:
        super().__init__(widgets={
            "day": forms.TextInput(attrs={"inputmode": "numeric"}),
            "month": forms.TextInput(attrs={"inputmode": "numeric"}),
            "year": forms.TextInput(attrs={"inputmode": "numeric"}),
        })

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DatePartsField(forms.MultiValueField):
    widget = DateParts

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        self.what = what
        fields = (forms.CharField(required=False), forms.CharField(required=False),
                  forms.CharField(required=False))
        super().__init__(fields=fields, require_all_fields=False, **kwargs)
        self.error_messages["required"] = f"Enter {what}."
        self.error_messages["incomplete"] = f"{what[0].upper()}{what[1:]} must include a day, " \
                                            "month and year."

    def compress(self, values: list[Any]) -> datetime.date | None:
        if not values or not any(values):
            return None
        if not all(values):
            raise forms.ValidationError(self.error_messages["incomplete"])
        try:
            day, month, year = (int(str(v).strip()) for v in values)
            if year < 1000:
                raise ValueError
            return datetime.date(year, month, day)
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(
                f"{self.what[0].upper()}{self.what[1:]} must be a real date, for example "
                "1 4 2009.") from exc


class PlanCreateForm(Form):
    title = forms.CharField(max_length=250, label="Title",
                            error_messages={"required": "Enter the plan's title."})
    kind = forms.ChoiceField(choices=PlanKind.choices, widget=forms.RadioSelect,
                             label="Kind of plan",
                             error_messages={"required": "Choose the kind of plan."})
    partnership = forms.ModelChoiceField(queryset=Partnership.objects.none(),
                                         label="Partnership", empty_label=None)
    period_start = DatePartsField(what="the date the plan's period starts",
                                  label="The plan's period starts",
                                  help_text="For example, 1 4 2009")
    period_end = DatePartsField(what="the date the plan's period ends",
                                label="The plan's period ends",
                                help_text="For example, 31 3 2012")
    owning_body = forms.ModelChoiceField(
        queryset=Body.objects.none(), label="Owning body", empty_label="Choose a body",
        help_text="The board that owns the plan.",
        error_messages={"required": "Choose the body that owns the plan."})
    approving_bodies = forms.ModelMultipleChoiceField(
        queryset=Body.objects.none(), widget=forms.CheckboxSelectMultiple,
        label="Bodies that must approve it",
        help_text="Select every board whose approval the plan needs. On an ordered route they "
        "decide in the order listed here.",
        error_messages={"required": "Select at least one body whose approval the plan needs."})
    approval_route = forms.ChoiceField(
        choices=ApprovalRoute.choices, widget=forms.RadioSelect, initial=ApprovalRoute.JOINT,
        label="How the bodies approve it",
        error_messages={"required": "Choose how the bodies approve the plan."})
    executive_body = forms.ModelChoiceField(
        queryset=Body.objects.none(), label="Executive", empty_label="Choose the executive",
        error_messages={"required": "Choose the executive that decides on the plan."})
    subject_to_call_in = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes",
        widget=forms.RadioSelect, initial="yes",
        label="Can the executive's decision be called in?",
        help_text="Scrutiny may call in an executive decision before it takes effect.",
        error_messages={"required": "Say whether the executive's decision can be called in."})
    created_on = DatePartsField(what="the date the plan was started", required=False,
                                label="Date the plan was started (optional)",
                                help_text="Leave blank for today, or give the real date for a "
                                "plan brought onto plangov part-way through.")

    def __init__(self, *args: Any, partnerships: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships
        bodies = Body.objects.filter(partnership__in=partnerships).order_by("name")
        if len(partnerships) == 1:
            self.fields["partnership"].initial = partnerships.first().pk
            self.fields["partnership"].widget = forms.HiddenInput()
        # Partnership boards first: on an ordered route the bodies decide in this order.
        boards = bodies.exclude(kind__in=[BodyKind.EXECUTIVE, BodyKind.SCRUTINY_COMMITTEE,
                                          BodyKind.FULL_COUNCIL]).order_by(
            Case(When(kind=BodyKind.PARTNERSHIP_BOARD, then=0), default=1), "name")
        self.fields["owning_body"].queryset = boards
        self.fields["approving_bodies"].queryset = boards
        executives = bodies.filter(kind=BodyKind.EXECUTIVE)
        self.fields["executive_body"].queryset = executives
        if len(executives) == 1:
            self.fields["executive_body"].initial = executives[0].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        partnership = data.get("partnership")
        for name in ("owning_body", "executive_body"):
            body = data.get(name)
            if partnership and body and body.partnership_id != partnership.pk:
                self.add_error(name, f"{body.name} is not a body of {partnership.name}.")
        for body in data.get("approving_bodies") or []:
            if partnership and body.partnership_id != partnership.pk:
                self.add_error("approving_bodies",
                               f"{body.name} is not a body of {partnership.name}.")
        return data


def _lead_partnerships(user: Any) -> Any:
    ids = Membership.objects.current().filter(user=user, role=Role.LEAD_OFFICER).values(
        "body__partnership_id")
    return Partnership.objects.filter(pk__in=ids).order_by("name")


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    verdict = policy.may_create_plans(request.user)
    if not verdict:
        return render(request, "workflows/refused.html",
                      {"title": "You cannot create a plan", "detail": verdict.reason},
                      status=403)
    partnerships = _lead_partnerships(request.user)
    form = PlanCreateForm(request.POST or None, partnerships=partnerships)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                plan = plan_create(
                    actor=request.user, lead_officer=request.user,
                    approving_bodies=list(data.pop("approving_bodies")), **data)
            except InvalidInput as exc:
                put_back(form, exc)
            except Forbidden as exc:
                return render(request, "workflows/refused.html",
                              {"title": "You cannot create a plan", "detail": exc.detail},
                              status=403)
            else:
                messages.success(request, f"{plan.title} was created. Write its first version "
                                 "next.")
                return redirect("workflows:plan", pk=plan.pk)
        status = 400
    return render(request, "documents/plan_form.html", {
        "form": form, "dates": {name: _date_parts(form, name)
                                for name in ("period_start", "period_end", "created_on")},
        "errors": _error_list(form),
    }, status=status)


def _date_parts(form: PlanCreateForm, name: str) -> dict[str, Any]:
    bound = form[name]
    if form.is_bound:
        values = bound.field.widget.value_from_datadict(form.data, form.files, bound.html_name)
    else:
        values = bound.field.widget.decompress(bound.initial)
    return {"field": bound, "parts": [
        {"part": part, "label": part.capitalize(), "value": value or "",
         "width": 4 if part == "year" else 2}
        for part, value in zip(("day", "month", "year"), values, strict=True)
    ]}


def _error_list(form: PlanCreateForm) -> list[tuple[str, str]]:
    """(anchor, message) for the error summary: each links to its field's first input."""
    anchors = {"kind": "id_kind_0", "approving_bodies": "id_approving_bodies_0",
               "approval_route": "id_approval_route_0", "subject_to_call_in":
               "id_subject_to_call_in_0", "period_start": "id_period_start_day",
               "period_end": "id_period_end_day", "created_on": "id_created_on_day"}
    if not form.is_bound:
        return []
    listed = [("", str(m)) for m in form.non_field_errors()]
    for name in form.fields:
        for message in form.errors.get(name, []):
            listed.append((anchors.get(name, f"id_{name}"), str(message)))
    return listed
