"""A property-based walk through the lifecycle: random people take random actions, record
random decisions, write versions, run consultations and let time pass, and the plan keeps its
invariants throughout.

Each call's answer is predicted first from a small model of the rules (which error class, or
which stage follows) and the service must answer the same. Rules catch only the domain errors;
any other exception fails the run. Each example runs in a savepoint that is rolled back at its
end, so every example starts from the same clean database: the world (partnership, bodies,
people) built once for the test, and no plan, decision, meeting or audit event.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from typing import Any, ClassVar

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from documents.models import Plan, PlanKind, Stage
from documents.services import version_create
from governance.audit import verify_chain
from governance.consultation.services import round_publish_summary
from governance.models import (
    AuditEvent,
    CallInOutcome,
    CallInOutcomeKind,
    CallInRequest,
    ConsultationRound,
    ConsultationStatus,
    Decision,
    Role,
)
from governance.models import DecisionOutcome as O
from plangov import calendar, clock
from plangov.errors import Conflict, Forbidden, GuardFailed, InvalidInput, WrongStage
from tests.conftest import FrozenClock, World, add_full_council, make_plan
from tests.factories import valid_content
from workflows.callin import call_in_outcome_record, call_in_request_record
from workflows.decisions import decision_record
from workflows.services import PLAN_ACTIONS, plan_start_consultation, plans_due_for_adoption
from workflows.tasks import adopt_after_call_in

pytestmark = pytest.mark.slow

SETTINGS = settings(max_examples=500, stateful_step_count=30, deadline=None)

DOMAIN_ERRORS = (WrongStage, GuardFailed, Conflict, Forbidden, InvalidInput)
APPROVING = O.approving()
SENDING_BACK = {O.REFERRED_BACK, O.REJECTED}

# "system" is the beat's adoption, which acts as nobody.
ACTORS = [
    "lead",
    "board_secretary",  # also the lead officer's deputy (set up in the test)
    "board_deputy",
    "safeguarding_secretary",
    "executive_member",
    "executive_secretary",
    "scrutiny_secretary",
    "council_secretary",
    "auditor",
    "outsider",
    "system",
]
LEADS = {"lead", "board_secretary"}
LEADS_ORDER = ["lead", "board_secretary"]
BODIES = ["board", "safeguarding", "executive", "full_council", "scrutiny"]
RECORDERS = {
    "board": ["board_secretary", "board_deputy"],
    "safeguarding": ["safeguarding_secretary"],
    "executive": ["executive_member", "executive_secretary"],
    "full_council": ["council_secretary"],
    "scrutiny": ["scrutiny_secretary"],
}
DECIDES_IN = {
    "board": Stage.PARTNERSHIP_APPROVAL,
    "executive": Stage.EXECUTIVE_APPROVAL,
    "full_council": Stage.FULL_COUNCIL,
}
OUTCOMES = {
    "board": {O.APPROVED, O.APPROVED_WITH_AMENDMENTS, O.DEFERRED, O.REFERRED_BACK, O.REJECTED},
    "executive": {O.APPROVED, O.ENDORSED, O.DEFERRED, O.REFERRED_BACK, O.REJECTED},
    "full_council": {O.APPROVED, O.DEFERRED, O.REFERRED_BACK},
}
NFA, TO_EXECUTIVE, TO_COUNCIL = CallInOutcomeKind.values
MEMBERS = ["Cllr Ann Reid", "Cllr Ian Cuthbertson", "Cllr Sian Wiseman", "Cllr Nigel Ayre"]
POSSIBLE: dict[str, set[str]] = {
    Stage.DRAFTING: {"start_consultation", "submit", "withdraw"},
    Stage.CONSULTATION: {"close_consultation", "withdraw"},
    Stage.PARTNERSHIP_APPROVAL: {"withdraw"},
    Stage.EXECUTIVE_APPROVAL: {"withdraw"},
    Stage.CALL_IN: {"adopt"},
    Stage.FULL_COUNCIL: {"withdraw"},
    Stage.ADOPTED: {"revise", "supersede"},
    Stage.SUPERSEDED: set(),
    Stage.WITHDRAWN: set(),
}
TARGET = {
    "start_consultation": Stage.CONSULTATION,
    "close_consultation": Stage.DRAFTING,
    "submit": Stage.PARTNERSHIP_APPROVAL,
    "adopt": Stage.ADOPTED,
    "revise": Stage.DRAFTING,
    "supersede": Stage.SUPERSEDED,
    "withdraw": Stage.WITHDRAWN,
}
# What a body's own recorder decides, leaning towards approval so that runs get far.
LIKELY_OUTCOMES = [
    O.APPROVED,
    O.APPROVED,
    O.ENDORSED,
    O.APPROVED_WITH_AMENDMENTS,
    O.DEFERRED,
    O.REFERRED_BACK,
    O.REJECTED,
]

# Everything a refused call must leave as it was, in one query.
STATE_SQL = """
SELECT p.stage, p.stage_changed_at, p.current_version_id, p.adopted_version_id, p.adopted_at,
       p.call_in_ends_on, p.superseded_by_id, p.updated_at,
       (SELECT COUNT(*) FROM documents_planversion),
       (SELECT COUNT(submitted_at) FROM documents_planversion),
       (SELECT COUNT(*) FROM governance_decision),
       (SELECT COUNT(*) FROM governance_meeting),
       (SELECT COALESCE(SUM(attendance), 0) FROM governance_meeting),
       (SELECT COUNT(*) FROM governance_consultationround),
       (SELECT COUNT(*) FROM governance_consultationround WHERE status = 'open'),
       (SELECT COUNT(*) FROM governance_auditevent),
       (SELECT last_seq FROM governance_audithead WHERE id = 1),
       (SELECT last_hash FROM governance_audithead WHERE id = 1),
       (SELECT COUNT(*) FROM governance_callinrequest),
       (SELECT COUNT(*) FROM governance_callinoutcome),
       p.adopted_on
