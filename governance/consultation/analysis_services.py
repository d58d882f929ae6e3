"""Services for the analysis of a round: themes tagged on free-text answers, analyst notes,
redaction of quotes, "you said, we did" statements, and publishing the summary.

What goes into the audit chain (one event per act; personal data and draft text stay out):

- **Redaction** is an act on what will be published: one event ``answer.redact`` with hashes
  of the original, the redacted text and the reason, never the text itself (a quote is
  personal data, and a reason often says what identified someone).
- **Themes, tags and analyst notes** are working notes on personal data: no event. They
  publish nothing by themselves; what they lead to is in the published summary, and
  publishing is an event (consultcore's ``round_publish_summary``, with a digest over the
  responses).
- **Statements** ("you said, we did") are draft text until published: no event per edit; the
  publication event records the summary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.db.models import Max

from governance import policy
from governance.audit import audit_record
from plangov import clock
from plangov import text as policy_text
from plangov.errors import Conflict, Forbidden, InvalidInput
from plangov.txn import service

from .models import (
    AnalystNote,
    Answer,
    ConsultationRound,
    ConsultationStatus,
    QuestionKind,
    Statement,
    Theme,
)

MAX_THEME = 200
MAX_NOTE = 10_000
MAX_REASON = 500
MAX_STATEMENT = 5_000


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _lock_round(round_id: int) -> ConsultationRound:
    rounds = ConsultationRound.objects.filter(pk=round_id)
    rounds.select_for_update().values_list("pk", flat=True).get()
    return rounds.select_related("plan", "plan__current_version").get()


def _require(verdict: policy.Verdict) -> None:
    if not verdict:
        raise Forbidden(verdict.reason)


def _text(errors: dict[str, list[str]], name: str, value: str, *, limit: int,
          required: str = "") -> str:
    if not isinstance(value, str):
        errors[name] = ["Must be text."]
        return ""
    if (refused := policy_text.text_error(value)) is not None:
        errors[name] = [refused]
        return ""
    value = policy_text.normalise_lines(value).strip()
    if required and not value:
        errors[name] = [required]
    elif len(value) > limit:
        errors[name] = [f"At most {limit:,} characters (this is {len(value):,})."]
    return value


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput(errors)


# Themes and tags ---------------------------------------------------------------------------

def _theme_get_or_create(round: ConsultationRound, name: str) -> Theme:  # noqa: A002
    existing = Theme.objects.filter(round=round, name__iexact=name).first()
    return existing or Theme.objects.create(round=round, name=name)


@service
def theme_create(*, round: ConsultationRound, name: str, actor: Any) -> Theme:  # noqa: A002
    """A theme for tagging the round's answers (the existing one when the name is taken)."""
    round = _lock_round(round.pk)  # noqa: A001
    _require(policy.can_analyse(round.plan, actor))
    errors: dict[str, list[str]] = {}
    name = _text(errors, "name", name, limit=MAX_THEME, required="Name the theme.")
    _raise(errors)
    return _theme_get_or_create(round, name)


@service
def answer_tag(
    *, answer: Answer, themes: Sequence[Theme], new_theme: str = "", actor: Any
) -> Answer:
    """Set the themes of a free-text answer (many per answer), creating ``new_theme`` inline."""
    answer = Answer.objects.select_related("question", "response").get(pk=answer.pk)
    round = _lock_round(answer.response.round_id)  # noqa: A001
    _require(policy.can_analyse(round.plan, actor))
    errors: dict[str, list[str]] = {}
    if answer.question.kind != QuestionKind.FREE_TEXT:
        errors["answer"] = ["Only free-text answers are tagged with themes."]
    if any(t.round_id != round.pk for t in themes):
        errors["themes"] = ["Choose themes of this round."]
    name = _text(errors, "new_theme", new_theme, limit=MAX_THEME)
    _raise(errors)
    chosen = list(themes)
    if name:
        chosen.append(_theme_get_or_create(round, name))
    answer.themes.set(chosen)
    return answer


# Analyst notes -------------------------------------------------------------------------------

@service
def note_add(
    *, round: ConsultationRound, text: str, answer: Answer | None = None,  # noqa: A002
    actor: Any,
) -> AnalystNote:
    """An analyst's note on the round, or on one answer."""
    round = _lock_round(round.pk)  # noqa: A001
    _require(policy.can_analyse(round.plan, actor))
    errors: dict[str, list[str]] = {}
    body = _text(errors, "text", text, limit=MAX_NOTE, required="Write the note.")
    if answer is not None and answer.response.round_id != round.pk:
        errors["answer"] = ["That answer is not one of this round's."]
    _raise(errors)
    return AnalystNote.objects.create(round=round, answer=answer, text=body, author=actor,
                                      created_at=clock.now())


