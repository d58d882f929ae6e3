"""The demo's adopted plan (DEMO ONLY, called by ``manage.py load_demo``): York's Children in
Care Strategy 2024-27, taken through the real services with real past dates, then monitored
for two and a half years and in its 2026 annual review.

- started in September 2023, consulted on that autumn (the summary published in January),
  submitted, approved by YorOK Board and the Corporate Parenting Board and by the Executive
  in March 2024, adopted when the call-in period ended;
- its action leads linked to demo people, and its actions' progress noted, dated, by them;
- quarterly readings of its indicators from 2024/25 Q1, each measured some weeks after its
  quarter ended, so its scorecard reads "Of 10 indicators where a trend can be identified,
  7 have improved (70%).";
- its 2026 annual review started by the lead officer, with the priority leads' progress
  reports in, but for the one the lead officer owes: a review task in her inbox.

Figures and names are illustrative. It lives in workflows, not documents, because it drives
the approval and review processes. Nothing is written but through the services, and nothing
is dated in the future: a reading, note or report whose date has not come yet is left out.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import documents
from documents.models import Plan, PlanKind
from governance.models import Body, DecisionOutcome, Partnership

CONTENT_FILE = Path(documents.__file__).resolve().parent / "demo" / "children-in-care-2024-27.json"
TITLE = "Children in Care Strategy"
PERIOD = (datetime.date(2024, 4, 1), datetime.date(2027, 3, 31))
OWNING_BODY = "yorok-board"
APPROVING_BODIES = ("yorok-board", "corporate-parenting-board")
EXECUTIVE = "executive"

STARTED = datetime.date(2023, 9, 4)
DRAFT_WRITTEN = datetime.date(2023, 9, 18)
CONSULTATION = ("Children in care and care leavers: have your say", datetime.date(2023, 10, 2),
                datetime.date(2023, 11, 24))
SUMMARY_PUBLISHED = datetime.date(2024, 1, 12)
SUBMITTED = datetime.date(2024, 1, 19)
# (body, its secretary or member who records the decision, meeting day, attendance, votes for)
DECISIONS = (
    ("yorok-board", "yorok-secretary", datetime.date(2024, 2, 6), 9, 9),
    ("corporate-parenting-board", "corporate-parenting-secretary", datetime.date(2024, 2, 13),
     6, 6),
    ("executive", "executive-member", datetime.date(2024, 3, 14), 5, 5),
)

# Leads as the content names them, linked to demo people. The others stay unlinked: their
# priorities' progress reports go to the lead officer.
LEAD_LINKS = {
    "Fostering Service Manager": "yorok-member",
    "Designated Nurse for Children in Care": "hwb-secretary",
    "Virtual School Head": "cic-secretary",
    "Leaving Care Service Manager": "corporate-parenting-secretary",
}

# Quarterly readings from 2024/25 Q1, ten quarters (to 2026/27 Q2), in the order of QUARTERS.
READINGS: dict[str, tuple[float, ...]] = {
    "cic-rate": (63.5, 63.0, 62.1, 61.8, 61.0, 60.6, 60.9, 60.2, 59.8, 59.1),
    "three-moves": (11.0, 10.8, 10.9, 10.4, 10.1, 9.9, 10.2, 9.8, 9.6, 9.3),
    "long-term-stability": (65.5, 66.0, 66.2, 67.1, 67.0, 68.2, 68.9, 69.4, 69.0, 70.1),
    "in-house-foster-care": (51.0, 51.5, 52.3, 52.0, 53.4, 54.1, 54.0, 55.2, 55.8, 56.5),
    "new-foster-households": (3, 4, 5, 4, 6, 5, 4, 6, 5, 3),
    "health-assessments": (83.0, 85.5, 84.1, 87.2, 88.0, 89.5, 88.7, 90.3, 91.0, 92.4),
    "dental-checks": (67.5, 69.0, 70.2, 72.8, 71.5, 74.0, 75.6, 76.1, 75.0, 77.3),
    "persistent-absence": (17.1, 16.8, 18.2, 16.0, 15.4, 15.9, 16.4, 14.9, 14.8, 16.1),
    "care-leavers-eet": (52.5, 53.0, 51.8, 54.2, 55.0, 55.6, 54.9, 56.3, 57.0, 57.8),
    "care-leavers-accommodation": (86.5, 87.0, 87.9, 88.2, 88.0, 89.1, 88.6, 89.4, 89.0,
                                   89.0),
}
# The Bright Spots survey runs once a year: one reading so far, so no trend yet.
ANNUAL_READINGS = {
    "feel-settled": (("2025/26", datetime.date(2025, 4, 1), datetime.date(2026, 3, 31),
                      datetime.date(2026, 5, 15), 78.0),),
}
COMMENTARY = {
    ("new-foster-households", "2026/27 Q2"): (
        "Three approvals against five last quarter: two assessments moved into Q3 when the "
        "applicants asked for a pause over the summer."),
    ("persistent-absence", "2026/27 Q2"): (
        "The rise follows the start of the school year; the Virtual School is following up "
        "each child absent for more than ten sessions."),
    ("health-assessments", "2026/27 Q2"): "Best quarter since the strategy was adopted.",
}
GREEN_WITHIN, AMBER_WITHIN = "5", "10"  # percentages of the target
SOURCE = "York children's social care performance report"
READING_DELAY = datetime.timedelta(days=45)  # measured and published some weeks after

# (action number, status, day, note, who notes it: a linked lead's username or "lead")
PROGRESS = (
    (1, "on_track", datetime.date(2024, 7, 15),
     "Stability meetings held for every placement flagged in Q1.", "lead"),
    (1, "complete", datetime.date(2025, 4, 7),
     "Stability meetings are now standard practice, within ten working days.", "lead"),
    (3, "at_risk", datetime.date(2024, 10, 21),
     "Enquiries are up but fewer applicants than planned went on to assessment.",
     "yorok-member"),
    (3, "on_track", datetime.date(2025, 7, 14),
     "Six households approved in 2025/26 Q1; the campaign runs year-round with twelve "
     "employers.",
     "yorok-member"),
    (4, "off_track", datetime.date(2026, 6, 29),
     "The second home's planning permission is delayed; opening moved to spring 2027.",
     "lead"),
    (5, "complete", datetime.date(2025, 1, 13),
     "Every child in care has a named nurse; assessments are booked a year ahead.",
     "hwb-secretary"),
    (6, "on_track", datetime.date(2025, 9, 8),
     "Eleven practices have agreed priority appointments.", "hwb-secretary"),
    (7, "complete", datetime.date(2025, 9, 1),
     "Termly PEP reviews in place, attendance a standing item.", "cic-secretary"),
    (8, "not_started", datetime.date(2026, 2, 2),
     "Waiting for the college partnership's funding decision.", "cic-secretary"),
    (9, "complete", datetime.date(2025, 4, 14),
     "Ten apprenticeships ring-fenced; eight filled in the first year.",
     "corporate-parenting-secretary"),
    (10, "on_track", datetime.date(2026, 10, 5),
     "Fourteen employers have signed the covenant.", "corporate-parenting-secretary"),
    (11, "complete", datetime.date(2024, 12, 16),
     "The joint housing protocol was signed by housing options and leaving care.",
     "corporate-parenting-secretary"),
)

REVIEW_YEAR = 2026
REVIEW_STARTED = datetime.date(2026, 11, 16)
# The progress reports in by the demo's day, by priority; the lead officer's (placement
# stability, whose action leads are not linked to anyone) is still to come.
REPORTS = {
    "sufficiency": (datetime.date(2026, 11, 19),
                    "Forty-five households approved since April 2024; in-house foster care is "
                    "up from 51% to 56.5%. The second children's home is late (spring 2027)."),
    "health": (datetime.date(2026, 11, 20),
               "Review health assessments on time reached 92.4% in Q2, the best since "
               "adoption; dental checks up to date rose to 77.3%."),
    "education": (datetime.date(2026, 11, 23),
                  "Termly PEP reviews are in place. Persistent absence rose to 16.1% at the "
                  "start of the school year and is being followed up child by child."),
    "care-leavers-eet": (datetime.date(2026, 11, 24),
                         "57.8% of care leavers aged 19 to 21 are in education, employment "
                         "or training, up from 52%; fourteen employers have signed the "
                         "covenant."),
    "care-leavers-homes": (datetime.date(2026, 11, 25),
                           "89% in suitable accommodation; the housing protocol is working. "
                           "Staying-put until 21 needs funding decided in the budget."),
}


@dataclass
class Loaded:
    plan: Plan
    created: int
    lines: list[str]


def quarters() -> list[tuple[str, datetime.date, datetime.date]]:
    """(label, start, end) of the ten quarters from 2024/25 Q1 to 2026/27 Q2."""
    result = []
    for year in (2024, 2025, 2026):
        starts = [datetime.date(year, 4, 1), datetime.date(year, 7, 1),
                  datetime.date(year, 10, 1), datetime.date(year + 1, 1, 1)]
        ends = [datetime.date(year, 6, 30), datetime.date(year, 9, 30),
                datetime.date(year, 12, 31), datetime.date(year + 1, 3, 31)]
        for n, (start, end) in enumerate(zip(starts, ends, strict=True), start=1):
            result.append((f"{year}/{str(year + 1)[2:]} Q{n}", start, end))
    return result[:10]


def existing(partnership: Partnership) -> Plan | None:
    return Plan.objects.filter(partnership=partnership, title=TITLE,
                               period_start=PERIOD[0]).first()


def load_children_in_care(*, partnership: Partnership, lead: Any, people: dict[str, Any]) -> Loaded:
    """Create the adopted, monitored and reviewed strategy. ``people`` are the demo users by
    username. The caller checks it is not there yet and holds the transaction."""
    from plangov import clock

    today = clock.today()
    plan = _adopted(partnership, lead, people)
    lines = [f"Created {plan}, adopted on {plan.adopted_on:%d %B %Y}."]
    created = 1 + 1 + 1 + len(DECISIONS)  # plan, version, round, decisions
    created += _leads(plan, lead, people)
    notes = _progress(plan, lead, people, today)
    readings = _readings(plan, lead, today)
    created += notes + readings
    lines.append(f"  {readings} indicator readings, {notes} action progress notes.")
    if REVIEW_STARTED <= today:
        review, reports = _review(plan, lead, people, today)
        created += 1 + reports
        lines.append(f"  {review.title}: started {review.started_on:%d %B %Y}, {reports} of "
                     f"{review.progress_reports.count()} progress reports in.")
    return Loaded(plan=plan, created=created, lines=lines)


def _adopted(partnership: Partnership, lead: Any, people: dict[str, Any]) -> Plan:
    from documents.services import plan_create, version_create
    from governance.consultation.services import round_publish_summary

    from .decisions import decision_record
    from .services import (
        plan_adopt,
        plan_close_consultation,
        plan_start_consultation,
        plan_submit,
    )

    bodies = {b.slug: b for b in Body.objects.filter(partnership=partnership)}
    plan = plan_create(
        actor=lead, partnership=partnership, title=TITLE, kind=PlanKind.STRATEGY,
        period_start=PERIOD[0], period_end=PERIOD[1], owning_body=bodies[OWNING_BODY],
        lead_officer=lead, approving_bodies=[bodies[slug] for slug in APPROVING_BODIES],
        executive_body=bodies[EXECUTIVE], subject_to_call_in=True, created_on=STARTED,
    )
    content = json.loads(CONTENT_FILE.read_text(encoding="utf-8"))
    version_create(plan=plan, actor=lead, content=content, effective_on=DRAFT_WRITTEN,
                   note="Demo draft of a Children in Care Strategy; figures are illustrative.")
    title, opens_on, closes_on = CONSULTATION
    plan_start_consultation(plan=plan, actor=lead, title=title, opens_on=opens_on,
                            closes_on=closes_on)
    plan = plan_close_consultation(plan=plan, actor=lead, closed_on=closes_on)
    round_publish_summary(round=plan.consultation_rounds.get(), actor=lead,
                          published_on=SUMMARY_PUBLISHED)
    plan_submit(plan=plan, actor=lead, reason="For the boards' and the Executive's approval.",
                submitted_on=SUBMITTED)
    for slug, recorder, day, attendance, votes in DECISIONS:
        decision_record(plan=plan, actor=people[recorder], body=bodies[slug],
                        outcome=DecisionOutcome.APPROVED, decided_on=day,
                        attendance=attendance, votes_for=votes,
                        minute_reference=f"{slug}/{day:%Y}/{day:%m}")
    plan.refresh_from_db()
    # The call-in period ended long ago without a call-in: the strategy took effect then.
    return plan_adopt(plan=plan, actor=None, reason="The call-in period ended with no call-in.")


def _leads(plan: Plan, lead: Any, people: dict[str, Any]) -> int:
    """The leads linked to people, and the plan's RAG thresholds (within 5% of a target is
    green, within 10% amber)."""
    from documents.monitoring.lead_links import lead_link_set
    from documents.monitoring.services import rag_thresholds_set

    rag_thresholds_set(plan=plan, green_within_percent=GREEN_WITHIN,
                       amber_within_percent=AMBER_WITHIN, actor=lead)
    for name, username in LEAD_LINKS.items():
        lead_link_set(plan=plan, name=name, person=people[username], actor=lead)
    return 1 + len(LEAD_LINKS)


def _progress(plan: Plan, lead: Any, people: dict[str, Any], today: datetime.date) -> int:
    from documents.monitoring.actions import action_progress_update

    done = 0
    for number, status, day, note, who in PROGRESS:
        if day > today:
            continue
        action_progress_update(plan=plan, action_number=number, status=status, noted_on=day,
                               text=note, actor=lead if who == "lead" else people[who])
        done += 1
    return done


def _readings(plan: Plan, lead: Any, today: datetime.date) -> int:
    from documents.monitoring.services import reading_record

    periods: list[tuple[str, str, datetime.date, datetime.date, datetime.date, float]] = []
    for key, values in READINGS.items():
        for (label, start, end), value in zip(quarters(), values, strict=True):
            periods.append((key, label, start, end, end + READING_DELAY, value))
    for key, rows in ANNUAL_READINGS.items():
        periods.extend((key, *row) for row in rows)
    done = 0
    for key, label, start, end, measured, value in periods:
        if measured > today:
            continue
        reading_record(plan=plan, indicator_key=key, value=value, period_label=label,
                       period_start=start, period_end=end, measured_on=measured,
                       source=SOURCE, commentary=COMMENTARY.get((key, label), ""),
                       actor=lead)
        done += 1
    return done


def _review(plan: Plan, lead: Any, people: dict[str, Any],
            today: datetime.date) -> tuple[Any, int]:
    from .reviews.services import progress_report_submit, review_start

    plan.refresh_from_db()
    review = review_start(plan=plan, actor=lead, year=REVIEW_YEAR, started_on=REVIEW_STARTED,
                          reason="The strategy's annual review, for the Corporate Parenting "
                                 "Board and the Executive.")
    submitted = 0
    for report in review.progress_reports.select_related("lead").order_by("pk"):
        if report.priority_key not in REPORTS:
            continue
        day, text = REPORTS[report.priority_key]
        if day > today:
            continue
        progress_report_submit(report=report, text=text, actor=report.lead, submitted_on=day)
        submitted += 1
    return review, submitted
