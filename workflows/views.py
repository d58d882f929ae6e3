"""Inbox pages: my tasks, my bodies' queue and the archive; one task with its decision form;
one plan with its process chart and timeline. Every change goes through the same services as
the API, and every refusal gets its own answer: 400 with the form, 403, 404 or 409."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from documents.models import Plan
from documents.queries import last_decided_version, visible_plans
from documents.services import TITLE_FROZEN_STAGES, plan_rename
from governance import policy
from governance.models import AuditEvent, BodyKind, CallInRequest, Decision, Membership, Role
from plangov import clock
from plangov.errors import Conflict, Forbidden, InvalidInput, PlangovError
from plangov.forms import put_back
from plangov.pages import IdUrls, refused

from . import routing
from .context_processors import counts_for
from .forms import (
    DATE_FORMATS,
    CallInOutcomeForm,
    CallInRequestForm,
    DecisionForm,
    PlanActionForm,
    ReassignForm,
    RedraftForm,
    RenameForm,
)
from .inbox import OPEN, View, inbox, is_overdue, tasks_by_ids, workable
from .lifecycle import PlanLifecycle
from .models import TaskKind
from .page_text import (
    ACTION_DONE,
    CONFIRMED_ACTIONS,
    confirmed_text,
    done_text,
    plan_now,
    review_now,
)
from .services import ACTION_DATE_FIELDS, PLAN_ACTIONS
from .successor import page_context as successor_context

log = logging.getLogger(__name__)

TABS = [(View.MINE, "Assigned to me"), (View.QUEUE, "Queue"), (View.ARCHIVE, "Archive")]


def _refused(request: HttpRequest, exc: PlangovError, *, task: Task | None = None,
             plan: Plan | None = None) -> HttpResponse:
    """The refusal page, titled by what happened, with a way back to the task or plan."""
    if task is not None:
        return refused(request, exc, back_url=reverse("workflows:task", args=[task.pk]),
                       back_label="the task")
    if plan is not None:
        return refused(request, exc, back_url=reverse("workflows:plan", args=[plan.pk]),
                       back_label="the plan")
    return refused(request, exc)


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    # Each count once a request: the tabs, the navigation (counts_for) and the paginator.
    shared = counts_for(request)
    counts = {View.MINE: shared.mine, View.QUEUE: shared.queue}
    view = request.GET.get("view")
    if view not in dict(TABS):
        # Open on whichever tab holds work: mine first, else the queue.
        view = View.QUEUE if not counts[View.MINE] and counts[View.QUEUE] else View.MINE
    tasks = inbox(request.user, view=view)
    paginator = Paginator(tasks, 50)
    if view in counts:
        paginator.count = counts[view]  # type: ignore[misc]
    page = paginator.get_page(request.GET.get("page"))
    ids = list(tasks.values_list("pk", flat=True)[page.start_index() - 1:page.end_index()]
               ) if paginator.count else []
    today = clock.today()
    urls = {name: IdUrls(name) for name in ROW_LINKS}
    rows = [_row(t, today, urls) for t in tasks_by_ids(ids)]
    tabs = [{"view": key, "label": label, "count": counts.get(key)} for key, label in TABS]
    pages = list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return render(request, "workflows/task_list.html",
                  {"tabs": tabs, "view": view, "page": page, "rows": rows, "pages": pages,
                   "ellipsis": page.paginator.ELLIPSIS, "view_label": dict(TABS)[view]})


ROW_LINKS = ("workflows:task", "workflows:task-claim", "workflows:plan", "reviews:review")


def _row(task: Task, today: datetime.date, urls: dict[str, IdUrls]) -> dict[str, Any]:
    """What the task list shows of one task, its links made without the URL resolver."""
    info = task.info
    owner = task.owner
    return {
        "task": task, "overdue": is_overdue(task, today), "kind": info.get_kind_display(),
        "url": urls["workflows:task"](task.pk), "claim_url": urls["workflows:task-claim"](task.pk),
        "plan_url": urls["workflows:plan"](info.plan_id),
        "review_url": urls["reviews:review"](info.review_id) if info.review_id else None,
        "owner": (owner.get_full_name() or owner.get_username()) if owner else None,
    }


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
    if info.kind in (TaskKind.REDRAFT, TaskKind.COMPILE_REVIEW, TaskKind.PROGRESS_REPORT,
                     TaskKind.START_SUCCESSOR):
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


CALL_IN_KINDS = (TaskKind.CALL_IN, TaskKind.REVIEW_CALL_IN)
OUTCOME_KINDS = (TaskKind.CALL_IN_OUTCOME, TaskKind.REVIEW_CALL_IN_OUTCOME)


def _decision_form(task: Task, data: Any = None) -> Any:
    form_class = CallInOutcomeForm if task.info.kind in OUTCOME_KINDS else DecisionForm
    return form_class(data, task=task)


def _pending_request(task: Task) -> Any:
    """The call-in request a call-in outcome task is about (on the plan's version, or on the
    task's review)."""
    if task.info.kind not in OUTCOME_KINDS:
        return None
    requests = CallInRequest.objects.filter(plan_id=task.info.plan_id)
    if task.info.review_id is not None:
        requests = requests.filter(decision__review_id=task.info.review_id)
    else:
        requests = requests.filter(decision__review=None)
    return requests.order_by("-pk").first()


def _task_page(request: HttpRequest, task: Task, *, decision: Any = None, redraft: Any = None,
               reassign: Any = None, call_in: Any = None, status: int = 200) -> HttpResponse:
    can_work = Task.objects.filter(workable(request.user), pk=task.pk).exists()
    is_open = task.status in OPEN
    mine_or_free = task.owner_id in (None, request.user.pk)
    is_review = task.info.review_id is not None
    # A review's decision and call-in tasks take the decision form here, as a plan's do; its
    # other tasks are worked on the review's pages.
    elsewhere = is_review and task.info.kind not in routing.REVIEW_DECISION_KINDS
    is_redraft = task.info.kind == TaskKind.REDRAFT and not is_review
    is_request = task.info.kind in CALL_IN_KINDS
    records = _records_url(task)
    if is_redraft or is_request or elsewhere or records or (
            task.info.kind == TaskKind.START_SUCCESSOR):
        decision_form = None
    else:
        decision_form = decision or _decision_form(task)
    context = {
        "task": task,
        "info": task.info,
        "overdue": is_overdue(task),
        "notifications": task.notifications.order_by("created_at", "pk"),
        "can_claim": can_work and task.status == STATUS.NEW,
        "can_complete": can_work and is_open and mine_or_free,
        "can_reassign": can_work and is_open,
        "decision_form": decision_form,
        "call_in_form": (call_in or CallInRequestForm()) if is_request else None,
        "call_in_request": _pending_request(task),
        "redraft_form": redraft or RedraftForm() if is_redraft else None,
        "records_url": records,
        "reassign_form": reassign or ReassignForm(people=_people_for(task)),
    }
    if is_redraft:
        context["plan"] = task.info.plan
    if is_review:
        context["review"] = task.info.review
        return render(request, "workflows/task_detail.html", context, status=status)
    context.update(_version_links(task))
    return render(request, "workflows/task_detail.html", context, status=status)


def _version_links(task: Task) -> dict[str, Any]:
    """The version the task's decision is about (the version in front of the body while the
    task is open; the one its decision was recorded on once done) and, for a body's task, the
    latest earlier version that body decided on, to compare with."""
    info = task.info
    if info.review_id is not None:
        return {}  # a review's task: the review is decided on, never a version
    plan = info.plan
    if info.kind == TaskKind.START_SUCCESSOR:
        return {}  # no version is decided on: the task starts another plan
    version = plan.current_version
    if task.status not in OPEN and info.body_id is not None and task.finished is not None:
        decided = (Decision.objects.filter(plan=plan, body_id=info.body_id,
                                           version__isnull=False,
                                           recorded_at__lte=task.finished)
                   .select_related("version").order_by("-recorded_at", "-pk").first())
        version = decided.version if decided is not None else version
    if version is None:
        return {}
    links: dict[str, Any] = {"decided_version": version,
                             "compare_for_body": info.body_id is not None
                             and info.kind != TaskKind.REDRAFT}
    if links["compare_for_body"]:
        links["earlier_version"] = last_decided_version(plan, info.body_id, version.number)
    return links


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, _task(request, pk))


