"""The page that starts a plan's successor (from the plan page, or the lead officer's
"Start the successor plan" task): GET says what will be made and asks for a title; POST
makes it through workflows.successor.plan_start_successor."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from documents.queries import visible_plans
from governance import policy
from plangov.errors import InvalidInput, PlangovError
from plangov.forms import Form as PlangovForm
from plangov.forms import put_back
from plangov.pages import refused

from .models import TaskKind
from .page_text import ACTION_DONE
from .routing import open_task_of_kind
from .successor import live_successor, may_have_successor, next_period, plan_start_successor


class SuccessorForm(PlangovForm):
    title = forms.CharField(
        label="Title of the successor plan", max_length=250, required=False,
        help_text="Leave blank to keep this plan's title.",
    )


@login_required
def successor_start(request: HttpRequest, pk: int) -> HttpResponse:
    plan = visible_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan.")
    form = SuccessorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            successor = plan_start_successor(plan=plan, actor=request.user,
                                             title=form.cleaned_data["title"] or None)
        except InvalidInput as exc:
            put_back(form, exc)
        except PlangovError as exc:
            return refused(request, exc, back_url=reverse("workflows:plan", args=[plan.pk]),
                           back_label="the plan")
        else:
            messages.success(request, ACTION_DONE["start_successor"])
            return redirect("workflows:plan", pk=successor.pk)
    start, end = next_period(plan)
    existing = live_successor(plan)
    blocked = None
    if existing is not None:
        blocked = "its successor has already been started."
    elif not may_have_successor(plan):
        blocked = "only an adopted plan that is still in force has a successor."
    elif not policy.can_lead(plan, request.user):
        blocked = "only the plan's lead officer (or their deputy) can start its successor."
    return render(request, "workflows/successor_start.html", {
        "plan": plan, "form": form, "period_start": start, "period_end": end,
        "blocked": blocked, "existing": existing,
        "task": open_task_of_kind(plan, TaskKind.START_SUCCESSOR),
    }, status=400 if form.is_bound else 200)
