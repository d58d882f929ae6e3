"""The demo CYPP's consultation: a round that ran from June to September 2008, recorded after
the event, with a few hundred responses of varied audiences and channels, written answers
tagged with themes, consented quotes (one redacted), engagement activities with a York-like
reach, and a published "you said, we did".

York's 2008 consultation heard almost 4,000 children and young people through 45 pieces of
work, 6,300 parents and 50 partners; the responses here are illustrative, the figures of
reach are York's. Everything goes through the services, except where noted."""

from __future__ import annotations

import datetime
import importlib
import random
from typing import Any

from django.utils import timezone

from documents.models import Plan
from governance.consultation.analysis_services import (
    answer_redact,
    answer_tag,
    note_add,
    statement_save,
    summary_publish,
    theme_create,
)
from governance.consultation.models import DEFAULT_AUDIENCES
from governance.models import (
    Activity,
    ActivityReach,
    Answer,
    Audience,
    ConsultationRound,
    Question,
    QuestionKind,
    Response,
)

OPENS_ON = datetime.date(2008, 6, 9)
CLOSES_ON = datetime.date(2008, 9, 30)
PUBLISHED_ON = datetime.date(2008, 11, 14)
TITLE = "Have your say on the Children and Young People's Plan"
PURPOSE = ("To hear from children, young people, parents, carers and partners what matters "
           "most, before the partnership settles the plan's priorities for 2009-12.")
RESPONSES = 320
SEED = 2008

OUTCOME_CHOICES = [
    {"value": "healthy", "label": "Being healthy"},
    {"value": "safe", "label": "Staying safe"},
    {"value": "enjoying-achieving", "label": "Enjoying and achieving"},
    {"value": "positive-contribution", "label": "Making a positive contribution"},
    {"value": "economic-wellbeing", "label": "Achieving economic well-being"},
]
AGREEMENT = ["strongly_agree", "agree", "neither", "disagree", "strongly_disagree"]

# Written answers by theme: what people said (illustrative, in the spirit of York's report).
SAID: dict[str, list[str]] = {
    "Places to go and things to do": [
        "There is nothing to do in the evenings unless you have money.",
        "More youth clubs open at weekends, not just after school.",
        "Somewhere to go that is warm and safe where adults don't move us on.",
    ],
    "Feeling safe": [
        "I don't feel safe walking home from the bus stop in the dark.",
        "Bullying on the way to school and online is the biggest worry.",
        "Safer crossings near schools, the roads are too busy.",
    ],
    "Support at school": [
        "Teachers should have more time to help those who fall behind.",
        "Better advice about college and apprenticeships earlier.",
    ],
    "Health and wellbeing": [
        "Someone to talk to when you are worried, without a long wait.",
        "Cheaper sport and swimming for families on low incomes.",
    ],
    "Being listened to": [
        "Ask young people before decisions are made, not after.",
        "Parents want to know who to call before things get bad.",
    ],
}
REDACTED_ORIGINAL = ("My daughter Sophie at Fulford School was bullied for a year and nobody "
                     "listened until we went to the papers.")
REDACTED_TEXT = ("My daughter [name] at [school] was bullied for a year and nobody listened "
                 "until we went to the papers.")

# York-like reach: 45 pieces of work reaching 3,900 children and young people (with the
# children's responses below), parent questionnaires (6,300 with the parents' responses)
# and 50 partners.
ACTIVITIES: list[tuple[str, str, dict[str, int]]] = [
    ("Youth Council consultation day", "event", {"children-and-young-people": 120}),
    ("Partners' event at the Guildhall", "event", {"partner-organisations": 45}),
    ("Parent questionnaire through schools", "paper", {"parents-and-carers": 6150}),
    ("Voluntary sector forum", "event", {"voluntary-community-faith": 5}),
]
SCHOOL_WORK = 41  # school councils and classes: 41 pieces of work
YOUTH_GROUPS = "youth_group"

STATEMENTS: list[dict[str, Any]] = [
    {"theme": "Places to go and things to do",
     "you_said": "There is not enough to do in the evenings and at weekends, and what there "
                 "is costs too much.",
     "we_did": "Places to go and things to do is a priority of the plan, with the Integrated "
               "Young People's Service opening youth clubs at weekends.",
     "outcome_key": "positive-contribution", "priority_key": "places-to-go"},
    {"theme": "Feeling safe",
     "you_said": "Bullying, on the way to school and online, is what worries you most.",
     "we_did": "Less bullying, including cyber bullying, is a priority under Staying safe.",
     "outcome_key": "safe", "priority_key": "bullying", "redacted_quote": True},
    {"theme": "Being listened to",
     "you_said": "Parents want to know who to call before problems become a crisis.",
     "we_did": "Early help through the Common Assessment Framework and children's centres "
               "is a priority, with one number for families.",
     "outcome_key": "safe", "priority_key": "early-help"},
    {"theme": "Health and wellbeing",
     "you_said": "Sport and swimming should be free for every child.",
     "no_change_reason": "The council cannot fund free sessions for all; the plan targets "
                         "cheaper sessions at families on low incomes instead.",
     "outcome_key": "healthy", "priority_key": "healthy-weight"},
]