def _attempt(request: HttpRequest, task: Task, call: Callable[[], Any], *,
             form: Any, form_name: str, done: Callable[[], str]) -> HttpResponse:
    """Run a service; put its field errors back on the form, or answer 403/409. When it
    worked, a success banner says what happened and what happens next (``done()``)."""
    try:
        call()
    except InvalidInput as exc:
        put_back(form, exc)
        return _task_page(request, _task(request, task.pk), status=400, **{form_name: form})
    except (Forbidden, Conflict) as exc:
        return _refused(request, exc, task=task)
    messages.success(request, done())
    return redirect("workflows:task", pk=task.pk)


@login_required
@require_POST
def task_claim(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    try:
        routing.task_claim(task_id=task.pk, actor=request.user)
    except (Forbidden, Conflict) as exc:
        return _refused(request, exc, task=task)
    messages.success(request, "Task claimed.\nIt is assigned to you: nobody else can complete "
                              "it unless it is given to them. Record it below.")
    return redirect("workflows:task", pk=task.pk)


def _records_url(task: Task) -> str:
    """A review's scrutiny feedback and external submission are recorded on their own pages
    (workflows.reviews.record_views), whose services complete the task."""
    name = {TaskKind.SCRUTINY_FEEDBACK: "review_records:scrutiny",
            TaskKind.EXTERNAL_SUBMISSION: "review_records:external"}.get(task.info.kind)
    return reverse(name, args=[task.info.review_id]) if name and task.info.review_id else ""


@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    if records := _records_url(task):
        return redirect(records)
    if task.info.kind == TaskKind.START_SUCCESSOR:  # done by starting it, on its own page
        return redirect("successor:start", pk=task.info.plan_id)
    if task.info.kind == TaskKind.REDRAFT:
        form: Any = RedraftForm(request.POST)
        name = "redraft"
    elif task.info.kind in CALL_IN_KINDS:
        form = CallInRequestForm(request.POST)
        name = "call_in"
    else:
        form = _decision_form(task, request.POST)
        name = "decision"
    if not form.is_valid():
        return _task_page(request, task, status=400, **{name: form})
    data = form.decision() if name == "decision" else form.cleaned_data

    def done() -> str:
        if name == "redraft":
            return "Plan resubmitted for approval.\n" + plan_now(task.info.plan_id)
        if name == "call_in":
            return ("Call-in request recorded.\nThe executive's decision is suspended until "
                    "the scrutiny committee decides; its secretary has been given the task.")
        outcome = dict(form.fields["outcome"].choices).get(data.get("outcome"), "")
        if task.info.review_id is not None:
            return f"Decision recorded: {outcome}.\n" + review_now(task.info.review_id)
        return f"Decision recorded: {outcome}.\n" + plan_now(task.info.plan_id)

    return _attempt(request, task, lambda: routing.task_complete(
        task_id=task.pk, actor=request.user, **data), form=form, form_name=name, done=done)


@login_required
@require_POST
def task_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = ReassignForm(request.POST, people=_people_for(task))
    if not form.is_valid():
        return _task_page(request, task, reassign=form, status=400)
    to = form.cleaned_data["to"]
    return _attempt(request, task, lambda: routing.task_reassign(
        task_id=task.pk, actor=request.user, to=to,
        reason=form.cleaned_data["reason"]), form=form, form_name="reassign",
        done=lambda: f"Task given to {to.get_full_name() or to.get_username()}.\n"
                     "It is in their tasks, under Assigned to me.")


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
    "decision.publish": "recorded the publication of a decision notice",
    "call_in.request": "recorded a call-in request",
    "call_in.outcome": "recorded the scrutiny committee's call-in outcome",
    "plan.adopt": "adopted the plan",
    "plan.withdraw": "withdrew the plan",
    "task.claim": "claimed a task",
    "task.reassign": "reassigned a task",
    "task.remind": "sent a reminder",
    "task.escalate": "sent an overdue notice",
    "timetable.save": "changed the timetable",
    "review.decision.record": "recorded a decision on a review of the plan",
    "review.call_in_period_over": "closed a review's call-in period with no request",
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


DATED_ACTIONS = ACTION_DATE_FIELDS


# The date a dated act happened, kept in its audit event beside the time it was recorded.
HAPPENED_ON = {"plan.create": "created_on", "version.create": "effective_on",
               "plan.start_consultation": "opens_on", "plan.close_consultation": "closed_on",
               "plan.submit": "submitted_on", "decision.record": "decided_on",
               "review.decision.record": "decided_on"}


def _happened(event: AuditEvent) -> datetime.date | None:
    value = (event.after or {}).get(HAPPENED_ON.get(event.action, ""))
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _plan_or_404(request: HttpRequest, pk: int) -> Plan:
    plan = visible_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _plan_page(request: HttpRequest, plan: Plan, *, failed: str = "",
               errors: list[str] | None = None, rename_form: Any = None,
               status: int = 200) -> HttpResponse:
    events = AuditEvent.objects.filter(plan=plan).order_by("seq")
    timeline = [{"event": e, "words": EVENT_WORDS.get(e.action, e.action),
                 "happened": _happened(e)} for e in events]
    tasks = inbox(request.user, view=View.ALL, plan=plan).order_by("pk")
    leads = policy.can_lead(plan, request.user)
    actions = PlanLifecycle(plan).available_actions(request.user)
    return render(request, "workflows/plan_detail.html", {
        "plan": plan,
        "ready_actions": [a for a in actions if a["ready"]],
        "blocked_actions": [a for a in actions if not a["ready"]],
        "confirmed_actions": CONFIRMED_ACTIONS,
        "dated_actions": DATED_ACTIONS,
        "failed_action": failed,
        "action_errors": errors or [],
        "posted": request.POST if failed else {},
        "tasks": tasks,
        "decisions": plan.decisions.filter(version__isnull=False)
        .select_related("body", "meeting", "version").order_by("pk"),
        "documents": plan.documents.select_related("version", "decision__body"),
        "leads": leads,
        "rename_form": (rename_form or RenameForm(initial={"title": plan.title}))
        if leads and plan.stage not in TITLE_FROZEN_STAGES and not plan.adopted_version_id
        else None,
        "may_request": policy.can_request_document(plan, request.user),
        "timeline": timeline,
        "audits": _audits(request.user, plan),
        "chart": _chart(plan),
        "today": clock.today(),
        # Consultation analysis (documents.analysis_views): its analysts and auditors.
        "analysis_rounds": list(plan.consultation_rounds.order_by("number"))
        if policy.can_read_analysis(plan, request.user) else [],
        **_call_in_context(plan, request.user),
        **successor_context(plan, leads=bool(leads)),
    }, status=status)


def _audits(user: Any, plan: Plan) -> bool:
    """Whether the auditors' page of the plan (workflows.audit_views) is the user's to read."""
    from .audit_views import audit_scope

    scope = audit_scope(user)
    return scope is not None and scope.sees(plan)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, _plan_or_404(request, pk))