# Redaction ---------------------------------------------------------------------------------

@service
def answer_redact(*, answer: Answer, redacted_text: str, reason: str, actor: Any) -> Answer:
    """Redact a quote before publication: the public sees ``redacted_text``; the original
    stays, read only by the analysts and auditors. One audit event, hashes only."""
    answer = Answer.objects.select_related("response").get(pk=answer.pk)
    round = _lock_round(answer.response.round_id)  # noqa: A001
    _require(policy.can_analyse(round.plan, actor))
    if round.summary_published_at is not None:
        raise Conflict("The round's summary is published: its quotes can no longer be "
                       "redacted.")
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    errors: dict[str, list[str]] = {}
    redacted = _text(errors, "redacted_text", redacted_text, limit=10_000,
                     required="Give the quote as it will be published.")
    why = _text(errors, "reason", reason, limit=MAX_REASON, required="Say why it is redacted.")
    if not answer.text:
        errors["answer"] = ["Only a written answer can be redacted."]
    elif redacted and redacted == answer.text.strip():
        errors["redacted_text"] = ["The redacted quote is the same as the original."]
    _raise(errors)
    before = {"redacted": answer.redacted_at is not None,
              "redacted_sha256": _sha256(answer.redacted_text) if answer.redacted_at else ""}
    answer.redacted_text, answer.redaction_reason = redacted, why
    answer.redacted_by, answer.redacted_at = actor, clock.now()
    answer.save(update_fields=["redacted_text", "redaction_reason", "redacted_by",
                               "redacted_at"])
    audit_record(
        actor=actor, action="answer.redact", obj=answer, plan_id=round.plan_id,
        before=before,
        after={"round": round.number, "redacted": True,
               "original_sha256": _sha256(answer.text),
               "redacted_sha256": _sha256(redacted), "reason_sha256": _sha256(why)},
    )
    return answer


# "You said, we did" --------------------------------------------------------------------------

def _priority_keys(round: ConsultationRound) -> set[tuple[str, str]]:  # noqa: A002
    version = round.plan.current_version
    keys: set[tuple[str, str]] = set()
    for outcome in (version.content if version else {}).get("outcomes", []):
        keys.add((outcome["key"], ""))
        for priority in outcome.get("priorities", []):
            keys.add((outcome["key"], priority["key"]))
    return keys


@service
def statement_save(
    *,
    round: ConsultationRound,  # noqa: A002
    statement: Statement | None = None,
    you_said: str,
    we_did: str = "",
    no_change_reason: str = "",
    themes: Sequence[Theme] = (),
    quotes: Sequence[Answer] = (),
    outcome_key: str = "",
    priority_key: str = "",
    changed_in_version: Any = None,
    actor: Any,
) -> Statement:
    """Add a statement (at the end) or change ``statement``. What was said is required; what
    was done or why nothing changed: one, not both (a statement with neither is a draft, and
    the summary is not published while one is left)."""
    round = _lock_round(round.pk)  # noqa: A001
    _require(policy.can_analyse(round.plan, actor))
    if round.summary_published_at is not None:
        raise Conflict("The round's summary is published; its statements are final.")
    if statement is not None and statement.round_id != round.pk:
        raise InvalidInput({"statement": ["That statement is not one of this round's."]})
    errors: dict[str, list[str]] = {}
    said = _text(errors, "you_said", you_said, limit=MAX_STATEMENT,
                 required="Say what you heard.")
    did = _text(errors, "we_did", we_did, limit=MAX_STATEMENT)
    why = _text(errors, "no_change_reason", no_change_reason, limit=MAX_STATEMENT)
    if did and why:
        errors["no_change_reason"] = [
            "Say what you did or why nothing changed, not both."]
    if any(t.round_id != round.pk for t in themes):
        errors["themes"] = ["Choose themes of this round."]
    quote_rows = list(Answer.objects.filter(pk__in=[q.pk for q in quotes])
                      .select_related("response"))
    if len(quote_rows) != len({q.pk for q in quotes}) or any(
            q.response.round_id != round.pk or not q.text for q in quote_rows):
        errors["quotes"] = ["Choose written answers of this round as quotes."]
    elif any(not q.response.consent_to_quote for q in quote_rows):
        errors["quotes"] = ["A quote must come from someone who consented to be quoted."]
    outcome_key = (outcome_key or "").strip()
    priority_key = (priority_key or "").strip()
    if (outcome_key or priority_key) and (outcome_key, priority_key) not in _priority_keys(round):
        errors["priority_key" if priority_key else "outcome_key"] = [
            "Choose an outcome or priority of the plan's current version."]
    if changed_in_version is not None and changed_in_version.plan_id != round.plan_id:
        errors["changed_in_version"] = ["Choose a version of this plan."]
    _raise(errors)
    if statement is None:
        last = Statement.objects.filter(round=round).aggregate(m=Max("order"))["m"]
        statement = Statement(round=round, order=0 if last is None else last + 1)
    else:
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
    statement.you_said, statement.we_did, statement.no_change_reason = said, did, why
    statement.outcome_key, statement.priority_key = outcome_key, priority_key
    statement.changed_in_version = changed_in_version
    statement.save()
    statement.themes.set(list(themes))
    statement.quotes.set(quote_rows)
    return statement


