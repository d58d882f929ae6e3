"""Services for consultation rounds that need no lifecycle: creating and changing a round,
its questions, the partnership's audiences, the digest of its responses and publishing its
summary. Opening and closing a round move the plan's lifecycle, so they live in
``workflows.services`` (``plan_start_consultation``, ``plan_close_consultation``) and the beat
scan that opens and closes rounds at their times in ``workflows.tasks``.

How a round's dates and times relate (README, "Consultation rounds"):

- ``opens_at`` and ``closes_at`` are the round's times: planned while it is not yet open
  (the beat scan opens it at ``opens_at`` and closes it at ``closes_at``), and what happened
  once it opened and closed (opening by hand before ``opens_at`` moves ``opens_at`` to that
  moment; closing early moves ``closes_at``).
- ``opens_on`` and ``closes_on`` are always their days in the council's time zone (London), so
  the order of events (workflows.chronology), the plan page and the signed PDF keep reading
  dates. A round with no opening time yet carries the day it was set up until it opens.
- ``closed_on`` is the day the round closed, ``opened_at`` and ``closed_at`` when the opening
  and closing were recorded in plangov (the beat's run, or a lead officer's click).
- A round **recorded after the event** (``recorded``) ran before it was put on plangov: its
  opening time is in the past; it opens and closes with those past dates (by the scan or the
  round's page), and every page marks it "recorded, not run on plangov".
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import models
from django.utils import timezone

from governance.audit import audit_record
from plangov import clock
from plangov.errors import Conflict, InvalidInput
from plangov.txn import service

from .common import clean_field as _text
from .common import day_of, end_of, fmt_time, sha256_of, start_of
from .common import lock_plan as _lock_plan
from .common import lock_round as _lock_round
from .common import may_lead as _may_lead
from .models import (
    DEFAULT_AUDIENCES,
    Audience,
    Channel,
    ConsultationRound,
    ConsultationStatus,
    Response,
)
from .questions import outcome_keys, question_dicts, questions_clean, questions_set

# Names others import from here.
__all__ = [
    "audiences_for", "day_of", "end_of", "fmt_time", "outcome_keys", "question_dicts",
    "questions_clean", "questions_set", "responses_digest", "round_create", "round_facts",
    "round_publish_summary", "round_update", "sha256_of", "start_of",
]

CLOSED_STAGES = frozenset({"withdrawn", "superseded"})
# The fields round_update accepts, and which of them may still change once the round is open.
ROUND_FIELDS = (
    "title", "purpose", "opens_at", "closes_at", "recorded", "version", "audiences",
    "channels", "children_form", "privacy_notice", "retention_months",
)
OPEN_ROUND_FIELDS = frozenset({"title", "purpose", "closes_at", "privacy_notice"})


# Audiences -------------------------------------------------------------------------------


def audiences_for(partnership: Any) -> list[Audience]:
    """The partnership's audiences (respondent groups), creating the defaults the first time
    a partnership has none. Staff add and rename them in the admin."""
    audiences = list(Audience.objects.filter(partnership=partnership))
    if audiences:
        return audiences
    Audience.objects.bulk_create(
        [Audience(partnership=partnership, slug=slug, name=name, order=index)
         for index, (slug, name) in enumerate(DEFAULT_AUDIENCES)],
        ignore_conflicts=True,  # two first readers racing: the loser's rows are the winner's
    )
    return list(Audience.objects.filter(partnership=partnership))


# Checks ------------------------------------------------------------------------------------


def _check_times(errors: dict[str, list[str]], values: Mapping[str, Any],
                 changed: set[str]) -> None:
    """A round's times: closing after opening; a round run on plangov opens not before today
    and closes in the future; a round recorded after the event opened in the past."""
    now = clock.now()
    opens_at, closes_at = values.get("opens_at"), values.get("closes_at")
    if values.get("recorded"):
        if opens_at is None:
            errors["opens_at"] = ["A round recorded after the event needs the time it opened."]
        elif opens_at > now:
            errors["opens_at"] = [
                f"A round recorded after the event opened in the past: {fmt_time(opens_at)} "
                f"is in the future (now: {fmt_time(now)})."]
    else:
        if "opens_at" in changed and opens_at is not None and day_of(opens_at) < day_of(now):
            errors["opens_at"] = [
                f"Opening at {fmt_time(opens_at)} is in the past. Open the round now, or tick "
                "\"recorded after the event\" to record a round held before."]
        if "closes_at" in changed and closes_at is not None and closes_at <= now:
            errors["closes_at"] = [
                f"Closing at {fmt_time(closes_at)} is in the past (now: {fmt_time(now)}). Tick "
                "\"recorded after the event\" to record a round held before."]
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        errors.setdefault("closes_at", []).append(
            f"A round closes after it opens: closing at {fmt_time(closes_at)} is not after "
            f"opening at {fmt_time(opens_at)}.")


def _clean_round(plan: Any, raw: Mapping[str, Any], changed: set[str],
                 current: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values = dict(current)
    for field in changed:
        values[field] = raw[field]
    clean: dict[str, Any] = {}
    if "title" in changed:
        clean["title"] = _text(errors, "title", values["title"], max_length=200, required=True,
                               what="A title")
    if "purpose" in changed:
        clean["purpose"] = _text(errors, "purpose", values["purpose"], max_length=10_000)
    if "privacy_notice" in changed:
        clean["privacy_notice"] = _text(errors, "privacy_notice", values["privacy_notice"],
                                        max_length=20_000)
    for field in ("recorded", "children_form"):
        if field in changed:
            if not isinstance(values[field], bool):
                errors[field] = ["Must be true or false."]
            clean[field] = bool(values[field])
    for field in ("opens_at", "closes_at"):
        if field in changed:
            moment = values[field]
            if moment is not None and not isinstance(moment, datetime.datetime):
                errors[field] = ["Must be a date and time."]
            elif moment is not None and timezone.is_naive(moment):
                moment = values[field] = timezone.make_aware(moment)
            clean[field] = moment
    if "retention_months" in changed:
        months = values["retention_months"]
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
            errors["retention_months"] = ["A whole number of months from 1 to 120."]
        clean["retention_months"] = months
    if "version" in changed:
        version = values["version"]
        if version is not None and version.plan_id != plan.pk:
            errors["version"] = [f"Version {version.number} is not a version of this plan."]
        clean["version"] = version
    if "audiences" in changed:
        audiences = list(values["audiences"] or [])
        wrong = [a.name for a in audiences if a.partnership_id != plan.partnership_id]
        if wrong:
            errors["audiences"] = [f"Not an audience of {plan.partnership.name}: "
                                   f"{', '.join(wrong)}."]
        clean["audiences"] = list(dict.fromkeys(audiences))
    if "channels" in changed:
        channels = values["channels"] or []
        if isinstance(channels, str) or not isinstance(channels, Iterable):
            errors["channels"] = ["A list of channels."]
            channels = []
        channels = list(dict.fromkeys(channels))
        unknown = [str(c) for c in channels if c not in Channel.values]
        if unknown:
            errors["channels"] = [f"Not a channel: {', '.join(unknown)}. Choose from: "
                                  f"{', '.join(Channel.values)}."]
        clean["channels"] = channels
    if not errors:
        _check_times(errors, values, changed)
    if errors:
        raise InvalidInput(errors)
    return clean


def _dates_from_times(round: ConsultationRound) -> None:
    """Keep the days in step with the times (see the module's docstring)."""
    if round.opens_at is not None:
        round.opens_on = day_of(round.opens_at)
    elif round.opens_on is None:
        round.opens_on = clock.today()
    round.closes_on = day_of(round.closes_at) if round.closes_at is not None else None


def round_facts(round: ConsultationRound) -> dict[str, Any]:
    """What the audit records of a round: no text (hashes instead), no personal data."""
    return {
        "consultation_round": round.number,
        "status": round.status,
        "title_sha256": sha256_of(round.title),
        "purpose_sha256": sha256_of(round.purpose),
        "opens_at": round.opens_at,
        "closes_at": round.closes_at,
        "opens_on": round.opens_on,
        "closes_on": round.closes_on,
        "recorded": round.recorded,
        "version": round.version.number if round.version_id else None,
        "audiences": sorted(round.audiences.values_list("slug", flat=True)) if round.pk else [],
        "channels": list(round.channels),
        "children_form": round.children_form,
        "retention_months": round.retention_months,
        "privacy_notice_sha256": sha256_of(round.privacy_notice),
    }


# Rounds --------------------------------------------------------------------------------------


@service
def round_create(
    *,
    plan: Any,
    title: str,
    purpose: str = "",
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    recorded: bool = False,
    version: Any = None,
    audiences: Sequence[Audience] | None = None,
    channels: Sequence[str] | None = None,
    children_form: bool = True,
    privacy_notice: str = "",
    retention_months: int = 24,
    actor: Any,
) -> ConsultationRound:
    """Set up a round on ``plan`` (not yet open). Audiences default to all the partnership's,
    channels to the online form. The lead officer (or deputy) only."""
    plan = _lock_plan(plan)
    _may_lead(plan, actor)
    if plan.stage in CLOSED_STAGES:
        raise Conflict(f"The plan is {plan.get_stage_display().lower()}; it consults nobody.")
    raw = {
        "title": title, "purpose": purpose, "opens_at": opens_at, "closes_at": closes_at,
        "recorded": recorded, "version": version,
        "audiences": audiences if audiences is not None else audiences_for(plan.partnership),
        "channels": channels if channels is not None else [Channel.ONLINE],
        "children_form": children_form, "privacy_notice": privacy_notice,
        "retention_months": retention_months,
    }
    clean = _clean_round(plan, raw, set(raw), {})
    chosen = clean.pop("audiences")
    last = plan.consultation_rounds.aggregate(n=models.Max("number"))["n"] or 0
    round = ConsultationRound(plan=plan, number=last + 1, status=ConsultationStatus.DRAFT,
                              opens_on=None, **clean)
    _dates_from_times(round)
    round.save()
    round.audiences.set(chosen)
    audit_record(actor=actor, action="consultation.round_create", obj=round, plan_id=plan.pk,
                 before={}, after=round_facts(round))
    return round


@service
def round_update(*, round: ConsultationRound, changes: Mapping[str, Any],
                 actor: Any) -> ConsultationRound:
    """Change a round's fields (``changes`` names them: see ROUND_FIELDS). Everything while
    it is not yet open; once open, its title, purpose, privacy notice and closing time; a
    closed round not at all (409)."""
    round = _lock_round(round)
    plan = round.plan
    _may_lead(plan, actor)
    unknown = sorted(set(changes) - set(ROUND_FIELDS))
    if unknown:
        raise InvalidInput({name: ["Unknown field."] for name in unknown})
    if round.status == ConsultationStatus.CLOSED:
        raise Conflict(f"Consultation round {round.number} is closed; it can no longer change.")
    before = round_facts(round)
    current = {field: getattr(round, field) for field in ROUND_FIELDS if field != "audiences"}
    current["audiences"] = list(round.audiences.all())

    def same(field: str) -> bool:
        if field == "audiences":
            return set(changes[field] or []) == set(current[field])
        return bool(changes[field] == current[field])

    changed = {f for f in changes if not same(f)}
    if round.status == ConsultationStatus.OPEN:
        fixed = sorted(changed - OPEN_ROUND_FIELDS)
        if fixed:
            raise Conflict(f"Consultation round {round.number} is open: only its title, "
                           f"purpose, privacy notice and closing time can change now, not "
                           f"{', '.join(fixed)}.")
    clean = _clean_round(plan, changes, changed, current)
    chosen = clean.pop("audiences", None)
    for field, value in clean.items():
        setattr(round, field, value)
    _dates_from_times(round)
    round.save()
    if chosen is not None:
        round.audiences.set(chosen)
    audit_record(actor=actor, action="consultation.round_update", obj=round, plan_id=plan.pk,
                 before=before, after=round_facts(round))
    return round


# The digest of responses, and publishing the summary -----------------------------------------


def responses_digest(round: ConsultationRound) -> str:
    """SHA-256 over the round's responses and their answers, one canonical JSON line per
    response in id order (answers in question order): what respondents gave, not the
    analysts' tags or redactions. Audit events of closing, imports and publication carry it,
    so the chain proves what the responses were without holding them.

    Streams plain tuples, never model instances: the responses in pk order and, beside them,
    every answer of the round in (response, question order, question, pk) order, merged as
    two sorted lists. Each line is byte for byte what the instance-based version wrote
    (tests/governance/test_consultation_digest.py pins it)."""
    from .models import Answer

    digest = hashlib.sha256()
    encode = _DIGEST_ENCODER.encode
    responses = (
        Response.objects.filter(round=round).order_by("pk")
        .values_list("pk", "submitted_at", "source", "channel", "audience__slug",
                     "children_form", "consent_to_quote", "fingerprint", "anonymised_at")
        .iterator(chunk_size=_DIGEST_CHUNK)
    )
    answers = (
        Answer.objects.filter(response__round=round)
        .order_by("response_id", "question__order", "question_id", "pk")
        .values_list("response_id", "question_id", "text", "choices")
        .iterator(chunk_size=_DIGEST_CHUNK)
    )
    pending = next(answers, None)
    for (pk, submitted_at, source, channel, audience, children_form, consent_to_quote,
         fingerprint, anonymised_at) in responses:
        given = []
        # Answers of responses before this one cannot exist (both lists are in response
        # order and every answer's response is in the round), but skip them defensively.
        while pending is not None and pending[0] < pk:
            pending = next(answers, None)
        while pending is not None and pending[0] == pk:
            given.append([pending[1], pending[2], pending[3]])
            pending = next(answers, None)
        line = {
            "id": pk,
            "submitted_at": submitted_at.isoformat(),
            "source": source,
            "channel": channel,
            "audience": audience,
            "children_form": children_form,
            "consent_to_quote": consent_to_quote,
            "fingerprint": fingerprint,
            "anonymised": anonymised_at is not None,
            "answers": given,
        }
        digest.update(encode(line).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


_DIGEST_CHUNK = 5000
# The same output as json.dumps(line, sort_keys=True, separators=(",", ":"),
# ensure_ascii=False), without building an encoder per line.
_DIGEST_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@service
def round_publish_summary(*, round: ConsultationRound, actor: Any,
                          published_on: datetime.date | None = None,
                          introduction: str | None = None) -> ConsultationRound:
    """Publish the summary of a closed round (409 otherwise): the day it was published
    (default today; not before the round closed, never in the future) and, optionally, its
    introduction. Publishing again (after more analysis) records the new day."""
    round = _lock_round(round)
    _may_lead(round.plan, actor)
    if round.status != ConsultationStatus.CLOSED:
        raise Conflict(f"Consultation round {round.number} is "
                       f"{round.get_status_display().lower()}: its summary is published once "
                       "it has closed.")
    errors: dict[str, list[str]] = {}
    if introduction is not None:
        introduction = _text(errors, "introduction", introduction, max_length=20_000)
    day = published_on or clock.today()
    today = clock.today()
    if day > today:
        errors["published_on"] = [f"Publishing the summary dated {day.day} {day:%B %Y} is in "
                                  f"the future: today is {today.day} {today:%B %Y}."]
    elif round.closed_on is not None and day < round.closed_on:
        errors["published_on"] = [
            f"Publishing the summary dated {day.day} {day:%B %Y} is before consultation round "
            f"{round.number} closed on {round.closed_on.day} {round.closed_on:%B %Y}."]
    if errors:
        raise InvalidInput(errors)
    before = {"consultation_round": round.number,
              "summary_published_on": round.summary_published_on}
    round.summary_published_at = clock.now()
    round.summary_published_on = day
    fields = ["summary_published_at", "summary_published_on"]
    if introduction is not None:
        round.summary_introduction = introduction
        fields.append("summary_introduction")
    round.save(update_fields=fields)
    audit_record(
        actor=actor, action="consultation.summary_publish", obj=round, plan_id=round.plan_id,
        before=before,
        after={"consultation_round": round.number, "summary_published_on": day,
               "responses": round.responses.count(), "responses_digest": responses_digest(round),
               "introduction_sha256": sha256_of(round.summary_introduction)},
    )
    return round
