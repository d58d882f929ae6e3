"""The auditors' view: the audit events of the plans an auditor audits, searched by plan,
actor, action and date, a page per plan, and the signed JSON Lines export.

Who sees what: staff, superusers and external auditors see every event; an AUDITOR (or their
deputy) sees the events of the plans of their body's partnership. The whole-chain export
holds every event, so it is for those who see every event; an auditor exports a plan.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from documents.models import Plan
from documents.plan_views import DatePartsField, _date_parts, _page_links
from documents.publishing.audit_export import export_lines
from documents.publishing.signing import SigningUnavailable
from governance.models import AuditEvent, Membership, Role
from plangov import clock
from plangov.forms import Form as PolicyForm

from .views import EVENT_WORDS

PAGE_SIZE = 50
NOT_AUDITOR = ("Only auditors and staff see the audit record: you hold no auditor role.")


@dataclass(frozen=True)
class Scope:
    """What an auditor sees: every event, or those of the plans of some partnerships."""

    everything: bool
    partnership_ids: tuple[int, ...] = ()

    def events(self) -> QuerySet[AuditEvent]:
        if self.everything:
            return AuditEvent.objects.all()
        return AuditEvent.objects.filter(plan__partnership_id__in=self.partnership_ids)

    def sees(self, plan: Plan) -> bool:
        return self.everything or plan.partnership_id in self.partnership_ids


def audit_scope(user: Any) -> Scope | None:
    """What ``user`` may see of the audit record, or None for nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_staff or user.is_superuser:
        return Scope(everything=True)
    pairs = list(Membership.objects.current().filter(
        Q(user=user) | Q(deputy=user), role__in=[Role.AUDITOR, Role.EXTERNAL_AUDITOR]
    ).values_list("role", "body__partnership_id"))
    if not pairs:
        return None
    if any(role == Role.EXTERNAL_AUDITOR for role, _ in pairs):
        return Scope(everything=True)
    return Scope(everything=False, partnership_ids=tuple(sorted({p for _, p in pairs})))


def _scope_or_403(user: Any) -> Scope:
    scope = audit_scope(user)
    if scope is None:
        raise PermissionDenied(NOT_AUDITOR)
    return scope


class AuditSearchForm(PolicyForm):
    plan = forms.IntegerField(required=False, min_value=1, label="Plan number",
                              help_text="The number in the plan's address, for example 12.",
                              error_messages={"invalid": "Enter the plan's number, like 12."})
    actor = forms.CharField(required=False, max_length=150, label="Who",
                            help_text="The user name as the record shows it, or “system”.")
    action = forms.CharField(required=False, max_length=80, label="Action",
                             help_text="For example plan.submit or decision.record.")
    since = DatePartsField(what="the first day", required=False, label="From",
                           help_text="For example, 1 4 2026")
    until = DatePartsField(what="the last day", required=False, label="To",
                           help_text="For example, 30 4 2026")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The last day must be on or after the first day.")
        return data


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filtered(events: QuerySet[AuditEvent], data: dict[str, Any]) -> QuerySet[AuditEvent]:
    if data.get("plan"):
        events = events.filter(plan_id=data["plan"])
    if data.get("actor"):
        events = events.filter(actor_label=data["actor"])
    if data.get("action"):
        events = events.filter(action=data["action"])
    if data.get("since"):
        events = events.filter(created_at__gte=_day_start(data["since"]))
    if data.get("until"):
        events = events.filter(
            created_at__lt=_day_start(data["until"] + datetime.timedelta(days=1)))
    return events


def _readable(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _row(event: AuditEvent) -> dict[str, Any]:
    before, after = event.before or {}, event.after or {}
    keys = sorted(set(before) | set(after)) if isinstance(before, dict) and isinstance(
        after, dict) else []
    changes = [{"field": key.replace("_", " "),
                "before": _readable(before.get(key)) if key in before else "",
                "after": _readable(after.get(key)) if key in after else ""} for key in keys]
    return {"event": event, "words": EVENT_WORDS.get(event.action, ""), "changes": changes}


def _page(request: HttpRequest, events: QuerySet[AuditEvent], form: AuditSearchForm,
          *, template: str, extra: dict[str, Any], status: int = 200) -> HttpResponse:
    paginator = Paginator(events.select_related("plan").order_by("-seq"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    filters = {k: v for k, v in request.GET.items() if k != "page" and v}
    query = urlencode(filters)
    return render(request, template, {
        "form": form, "page": page, "rows": [_row(e) for e in page.object_list],
        "pages": _page_links(page, query), "query": query, "filtered": bool(filters),
        "dates": {name: _date_parts(form, name) for name in ("since", "until")},
        **extra,
    }, status=status)


@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    scope = _scope_or_403(request.user)
    events = scope.events()
    form = AuditSearchForm(request.GET or None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            events = _filtered(events, form.cleaned_data)
        else:
            events, status = events.none(), 400
    return _page(request, events, form, template="workflows/audit/search.html", status=status,
                 extra={"whole_chain": scope.everything})


@login_required
def audit_plan(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope_or_403(request.user)
    plan = Plan.objects.filter(pk=pk).select_related("partnership").first()
    if plan is None or not scope.sees(plan):
        raise Http404("No such plan among those you audit.")
    form = AuditSearchForm(request.GET or None)
    events = AuditEvent.objects.filter(plan=plan)
    status = 200
    if form.is_bound:
        if form.is_valid():
            events = _filtered(events, {**form.cleaned_data, "plan": None})
        else:
            events, status = events.none(), 400
    return _page(request, events, form, template="workflows/audit/plan.html", status=status,
                 extra={"plan": plan})


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    scope = _scope_or_403(request.user)
    raw = request.GET.get("plan", "")
    plan_id: int | None = None
    if raw:
        if not raw.isdigit():
            raise Http404("No such plan among those you audit.")
        plan = Plan.objects.filter(pk=int(raw)).first()
        if plan is None or not scope.sees(plan):
            raise Http404("No such plan among those you audit.")
        plan_id = plan.pk
    elif not scope.everything:
        raise PermissionDenied("The whole record holds every partnership's events: export "
                               "the plans you audit one at a time.")
    lines = export_lines(plan_id=plan_id)
    try:
        first = next(lines)  # signing problems surface here, before the response starts
    except SigningUnavailable as exc:
        return render(request, "workflows/refused.html", {
            "title": "The export cannot be signed now", "detail": str(exc)}, status=503)

    def body() -> Any:
        yield first
        yield from lines

    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    name = f"plangov-audit-{'plan-' + str(plan_id) if plan_id else 'chain'}-{stamp}.jsonl"
    response = StreamingHttpResponse(body(), content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
