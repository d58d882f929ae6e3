"""What each signed document says, gathered from the record: the plan version's content, its
decisions, consultation and call-in. Templates only lay it out."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.utils import timezone

from documents.content import ActionKind
from documents.models import Plan, PlanVersion
from governance.consultation.analysis import round_summary
from governance.models import (
    BodyKind,
    CallInRequest,
    ConsultationRound,
    Decision,
    DecisionOutcome,
    Membership,
    latest_per_body,
)

from . import charts


def frame(*, plan: Plan, version: PlanVersion, record_key: str, title: str) -> dict[str, Any]:
    return {
        "organisation": plan.partnership.name,
        "record_key": f"plangov:{record_key}",
        "document_title": title,
        "footer_left": (
            f"{plan.title}, version {version.number}. Content SHA-256 {version.content_hash[:16]}…"
        ),
        "plan": plan,
        "version": version,
    }


def content_context(content: dict[str, Any]) -> dict[str, Any]:
    """A version's content laid out for reading: indicators by outcome with their chart and
    figures, actions by kind with their outcome's and priority's titles (the PDF and the
    reading page share it)."""
    outcomes = content["outcomes"]
    titles = {o["key"]: o["title"] for o in outcomes}
    priorities = {
        (o["key"], p["key"]): p["title"] for o in outcomes for p in o.get("priorities", [])
    }
    by_outcome: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for indicator in content.get("indicators", []):
        by_outcome[indicator["outcome"]].append(indicator)
    indicator_groups = [
        {
            "outcome": outcome,
            "indicators": [
                {
                    **ind,
                    "description": charts.describe(ind),
                    **{
                        f"{k}_text": charts.fmt(ind.get(k), ind.get("unit", ""), blank="–")
                        for k in ("baseline", "latest", "target")
                    },
                }
                for ind in by_outcome[outcome["key"]]
            ],
            "chart": charts.indicator_chart(outcome["title"], by_outcome[outcome["key"]]),
        }
        for outcome in outcomes
        if by_outcome[outcome["key"]]
    ]
    actions_by_kind = []
    for kind in ActionKind:
        rows = [
            {
                **action,
                "outcome_title": titles.get(action.get("outcome", ""), ""),
                "due": datetime.date.fromisoformat(action["due_date"])
                if action.get("due_date") else None,
                "priority_title": priorities.get(
                    (action.get("outcome", ""), action.get("priority", "")), ""
                ),
            }
            for action in content.get("actions", [])
            if action["kind"] == kind
        ]
        if rows:
            actions_by_kind.append({"kind": kind.label, "actions": rows})
    return {
        "content": content,
        "vision_paragraphs": [p.strip() for p in content["vision"].split("\n") if p.strip()],
        "outcomes": outcomes,
        "indicator_groups": indicator_groups,
        "actions_by_kind": actions_by_kind,
        "themes": content.get("cross_cutting_themes", []),
        "joint_priorities": content.get("joint_priorities", []),
    }


def _day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def round_dates(rnd: ConsultationRound) -> tuple[datetime.date, datetime.date | None]:
    """When the round really opened and closed: the dates of the record (a round recorded
    after the event has past dates there), else the times it was set to run."""
    opened = rnd.opens_on or _day(rnd.opens_at)
    closed = rnd.closed_on or _day(rnd.closes_at) or rnd.closes_on
    return opened, closed


def consultation_rounds(plan: Plan) -> list[dict[str, Any]]:
    """The plan's rounds for its documents: real dates, and the summary of each round whose
    summary is published (reach, counts, "you said, we did"); an unpublished round shows its
    dates only."""
    rounds = []
    for rnd in plan.consultation_rounds.order_by("number"):
        opened, closed = round_dates(rnd)
        published = rnd.summary_published_at is not None
        rounds.append({
            "number": rnd.number,
            "title": rnd.title,
            "status": rnd.status,
            "status_label": rnd.get_status_display(),
            "opens_on": opened,
            "closes_on": closed,
            "closed": rnd.status == "closed",
            "recorded": rnd.recorded,
            "published": published,
            "summary": round_summary(rnd) if published else None,
        })
    return rounds


def plan_context(plan: Plan, version: PlanVersion) -> dict[str, Any]:
    laid_out = content_context(version.content)
    content, indicator_groups = laid_out["content"], laid_out["indicator_groups"]
    actions_by_kind = laid_out["actions_by_kind"]
    decisions = list(
        Decision.objects.filter(plan=plan, version=version)
        .select_related("body", "meeting", "recorded_by")
        .order_by("pk")
    )
    latest = latest_per_body(decisions)
    required = list(plan.approving_bodies.all())
    board_decisions = [latest[b.pk] for b in required if b.pk in latest]
    executive = latest.get(plan.executive_body_id)
    council = next(
        (d for d in reversed(decisions) if d.body.kind == BodyKind.FULL_COUNCIL), None
    )
    call_ins = list(
        CallInRequest.objects.filter(plan=plan, decision__version=version)
        .select_related("decision", "outcome")
        .order_by("number")
    )
    chairs = {
        m.body_id: m.user
        for m in Membership.objects.current().filter(
            body_id__in=[d.body_id for d in decisions], role="chair"
        ).select_related("user")
    }
    rounds = consultation_rounds(plan)
    contents = [
        ("vision", "Our vision"),
        ("outcomes", "Outcomes and priorities"),
        *([("indicators", "How we will measure progress")] if indicator_groups else []),
        *([("actions", "What we will do")] if actions_by_kind else []),
        *([("themes", "Cross-cutting themes")] if content.get("cross_cutting_themes") else []),
        ("consultation", "Consultation"),
        ("signoff", "Sign-off"),
    ]
    return {
        **laid_out,
        "rounds": rounds,
        "board_decisions": board_decisions,
        "executive_decision": executive,
        "council_decision": council,
        "call_ins": call_ins,
        # The day the plan took effect by the rules; plans adopted before adopted_on existed
        # fall back to the day the adoption was recorded.
        "adopted_on": plan.adopted_on or (plan.adopted_at.date() if plan.adopted_at else None),
        "all_decisions": decisions,
        "chairs": chairs,
        "contents": contents,
        "approving_outcomes": DecisionOutcome.approving(),
    }


def decision_context(decision: Decision) -> dict[str, Any]:
    meeting = decision.meeting
    return {
        "decision": decision,
        "body": decision.body,
        "meeting": meeting,
        "quorum_met": meeting is None or meeting.attendance >= decision.body.quorum,
        "votes_total": decision.votes_for + decision.votes_against + decision.votes_abstaining,
    }
