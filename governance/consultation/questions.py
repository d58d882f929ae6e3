"""A round's questions: checked (every error named ``questions[2].choices``) and set, only
while the round is not yet open."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from governance.audit import audit_record
from plangov import text
from plangov.errors import Conflict, InvalidInput
from plangov.txn import service

from .common import clean_field as _text
from .common import lock_round as _lock_round
from .common import may_lead as _may_lead
from .common import sha256_of
from .models import AGREEMENT_SCALE, ConsultationRound, ConsultationStatus, Question, QuestionKind

MAX_QUESTIONS = 200
MAX_CHOICES = 50


def outcome_keys(version: Any) -> dict[str, str]:
    """The outcomes of the version consulted on: key → title."""
    if version is None:
        return {}
    outcomes = (version.content or {}).get("outcomes") or []
    return {o.get("key"): o.get("title", "") for o in outcomes if isinstance(o, Mapping)}


def _clean_choices(errors: dict[str, list[str]], where: str, raw: Any) -> list[dict[str, str]]:
    field = f"{where}.choices"
    if not isinstance(raw, list) or len(raw) < 2:
        errors[field] = ["A choice question needs at least two choices, each "
                         "{\"value\", \"label\"}."]
        return []
    if len(raw) > MAX_CHOICES:
        errors[field] = [f"At most {MAX_CHOICES} choices."]
        return []
    choices: list[dict[str, str]] = []
    for index, item in enumerate(raw):
        at = f"{field}[{index}]"
        if isinstance(item, str):
            item = {"label": item}
        if not isinstance(item, Mapping):
            errors[at] = ["A choice is {\"value\", \"label\"}."]
            continue
        extra = sorted(set(item) - {"value", "label"})
        if extra:
            errors[at] = [f"Unknown field: {', '.join(map(str, extra))}."]
            continue
        label = _text(errors, f"{at}.label", item.get("label"), max_length=200, required=True,
                      what="A choice's label")
        value = item.get("value") or ""
        if not value and label:
            value = text.normalise_lines(label).strip().lower()[:100]
        value = _text(errors, f"{at}.value", value, max_length=100, required=True,
                      what="A choice's value")
        choices.append({"value": value, "label": label})
    values = [c["value"] for c in choices]
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated and field not in errors:
        errors[field] = [f"Each choice needs its own value; repeated: {', '.join(repeated)}."]
    return choices


def questions_clean(round: ConsultationRound,
                    raw: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Check a list of questions (as given to questions_set) and return them cleaned, with
    the errors keyed ``questions[2].choices``."""
    errors: dict[str, list[str]] = {}
    if not isinstance(raw, list):
        return [], {"questions": ["A list of questions."]}
    if len(raw) > MAX_QUESTIONS:
        return [], {"questions": [f"At most {MAX_QUESTIONS} questions in a round."]}
    outcomes = outcome_keys(round.version)
    allowed = {"kind", "text", "children_text", "required", "group", "outcome_key", "choices"}
    cleaned: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        where = f"questions[{index}]"
        if not isinstance(item, Mapping):
            errors[where] = ["A question is an object: kind, text, children_text, required, "
                             "group, outcome_key, choices."]
            continue
        for name in sorted(set(item) - allowed, key=str):
            errors[f"{where}.{name}"] = ["Unknown field."]
        kind = item.get("kind", QuestionKind.FREE_TEXT)
        if kind not in QuestionKind.values:
            errors[f"{where}.kind"] = [f"Choose one of: {', '.join(QuestionKind.values)}."]
        question = {
            "kind": kind,
            "text": _text(errors, f"{where}.text", item.get("text"), max_length=1000,
                          required=True, what="The question"),
            "children_text": _text(errors, f"{where}.children_text", item.get("children_text"),
                                   max_length=1000),
            "group": _text(errors, f"{where}.group", item.get("group"), max_length=200),
            "outcome_key": _text(errors, f"{where}.outcome_key", item.get("outcome_key"),
                                 max_length=60),
            "required": item.get("required", False),
            "choices": [],
        }
        if not isinstance(question["required"], bool):
            errors[f"{where}.required"] = ["Must be true or false."]
        key = question["outcome_key"]
        if key and key not in outcomes:
            errors[f"{where}.outcome_key"] = [
                f"{key!r} is not an outcome of the version consulted on" + (
                    f" (outcomes: {', '.join(sorted(outcomes))})." if outcomes
                    else "; the round consults on no version with outcomes.")]
        elif key and not question["group"]:
            question["group"] = outcomes[key][:200]
        choices = item.get("choices")
        if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            question["choices"] = _clean_choices(errors, where, choices)
        elif kind == QuestionKind.AGREEMENT:
            if choices not in (None, []):
                errors[f"{where}.choices"] = ["An agreement question always offers the same "
                                              "scale (strongly agree to strongly disagree); "
                                              "leave choices out."]
            question["choices"] = [{"value": v, "label": label} for v, label in AGREEMENT_SCALE]
        elif choices not in (None, []):
            errors[f"{where}.choices"] = ["A free-text question offers no choices."]
        cleaned.append(question)
    return cleaned, errors


@service
def questions_set(*, round: ConsultationRound, questions: Sequence[Mapping[str, Any]],
                  actor: Any) -> list[Question]:
    """Replace the round's questions, in the order given: only while it is not yet open
    (409 after). A response's answers refer to the questions it was given."""
    round = _lock_round(round)
    _may_lead(round.plan, actor)
    if round.status != ConsultationStatus.DRAFT:
        raise Conflict(f"Consultation round {round.number} is {round.get_status_display().lower()}"
                       ": its questions can change only before it opens.")
    cleaned, errors = questions_clean(round, list(questions) if not isinstance(
        questions, list) else questions)
    if errors:
        raise InvalidInput(errors)
    before = {"consultation_round": round.number, "questions": round.questions.count(),
              "questions_sha256": sha256_of(_question_list(round))}
    round.questions.all().delete()
    created = Question.objects.bulk_create(
        Question(round=round, order=index + 1, **question)
        for index, question in enumerate(cleaned)
    )
    audit_record(
        actor=actor, action="consultation.questions_set", obj=round, plan_id=round.plan_id,
        before=before,
        after={"consultation_round": round.number, "questions": len(cleaned),
               "required": sum(1 for q in cleaned if q["required"]),
               "questions_sha256": sha256_of(cleaned)},
    )
    return list(round.questions.all()) if created else []


def _question_list(round: ConsultationRound) -> list[dict[str, Any]]:
    return [
        {"kind": q.kind, "text": q.text, "children_text": q.children_text, "group": q.group,
         "outcome_key": q.outcome_key, "required": q.required, "choices": q.choices}
        for q in round.questions.all()
    ]


def question_dicts(round: ConsultationRound) -> list[dict[str, Any]]:
    """The round's questions as questions_set takes them (for editors and the API)."""
    return _question_list(round)