FROM documents_plan p WHERE p.id = %s
"""
OPEN_ROUNDS, EVENTS = 14, 15

actors = st.sampled_from(ACTORS)
lead_or_anyone = st.one_of(st.just("lead"), actors)

# What the runs reached, over the whole test: reported, and checked for coverage.
STATS: Counter[str] = Counter()


class LifecycleMachine(RuleBasedStateMachine):
    world: ClassVar[World | None] = None
    frozen: ClassVar[FrozenClock | None] = None

    def __init__(self) -> None:
        super().__init__()
        assert self.world is not None and self.frozen is not None
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.plan: Plan | None = None
        self.events = 0
        self.last_action = ""
        self.required: set[int] = set()
        self.adopted_version_id: int | None = None
        self.verified = -1
        self.reached: set[str] = set()

    def teardown(self) -> None:
        STATS["examples"] += 1
        for stage in self.reached:
            STATS[f"reached {stage}"] += 1
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    # Helpers

    def person(self, name: str) -> Any:
        assert self.world is not None
        return None if name == "system" else self.world.users[name]

    def body(self, name: str) -> Any:
        return getattr(self.world, name)

    def fresh(self) -> Plan:
        assert self.plan is not None
        return Plan.objects.select_related("current_version").get(pk=self.plan.pk)

    def today(self) -> datetime.date:
        return clock.today()

    def state(self) -> tuple[Any, ...]:
        with connection.cursor() as cursor:
            cursor.execute(STATE_SQL, [self.plan.pk])
            return tuple(cursor.fetchone())

    def latest_decisions(self, version_id: int | None) -> dict[int, Decision]:
        """Each body's latest decision on the version."""
        return {d.body_id: d for d in Decision.objects.filter(version_id=version_id).order_by("pk")}

    def all_required_approved(self, latest: dict[int, Decision]) -> bool:
        return all(pk in latest and latest[pk].is_approving for pk in self.required)

    def attempt(
        self, expected: type[Exception] | None, action: str, call: Any, *, events: int = 1,
        **kwargs: Any
    ) -> bool:
        """Make a service call whose answer the model predicted: ``expected`` is the error
        class it must raise, or None for success; ``events``: how many audit events it
        writes, ``action`` the last. Only domain errors are caught."""
        before = self.state()
        try:
            call(**kwargs)
        except DOMAIN_ERRORS as exc:
            assert type(exc) is expected, (
                f"{action}: expected {expected.__name__ if expected else 'success'}, "
                f"got {type(exc).__name__}: {exc}"
            )
            assert exc.detail, "every refusal says why"
            assert self.state() == before, f"the refused {action} changed something"
            STATS[f"refused {type(exc).__name__}"] += 1
            return False
        assert expected is None, f"{action}: expected {expected.__name__}, but it succeeded"
        self.events += events
        self.last_action = action
        last = AuditEvent.objects.order_by("-seq").first()
        assert last is not None and last.seq == self.events
        assert (last.action, last.plan_id) == (action, self.plan.pk)
        STATS[f"ok {action}"] += 1
        return True

    # The model: the answer each call should get.

    def predict_action(self, plan: Plan, action: str, actor: str, **inputs: Any) -> Any:
        if action == "withdraw" and not inputs.get("reason", "").strip():
            return InvalidInput
        if action not in POSSIBLE[plan.stage]:
            return WrongStage
        if actor not in LEADS and not (action == "adopt" and actor == "system"):
            return Forbidden
        if action == "submit":
            version = plan.current_version
            if version is None or version.is_submitted:  # submitted: sent back or adopted
                return GuardFailed
            # A round of the current drafting cycle, closed, with its summary published.
            if plan.needs_consultation and not ConsultationRound.objects.filter(
                plan=plan, status=ConsultationStatus.CLOSED, drafting_cycle=plan.drafting_cycle
            ).exclude(summary_published_at=None).exists():
                return GuardFailed
        if action == "adopt" and not self.today() > plan.call_in_ends_on:
            return GuardFailed
        # Dates are checked once the act is otherwise allowed (workflows.chronology): a round
        # opening today cannot be planned to close before today.
        closes_on = inputs.get("closes_on")
        if action == "start_consultation" and closes_on and closes_on < self.today():
            return InvalidInput
        if action == "adopt" and self.pending(plan) is not None:
            return GuardFailed
        return None

    def pending(self, plan: Plan) -> CallInRequest | None:
        return CallInRequest.objects.filter(plan=plan, outcome__isnull=True).first()

    def reconsidered(self, plan: Plan) -> bool:
        return CallInOutcome.objects.filter(
            request__decision__version_id=plan.current_version_id, outcome=TO_EXECUTIVE
        ).exists()

    def executive_decision(self, plan: Plan) -> Decision:
        return self.latest_decisions(plan.current_version_id)[plan.executive_body_id]

    def role(self, body: str) -> str | None:
        if body in ("executive", "full_council"):
            return body
        if body == "scrutiny":
            return None  # call-in has its own records; scrutiny takes no decision on a plan
        return "board" if self.body(body).pk in self.required else None

    def predict_decision(
        self, plan: Plan, body: str, outcome: str, actor: str, decided_on: datetime.date,
        attendance: int,
    ) -> Any:
        if actor not in RECORDERS[body]:
            return Forbidden
        role = self.role(body)
        if role is None:
            return InvalidInput
        if plan.stage != DECIDES_IN[role]:
            return WrongStage
        if outcome not in OUTCOMES[role] or decided_on > self.today():
            return InvalidInput
        meeting = self.body(body).meetings.filter(date=decided_on).first()
        if meeting is not None and meeting.attendance != attendance:
            return InvalidInput
        if outcome in APPROVING and attendance < self.body(body).quorum:
            return InvalidInput
        version = plan.current_version
        if decided_on < self.earliest_decision_date(plan, body, role):
            return InvalidInput  # out of the order of events
        if outcome in APPROVING and version.submitted_by_id == self.person(actor).pk:
            return Forbidden  # nobody approves the version they submitted
        if role == "board":
            latest = self.latest_decisions(version.pk).get(self.body(body).pk)
            if latest is not None and latest.is_approving:
                return Conflict
        return None

    def earliest_decision_date(self, plan: Plan, body: str, role: str) -> datetime.date:
        """The first day a decision of ``body`` on the current version may carry: not before
        the submission, the body's own earlier decisions on it, and for the executive the
        last board approval (and any referral back to it after a call-in); for full council,
        the executive's decision and any referral to it."""
        version = plan.current_version
        decisions = list(Decision.objects.filter(version_id=version.pk).order_by("pk"))
        latest = {d.body_id: d for d in decisions}
        bounds = [version.submitted_on]
        bounds += [d.decided_on for d in decisions if d.body_id == self.body(body).pk]
        if role == "executive":
            bounds += [d.decided_on for pk, d in latest.items()
                       if pk in self.required and d.is_approving]
            bounds += self.outcome_dates(version, TO_EXECUTIVE)
        if role == "full_council":
            if plan.executive_body_id in latest:
                bounds.append(latest[plan.executive_body_id].decided_on)
            bounds += self.outcome_dates(version, TO_COUNCIL)
        return max(bounds)

    def outcome_dates(self, version: Any, kind: str) -> list[datetime.date]:
        return list(CallInOutcome.objects.filter(
            request__decision__version_id=version.pk, outcome=kind
        ).values_list("decided_on", flat=True))

    def stage_after_decision(self, plan: Plan, body: str, outcome: str) -> str:
        if outcome in SENDING_BACK:
            return Stage.DRAFTING
        if outcome == O.DEFERRED:
            return plan.stage
        if body == "full_council":
            return Stage.ADOPTED
        if body == "executive" and outcome == O.ENDORSED:
            return Stage.FULL_COUNCIL
        if body == "executive":
            if plan.subject_to_call_in and not self.reconsidered(plan):
                return Stage.CALL_IN
            return Stage.ADOPTED
        latest = self.latest_decisions(plan.current_version_id)
        latest[self.body(body).pk] = Decision(outcome=outcome)  # the one about to be recorded
        if self.all_required_approved(latest):
            return Stage.EXECUTIVE_APPROVAL
        return Stage.PARTNERSHIP_APPROVAL

    # The calls

    def write_version(self, actor: str, valid: bool) -> None:
        plan = self.fresh()
        content = valid_content(vision=f"Version of {self.today()}")
        if not valid:
            content["priorities"] = "not a key of the schema"
        if actor not in LEADS:
            expected: Any = Forbidden
        elif plan.stage not in (Stage.DRAFTING, Stage.CONSULTATION):
            expected = WrongStage
        elif not valid:
            expected = InvalidInput
        else:
            expected = None
        if self.attempt(expected, "version.create", version_create, plan=plan,
                        actor=self.person(actor), content=content):
            after = self.fresh()
            assert after.current_version_id != plan.current_version_id
            assert after.current_version.created_by == self.person(actor)
            assert not after.current_version.is_submitted
            assert after.stage == plan.stage

    def start_consultation(self, actor: str, closes_on: datetime.date | None) -> None:
        plan = self.fresh()
        expected = self.predict_action(plan, "start_consultation", actor, closes_on=closes_on)
        # Two events: the round is set up (consultation.round_create), then opened.
        if self.attempt(expected, "plan.start_consultation", plan_start_consultation,
                        events=2, plan=plan, actor=self.person(actor), closes_on=closes_on):
            assert self.fresh().stage == Stage.CONSULTATION
            assert plan.consultation_rounds.filter(status=ConsultationStatus.OPEN).count() == 1

    def act(self, action: str, actor: str, reason: str = "") -> None:
        plan = self.fresh()
        expected = self.predict_action(plan, action, actor, reason=reason)
        # Starting a consultation sets its round up first: two events.
        events = 2 if action == "start_consultation" else 1
        if self.attempt(expected, f"plan.{action}", PLAN_ACTIONS[action], events=events,
                        plan=plan, actor=self.person(actor), reason=reason):
            after = self.fresh()
            # Withdrawing a revision leaves the plan adopted, its adopted version current.
            revision = action == "withdraw" and plan.adopted_version_id is not None
            assert after.stage == (Stage.ADOPTED if revision else TARGET[action])
            if revision:
                assert after.current_version_id == plan.adopted_version_id
            if action == "close_consultation":
                # The lead officer publishes what was heard: what a submission waits for.
                round = after.consultation_rounds.get(status=ConsultationStatus.CLOSED,
                                                      summary_published_at=None)
                round_publish_summary(round=round, actor=self.person("lead"))
                self.events += 1
            if action == "submit":
                assert after.current_version.submitted_by == self.person(actor)
                assert after.current_version.submitted_on == self.today()
            if action in ("revise", "supersede", "withdraw"):
                assert (after.adopted_version_id, after.adopted_at) == (
                    plan.adopted_version_id, plan.adopted_at
                )

    def decide(self, body: str, outcome: str, actor: str, decided_on: datetime.date,
               attendance: int = 8) -> None:
        plan = self.fresh()
        expected = self.predict_decision(plan, body, outcome, actor, decided_on, attendance)
        stage = self.stage_after_decision(plan, body, outcome) if expected is None else None
        if self.attempt(
            expected,
            "decision.record",
            decision_record,
            plan=plan,
            actor=self.person(actor),
            body=self.body(body),
            outcome=outcome,
            decided_on=decided_on,
            attendance=attendance,
            votes_for=min(attendance, 5),
            minute_reference=f"{body}/{decided_on}",
        ):
            after = self.fresh()
            assert after.stage == stage, (body, outcome, plan.stage, after.stage)
            decision = Decision.objects.order_by("-pk").first()
            assert decision.version_id == plan.current_version_id
            assert decision.recorded_by == self.person(actor)
            if stage == Stage.CALL_IN:
                assert after.call_in_ends_on == calendar.add_working_days(
                    decided_on, django_settings.PLANGOV_CALL_IN_WORKING_DAYS
                )
            if stage == Stage.ADOPTED:
                assert after.adopted_on == decided_on

    def request_call_in(self, actor: str, requested_on: datetime.date, members: int) -> None:
        plan = self.fresh()
        ends = plan.call_in_ends_on
        if actor != "scrutiny_secretary":
            expected: Any = Forbidden
        elif plan.stage != Stage.CALL_IN:
            expected = WrongStage
        elif self.pending(plan) is not None:
            expected = Conflict
        # A request made within the period may be recorded after it, until the plan is adopted:
        # only its own date counts.
        elif members < 3 or requested_on > self.today() or not (
            self.executive_decision(plan).decided_on <= requested_on <= ends
        ):
            expected = InvalidInput
        else:
            expected = None
        if self.attempt(expected, "call_in.request", call_in_request_record, plan=plan,
                        actor=self.person(actor), requesters=MEMBERS[:members],
                        reasons="Costs are unclear.", requested_on=requested_on):
            after = self.fresh()
            assert after.stage == Stage.CALL_IN
            assert self.pending(after).requested_on == requested_on

    def committee_decides(self, outcome: str, actor: str, decided_on: datetime.date,
                          attendance: int) -> None:
        plan = self.fresh()
        pending = self.pending(plan)
        meeting = self.world.scrutiny.meetings.filter(date=decided_on).first()
        if actor != "scrutiny_secretary":
            expected: Any = Forbidden
        elif pending is None:
            expected = Conflict
        elif (decided_on > self.today() or decided_on < pending.requested_on
              or (meeting is not None and meeting.attendance != attendance)
              or attendance < self.world.scrutiny.quorum):
            expected = InvalidInput
        else:
            expected = None
        if self.attempt(expected, "call_in.outcome", call_in_outcome_record, plan=plan,
                        actor=self.person(actor), outcome=outcome, decided_on=decided_on,
                        attendance=attendance, votes_for=min(attendance, 3)):
            after = self.fresh()
            assert after.stage == {NFA: Stage.ADOPTED, TO_EXECUTIVE: Stage.EXECUTIVE_APPROVAL,
                                   TO_COUNCIL: Stage.FULL_COUNCIL}[outcome]
            if outcome == NFA:
                assert after.adopted_on == decided_on

    def beat(self) -> None:
        """What the beat does: adopt every plan whose call-in period is over."""
        plan = self.fresh()
        due = plans_due_for_adoption()
        over = (plan.stage == Stage.CALL_IN and self.today() > plan.call_in_ends_on
                and self.pending(plan) is None)
        assert due == ([plan.pk] if over else [])
        for plan_id in due:
            assert adopt_after_call_in(plan_id) == "adopted"
            self.events += 1
            self.last_action = "plan.adopt"
            STATS["ok beat adoption"] += 1
        # A redelivered task is harmless, and one that comes too early adopts nothing.
        still = self.fresh().stage == Stage.CALL_IN
        assert adopt_after_call_in(plan.pk) == ("not adopted" if still else "nothing to do")

    # Rules

    @initialize(
        kind=st.sampled_from(PlanKind.values),
        call_in=st.booleans(),
        both_bodies=st.booleans(),
        start=st.dates(datetime.date(2013, 1, 1), datetime.date(2027, 1, 1)),
    )
    def create_plan(self, kind: str, call_in: bool, both_bodies: bool,
                    start: datetime.date) -> None:
        world = self.world
        self.frozen.set(start)
        bodies = [world.board, world.safeguarding] if both_bodies else [world.board]
        self.plan = make_plan(world, kind=kind, call_in=call_in, bodies=bodies)
        self.required = {body.pk for body in bodies}
        self.events += 1

    @rule(actor=lead_or_anyone, valid=st.integers(0, 5))
    def new_version(self, actor: str, valid: int) -> None:
        self.write_version(actor, valid > 0)

    @rule(actor=lead_or_anyone, closes_in=st.one_of(st.none(), st.integers(-3, 60)))
    def open_consultation(self, actor: str, closes_in: int | None) -> None:
        closes_on = None if closes_in is None else self.today() + datetime.timedelta(closes_in)
        self.start_consultation(actor, closes_on)

    @rule(action=st.sampled_from(list(PLAN_ACTIONS)), actor=lead_or_anyone,
          reason=st.sampled_from(["Agreed at the board.", "", "  "]))
    def lifecycle_action(self, action: str, actor: str, reason: str) -> None:
        self.act(action, actor, reason)

    @rule(
        body=st.sampled_from(BODIES),
        outcome=st.sampled_from(LIKELY_OUTCOMES),
        pick=st.integers(0, 1),
        days_ago=st.sampled_from([0, 0, 0, 1, 6]),
    )
    def body_decides(self, body: str, outcome: str, pick: int, days_ago: int) -> None:
        """A body's own recorder records one of its decisions, taken at a quorate meeting."""
        recorders = RECORDERS[body]
        actor = recorders[pick % len(recorders)]
        self.decide(body, outcome, actor, self.today() - datetime.timedelta(days_ago))

    @rule(
        body=st.sampled_from(BODIES),
        outcome=st.sampled_from(O.values),
        actor=actors,
        days_ago=st.integers(-1, 3),
        attendance=st.sampled_from([8, 2]),
    )
    def anyone_decides(self, body: str, outcome: str, actor: str, days_ago: int,
                       attendance: int) -> None:
        self.decide(body, outcome, actor, self.today() - datetime.timedelta(days_ago),
                    attendance)

    @rule(actor=st.sampled_from(["scrutiny_secretary", "scrutiny_secretary", "lead",
                                 "executive_secretary"]),
          days_ago=st.sampled_from([0, 0, 1, 3, 9, -1]), members=st.sampled_from([3, 3, 4, 2]))
    def members_call_in(self, actor: str, days_ago: int, members: int) -> None:
        self.request_call_in(actor, self.today() - datetime.timedelta(days_ago), members)

    @rule(outcome=st.sampled_from(CallInOutcomeKind.values),
          actor=st.sampled_from(["scrutiny_secretary", "scrutiny_secretary", "council_secretary"]),
          days_ago=st.sampled_from([0, 0, 2, -1]), attendance=st.sampled_from([7, 7, 2]))
    def scrutiny_decides(self, outcome: str, actor: str, days_ago: int, attendance: int) -> None:
        self.committee_decides(outcome, actor, self.today() - datetime.timedelta(days_ago),
                               attendance)

    @rule(days=st.integers(0, 8), working=st.booleans())
    def time_passes(self, days: int, working: bool) -> None:
        today = self.today()
        if working:
            self.frozen.set(calendar.add_working_days(today, days))
        else:
            self.frozen.set(today + datetime.timedelta(days=days))

    @rule()
    def beat_scans(self) -> None:
        self.beat()

    def move_on(self, wide_choice: int) -> None:
        """The step that takes the plan on from where it is, as its people would."""
        choice = wide_choice % 4
        plan = self.fresh()
        stage = plan.stage
        version = plan.current_version
        if stage == Stage.DRAFTING:
            # Now and then the lead officer submits too early, and the guards refuse it.
            consulted = not plan.needs_consultation or plan.consultation_rounds.filter(
                status=ConsultationStatus.CLOSED, drafting_cycle=plan.drafting_cycle
            ).exists()
            if choice == 1 or (version is not None and not version.is_submitted and consulted):
                self.act("submit", LEADS_ORDER[choice % 2])
            elif version is None or version.is_submitted or choice == 0:
                self.write_version(LEADS_ORDER[choice % 2], valid=True)
            else:
                self.start_consultation("lead", None)
        elif stage == Stage.CONSULTATION:
            self.act("close_consultation", "lead")
        elif stage == Stage.PARTNERSHIP_APPROVAL:
            latest = self.latest_decisions(plan.current_version_id)
            required = [name for name in ("board", "safeguarding")
                        if self.body(name).pk in self.required]
            waiting = [name for name in required
                       if not (self.body(name).pk in latest
                               and latest[self.body(name).pk].is_approving)]
            # Mostly a waiting body approves; sometimes one defers, or one that approved
            # already approves again (refused).
            name = required[choice % len(required)] if choice == 2 else (
                waiting[choice % len(waiting)]
            )
            recorders = [r for r in RECORDERS[name]
                         if self.person(r).pk != version.submitted_by_id]
            outcome = O.DEFERRED if choice == 3 else O.APPROVED
            self.decide(name, outcome, recorders[choice % len(recorders)], self.today())
        elif stage == Stage.EXECUTIVE_APPROVAL:
            outcome = [O.APPROVED, O.ENDORSED, O.APPROVED, O.REFERRED_BACK][choice]
            self.decide("executive", outcome, RECORDERS["executive"][choice % 2], self.today())
        elif stage == Stage.FULL_COUNCIL:
            outcome = [O.APPROVED, O.APPROVED, O.REFERRED_BACK, O.DEFERRED][choice]
            self.decide("full_council", outcome, "council_secretary", self.today())
        elif stage == Stage.CALL_IN and self.pending(plan) is not None:
            # The scrutiny committee meets on the request.
            self.committee_decides([NFA, TO_EXECUTIVE, TO_COUNCIL][wide_choice % 3],
                                   "scrutiny_secretary", self.today(), 7)
        elif stage == Stage.CALL_IN:
            # Members call it in, the lead officer or the beat adopts it (each refused at
            # the wrong time), or time moves to the period's last day, then past it.
            ends = plan.call_in_ends_on
            if wide_choice == 0:
                self.request_call_in("scrutiny_secretary", self.today(), 3)
            elif wide_choice == 1:
                self.act("adopt", LEADS_ORDER[self.today().day % 2])
            elif wide_choice == 2:
                self.beat()
            elif self.today() < ends:
                self.frozen.set(ends)
            else:
                self.frozen.set(max(self.today(), ends + datetime.timedelta(days=1)))
        elif stage == Stage.ADOPTED:
            self.act(["revise", "revise", "supersede"][wide_choice % 3], "lead")

    # The same step, three times over, so that runs move on more often than not.
    @rule(choice=st.integers(0, 5))
    def move_on_a(self, choice: int) -> None:
        self.move_on(choice)

    @rule(choice=st.integers(0, 5))
    def move_on_b(self, choice: int) -> None:
        self.move_on(choice)

    @rule(choice=st.integers(0, 5))
    def move_on_c(self, choice: int) -> None:
        self.move_on(choice)

    # Invariants

    @invariant()
    def plan_keeps_its_promises(self) -> None:
        plan = self.fresh()
        self.reached.add(plan.stage)
        assert plan.stage in Stage.values

        # The adopted version changes only at adoption, to the version adopted.
        if plan.adopted_version_id != self.adopted_version_id:
            assert plan.stage == Stage.ADOPTED
            assert self.last_action in ("plan.adopt", "decision.record", "call_in.outcome")
            assert plan.adopted_version_id == plan.current_version_id
            self.adopted_version_id = plan.adopted_version_id

        if plan.stage in (Stage.ADOPTED, Stage.SUPERSEDED):
            assert plan.adopted_version_id is not None
            assert plan.adopted_version_id == plan.current_version_id
            assert plan.adopted_at is not None
            assert plan.adopted_on is not None and plan.adopted_on <= self.today()

        # The adopted version was approved by every required body and by the executive, and
        # that approval took effect: not called in, or called in and left to stand, or
        # approved by full council.
        if plan.adopted_version_id is not None:
            decisions = list(
                Decision.objects.filter(version_id=plan.adopted_version_id).order_by("pk")
            )
            latest = {d.body_id: d for d in decisions}
            assert self.all_required_approved(latest)
            executive = latest.get(plan.executive_body_id)
            assert executive is not None and executive.is_approving
            outcomes = set(
                CallInOutcome.objects.filter(request__decision=executive)
                .values_list("outcome", flat=True)
            )
            assert not CallInRequest.objects.filter(
                decision=executive, outcome__isnull=True
            ).exists(), "adopted while a call-in was waiting for the committee"
            council = self.world.full_council.pk
            if executive.outcome == O.ENDORSED or TO_COUNCIL in outcomes:
                assert council in latest and latest[council].is_approving
            else:
                assert outcomes <= {NFA}, "the adopted version's executive approval was called in"

        version = plan.current_version
        if plan.stage in (Stage.PARTNERSHIP_APPROVAL, Stage.EXECUTIVE_APPROVAL, Stage.CALL_IN,
                          Stage.FULL_COUNCIL):
            assert version is not None and version.is_submitted
            latest = self.latest_decisions(version.pk)
            assert not any(d.outcome in SENDING_BACK for d in latest.values())
            if plan.stage != Stage.PARTNERSHIP_APPROVAL:
                assert self.all_required_approved(latest)
        if plan.stage == Stage.CALL_IN:
            assert plan.subject_to_call_in and plan.call_in_ends_on is not None

        state = self.state()
        if plan.stage == Stage.CONSULTATION:
            assert state[OPEN_ROUNDS] == 1
        elif plan.stage != Stage.WITHDRAWN:
            assert state[OPEN_ROUNDS] == 0

        # One audit event per successful call, and the chain verifies. A refused call leaves
        # the ledger's head as it was (see attempt), so the chain needs checking after changes.
        assert state[EVENTS] == self.events
        if self.verified != self.events:
            report = verify_chain()
            assert report.ok, report.problem
            assert report.checked == self.events
            self.verified = self.events