def _publishing_available() -> bool:
    try:
        module = importlib.import_module("governance.consultation.services")
    except ImportError:
        return False
    return hasattr(module, "round_publish_summary")


def load_consultation(*, plan: Plan, lead: Any) -> str:
    """The closed, analysed and published round on ``plan`` (in drafting, after its round
    was opened and closed by the lifecycle services). Returns a line for the output."""
    rnd = plan.consultation_rounds.get(number=1)
    tz = timezone.get_current_timezone()
    # The round's substance, recorded after the event (consultcore's round_update takes
    # these once it is on main).
    ConsultationRound.objects.filter(pk=rnd.pk).update(
        purpose=PURPOSE, recorded=True, version=plan.current_version,
        opens_at=datetime.datetime.combine(OPENS_ON, datetime.time(9), tz),
        closes_at=datetime.datetime.combine(CLOSES_ON, datetime.time(17), tz),
        channels=["online", "event", "school", "paper", "youth_group"],
    )
    rnd.refresh_from_db()
    audiences = {}
    for order, (slug, name) in enumerate(DEFAULT_AUDIENCES):
        audiences[slug], _ = Audience.objects.get_or_create(
            partnership=plan.partnership, slug=slug, defaults={"name": name, "order": order})
    rnd.audiences.set(audiences.values())
    agree = Question.objects.create(
        round=rnd, order=1, kind=QuestionKind.AGREEMENT,
        text="The plan's five outcomes are the right ones for York.",
        children_text="These five things are the most important for children in York.")
    most = Question.objects.create(
        round=rnd, order=2, kind=QuestionKind.SINGLE_CHOICE, choices=OUTCOME_CHOICES,
        text="Which outcome matters most to you?",
        children_text="Which one matters most to you?")
    said = Question.objects.create(
        round=rnd, order=3, kind=QuestionKind.FREE_TEXT,
        text="What would make the biggest difference to children and young people in York?",
        children_text="What would make York better for you?")

    rng = random.Random(SEED)
    weights = {"children-and-young-people": 5, "parents-and-carers": 4,
               "partner-organisations": 1, "schools": 1, "voluntary-community-faith": 1}
    channels = {"children-and-young-people": ["online", "school", "youth_group", "event"],
                "parents-and-carers": ["online", "paper"],
                "partner-organisations": ["online", "event"],
                "schools": ["online", "paper"], "voluntary-community-faith": ["online"]}
    slugs = list(weights)
    lines = [(theme, line) for theme, sentences in SAID.items() for line in sentences]
    start = datetime.datetime.combine(OPENS_ON, datetime.time(9), tz)
    span = (CLOSES_ON - OPENS_ON).days
    responses, answers, written = [], [], []
    for n in range(RESPONSES):
        slug = rng.choices(slugs, [weights[s] for s in slugs])[0]
        children = slug == "children-and-young-people"
        responses.append(Response(
            round=rnd, audience=audiences[slug], channel=rng.choice(channels[slug]),
            children_form=children and rng.random() < 0.6, consent_to_quote=rng.random() < 0.5,
            submitted_at=start + datetime.timedelta(days=rng.randrange(span),
                                                    minutes=rng.randrange(600)),
            source="imported" if n % 3 == 0 else "online",
        ))
    Response.objects.bulk_create(responses)
    responses = list(Response.objects.filter(round=rnd).order_by("pk"))
    for n, response in enumerate(responses):
        answers.append(Answer(response=response, question=agree,
                              choices=[rng.choices(AGREEMENT, [4, 6, 2, 1, 1])[0]]))
        answers.append(Answer(response=response, question=most,
                              choices=[rng.choice(OUTCOME_CHOICES)["value"]]))
        if n % 3 == 0:
            theme, line = lines[(n // 3) % len(lines)]
            written.append((response.pk, theme))
            answers.append(Answer(response=response, question=said, text=line))
    Answer.objects.bulk_create(answers)

    themes = {name: theme_create(round=rnd, name=name, actor=lead) for name in SAID}
    by_response = {a.response_id: a for a in Answer.objects.filter(question=said)}
    for response_id, theme in written:
        answer_tag(answer=by_response[response_id], themes=[themes[theme]], actor=lead)
    # The one quote that named a child: consented, then redacted before publication.
    victim = responses[1]
    Response.objects.filter(pk=victim.pk).update(consent_to_quote=True,
                                                 audience=audiences["parents-and-carers"])
    redacted = Answer.objects.create(response=victim, question=said, text=REDACTED_ORIGINAL)
    answer_tag(answer=redacted, themes=[themes["Feeling safe"]], actor=lead)
    answer_redact(answer=redacted, redacted_text=REDACTED_TEXT,
                  reason="Names a child and her school.", actor=lead)
    note_add(round=rnd, text="Bullying came up in every audience; check with the "
                             "Safeguarding Board's anti-bullying group.", actor=lead)

    people = {slug: 0 for slug in audiences}
    for title, channel, reach in ACTIVITIES:
        _activity(rnd, audiences, title, channel, reach)
        for slug, count in reach.items():
            people[slug] += count
    # The rest of the 45 pieces of work: school councils and youth groups, bringing the
    # children and young people reached (with their responses) to 3,900.
    children_responses = Response.objects.filter(
        round=rnd, audience=audiences["children-and-young-people"]).count()
    remaining = 3900 - children_responses - people["children-and-young-people"]
    per, extra = divmod(remaining, SCHOOL_WORK)
    for n in range(SCHOOL_WORK):
        channel = YOUTH_GROUPS if n % 4 == 0 else "school"
        title = f"Youth group session {n // 4 + 1}" if channel == YOUTH_GROUPS else (
            f"School council {n + 1}")
        _activity(rnd, audiences, title, channel,
                  {"children-and-young-people": per + (1 if n < extra else 0)})
    # Parents: the questionnaires through schools and the parents' own responses, 6,300.
    parents = Response.objects.filter(round=rnd, audience=audiences["parents-and-carers"]).count()
    ActivityReach.objects.filter(activity__round=rnd, activity__channel="paper",
                                 audience=audiences["parents-and-carers"]).update(
        count=6300 - parents)
    # Partners: the Guildhall event and the partners' own responses, 50.
    partners = Response.objects.filter(round=rnd,
                                       audience=audiences["partner-organisations"]).count()
    ActivityReach.objects.filter(activity__round=rnd, activity__title__startswith="Partners'",
                                 audience=audiences["partner-organisations"]).update(
        count=max(50 - partners, 0))

    for spec in STATEMENTS:
        theme = themes[spec["theme"]]
        quotes = ([redacted] if spec.get("redacted_quote") else list(
            Answer.objects.filter(themes=theme, response__consent_to_quote=True)
            .exclude(pk=redacted.pk).order_by("pk")[:1]))
        statement_save(round=rnd, you_said=spec["you_said"], we_did=spec.get("we_did", ""),
                       no_change_reason=spec.get("no_change_reason", ""), themes=[theme],
                       quotes=quotes, outcome_key=spec["outcome_key"],
                       priority_key=spec["priority_key"], actor=lead)
    ConsultationRound.objects.filter(pk=rnd.pk).update(summary_introduction=(
        "Between June and September 2008 we asked children, young people, parents, carers "
        "and partners what matters most. This is what you told us, and what we did."))
    if _publishing_available():
        summary_publish(round=rnd, actor=lead, published_on=PUBLISHED_ON)
    else:
        # Until consultcore's round_publish_summary is on main: marked published directly,
        # without its audit event. Remove this branch when the service lands.
        ConsultationRound.objects.filter(pk=rnd.pk).update(
            summary_published_at=datetime.datetime.combine(PUBLISHED_ON, datetime.time(12), tz),
            summary_published_on=PUBLISHED_ON)
    return (f"Recorded its 2008 consultation: {rnd.responses.count()} responses, "
            f"{rnd.activities.count()} activities, you said, we did published.")


def _activity(rnd: ConsultationRound, audiences: dict[str, Audience], title: str,
              channel: str, reach: dict[str, int]) -> Activity:
    activity = Activity.objects.create(round=rnd, title=title, channel=channel,
                                       held_on=OPENS_ON + datetime.timedelta(days=14),
                                       held_until=None)
    ActivityReach.objects.bulk_create([
        ActivityReach(activity=activity, audience=audiences[slug], count=count)
        for slug, count in reach.items()
    ])
    return activity
