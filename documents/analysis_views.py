"""Pages for analysing a consultation round: counts and charts, the free-text answers (filter,
tag with themes, notes, redaction), CSV export, and "you said, we did" with publishing.

Who: the plan's lead officer and their deputy analyse; auditors read (the original of a
redacted quote too) and change nothing (403); others who may see the plan get 403; people
who may not see it, 404. Every change goes through governance.consultation.analysis_services."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from governance import policy
from governance.consultation import analysis_services as svc
from governance.consultation.analysis import priority_titles, round_summary
from governance.consultation.analysis_export import export_rows
from governance.models import (
    AnalystNote,
    Answer,
    ConsultationRound,
    QuestionKind,
    Statement,
    Theme,
)
from plangov.errors import Conflict, Forbidden, InvalidInput, PlangovError
from plangov.forms import put_back
from plangov.ids import INT64_MAX, to_int

from .analysis_charts import bar_chart
from .analysis_forms import NoteForm, RedactForm, StatementForm, TagForm
from .queries import visible_plans

PAGE_SIZE = 50


def _round(request: HttpRequest, pk: int) -> ConsultationRound:
    """The round, if the person may see its plan (else 404) and read its analysis (else
    403, raised as Forbidden)."""
    rnd = (ConsultationRound.objects.select_related("plan", "plan__current_version")
           .filter(pk=pk).first() if pk <= INT64_MAX else None)
    if rnd is None or not visible_plans(request.user).filter(pk=rnd.plan_id).exists():
        raise Http404("No such consultation.")
    verdict = policy.can_read_analysis(rnd.plan, request.user)
    if not verdict:
        raise Forbidden(verdict.reason)
    return rnd


def _refused(request: HttpRequest, exc: PlangovError) -> HttpResponse:
    title = "You cannot do this" if isinstance(exc, Forbidden) else "This cannot be done now"
    return render(request, "workflows/refused.html", {"title": title, "detail": exc.detail},
                  status=exc.status)


def analysis_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in; a refusal (403) or a wrong moment (409) is a page saying why."""
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (Forbidden, Conflict) as exc:
            return _refused(request, exc)
    return wrapper


def _base(request: HttpRequest, rnd: ConsultationRound) -> dict[str, Any]:
    return {"round": rnd, "plan": rnd.plan,
            "may_analyse": bool(policy.can_analyse(rnd.plan, request.user))}


def _require_analyst(request: HttpRequest, rnd: ConsultationRound) -> None:
    verdict = policy.can_analyse(rnd.plan, request.user)
    if not verdict:
        raise Forbidden(verdict.reason)


def _overview(request: HttpRequest, rnd: ConsultationRound, note_form: NoteForm,
              status: int = 200) -> HttpResponse:
    summary = round_summary(rnd)
    reach_rows = [(a["name"], a["total"]) for a in summary["reach"]["by_audience"]]
    questions = [
        {**q, "chart": bar_chart(f"Answers to: {q['text']}",
                                 [(c["label"], c["count"]) for c in q["choices"]],
                                 unit="answers")}
        for q in summary["counts"]["questions"]
    ]
    notes = list(AnalystNote.objects.filter(round=rnd, answer=None).select_related("author"))
    return render(request, "consultation/analysis/overview.html", {
        **_base(request, rnd), "summary": summary, "questions": questions, "notes": notes,
        "reach_chart": bar_chart("Reach by audience", reach_rows, unit="people"),
        "note_form": note_form, "form": note_form if note_form.is_bound else None,
    }, status=status)


@analysis_page
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    return _overview(request, _round(request, pk), NoteForm())


