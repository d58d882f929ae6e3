"""Inbox pages: my tasks, my bodies' queue and the archive; one task with its decision form;
one plan with its process chart and timeline. Every change goes through the same services as
the API, and every refusal gets its own answer: 400 with the form, 403, 404 or 409."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from documents.models import Plan
from documents.queries import visible_plans
from documents.services import TITLE_FROZEN_STAGES, plan_rename
from governance import policy
from governance.models import AuditEvent, BodyKind, Membership, Role
from plangov import clock, text
from plangov.errors import Conflict, Forbidden, InvalidInput, PlangovError

from . import routing
from .forms import DecisionForm, ReassignForm, RedraftForm, RenameForm
from .inbox import OPEN, View, inbox, is_overdue, workable
from .lifecycle import PlanLifecycle
from .models import TaskKind
from .services import PLAN_ACTIONS

log = logging.getLogger(__name__)

TABS = [(View.MINE, "Assigned to me"), (View.QUEUE, "Queue"), (View.ARCHIVE, "Archive")]


def _refused(request: HttpRequest, exc: PlangovError) -> HttpResponse:
    title = ("You cannot do this" if isinstance(exc, Forbidden)
             else "This cannot be accepted" if isinstance(exc, InvalidInput)
             else "This has changed")
    return render(request, "workflows/refused.html", {"title": title, "detail": exc.detail},
                  status=exc.status)


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view") or View.MINE
    if view not in dict(TABS):
        view = View.MINE
    tasks = inbox(request.user, view=view)
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    today = clock.today()
    rows = [{"task": t, "overdue": is_overdue(t, today)} for t in page.object_list]
    return render(request, "workflows/task_list.html",
                  {"tabs": TABS, "view": view, "page": page, "rows": rows})


def _task(request: HttpRequest, pk: int) -> Task:
    task = inbox(request.user, view=View.ALL).filter(pk=pk).first()
    if task is None:
        raise Http404("No such task.")
    return task


def _people_for(task: Task) -> Any:
    """Who may be given the task: whoever could take it themselves."""
    info = task.info
    users = get_user_model().objects.filter(is_active=True)
    current = Membership.objects.current()
    if info.kind == TaskKind.REDRAFT:
        held = current.filter(role=Role.LEAD_OFFICER, body_id=info.plan.owning_body_id,
                              user_id=info.plan.lead_officer_id)
        return users.filter(Q(pk=info.plan.lead_officer_id) | Q(deputising_for__in=held)
                            ).distinct().order_by("username")
    roles = [Role.SECRETARY]
    if info.body is not None and info.body.kind == BodyKind.EXECUTIVE:
        roles.append(Role.EXECUTIVE_MEMBER)
    held = current.filter(body_id=info.body_id, role__in=roles)
    return users.filter(Q(memberships__in=held) | Q(deputising_for__in=held)).distinct(
    ).order_by("username")


def _task_page(request: HttpRequest, task: Task, *, decision: Any = None, redraft: Any = None,
               reassign: Any = None, status: int = 200) -> HttpResponse:
    can_work = Task.objects.filter(workable(request.user), pk=task.pk).exists()
    is_open = task.status in OPEN
    mine_or_free = task.owner_id in (None, request.user.pk)
    is_redraft = task.info.kind == TaskKind.REDRAFT
    context = {
        "task": task,
        "info": task.info,
        "overdue": is_overdue(task),
        "notifications": task.notifications.order_by("created_at", "pk"),
        "can_claim": can_work and task.status == STATUS.NEW,
        "can_complete": can_work and is_open and mine_or_free,
        "can_reassign": can_work and is_open,
        "decision_form": None if is_redraft else (decision or DecisionForm(task=task)),
        "redraft_form": redraft or RedraftForm() if is_redraft else None,
        "reassign_form": reassign or ReassignForm(people=_people_for(task)),
    }
    if is_redraft:
        context["plan"] = task.info.plan
    return render(request, "workflows/task_detail.html", context, status=status)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, _task(request, pk))


def _attempt(request: HttpRequest, task: Task, call: Callable[[], Any], *,
             form: Any, form_name: str) -> HttpResponse:
    """Run a service; put its field errors back on the form, or answer 403/409."""
    try:
        call()
    except InvalidInput as exc:
        for field, messages in exc.errors.items():
            name = field if field in form.fields else None
            for message in messages:
                form.add_error(name, message)
        return _task_page(request, _task(request, task.pk), status=400, **{form_name: form})
    except (Forbidden, Conflict) as exc:
        return _refused(request, exc)
    return redirect("workflows:task", pk=task.pk)


@login_required
@require_POST
def task_claim(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    try:
        routing.task_claim(task_id=task.pk, actor=request.user)
    except (Forbidden, Conflict) as exc:
        return _refused(request, exc)
    return redirect("workflows:task", pk=task.pk)


@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    if task.info.kind == TaskKind.REDRAFT:
        form: Any = RedraftForm(request.POST)
        name = "redraft"
    else:
        form = DecisionForm(request.POST, task=task)
        name = "decision"
    if not form.is_valid():
        return _task_page(request, task, status=400, **{name: form})
    data = form.cleaned_data if name == "redraft" else form.decision()
    return _attempt(request, task, lambda: routing.task_complete(
        task_id=task.pk, actor=request.user, **data), form=form, form_name=name)


@login_required
@require_POST
def task_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = ReassignForm(request.POST, people=_people_for(task))
    if not form.is_valid():
        return _task_page(request, task, reassign=form, status=400)
    return _attempt(request, task, lambda: routing.task_reassign(
        task_id=task.pk, actor=request.user, to=form.cleaned_data["to"],
        reason=form.cleaned_data["reason"]), form=form, form_name="reassign")


def _text(data: Any, name: str) -> str:
    """A text field of a form that has no Django form, through the text policy."""
    try:
        return text.clean_text(data.get(name, ""))
    except text.TextRefused as exc:
        raise InvalidInput({name: [exc.message]},
                           detail=exc.for_field(name)) from exc


# The plan page.

EVENT_WORDS = {
    "document.request": "asked for a signed document",
    "document.retry": "asked again for a signed document that had failed",
    "document.sign": "signed a document",
    "document.fail": "could not render a signed document",
    "executive_report.save": "saved the executive report",
    "plan.create": "created the plan",
    "plan.rename": "changed the plan's title",
    "version.create": "wrote a new version",
    "plan.start_consultation": "opened the consultation",
    "plan.close_consultation": "closed the consultation",
    "plan.submit": "submitted the plan for approval",
    "decision.record": "recorded a decision",
    "plan.adopt": "adopted the plan",
    "plan.withdraw": "withdrew the plan",
    "task.claim": "claimed a task",
    "task.reassign": "reassigned a task",
    "task.remind": "sent a reminder",
    "task.escalate": "sent an overdue notice",
}


def _chart(plan: Plan) -> str:
    """The process chart as SVG (viewflow.workflow.chart, AGPL like viewflow's core)."""
    process = routing.latest_process(plan)
    if process is None:
        return ""
    from viewflow.workflow import chart

    from .flows import PlanApprovalFlow

    try:
        grid = chart.calc_layout_data(PlanApprovalFlow)
        chart.calc_cell_status(PlanApprovalFlow, grid, process.pk)
        return chart.grid_to_svg(grid)
    except Exception:  # a chart is a picture: never let drawing it break the page
        log.exception("Could not draw the process chart of plan %s", plan.pk)
        return ""


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = visible_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan.")
    return _plan_page(request, plan)


def _plan_page(request: HttpRequest, plan: Plan, *, rename_form: Any = None,
               status: int = 200) -> HttpResponse:
    events = AuditEvent.objects.filter(plan=plan).order_by("seq")
    timeline = [{"event": e, "words": EVENT_WORDS.get(e.action, e.action)} for e in events]
    tasks = inbox(request.user, view=View.ALL, plan=plan).order_by("pk")
    leads = policy.can_lead(plan, request.user)
    renamable = bool(leads) and plan.stage not in TITLE_FROZEN_STAGES
    return render(request, "workflows/plan_detail.html", {
        "plan": plan,
        "actions": PlanLifecycle(plan).available_actions(request.user),
        "tasks": tasks,
        "decisions": plan.decisions.select_related("body", "meeting", "version").order_by("pk"),
        "documents": plan.documents.select_related("version", "decision__body"),
        "leads": leads,
        "rename_form": (rename_form or RenameForm(initial={"title": plan.title}))
        if renamable else None,
        "timeline": timeline,
        "chart": _chart(plan),
        "today": clock.today(),
    }, status=status)


@login_required
@require_POST
def plan_rename_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = visible_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan.")
    form = RenameForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, plan, rename_form=form, status=400)
    try:
        plan_rename(plan=plan, actor=request.user, **form.cleaned_data)
    except InvalidInput as exc:
        for field, messages in exc.errors.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return _plan_page(request, plan, rename_form=form, status=400)
    except PlangovError as exc:
        return _refused(request, exc)
    return redirect("workflows:plan", pk=plan.pk)


@login_required
@require_POST
def plan_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    plan = visible_plans(request.user).filter(pk=pk).first()
    service = PLAN_ACTIONS.get(action)
    if plan is None or service is None:
        raise Http404("No such plan or action.")
    try:
        service(plan=plan, actor=request.user, reason=_text(request.POST, "reason"))
    except PlangovError as exc:
        return _refused(request, exc)
    return redirect("workflows:plan", pk=plan.pk)
