"""The public pages (no sign-in). See the package's note.

The response form is exempt from CSRF: nobody is signed in, so there is no session for a
forged post to ride on, and a blocked cookie must never cost a respondent their answers. The
signed form token issued with each page (governance.consultation.limits) binds a post to a
page we served, and carries the rate limit."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, Prefetch, Q, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from documents.models import (
    DocumentKind,
    DocumentStatus,
    Plan,
    ReviewStage,
    SignedDocument,
    Stage,
)
from documents.views import signed_file_response
from governance.consultation import limits
from governance.consultation.analysis import round_summary
from governance.consultation.models import (
    ConsultationRound,
    ConsultationStatus,
)
from governance.consultation.responses import (
    response_submit,
    retention_ends_on,
    round_audiences,
    round_not_yet_open,
    round_taking_responses,
)
from governance.models import Partnership
from plangov import clock, ratelimit
from plangov.errors import Gone, InvalidInput, TooManyRequests
from plangov.forms import put_back
from plangov.ids import INT64_MAX

from .forms import HONEYPOT, ResponseForm, question_field_name

# Plans the public sees: adopted ones (in force, a revision in progress too: its adopted
# version is what the public sees until the revision is adopted) and superseded ones.
PUBLIC_PLANS = Q(adopted_version__isnull=False) & ~Q(stage=Stage.WITHDRAWN)
PUBLIC_ROUND_STATUSES = (ConsultationStatus.OPEN, ConsultationStatus.CLOSED)


def _partnership(slug: str) -> Partnership:
    return get_object_or_404(Partnership, slug=slug)


def _public_documents() -> Q:
    """Signed documents the public may download: a plan's adopted version, its published
    reviews, and decision notices, of a plan that was adopted (and not withdrawn)."""
    return Q(status=DocumentStatus.DONE, plan__adopted_version__isnull=False) & ~Q(
        plan__stage=Stage.WITHDRAWN) & (
        Q(kind=DocumentKind.PLAN, version_id=F("plan__adopted_version_id"))
        | Q(kind=DocumentKind.REVIEW, review__stage=ReviewStage.PUBLISHED)
        | Q(kind=DocumentKind.DECISION_NOTICE)
    )


def partnership_home(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = _partnership(slug)
    # The plan first, then its reviews (newest first), then decision notices.
    documents = SignedDocument.objects.filter(_public_documents()).select_related(
        "decision__body", "version", "review").order_by(
        Case(When(kind=DocumentKind.PLAN, then=0), When(kind=DocumentKind.REVIEW, then=1),
             default=2), "-review__year", "-signed_at", "-pk")
    plans = list(
        Plan.objects.filter(PUBLIC_PLANS, partnership=partnership)
        .select_related("adopted_version", "predecessor", "superseded_by")
        .prefetch_related(Prefetch("documents", queryset=documents, to_attr="public_documents"))
        .order_by("stage", "-adopted_on", "title")
    )
    rounds = list(
        ConsultationRound.objects.filter(plan__partnership=partnership,
                                         status__in=PUBLIC_ROUND_STATUSES)
        .select_related("plan").order_by("-opens_on", "-pk")
    )
    now = clock.now()
    open_rounds = [r for r in rounds if round_taking_responses(r, now)]
    closed_rounds = [r for r in rounds if r not in open_rounds]
    return render(request, "public/partnership.html", {
        "partnership": partnership,
        "plans": [p for p in plans if p.stage != Stage.SUPERSEDED],
        "superseded": [p for p in plans if p.stage == Stage.SUPERSEDED],
        "open_rounds": open_rounds, "closed_rounds": closed_rounds,
    })


def public_document(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    if pk > INT64_MAX:
        raise Http404("No such published document.")
    document = SignedDocument.objects.filter(
        _public_documents(), pk=pk, plan__partnership__slug=slug
    ).select_related("plan", "version").first()
    if document is None:
        raise Http404("No such published document.")
    return signed_file_response(document)


def _round(slug: str, pk: int, *, drafts: bool = False) -> ConsultationRound:
    statuses = ConsultationStatus.values if drafts else PUBLIC_ROUND_STATUSES
    if pk > INT64_MAX:
        raise Http404("No such consultation.")
    round = ConsultationRound.objects.filter(  # noqa: A001
        pk=pk, plan__partnership__slug=slug, status__in=statuses
    ).select_related("plan__partnership").order_by().first()
    if round is None:
        raise Http404("No such consultation.")
    return round


def _children(request: HttpRequest, round: ConsultationRound) -> bool:  # noqa: A002
    return round.children_form and request.GET.get("version") == "children"


def _urls(round: ConsultationRound, children: bool) -> dict[str, str]:  # noqa: A002
    args = [round.plan.partnership.slug, round.pk]
    suffix = "?version=children" if children else ""
    return {
        "page": reverse("public:round", args=args),
        "children_page": reverse("public:round", args=args) + "?version=children",
        "action": reverse("public:round", args=args) + suffix,
        "thanks": reverse("public:thanks", args=args) + suffix,
        "privacy": reverse("public:privacy", args=args),
        "results": reverse("public:results", args=args),
        "home": reverse("public:home", args=[round.plan.partnership.slug]),
    }


def _form(request: HttpRequest, round: ConsultationRound, children: bool,  # noqa: A002
          data: Any = None) -> ResponseForm:
    return ResponseForm(
        data, round=round, questions=list(round.questions.order_by("order", "pk")),
        audiences=round_audiences(round), children=children,
        initial={"form_token": limits.form_token_issue(round.pk)},
    )


def _render_form(request: HttpRequest, round: ConsultationRound, form: ResponseForm,  # noqa: A002
                 children: bool, *, status: int = 200) -> HttpResponse:
    if form.is_bound:
        # A fresh token for the next send; everything else as typed.
        form.data = form.data.copy()
        form.data["form_token"] = limits.form_token_issue(round.pk)
    return render(request, "public/round.html", {
        "round": round, "partnership": round.plan.partnership, "form": form,
        "children": children, "urls": _urls(round, children),
        "retention_ends_on": retention_ends_on(round),
    }, status=status)


def _closed(request: HttpRequest, round: ConsultationRound, *, status: int) -> HttpResponse:  # noqa: A002
    return render(request, "public/closed.html", {
        "round": round, "partnership": round.plan.partnership,
        "urls": _urls(round, False), "not_yet": round_not_yet_open(round, clock.now()),
    }, status=status)


@csrf_exempt
def round_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    if request.method == "POST":
        return _round_post(request, _round(slug, pk, drafts=True))
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    round = _round(slug, pk)  # noqa: A001
    children = _children(request, round)
    if not round_taking_responses(round, clock.now()):
        return _closed(request, round, status=200)
    return _render_form(request, round, _form(request, round, children), children)


def _round_post(request: HttpRequest, round: ConsultationRound) -> HttpResponse:  # noqa: A002
    children = _children(request, round)
    urls = _urls(round, children)
    if not round_taking_responses(round, clock.now()):
        return _closed(request, round, status=410)
    form = _form(request, round, children, data=request.POST)
    try:
        # The token's own limit first: posts refused for it do not use up the address's
        # ceiling, so one hammered page never locks out a school's other pupils.
        nonce = limits.form_token_nonce(request.POST.get("form_token", ""), round.pk)
        if nonce is not None:
            limits.token_hit(nonce)
        limits.address_hit(ratelimit.client_address(request))
    except TooManyRequests as exc:
        form.is_valid()
        form.add_error(None, f"{exc.detail} Your answers are kept below: send them again in "
                             f"{exc.retry_after} seconds.")
        response = _render_form(request, round, form, children, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    if request.POST.get(HONEYPOT, "").strip():
        return redirect(urls["thanks"])  # as if accepted; nothing is stored
    if not form.is_valid():
        return _render_form(request, round, form, children, status=400)
    if nonce is None:
        form.add_error(None, "This page was open too long to be sent. Your answers are kept "
                             "below: check them and send them again.")
        return _render_form(request, round, form, children, status=400)
    if not limits.token_claim(nonce):
        return redirect(urls["thanks"])  # sent twice (a double click): taken once already
    try:
        response_submit(
            round=round, answers=form.answers(),
            audience=form.cleaned_data.get("audience") or None,
            children_form=children,
            consent_to_quote=bool(form.cleaned_data.get("consent_to_quote")),
        )
    except Gone:
        limits.token_release(nonce)
        return _closed(request, round, status=410)
    except InvalidInput as exc:
        limits.token_release(nonce)
        put_back(form, exc, rename={
            key: question_field_name(key.removeprefix("answers.")) for key in exc.errors
            if key.startswith("answers.")})
        return _render_form(request, round, form, children, status=400)
    return redirect(urls["thanks"])


def thanks(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    round = _round(slug, pk)  # noqa: A001
    children = _children(request, round)
    return render(request, "public/thanks.html", {
        "round": round, "partnership": round.plan.partnership, "children": children,
        "urls": _urls(round, children),
    })


def privacy(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    round = _round(slug, pk)  # noqa: A001
    return render(request, "public/privacy.html", {
        "round": round, "partnership": round.plan.partnership, "urls": _urls(round, False),
        "retention_ends_on": retention_ends_on(round),
    })


def results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """"We asked, you said, we did", once the round's summary is published: everything
    ``round_summary`` says (reach, dates, counts per question, themes, consented quotes in
    their redacted form, statements)."""
    round = _round(slug, pk)  # noqa: A001
    context: dict[str, Any] = {"round": round, "partnership": round.plan.partnership,
                               "urls": _urls(round, False)}
    if round.summary_published_at is None:
        return render(request, "public/results.html", context)
    summary = round_summary(round)
    for question in summary["counts"]["questions"]:
        top = max((c["count"] for c in question["choices"]), default=0)
        for choice in question["choices"]:
            # Bar length for the small chart, as a whole percentage of the longest bar.
            choice["bar"] = round_half(100 * choice["count"] / top) if top else 0
    context.update({"published": True, "summary": summary})
    return render(request, "public/results.html", context)


def round_half(value: float) -> int:
    return int(value + 0.5)


def scorecard(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The scorecard of a public plan (one with an adopted version), for anyone: the same
    rows, filters and summary as the signed-in page (documents.scorecard_views), without the
    exports."""
    from documents.monitoring.scorecard_page import put_rows, scorecard_view
    from documents.scorecard_views import scorecard_context, scorecard_filters

    partnership = _partnership(slug)
    plan = get_object_or_404(
        Plan.objects.select_related("adopted_version").filter(PUBLIC_PLANS), pk=pk,
        partnership=partnership,
    )
    view = scorecard_view(plan)
    form, filters = scorecard_filters(request, view.outcomes)
    rows = view.pick(**filters) if filters is not None else []
    response = render(request, "public/scorecard.html", {
        **scorecard_context(plan, view, rows, filters or {}), "form": form,
        "partnership": partnership,
    }, status=400 if filters is None else 200)
    response.content = put_rows(response.content, view.html(rows))
    return response