@analysis_page
@require_POST
def round_note(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    _require_analyst(request, rnd)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            svc.note_add(round=rnd, text=form.cleaned_data["text"], actor=request.user)
            return redirect(reverse("analysis:overview", args=[rnd.pk]) + "#notes")
        except InvalidInput as exc:
            put_back(form, exc)
    return _overview(request, rnd, form, status=400)


def _answer_filters(request: HttpRequest, rnd: ConsultationRound) -> dict[str, Any]:
    questions = list(rnd.questions.filter(kind=QuestionKind.FREE_TEXT))
    themes = list(Theme.objects.filter(round=rnd))
    question = to_int(request.GET.get("question", ""), minimum=1)
    theme = request.GET.get("theme", "")
    chosen_theme = to_int(theme, minimum=1) if theme not in ("", "untagged") else None
    return {
        "questions": questions, "themes": themes,
        "question": question if question in {q.pk for q in questions} else None,
        "theme": "untagged" if theme == "untagged" else (
            chosen_theme if chosen_theme in {t.pk for t in themes} else None),
    }


@analysis_page
def answers(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    filters = _answer_filters(request, rnd)
    rows = (Answer.objects.filter(response__round=rnd, question__kind=QuestionKind.FREE_TEXT)
            .exclude(text="").select_related("question", "response__audience")
            .prefetch_related(Prefetch("themes", Theme.objects.order_by("name")))
            .annotate(note_count=Count("notes")).order_by("pk"))
    if filters["question"]:
        rows = rows.filter(question_id=filters["question"])
    if filters["theme"] == "untagged":
        rows = rows.filter(themes=None)
    elif filters["theme"]:
        rows = rows.filter(themes=filters["theme"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "consultation/analysis/answers.html", {
        **_base(request, rnd), **filters, "page": page, "query": query.urlencode(),
    })


@analysis_page
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int, answer_id: int) -> HttpResponse:
    rnd = _round(request, pk)
    item = (Answer.objects.filter(response__round=rnd, question__kind=QuestionKind.FREE_TEXT,
                                  pk=answer_id).select_related("question", "response__audience",
                                                               "redacted_by").first()
            if answer_id <= INT64_MAX else None)
    if item is None:
        raise Http404("No such answer.")
    tag_form = TagForm(round=rnd, initial={"themes": list(item.themes.all())})
    note_form, redact_form = NoteForm(), RedactForm(initial={
        "redacted_text": item.redacted_text or item.text, "reason": item.redaction_reason})
    failed: Any = None
    if request.method == "POST":
        _require_analyst(request, rnd)
        action = request.POST.get("action")
        here = reverse("analysis:answer", args=[rnd.pk, item.pk])
        try:
            if action == "tag":
                tag_form = failed = TagForm(request.POST, round=rnd)
                if tag_form.is_valid():
                    svc.answer_tag(answer=item, themes=list(tag_form.cleaned_data["themes"]),
                                   new_theme=tag_form.cleaned_data["new_theme"],
                                   actor=request.user)
                    return redirect(here)
            elif action == "note":
                note_form = failed = NoteForm(request.POST)
                if note_form.is_valid():
                    svc.note_add(round=rnd, answer=item, text=note_form.cleaned_data["text"],
                                 actor=request.user)
                    return redirect(here + "#notes")
            elif action == "redact":
                redact_form = failed = RedactForm(request.POST)
                if redact_form.is_valid():
                    svc.answer_redact(answer=item, actor=request.user,
                                      redacted_text=redact_form.cleaned_data["redacted_text"],
                                      reason=redact_form.cleaned_data["reason"])
                    return redirect(here)
            else:
                return HttpResponse("Unknown action.", status=400)
        except InvalidInput as exc:
            put_back(failed, exc)
    return render(request, "consultation/analysis/answer.html", {
        **_base(request, rnd), "answer": item, "tag_form": tag_form, "note_form": note_form,
        "redact_form": redact_form, "form": failed,
        "notes": list(item.notes.select_related("author")),
        "themes": list(item.themes.order_by("name")),
    }, status=400 if failed is not None else 200)


@analysis_page
def export_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    rnd = _round(request, pk)

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so spreadsheet programs read UTF-8
        for row in export_rows(rnd):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="consultation-{rnd.plan_id}-{rnd.number}-responses.csv"')
    return response


# "You said, we did" ------------------------------------------------------------------------

def _statement_rows(rnd: ConsultationRound) -> list[Statement]:
    titles = priority_titles(rnd)
    rows = list(Statement.objects.filter(round=rnd).select_related("changed_in_version")
                .prefetch_related("themes", "quotes").order_by("order", "pk"))
    for s in rows:
        s.priority_title = titles.get((s.outcome_key, s.priority_key), "")  # type: ignore[attr-defined]
    return rows


@analysis_page
def statements(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    return render(request, "consultation/analysis/statements.html", {
        **_base(request, rnd), "statements": _statement_rows(rnd),
        "problems": svc.publish_problems(rnd) if rnd.summary_published_at is None else {},
    })


@analysis_page
@require_http_methods(["GET", "POST"])
def statement_edit(request: HttpRequest, pk: int, statement_id: int | None = None
                   ) -> HttpResponse:
    rnd = _round(request, pk)
    _require_analyst(request, rnd)
    statement = None
    if statement_id is not None:
        statement = (Statement.objects.filter(round=rnd, pk=statement_id).first()
                     if statement_id <= INT64_MAX else None)
        if statement is None:
            raise Http404("No such statement.")
    initial: dict[str, Any] = {}
    if statement is not None:
        initial = {
            "you_said": statement.you_said, "we_did": statement.we_did,
            "no_change_reason": statement.no_change_reason,
            "priority": f"{statement.outcome_key}:{statement.priority_key}"
            if statement.outcome_key else "",
            "changed_in_version": str(statement.changed_in_version.number)
            if statement.changed_in_version else "",
            "themes": list(statement.themes.all()), "quotes": list(statement.quotes.all()),
        }
    form = StatementForm(request.POST or None, round=rnd, statement=statement, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome_key, priority_key = data["priority"]
        version = (rnd.plan.versions.filter(number=int(data["changed_in_version"])).first()
                   if data["changed_in_version"] else None)
        try:
            svc.statement_save(
                round=rnd, statement=statement, you_said=data["you_said"],
                we_did=data["we_did"], no_change_reason=data["no_change_reason"],
                themes=list(data["themes"]), quotes=list(data["quotes"]),
                outcome_key=outcome_key, priority_key=priority_key,
                changed_in_version=version, actor=request.user)
            return redirect("analysis:statements", rnd.pk)
        except InvalidInput as exc:
            put_back(form, exc, rename={"outcome_key": "priority", "priority_key": "priority"})
    return render(request, "consultation/analysis/statement_form.html", {
        **_base(request, rnd), "form": form, "statement": statement,
    }, status=400 if form.errors else 200)


@analysis_page
@require_POST
def statement_change(request: HttpRequest, pk: int, statement_id: int) -> HttpResponse:
    """Move a statement up or down, or remove it (buttons on the statements page)."""
    rnd = _round(request, pk)
    statement = (Statement.objects.filter(round=rnd, pk=statement_id).first()
                 if statement_id <= INT64_MAX else None)
    if statement is None:
        raise Http404("No such statement.")
    action = request.POST.get("action")
    if action in ("up", "down"):
        svc.statement_move(statement=statement, up=action == "up", actor=request.user)
    elif action == "remove":
        svc.statement_delete(statement=statement, actor=request.user)
    else:
        return HttpResponse("Unknown action.", status=400)
    return redirect("analysis:statements", rnd.pk)


@analysis_page
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    try:
        svc.summary_publish(round=rnd, actor=request.user)
    except InvalidInput as exc:
        return render(request, "consultation/analysis/statements.html", {
            **_base(request, rnd), "statements": _statement_rows(rnd),
            "problems": exc.errors,
        }, status=400)
    return redirect("analysis:statements", rnd.pk)
