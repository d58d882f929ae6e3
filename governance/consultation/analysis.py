"""What a consultation round heard, added up: its reach (responses and engagement activities,
by audience and channel) in the words the papers use, and the round's summary (counts by
audience, channel and answer, themes, published quotes, "you said, we did").

``round_summary`` is what the plan PDF, the executive report, the public results page and the
summary API print. It is public material: quotes only from respondents who consented, the
redacted text where a quote was redacted, and nothing else of a response."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum

from .models import (
    AGREEMENT_SCALE,
    ActivityReach,
    Answer,
    Audience,
    Channel,
    ConsultationRound,
    QuestionKind,
    Response,
    Statement,
    Theme,
)

# How the papers name the default audiences in a reach sentence: (plural, adjective), as in
# "3,900 children and young people" and "6,300 parent questionnaires".
AUDIENCE_WORDS: dict[str, tuple[str, str]] = {
    "children-and-young-people": ("children and young people", "children's"),
    "parents-and-carers": ("parents", "parent"),
    "partner-organisations": ("partners", "partner"),
    "schools": ("governors, headteachers and teachers", "school"),
    "voluntary-community-faith": ("voluntary, community and faith groups", "voluntary sector"),
}


# Activities that are questionnaires: the people they reached answered one.
QUESTIONNAIRE_CHANNELS = (Channel.PAPER, Channel.SCHOOL)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


@dataclass
class AudienceReach:
    slug: str
    name: str
    responses: int = 0
    activity_reach: int = 0
    # Of activity_reach, the people reached by questionnaire activities (paper, school).
    questionnaire_reach: int = 0

    @property
    def total(self) -> int:
        return self.responses + self.activity_reach

    @property
    def questionnaires(self) -> int:
        return self.responses + self.questionnaire_reach

    @property
    def work_reach(self) -> int:
        """People reached by activities other than questionnaires (events, youth groups)."""
        return self.activity_reach - self.questionnaire_reach

    def as_dict(self) -> dict[str, Any]:
        return {"audience": self.slug, "name": self.name, "responses": self.responses,
                "activity_reach": self.activity_reach, "total": self.total}


@dataclass
class Reach:
    activities: int
    audiences: list[AudienceReach]
    channels: list[dict[str, Any]] = field(default_factory=list)
    unassigned_responses: int = 0

    @property
    def responses(self) -> int:
        return sum(a.responses for a in self.audiences) + self.unassigned_responses

    @property
    def activity_reach(self) -> int:
        return sum(a.activity_reach for a in self.audiences)

    @property
    def total(self) -> int:
        return self.responses + self.activity_reach

    @property
    def sentence(self) -> str:
        return reach_sentence(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sentence": self.sentence,
            "activities": self.activities,
            "responses": self.responses,
            "activity_reach": self.activity_reach,
            "total": self.total,
            "unassigned_responses": self.unassigned_responses,
            "by_audience": [a.as_dict() for a in self.audiences],
            "by_channel": self.channels,
        }


def reach_sentence(reach: Reach) -> str:
    """The reach as the papers say it, from the figures: "45 pieces of work reaching 3,900
    children and young people; 6,300 parent questionnaires; 50 partners".

    Audiences in their order, each with its responses and the people its activities reached
    added up. The first audience that events and other pieces of work reached carries the
    activities ("N pieces of work reaching ..."); an audience heard only through
    questionnaires (responses, paper and school questionnaires) is counted in questionnaires
    ("6,300 parent questionnaires"); any other audience by its people ("50 partners")."""
    clauses: list[str] = []
    work_said = False
    for audience in reach.audiences:
        if audience.total == 0:
            continue
        plural, adjective = AUDIENCE_WORDS.get(audience.slug, (audience.name.lower(), ""))
        if audience.work_reach and not work_said:
            work_said = True
            pieces = _plural(reach.activities, "piece of work", "pieces of work")
            clauses.append(f"{pieces} reaching {audience.total:,} {plural}")
        elif audience.questionnaires != audience.total:
            clauses.append(f"{audience.total:,} {plural}")
        elif adjective:
            clauses.append(_plural(audience.total, f"{adjective} questionnaire",
                                   f"{adjective} questionnaires"))
        else:
            clauses.append(_plural(audience.total, f"questionnaire from {plural}",
                                   f"questionnaires from {plural}"))
    if reach.activities and not work_said:
        clauses.insert(0, _plural(reach.activities, "piece of work", "pieces of work"))
    if reach.unassigned_responses:
        clauses.append(_plural(reach.unassigned_responses, "other response", "other responses"))
    return "; ".join(clauses) if clauses else "No responses or activities recorded"


def round_reach(round: ConsultationRound) -> Reach:  # noqa: A002 - the domain's word
    """Responses and activities added up, by audience (the partnership's audiences in their
    order; an audience nobody reached is kept with zeros) and by channel."""
    responses = dict(
        Response.objects.filter(round=round).values_list("audience_id")
        .annotate(n=Count("pk")).values_list("audience_id", "n")
    )
    reached = dict(
        ActivityReach.objects.filter(activity__round=round).values_list("audience_id")
        .annotate(n=Sum("count")).values_list("audience_id", "n")
    )
    by_questionnaire = dict(
        ActivityReach.objects.filter(activity__round=round,
                                     activity__channel__in=QUESTIONNAIRE_CHANNELS)
        .values_list("audience_id").annotate(n=Sum("count")).values_list("audience_id", "n")
    )
    ids = {i for i in (*responses, *reached) if i is not None}
    audiences = list(
        Audience.objects.filter(
            Q(pk__in=ids) | Q(rounds=round)
        ).distinct().order_by("order", "name")
    )
    rows = [AudienceReach(slug=a.slug, name=a.name, responses=responses.get(a.pk, 0),
                          activity_reach=reached.get(a.pk, 0) or 0,
                          questionnaire_reach=by_questionnaire.get(a.pk, 0) or 0)
            for a in audiences]
    by_channel_responses = dict(
        Response.objects.filter(round=round).values_list("channel")
        .annotate(n=Count("pk")).values_list("channel", "n")
    )
    by_channel_reach = dict(
        ActivityReach.objects.filter(activity__round=round).values_list("activity__channel")
        .annotate(n=Sum("count")).values_list("activity__channel", "n")
    )
    by_channel_activities = dict(
        round.activities.values_list("channel").annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    channels = [
        {"channel": value, "label": label,
         "responses": by_channel_responses.get(value, 0),
         "activities": by_channel_activities.get(value, 0),
         "activity_reach": by_channel_reach.get(value, 0) or 0}
        for value, label in Channel.choices
        if by_channel_responses.get(value) or by_channel_activities.get(value)
    ]
    return Reach(
        activities=round.activities.count(),
        audiences=rows,
        channels=channels,
        unassigned_responses=responses.get(None, 0),
    )


def question_counts(round: ConsultationRound) -> list[dict[str, Any]]:  # noqa: A002
    """Each question with how many answered it and, for choice and agreement questions, how
    many chose each option (in the question's order)."""
    questions = list(round.questions.all())
    answered = dict(
        Answer.objects.filter(response__round=round)
        .filter(~Q(text="") | ~Q(choices=[]))
        .values_list("question_id").annotate(n=Count("pk")).values_list("question_id", "n")
    )
    chosen: dict[int, Counter[str]] = {q.pk: Counter() for q in questions}
    choice_ids = [q.pk for q in questions if q.kind != QuestionKind.FREE_TEXT]
    if choice_ids:
        rows = Answer.objects.filter(response__round=round, question_id__in=choice_ids) \
            .values_list("question_id", "choices")
        for question_id, values in rows.iterator(chunk_size=5000):
            chosen[question_id].update(v for v in values or [] if isinstance(v, str))
    out = []
    for q in questions:
        if q.kind == QuestionKind.AGREEMENT:
            options = [{"value": v, "label": label} for v, label in AGREEMENT_SCALE]
        elif q.kind == QuestionKind.FREE_TEXT:
            options = []
        else:
            options = [{"value": c.get("value", ""), "label": c.get("label", c.get("value", ""))}
                       for c in q.choices or [] if isinstance(c, dict)]
        out.append({
            "id": q.pk, "order": q.order, "group": q.group, "text": q.text, "kind": q.kind,
            "answered": answered.get(q.pk, 0),
            "choices": [{**o, "count": chosen[q.pk][o["value"]]} for o in options],
        })
    return out


def theme_counts(round: ConsultationRound) -> list[dict[str, Any]]:  # noqa: A002
    return [
        {"id": t.pk, "name": t.name, "count": t.n}
        for t in Theme.objects.filter(round=round).annotate(n=Count("answers"))
        .order_by("-n", "name")
    ]


def public_text(answer: Answer) -> str:
    """What the public may read of a quote: the redacted text when it was redacted."""
    return answer.redacted_text if answer.redacted_at else answer.text


def published_quotes(round: ConsultationRound) -> list[dict[str, Any]]:  # noqa: A002
    """The quotes "you said, we did" uses, from respondents who consented to be quoted only,
    in the redacted form where redacted."""
    answers = (
        Answer.objects.filter(statements__round=round, response__consent_to_quote=True)
        .exclude(text="").select_related("question", "response__audience").distinct()
        .order_by("pk")
    )
    return [
        {"id": a.pk, "question": a.question.text, "text": public_text(a),
         "redacted": a.redacted_at is not None,
         "audience": a.response.audience.name if a.response.audience else ""}
        for a in answers
    ]


def priority_titles(round: ConsultationRound) -> dict[tuple[str, str], str]:  # noqa: A002
    version = round.plan.current_version
    content = version.content if version else {}
    titles: dict[tuple[str, str], str] = {}
    for outcome in content.get("outcomes", []):
        titles[(outcome["key"], "")] = outcome["title"]
        for priority in outcome.get("priorities", []):
            titles[(outcome["key"], priority["key"])] = priority["title"]
    return titles


def statements_public(round: ConsultationRound) -> list[dict[str, Any]]:  # noqa: A002
    titles = priority_titles(round)
    statements = (
        Statement.objects.filter(round=round).select_related("changed_in_version")
        .prefetch_related("themes", "quotes__response").order_by("order", "pk")
    )
    out = []
    for s in statements:
        out.append({
            "id": s.pk,
            "order": s.order,
            "you_said": s.you_said,
            "we_did": s.we_did,
            "no_change_reason": s.no_change_reason,
            "themes": sorted(t.name for t in s.themes.all()),
            "quotes": [public_text(q) for q in sorted(s.quotes.all(), key=lambda q: q.pk)
                       if q.response.consent_to_quote and q.text],
            "outcome_key": s.outcome_key,
            "priority_key": s.priority_key,
            "outcome_title": titles.get((s.outcome_key, ""), ""),
            "priority_title": titles.get((s.outcome_key, s.priority_key), "")
            if s.priority_key else "",
            "changed_in_version": s.changed_in_version.number if s.changed_in_version else None,
        })
    return out


def round_summary(round: ConsultationRound) -> dict[str, Any]:  # noqa: A002
    """Everything the round's published summary says, as plain data (JSON-ready apart from
    dates): the round, its reach, counts by audience, channel and answer per question, themes
    with counts, published quotes and "you said, we did"."""
    reach = round_reach(round)
    return {
        "round": {
            "id": round.pk,
            "number": round.number,
            "title": round.title,
            "purpose": round.purpose,
            "status": round.status,
            "recorded": round.recorded,
            "opens_on": round.opens_on,
            "closes_on": round.closed_on or round.closes_on,
            "opens_at": round.opens_at,
            "closes_at": round.closes_at,
        },
        "published": round.summary_published_at is not None,
        "published_on": round.summary_published_on,
        "introduction": round.summary_introduction,
        "reach": reach.as_dict(),
        "counts": {
            "responses": reach.responses,
            "by_audience": [{"audience": a.slug, "name": a.name, "responses": a.responses}
                            for a in reach.audiences],
            "by_channel": [{"channel": c["channel"], "label": c["label"],
                            "responses": c["responses"]} for c in reach.channels],
            "questions": question_counts(round),
        },
        "themes": theme_counts(round),
        "quotes": published_quotes(round),
        "statements": statements_public(round),
    }