def _call_in_context(plan: Plan, user: Any) -> dict[str, Any]:
    from .callin import awaited_decision

    awaited = awaited_decision(plan) if plan.call_in_ends_on is None else None
    return {
        "call_ins": CallInRequest.objects.filter(plan=plan, decision__review=None)
        .select_related("decision", "outcome").order_by("number"),
        "awaiting_publication": awaited,
        "can_publish": awaited is not None and bool(policy.can_record_for(awaited.body, user)),
    }


@login_required
@require_POST
def decision_publication(request: HttpRequest, pk: int, decision_id: int) -> HttpResponse:
    """The executive's secretary records the day a decision notice was published."""
    from .callin import decision_publish

    if max(pk, decision_id) > 2**63 - 1:
        raise Http404("No such decision.")
    plan = visible_plans(request.user).filter(pk=pk).first()
    decision = plan.decisions.filter(pk=decision_id).first() if plan is not None else None
    if decision is None:
        raise Http404("No such decision.")
    field = forms.DateField(input_formats=DATE_FORMATS)
    try:
        published_on = field.clean(request.POST.get("published_on", ""))
    except forms.ValidationError:
        published_on = None
    try:
        if published_on is None:
            raise InvalidInput({"published_on": ["Give the date, for example 18/07/2016."]})
        decision_publish(decision=decision, actor=request.user, published_on=published_on)
    except InvalidInput as exc:
        detail = " ".join(m for errors in exc.errors.values() for m in errors)
        return refused(request, exc, detail=f"Date the decision notice was published: {detail}",
                       back_url=reverse("workflows:plan", args=[plan.pk]),
                       back_label="the plan")
    except PlangovError as exc:
        return _refused(request, exc, plan=plan)
    messages.success(request, "Publication of the decision notice recorded.\nThe call-in "
                              "period counts from that day.")
    return redirect("workflows:plan", pk=plan.pk)


