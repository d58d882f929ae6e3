"""Staff pages for consultation rounds: a plan's rounds, setting one up and changing it, its
questions editor (add, remove and reorder without JavaScript: named submit buttons), and the
lead officer's buttons to open, close, record a past round as held and publish the summary.
Every change goes through the same services as the API; opening and closing through the
lifecycle."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from documents.models import Plan
from documents.queries import visible_plans
from governance import policy
from governance.consultation.models import ConsultationRound, ConsultationStatus
from governance.consultation.services import (
    audiences_for,
    outcome_keys,
    question_dicts,
    questions_set,
    round_create,
    round_publish_summary,
    round_update,
)
from plangov import clock
from plangov.errors import InvalidInput, PlangovError
from plangov.forms import put_back
from plangov.ids import INT64_MAX

from .consultation_forms import QuestionForm, RoundForm, question_initial
from .services import plan_close_consultation, plan_start_consultation, round_record_held
from .views import _refused

MAX_EDITOR_QUESTIONS = 200


def _plan(request: HttpRequest, pk: int) -> Plan:
    plan = visible_plans(request.user).filter(pk=pk).first() if pk <= INT64_MAX else None
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _round(request: HttpRequest, pk: int) -> ConsultationRound:
    round = (
        ConsultationRound.objects.select_related("plan", "version")
        .filter(pk=pk, plan__in=visible_plans(request.user)).first()
        if pk <= INT64_MAX else None
    )
    if round is None:
        raise Http404("No such consultation round.")
    return round


def _leads(plan: Plan, user: Any) -> bool:
    return bool(policy.can_lead(plan, user))


@login_required
def round_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    rounds = list(plan.consultation_rounds.select_related("version").order_by("number"))
    return render(request, "workflows/consultations/round_list.html", {
        "plan": plan, "rounds": rounds, "leads": _leads(plan, request.user),
    })


def _round_values(form: RoundForm, plan: Plan, audiences: list[Any]) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    number = data.pop("version")
    data["version"] = plan.versions.filter(number=number).first() if number else None
    by_slug = {a.slug: a for a in audiences}
    data["audiences"] = [by_slug[s] for s in data["audiences"]]
    return data


def _form_page(request: HttpRequest, plan: Plan, form: RoundForm, round: Any = None,
               status: int = 200) -> HttpResponse:
    return render(request, "workflows/consultations/round_form.html",
                  {"plan": plan, "form": form, "round": round}, status=status)


@login_required
def round_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not (verdict := policy.can_lead(plan, request.user)):
        return _refused(request, _forbidden(verdict))
    audiences = audiences_for(plan.partnership)
    if request.method != "POST":
        form = RoundForm(plan=plan, audiences=audiences, initial={
            "audiences": [a.slug for a in audiences], "channels": ["online"],
            "children_form": True, "retention_months": 24,
            "version": plan.current_version.number if plan.current_version else None,
        })
        return _form_page(request, plan, form)
    form = RoundForm(request.POST, plan=plan, audiences=audiences)
    if not form.is_valid():
        return _form_page(request, plan, form, status=400)
    try:
        round = round_create(plan=plan, actor=request.user,
                             **_round_values(form, plan, audiences))
    except InvalidInput as exc:
        put_back(form, exc, rename=RoundForm.FIELD_FOR_ERROR)
        return _form_page(request, plan, form, status=400)
    except PlangovError as exc:
        return _refused(request, exc)
    messages.success(request, f"Consultation round {round.number} is set up. Add its "
                     "questions; it opens at its opening time, or when you open it.")
    return redirect("workflows:consultation", pk=round.pk)


def _forbidden(verdict: Any) -> PlangovError:
    from plangov.errors import Forbidden

    return Forbidden(verdict.reason)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    plan = round.plan
    leads = _leads(plan, request.user)
    groups: list[dict[str, Any]] = []
    for number, question in enumerate(round.questions.all(), start=1):
        if not groups or groups[-1]["name"] != question.group:
            groups.append({"name": question.group, "questions": [], "start": number})
        groups[-1]["questions"].append(question)
    now = clock.now()
    return render(request, "workflows/consultations/round_detail.html", {
        "plan": plan, "round": round, "leads": leads, "groups": groups,
        "audiences": list(round.audiences.all()),
        "channels": [label for value, label in _channel_choices() if value in round.channels],
        "can_open": leads and round.status == ConsultationStatus.DRAFT
        and plan.stage == "drafting" and not round.recorded,
        "can_record": leads and round.status == ConsultationStatus.DRAFT and round.recorded
        and plan.stage == "drafting" and round.closes_at is not None and round.closes_at <= now,
        "can_close": leads and round.status == ConsultationStatus.OPEN,
        "can_publish": leads and round.status == ConsultationStatus.CLOSED,
    })


def _channel_choices() -> list[tuple[str, str]]:
    from governance.consultation.models import Channel

    return list(Channel.choices)


@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    plan = round.plan
    if not (verdict := policy.can_lead(plan, request.user)):
        return _refused(request, _forbidden(verdict))
    audiences = audiences_for(plan.partnership)
    if request.method != "POST":
        form = RoundForm(plan=plan, audiences=audiences, initial={
            "title": round.title, "purpose": round.purpose, "recorded": round.recorded,
            "opens_at": _local(round.opens_at), "closes_at": _local(round.closes_at),
            "version": round.version.number if round.version_id else None,
            "audiences": [a.slug for a in round.audiences.all()], "channels": round.channels,
            "children_form": round.children_form, "privacy_notice": round.privacy_notice,
            "retention_months": round.retention_months,
        })
        return _form_page(request, plan, form, round)
    form = RoundForm(request.POST, plan=plan, audiences=audiences)
    if not form.is_valid():
        return _form_page(request, plan, form, round, status=400)
    values = _round_values(form, plan, audiences)
    if round.status == ConsultationStatus.OPEN:  # the rest is fixed once open
        values = {k: v for k, v in values.items()
                  if k in ("title", "purpose", "closes_at", "privacy_notice")}
    try:
        round = round_update(round=round, changes=values, actor=request.user)
    except InvalidInput as exc:
        put_back(form, exc, rename=RoundForm.FIELD_FOR_ERROR)
        return _form_page(request, plan, form, round, status=400)
    except PlangovError as exc:
        return _refused(request, exc)
    messages.success(request, f"Consultation round {round.number} is saved.")
    return redirect("workflows:consultation", pk=round.pk)


def _local(moment: Any) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


# The questions editor.


def _raw_questions(request: HttpRequest) -> list[dict[str, Any]]:
    """The questions as typed, in the page's order (nothing lost on add, remove or move)."""
    try:
        count = min(int(request.POST.get("count", "0")), MAX_EDITOR_QUESTIONS)
    except ValueError:
        count = 0
    fields = ("kind", "text", "children_text", "outcome_key", "group", "choices")
    return [
        {**{f: request.POST.get(f"q{i}-{f}", "") for f in fields},
         "required": request.POST.get(f"q{i}-required") == "on"}
        for i in range(count)
    ]