@service
def statement_delete(*, statement: Statement, actor: Any) -> None:
    round = _lock_round(statement.round_id)  # noqa: A001
    _require(policy.can_analyse(round.plan, actor))
    if round.summary_published_at is not None:
        raise Conflict("The round's summary is published; its statements are final.")
    Statement.objects.filter(pk=statement.pk).delete()
    _renumber(round)


def _renumber(round: ConsultationRound, order: list[int] | None = None) -> None:  # noqa: A002
    ids = order or list(Statement.objects.filter(round=round).order_by("order", "pk")
                        .values_list("pk", flat=True))
    for position, pk in enumerate(ids):
        Statement.objects.filter(pk=pk).update(order=position)


@service
def statement_move(*, statement: Statement, up: bool, actor: Any) -> None:
    """Move a statement one place up (or down)."""
    round = _lock_round(statement.round_id)  # noqa: A001
    _require(policy.can_analyse(round.plan, actor))
    if round.summary_published_at is not None:
        raise Conflict("The round's summary is published; its statements are final.")
    ids = list(Statement.objects.filter(round=round).order_by("order", "pk")
               .values_list("pk", flat=True))
    at = ids.index(statement.pk)
    to = at - 1 if up else at + 1
    if 0 <= to < len(ids):
        ids[at], ids[to] = ids[to], ids[at]
    _renumber(round, ids)


# Publishing ----------------------------------------------------------------------------------

def publish_problems(round: ConsultationRound) -> dict[str, list[str]]:  # noqa: A002
    """Why the summary cannot be published yet, by field (empty when it can)."""
    problems: dict[str, list[str]] = {}
    statements = list(Statement.objects.filter(round=round).prefetch_related("quotes__response")
                      .order_by("order", "pk"))
    if not statements:
        problems["statements"] = ['Write at least one "you said, we did" statement.']
    for n, s in enumerate(statements, start=1):
        if not s.we_did and not s.no_change_reason:
            problems.setdefault("statements", []).append(
                f"Statement {n} says neither what was done nor why nothing changed.")
        if any(not q.response.consent_to_quote for q in s.quotes.all()):
            problems.setdefault("statements", []).append(
                f"Statement {n} quotes someone who did not consent to be quoted.")
    if round.status != ConsultationStatus.CLOSED:
        problems["round"] = ["Publish the summary once the round has closed."]
    return problems


@service
def summary_publish(
    *, round: ConsultationRound, actor: Any, published_on: Any = None  # noqa: A002
) -> ConsultationRound:
    """Check "you said, we did" is complete and its quotes consented, then publish through
    consultcore's ``round_publish_summary`` (one audit event with the responses' digest)."""
    round = _lock_round(round.pk)  # noqa: A001
    _require(policy.can_analyse(round.plan, actor))
    if round.summary_published_at is not None:
        raise Conflict("The round's summary is already published.")
    problems = publish_problems(round)
    if problems:
        raise InvalidInput(problems, "The summary cannot be published yet: "
                           + " ".join(m for ms in problems.values() for m in ms))
    try:
        from .services import round_publish_summary  # consultcore's service
    except ImportError as exc:  # until consultcore's services are on main
        raise Conflict("Publishing summaries is not available on this installation yet.") \
            from exc
    return round_publish_summary(round=round, actor=actor, published_on=published_on)