@login_required
@require_POST
def plan_rename_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    form = RenameForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, plan, rename_form=form, status=400)
    try:
        plan_rename(plan=plan, actor=request.user, **form.cleaned_data)
    except InvalidInput as exc:
        put_back(form, exc)
        return _plan_page(request, plan, rename_form=form, status=400)
    except PlangovError as exc:
        return _refused(request, exc, plan=plan)
    messages.success(request, "Title changed.\nThe record keeps the old title and your reason.")
    return redirect("workflows:plan", pk=plan.pk)


@login_required
@require_POST
def plan_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    plan = visible_plans(request.user).filter(pk=pk).first()
    service = PLAN_ACTIONS.get(action)
    if plan is None or service is None:
        raise Http404("No such plan or action.")
    if action in CONFIRMED_ACTIONS:
        return _confirm_page(request, plan, action, _confirm_form(plan, action, request.POST))
    form = PlanActionForm(request.POST)
    if not form.is_valid():
        # Each message names its field, as the error summary says what to mend.
        errors = [f"{form.fields[name].label or name.capitalize()}: {m}"
                  for name, msgs in form.errors.items() for m in msgs]
        return _plan_page(request, plan, failed=action, errors=errors, status=400)
    params: dict[str, Any] = {"reason": form.cleaned_data["reason"]}
    if action in DATED_ACTIONS and form.cleaned_data["on"] is not None:
        params[DATED_ACTIONS[action]] = form.cleaned_data["on"]
    try:
        service(plan=plan, actor=request.user, **params)
    except InvalidInput as exc:
        errors = [m for field in exc.errors.values() for m in field]
        return _plan_page(request, plan, failed=action, errors=errors, status=400)
    except PlangovError as exc:
        return _refused(request, exc, plan=plan)
    messages.success(request, ACTION_DONE.get(action, "Done."))
    return redirect("workflows:plan", pk=plan.pk)


