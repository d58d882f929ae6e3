"""Responses to a consultation round: checking answers, taking a response while the round is
open, and anonymising responses when the round's retention period ends.

Responses are personal data, not audit events: taking one writes no audit event. Anonymising
a round's responses does (one per round, with the digest of its responses before and after),
so the chain shows that it happened without holding what was said.

What "anonymised" means here: the online form asks for nothing that names anyone; the only
personal data a response can hold is what the respondent wrote. So anonymising clears every
free-text answer (and its redacted copy) and the import fingerprint (a hash of the row's cells,
which would confirm a guess of what was written), and withdraws the consent to quote; it keeps
the choices, the audience, the channel and the dates, so the round's counts stay true."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection

from plangov import clock, text
from plangov.errors import Gone, InvalidInput
from plangov.txn import service

from ..audit import audit_record
from .models import (
    AGREEMENT_SCALE,
    Answer,
    Audience,
    Channel,
    ConsultationRound,
    ConsultationStatus,
    Question,
    QuestionKind,
    Response,
    ResponseSource,
)

MAX_ANSWER_CHARS = 10_000
_AGREEMENT_VALUES = [value for value, _ in AGREEMENT_SCALE]


def choices_offered(question: Question) -> list[tuple[str, str]]:
    """(value, label) of each choice a question offers: the agreement scale, or its own."""
    if question.kind == QuestionKind.AGREEMENT:
        return list(AGREEMENT_SCALE)
    return [(str(c.get("value", "")), str(c.get("label", c.get("value", ""))))
            for c in question.choices or [] if isinstance(c, Mapping)]


def _values(raw: Any) -> list[Any] | None:
    """The raw answer as a list of values (None when it is not text or a list of text)."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list | tuple) and all(isinstance(v, str) for v in raw):
        return [v for v in raw if v != ""]
    return None