def test_it_keeps_the_lifecycle_invariants_under_random_use(world, monkeypatch, capsys):
    frozen = FrozenClock(datetime.datetime(2016, 7, 14, 10, tzinfo=datetime.UTC))
    monkeypatch.setattr(clock, "source", frozen)
    # The board's secretary deputises for the lead officer, so the four-eyes rule matters.
    world.lead.memberships.filter(role=Role.LEAD_OFFICER).update(deputy=world.board_secretary)
    add_full_council(world)
    monkeypatch.setattr(LifecycleMachine, "world", world)
    monkeypatch.setattr(LifecycleMachine, "frozen", frozen)
    assert not AuditEvent.objects.exists()
    STATS.clear()
    started = time.monotonic()
    run_state_machine_as_test(LifecycleMachine, settings=SETTINGS)
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\nlifecycle properties: {STATS['examples']} examples in {elapsed:.0f}s")
        for key, count in sorted(STATS.items()):
            print(f"  {key}: {count}")
    # The runs went everywhere: every stage was reached, and every example rolled back.
    assert STATS["examples"] >= SETTINGS.max_examples
    for stage in Stage.values:
        assert STATS[f"reached {stage}"] > 0, f"no example reached {stage}"
    for error in DOMAIN_ERRORS:
        assert STATS[f"refused {error.__name__}"] > 0, f"no call was refused with {error}"
    assert not AuditEvent.objects.exists()