@login_required
def plan_action_confirm(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Withdraw or supersede: GET says what will happen and asks why; POST does it."""
    plan = _plan_or_404(request, pk)
    if action not in CONFIRMED_ACTIONS:
        raise Http404("No such action.")
    data = request.POST if request.method == "POST" else None
    return _confirm_page(request, plan, action, _confirm_form(plan, action, data))


def _confirm_form(plan: Plan, action: str, data: Any = None) -> PlanActionForm:
    """The reason, asked in the words of the action (before the form is validated: a bound
    field keeps the label it had when it was first read)."""
    form = PlanActionForm(data)
    text = confirmed_text(plan, action)
    form.fields["reason"].label = text["reason_label"]
    form.fields["reason"].help_text = text["reason_hint"]
    form.fields["reason"].widget = forms.Textarea(attrs={"rows": 3})
    return form


def _confirm_page(request: HttpRequest, plan: Plan, action: str,
                  form: PlanActionForm) -> HttpResponse:
    if form.is_bound and form.is_valid():
        try:
            PLAN_ACTIONS[action](plan=plan, actor=request.user,
                                 reason=form.cleaned_data["reason"])
        except InvalidInput as exc:
            for field, errors in exc.errors.items():
                for message in errors:
                    form.add_error("reason" if field == "reason" else None, message)
        except PlangovError as exc:
            return _refused(request, exc, plan=plan)
        else:
            plan.refresh_from_db()
            messages.success(request, done_text(plan, action))
            return redirect("workflows:plan", pk=plan.pk)
    text = confirmed_text(plan, action)
    lifecycle = PlanLifecycle(plan)
    offered = {a["action"]: a for a in lifecycle.available_actions(request.user)}
    if action not in lifecycle.possible_actions():
        blocked = f"the plan is at the {plan.get_stage_display().lower()} stage."
    elif action not in offered:
        blocked = "only the plan's lead officer (or their deputy) can do this."
    else:
        blocked = None if offered[action]["ready"] else offered[action]["blocked_by"]
    return render(request, "workflows/plan_confirm.html", {
        "plan": plan, "action": action, "text": text, "form": form, "blocked": blocked,
    }, status=400 if form.is_bound else 200)