def answers_validate(
    round: ConsultationRound,  # noqa: A002 - the domain's word
    raw: Mapping[str, Any],
    *,
    questions: Iterable[Question] | None = None,
) -> tuple[dict[int, dict[str, Any]], dict[str, list[str]]]:
    """Check ``raw`` (question id → answer: text, a choice value, or a list of values) against
    the round's questions. Answers ``(clean, errors)``: ``clean`` maps each answered question's
    id to ``{"text": ..., "choices": [...]}``; ``errors`` maps ``answers.<question id>`` (or
    ``answers.<key>`` for an unknown key) to its messages. Pass ``questions`` to check many
    rows against one round without reading its questions each time."""
    if questions is None:
        # Ordered by its own columns: Meta's ordering by round would join the round and plan.
        questions = round.questions.order_by("order", "pk")
    by_id = {q.pk: q for q in questions}
    clean: dict[int, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    for key, value in raw.items():
        field = f"answers.{key}"
        key_error = text.text_error(key) if isinstance(key, str) else None
        if key_error is not None:
            errors[f"answers.{text.FORBIDDEN.sub(chr(0xFFFD), key)}"] = [key_error]
            continue
        try:
            qid = int(str(key).strip())
        except ValueError:
            qid = 0
        question = by_id.get(qid)
        if question is None:
            errors[field] = [f"There is no question {str(key)[:40]!r} in this consultation."]
            continue
        field = f"answers.{question.pk}"
        values = _values(value)
        if values is None:
            errors[field] = ["Give text, or a list of the chosen values."]
            continue
        policy = next((m for v in values if (m := text.text_error(v)) is not None), None)
        if policy is not None:
            errors[field] = [policy]
            continue
        if question.kind == QuestionKind.FREE_TEXT:
            if len(values) > 1:
                errors[field] = ["Give one piece of text."]
                continue
            answer = text.normalise_lines(values[0]).strip() if values else ""
            if len(answer) > MAX_ANSWER_CHARS:
                errors[field] = [f"Your answer must be {MAX_ANSWER_CHARS:,} characters or "
                                 f"fewer (it has {len(answer):,})."]
                continue
            if answer:
                clean[question.pk] = {"text": answer, "choices": []}
            continue
        offered = [v for v, _ in choices_offered(question)]
        chosen = list(dict.fromkeys(values))
        if question.kind != QuestionKind.MULTIPLE_CHOICE and len(chosen) > 1:
            errors[field] = ["Choose one answer."]
            continue
        wrong = [v for v in chosen if v not in offered]
        if wrong:
            errors[field] = [f"{wrong[0][:40]!r} is not one of the answers offered."]
            continue
        if chosen:
            clean[question.pk] = {"text": "", "choices": chosen}
    for question in by_id.values():
        field = f"answers.{question.pk}"
        if question.required and question.pk not in clean and field not in errors:
            errors[field] = ["Answer this question."]
    return clean, errors


def round_taking_responses(round: ConsultationRound, now: datetime.datetime) -> bool:  # noqa: A002
    """Whether the round takes responses now: open, run on plangov (not recorded after the
    event), and within its times when it has them."""
    if round.status != ConsultationStatus.OPEN or round.recorded:
        return False
    if round.opens_at is not None and now < round.opens_at:
        return False
    return round.closes_at is None or now < round.closes_at


def round_not_yet_open(round: ConsultationRound, now: datetime.datetime) -> bool:  # noqa: A002
    """Whether the round has yet to open (a draft, or open before its opening time)."""
    return round.status == ConsultationStatus.DRAFT or (
        round.status == ConsultationStatus.OPEN and round.opens_at is not None
        and now < round.opens_at)


def round_audiences(round: ConsultationRound) -> list[Audience]:  # noqa: A002
    """The audiences a respondent may say they belong to: the round's own, or (when it names
    none) its partnership's."""
    chosen = list(round.audiences.order_by("order", "name"))
    if chosen:
        return chosen
    return list(Audience.objects.filter(partnership__plans__pk=round.plan_id)
                .order_by("order", "name"))


def _lock_round(round_id: int) -> ConsultationRound | None:
    """The round, read so that closing it waits for this response (and a response after the
    close sees it closed). FOR SHARE on PostgreSQL lets responses run side by side; SQLite's
    IMMEDIATE transaction already holds the write lock."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ConsultationRound._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR SHARE", [round_id])
    return ConsultationRound.objects.filter(pk=round_id).order_by().first()


@service
def response_submit(
    *,
    round: ConsultationRound,  # noqa: A002
    answers: Mapping[str, Any],
    audience: Audience | str | None = None,
    children_form: bool = False,
    consent_to_quote: bool = False,
    channel: str = Channel.ONLINE,
) -> Response:
    """Take one response while the round is open. A round that has closed (or not opened) is
    Gone (410) and nothing is stored, whatever was sent; bad answers are InvalidInput naming
    each field (``answers.<question id>``, ``audience``, ``channel``, ``children_form``).
    No audit event: a response is personal data (see the module's note)."""
    locked = _lock_round(round.pk)
    if locked is None or not round_taking_responses(locked, clock.now()):
        if locked is not None and round_not_yet_open(locked, clock.now()):
            raise Gone("This consultation is not open yet; nothing was stored.")
        raise Gone("This consultation has closed; nothing was stored.")
    clean, errors = answers_validate(locked, answers)
    chosen: Audience | None = None
    if audience not in (None, ""):
        offered = {a.slug: a for a in round_audiences(locked)}
        slug = audience.slug if isinstance(audience, Audience) else audience
        if not isinstance(slug, str) or slug not in offered:
            errors["audience"] = ["Choose one of the groups offered."]
        else:
            chosen = offered[slug]
    if channel not in Channel.values:
        errors["channel"] = ["Choose one of: " + ", ".join(Channel.values) + "."]
    if children_form and not locked.children_form:
        errors["children_form"] = ["This consultation has no children's version."]
    if errors:
        raise InvalidInput(errors)
    response = Response.objects.create(
        round=locked, submitted_at=clock.now(), source=ResponseSource.ONLINE, channel=channel,
        audience=chosen, children_form=bool(children_form),
        consent_to_quote=bool(consent_to_quote),
    )
    Answer.objects.bulk_create([
        Answer(response=response, question_id=qid, text=a["text"], choices=a["choices"])
        for qid, a in clean.items()
    ])
    return response


# Retention.


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def retention_ends_on(round: ConsultationRound) -> datetime.date | None:  # noqa: A002
    """The day the round's responses are anonymised: closed_on + retention_months."""
    closed = round.closed_on or (round.closed_at.date() if round.closed_at else None)
    return add_months(closed, round.retention_months) if closed else None


def _digest(round_id: int) -> str:
    """The round's ``responses_digest`` (the one digest the audit events of closing, imports
    and publication carry), by id."""
    from .services import responses_digest

    return responses_digest(ConsultationRound(pk=round_id))


def rounds_due_for_anonymising(today: datetime.date | None = None) -> list[int]:
    """Ids of closed rounds whose retention has ended and whose responses are not yet
    anonymised."""
    today = today or clock.today()
    due = []
    for round in ConsultationRound.objects.filter(  # noqa: A001
            status=ConsultationStatus.CLOSED, responses_anonymised_at__isnull=True).only(
            "pk", "closed_on", "closed_at", "retention_months"):
        ends = retention_ends_on(round)
        if ends is not None and ends <= today:
            due.append(round.pk)
    return due


@service
def responses_anonymise(*, round: ConsultationRound, actor: Any = None) -> bool:  # noqa: A002
    """Anonymise a closed round's responses once its retention has ended (see the module's
    note). Idempotent: a round done already, or not yet due, is left alone (False). One audit
    event per round, with the digest of its responses before and after."""
    locked = ConsultationRound.objects.select_for_update().filter(pk=round.pk).first()
    if locked is None or locked.responses_anonymised_at is not None:
        return False
    ends = retention_ends_on(locked)
    if locked.status != ConsultationStatus.CLOSED or ends is None or ends > clock.today():
        return False
    before = _digest(locked.pk)
    now = clock.now()
    responses = Response.objects.filter(round=locked)
    count = responses.count()
    Answer.objects.filter(response__round=locked).exclude(text="", redacted_text="").update(
        text="", redacted_text="")
    responses.update(anonymised_at=now, consent_to_quote=False, fingerprint="")
    locked.responses_anonymised_at = now
    locked.save(update_fields=["responses_anonymised_at"])
    audit_record(
        actor=actor, action="consultation_responses_anonymised", obj=locked,
        plan_id=locked.plan_id,
        before={"responses_digest": before},
        after={"responses_digest": _digest(locked.pk), "responses": count,
               "retention_ended_on": ends},
        reason=f"The retention period of {locked.retention_months} months ended.",
    )
    return True


def anonymise_due_rounds() -> int:
    """The beat scan: anonymise every round whose retention has ended, each in its own
    transaction (one failure never blocks the rest). Answers how many were anonymised."""
    done = 0
    for round_id in rounds_due_for_anonymising():
        if responses_anonymise(round=ConsultationRound(pk=round_id)):
            done += 1
    return done