def _editor(request: HttpRequest, round: ConsultationRound, forms: list[QuestionForm], *,
            status: int = 200, problems: list[str] | None = None) -> HttpResponse:
    return render(request, "workflows/consultations/questions.html", {
        "plan": round.plan, "round": round, "forms": forms, "count": len(forms),
        "problems": problems or [],
        "has_errors": bool(problems) or any(f.errors for f in forms),
    }, status=status)


@login_required
def round_questions(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    if not (verdict := policy.can_lead(round.plan, request.user)):
        return _refused(request, _forbidden(verdict))
    outcomes = outcome_keys(round.version)
    if request.method != "POST":
        forms = [QuestionForm(prefix=f"q{i}", outcomes=outcomes, initial=question_initial(q))
                 for i, q in enumerate(question_dicts(round))]
        return _editor(request, round, forms)
    raw = _raw_questions(request)
    op = request.POST.get("op", "save")
    verb, _, where = op.partition(":")
    index = int(where) if where.isdigit() else -1
    if verb != "save":
        if verb == "add" and len(raw) < MAX_EDITOR_QUESTIONS:
            raw.append({"kind": "free_text", "required": False})
        elif verb == "remove" and 0 <= index < len(raw):
            raw.pop(index)
        elif verb == "up" and 0 < index < len(raw):
            raw[index - 1], raw[index] = raw[index], raw[index - 1]
        elif verb == "down" and 0 <= index < len(raw) - 1:
            raw[index + 1], raw[index] = raw[index], raw[index + 1]
        forms = [QuestionForm(prefix=f"q{i}", outcomes=outcomes, initial=q)
                 for i, q in enumerate(raw)]
        return _editor(request, round, forms)
    forms = [QuestionForm(request.POST, prefix=f"q{i}", outcomes=outcomes)
             for i in range(len(raw))]
    if not all(form.is_valid() for form in forms):
        return _editor(request, round, forms, status=400)
    try:
        questions_set(round=round, questions=[f.question() for f in forms],
                      actor=request.user)
    except InvalidInput as exc:
        problems = []
        for field, errors in exc.errors.items():
            head, _, rest = field.partition("].")
            if head.startswith("questions[") and head[10:].isdigit():
                form = forms[int(head[10:])]
                name = rest.split("[")[0].split(".")[0]
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            else:
                problems += errors
        return _editor(request, round, forms, status=400, problems=problems)
    except PlangovError as exc:
        return _refused(request, exc)
    messages.success(request, f"{len(forms)} question{'s' if len(forms) != 1 else ''} saved "
                     f"for consultation round {round.number}.")
    return redirect("workflows:consultation", pk=round.pk)


# Opening, closing, recording a past round as held, publishing the summary.


@login_required
@require_POST
def round_act(request: HttpRequest, pk: int, act: str) -> HttpResponse:
    round = _round(request, pk)
    plan = round.plan
    try:
        if act == "open":
            plan_start_consultation(plan=plan, round=round, actor=request.user)
            round.refresh_from_db()
            closes = f" It closes {_local(round.closes_at)}." if round.closes_at else (
                " Close it when it is done.")
            done = f"Consultation round {round.number} is open.{closes}"
        elif act == "close":
            plan_close_consultation(plan=plan, round=round, actor=request.user)
            done = (f"Consultation round {round.number} is closed and the plan is back in "
                    "drafting. Analyse the responses, then publish the summary.")
        elif act == "record":
            round_record_held(round=round, actor=request.user)
            done = (f"Consultation round {round.number} is recorded as held, with its own "
                    "dates. Publish its summary when it is ready.")
        elif act == "publish":
            round_publish_summary(round=round, actor=request.user)
            done = (f"The summary of consultation round {round.number} is published. The plan "
                    "can be submitted once it is otherwise ready.")
        else:
            raise Http404("No such action.")
    except InvalidInput as exc:
        detail = " ".join(m for problems in exc.errors.values() for m in problems)
        return render(request, "workflows/refused.html",
                      {"title": "This cannot be accepted", "detail": detail}, status=400)
    except PlangovError as exc:
        return _refused(request, exc)
    messages.success(request, done)
    return redirect("workflows:consultation", pk=round.pk)
