"""Every lifecycle guard and permission, through the services: each refusal has its own error
class and a message that says what is missing, and a refused call changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from documents.models import Plan, PlanKind, PlanVersion, Stage
from documents.services import version_create
from governance.audit import verify_chain
from governance.models import (
    AuditEvent,
    AuditHead,
    ConsultationRound,
    Decision,
    Meeting,
    Role,
)
from governance.models import DecisionOutcome as O
from governance.policy import READS_ONLY
from plangov.errors import Conflict, Forbidden, GuardFailed, InvalidInput, WrongStage
from tests.conftest import (
    World,
    add_full_council,
    build_world,
    call_in_outcome,
    call_in_request,
    consult,
    decide,
    make_plan,
    publish_summary,
    submitted_plan,
)
from tests.factories import valid_content
from workflows.lifecycle import PlanLifecycle, approval_state
from workflows.services import (
    PLAN_ACTIONS,
    plan_adopt,
    plan_close_consultation,
    plan_revise,
    plan_start_consultation,
    plan_submit,
    plan_supersede,
    plan_withdraw,
    plans_due_for_adoption,
)

# The lifecycle as the issue states it: the actions people can take from each stage.
POSSIBLE: dict[str, list[str]] = {
    Stage.DRAFTING: ["start_consultation", "submit", "withdraw"],
    Stage.CONSULTATION: ["close_consultation", "withdraw"],
    Stage.PARTNERSHIP_APPROVAL: ["withdraw"],
    Stage.EXECUTIVE_APPROVAL: ["withdraw"],
    Stage.CALL_IN: ["adopt"],
    Stage.FULL_COUNCIL: ["withdraw"],
    Stage.ADOPTED: ["revise", "supersede"],
    Stage.SUPERSEDED: [],
    Stage.WITHDRAWN: [],
}
# The stage in which each body decides.
DECIDES_IN = {
    "board": Stage.PARTNERSHIP_APPROVAL,
    "safeguarding": Stage.PARTNERSHIP_APPROVAL,
    "executive": Stage.EXECUTIVE_APPROVAL,
    "full_council": Stage.FULL_COUNCIL,
}
OUTCOME_FOR = {
    "board": O.APPROVED,
    "safeguarding": O.APPROVED,
    "executive": O.APPROVED,
    "full_council": O.APPROVED,
}
NOT_LEADS = [
    "board_secretary",
    "board_deputy",
    "board_chair",
    "safeguarding_secretary",
    "executive_member",
    "executive_secretary",
    "scrutiny_secretary",
    "auditor",
    "outsider",
]
JULY_14 = datetime.date(2016, 7, 14)  # the frozen clock's first day, a Thursday


@pytest.fixture
def world(db: None) -> World:
    """The shared world, with a full council: every deciding body has a stage."""
    world = build_world()
    add_full_council(world)
    return world


# Helpers


def state(plan: Plan) -> dict[str, Any]:
    """Everything a refused call must leave as it was."""
    fresh = Plan.objects.get(pk=plan.pk)
    head = AuditHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    return {
        "plan": {
            field: getattr(fresh, field)
            for field in (
                "stage",
                "stage_changed_at",
                "current_version_id",
                "adopted_version_id",
                "adopted_at",
                "call_in_ends_on",
                "superseded_by_id",
                "updated_at",
            )
        },
        "versions": list(
            PlanVersion.objects.filter(plan=plan).values_list("pk", "submitted_at")
        ),
        "decisions": Decision.objects.count(),
        "meetings": Meeting.objects.count(),
        "rounds": list(
            ConsultationRound.objects.filter(plan=plan).values_list("pk", "status", "closed_at")
        ),
        "events": AuditEvent.objects.count(),
        "head": head,
    }


def refused(
    error: type[Exception], subject: Plan, call: Any, /, *args: Any, **kwargs: Any
) -> Any:
    """Call, expect ``error``, and check that nothing changed, not even the audit."""
    before = state(subject)
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    assert state(subject) == before
    return caught.value


def reload(plan: Plan) -> Plan:
    return Plan.objects.select_related("current_version", "adopted_version").get(pk=plan.pk)


def body_of(world: World, name: str) -> Any:
    return getattr(world, name)


def to_executive(world: World, plan: Plan) -> Plan:
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    plan = reload(plan)
    assert plan.stage == Stage.EXECUTIVE_APPROVAL
    return plan


def to_call_in(world: World, plan: Plan) -> Plan:
    plan = to_executive(world, plan)
    decide(world, plan, world.executive, O.APPROVED)
    plan = reload(plan)
    assert plan.stage == Stage.CALL_IN
    return plan


def to_adopted(world: World, frozen_clock: Any, plan: Plan) -> Plan:
    plan = to_call_in(world, plan)
    assert plan.call_in_ends_on is not None
    frozen_clock.set(plan.call_in_ends_on + datetime.timedelta(days=1))
    plan = plan_adopt(plan=plan, actor=None)
    assert plan.stage == Stage.ADOPTED
    return reload(plan)


def plan_in(world: World, frozen_clock: Any, stage: str) -> Plan:
    """A CYPP with a version, walked through the services to ``stage``."""
    if stage == Stage.DRAFTING:
        plan = make_plan(world)
        version_create(plan=plan, actor=world.lead, content=valid_content())
    elif stage == Stage.CONSULTATION:
        plan = make_plan(world)
        version_create(plan=plan, actor=world.lead, content=valid_content())
        plan_start_consultation(plan=plan, actor=world.lead)
    elif stage == Stage.PARTNERSHIP_APPROVAL:
        plan = submitted_plan(world)
    elif stage == Stage.EXECUTIVE_APPROVAL:
        plan = to_executive(world, submitted_plan(world))
    elif stage == Stage.CALL_IN:
        plan = to_call_in(world, submitted_plan(world))
    elif stage == Stage.FULL_COUNCIL:
        plan = to_executive(world, submitted_plan(world))
        decide(world, plan, world.executive, O.ENDORSED)
    elif stage == Stage.ADOPTED:
        plan = to_adopted(world, frozen_clock, submitted_plan(world))
    elif stage == Stage.SUPERSEDED:
        plan = to_adopted(world, frozen_clock, submitted_plan(world))
        plan_supersede(plan=plan, actor=world.lead)
    elif stage == Stage.WITHDRAWN:
        plan = make_plan(world)
        plan_withdraw(plan=plan, actor=world.lead, reason="Merged into the CYPP.")
    else:  # pragma: no cover
        raise AssertionError(stage)
    plan = reload(plan)
    assert plan.stage == stage
    return plan


def run(action: str, plan: Plan, actor: Any) -> Plan:
    return PLAN_ACTIONS[action](plan=plan, actor=actor, reason=f"Testing {action}.")


def set_lead_deputy(world: World, deputy: Any) -> None:
    updated = world.lead.memberships.filter(role=Role.LEAD_OFFICER).update(deputy=deputy)
    assert updated == 1


# Submission


def test_it_refuses_to_submit_a_plan_without_a_version(world, frozen_clock):
    plan = make_plan(world, kind=PlanKind.ACTION_PLAN)
    error = refused(GuardFailed, plan, plan_submit, plan=plan, actor=world.lead)
    assert "no version" in error.detail
    assert error.status == 409


@pytest.mark.parametrize("kind", [PlanKind.CYPP, PlanKind.STRATEGY])
def test_it_refuses_to_submit_a_cypp_or_strategy_without_a_closed_consultation(
    world, frozen_clock, kind
):
    plan = make_plan(world, kind=kind)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    error = refused(GuardFailed, plan, plan_submit, plan=plan, actor=world.lead)
    assert "closed consultation round" in error.detail
    assert PlanKind(kind).label.lower() in error.detail


def test_it_submits_once_the_consultation_round_is_closed(world, frozen_clock):
    plan = make_plan(world, kind=PlanKind.STRATEGY)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    plan_start_consultation(plan=plan, actor=world.lead, title="Priorities")
    # While the round is open, the plan is in consultation, where submission does not exist.
    error = refused(WrongStage, plan, plan_submit, plan=plan, actor=world.lead)
    assert error.stage == Stage.CONSULTATION
    plan_close_consultation(plan=plan, actor=world.lead)
    # Closed is not enough: what was heard is published first.
    error = refused(GuardFailed, plan, plan_submit, plan=plan, actor=world.lead)
    assert "summary is not published" in error.detail
    publish_summary(plan, world.lead)
    plan = plan_submit(plan=plan, actor=world.lead)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    version = plan.current_version
    assert version.submitted_by == world.lead
    assert version.submitted_at is not None


@pytest.mark.parametrize("kind", [PlanKind.ACTION_PLAN, PlanKind.REVIEW])
def test_it_submits_an_action_plan_or_review_without_consultation(world, frozen_clock, kind):
    plan = make_plan(world, kind=kind)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    plan = plan_submit(plan=plan, actor=world.lead)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    assert not ConsultationRound.objects.filter(plan=plan).exists()


@pytest.mark.parametrize("outcome", [O.REFERRED_BACK, O.REJECTED])
def test_it_refuses_to_resubmit_a_version_sent_back_but_takes_a_new_one(
    world, frozen_clock, outcome
):
    plan = submitted_plan(world)
    decide(world, plan, world.safeguarding, outcome)
    plan = reload(plan)
    assert plan.stage == Stage.DRAFTING
    error = refused(GuardFailed, plan, plan_submit, plan=plan, actor=world.lead)
    assert "referred back or rejected" in error.detail
    assert "new version" in error.detail

    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Redrafted."))
    plan = plan_submit(plan=plan, actor=world.lead)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    assert plan.current_version.number == 2


def test_it_refuses_to_resubmit_the_adopted_version_after_a_revision(world, frozen_clock):
    # Every body approved version 1 already and none could decide on it again: resubmitting
    # it would leave the plan stuck in partnership approval.
    plan = plan_in(world, frozen_clock, Stage.ADOPTED)
    plan = plan_revise(plan=plan, actor=world.lead)
    plan = consult(world, plan)  # the revision's own round, so only the version is in the way
    error = refused(GuardFailed, plan, plan_submit, plan=plan, actor=world.lead)
    assert error.detail == (
        "Version 1 was already submitted and adopted; write a new version before "
        "submitting again."
    )


# Partnership approval


def test_it_stays_in_partnership_approval_until_every_body_approves(world, frozen_clock):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)
    plan = reload(plan)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    lifecycle = PlanLifecycle(plan)
    with pytest.raises(GuardFailed, match="Still waiting for approval of this version by: "
                       "Children's Safeguarding Board."):
        lifecycle.check("complete_partnership_approval", None, enforce_permission=False)
    decide(world, plan, world.safeguarding, O.APPROVED_WITH_AMENDMENTS)
    assert reload(plan).stage == Stage.EXECUTIVE_APPROVAL


def test_it_needs_both_approvals_on_the_same_current_version(world, frozen_clock):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)  # on version 1
    decide(world, plan, world.safeguarding, O.REFERRED_BACK)
    plan = reload(plan)
    assert plan.stage == Stage.DRAFTING
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Version 2."))
    plan_submit(plan=plan, actor=world.lead)

    decide(world, plan, world.safeguarding, O.APPROVED)  # on version 2
    plan = reload(plan)
    # The board approved version 1, not version 2: partnership approval is not over.
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    assert [b.name for b in approval_state(plan).missing] == ["YorOK Board"]
    with pytest.raises(GuardFailed, match="YorOK Board"):
        PlanLifecycle(plan).check("complete_partnership_approval", None,
                                  enforce_permission=False)

    decide(world, plan, world.board, O.APPROVED)
    plan = reload(plan)
    assert plan.stage == Stage.EXECUTIVE_APPROVAL
    approvals = Decision.objects.filter(plan=plan, outcome=O.APPROVED, body__in=[
        world.board, world.safeguarding])
    assert {d.version.number for d in approvals if d.version_id == plan.current_version_id} == {2}


def test_it_refuses_a_second_approval_by_the_same_body(world, frozen_clock):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)
    for outcome in (O.APPROVED, O.DEFERRED, O.REFERRED_BACK):
        error = refused(Conflict, plan, decide, world, plan, world.board, outcome)
        assert type(error) is Conflict
        assert error.detail == "YorOK Board has already approved version 1."


@pytest.mark.parametrize("outcome", [O.REFERRED_BACK, O.REJECTED])
@pytest.mark.parametrize("body", ["board", "safeguarding"])
def test_it_returns_the_plan_to_drafting_when_a_required_body_sends_it_back(
    world, frozen_clock, body, outcome
):
    plan = submitted_plan(world)
    other = "safeguarding" if body == "board" else "board"
    decide(world, plan, body_of(world, other), O.APPROVED)
    decide(world, plan, body_of(world, body), outcome, reasons="Needs more on early help.")
    plan = reload(plan)
    assert plan.stage == Stage.DRAFTING
    assert plan.adopted_version_id is None
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "decision.record"
    assert (event.before["stage"], event.after["stage"]) == ("partnership_approval", "drafting")


@pytest.mark.parametrize("outcome", [O.REFERRED_BACK, O.REJECTED])
def test_it_returns_the_plan_to_drafting_when_the_executive_sends_it_back(
    world, frozen_clock, outcome
):
    plan = to_executive(world, submitted_plan(world))
    decide(world, plan, world.executive, outcome)
    plan = reload(plan)
    assert plan.stage == Stage.DRAFTING
    assert plan.call_in_ends_on is None
    assert plan.adopted_version_id is None
    refused(GuardFailed, plan, plan_submit, plan=plan, actor=world.lead)


def test_it_keeps_the_stage_when_a_board_defers(world, frozen_clock):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.DEFERRED, reasons="Await the needs analysis.")
    plan = reload(plan)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.before["stage"] == event.after["stage"] == "partnership_approval"
    # A deferral is not an approval, and the board can decide again later.
    frozen_clock.advance(days=7)
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    assert reload(plan).stage == Stage.EXECUTIVE_APPROVAL


def test_it_keeps_the_stage_when_the_executive_defers(world, frozen_clock):
    plan = to_executive(world, submitted_plan(world))
    decide(world, plan, world.executive, O.DEFERRED)
    plan = reload(plan)
    assert plan.stage == Stage.EXECUTIVE_APPROVAL
    assert plan.call_in_ends_on is None
    with pytest.raises(GuardFailed, match="The executive has not approved this version"):
        PlanLifecycle(plan).check("executive_approve", None, enforce_permission=False)
    frozen_clock.advance(days=14)
    decide(world, plan, world.executive, O.APPROVED)
    assert reload(plan).stage == Stage.CALL_IN


# Executive approval and call-in


def test_it_does_not_leave_executive_approval_without_an_executive_decision(world, frozen_clock):
    plan = to_executive(world, submitted_plan(world))
    with pytest.raises(GuardFailed, match="The executive has not approved this version"):
        PlanLifecycle(plan).check("executive_approve", None, enforce_permission=False)
    error = refused(WrongStage, plan, plan_adopt, plan=plan, actor=None)
    assert error.possible == ["withdraw"]
    assert plans_due_for_adoption(datetime.date(2030, 1, 1)) == []


def test_it_starts_the_call_in_period_at_executive_approval(world, frozen_clock):
    plan = to_executive(world, submitted_plan(world))
    decide(world, plan, world.executive, O.APPROVED)
    plan = reload(plan)
    assert plan.stage == Stage.CALL_IN
    assert plan.call_in_ends_on == datetime.date(2016, 7, 21)  # five working days on
    assert plan.adopted_version_id is None
    assert plan.adopted_at is None


def test_it_adopts_at_once_when_the_plan_is_not_subject_to_call_in(world, frozen_clock):
    plan = to_executive(world, submitted_plan(world, call_in=False))
    decide(world, plan, world.executive, O.APPROVED)
    plan = reload(plan)
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_version_id == plan.current_version_id
    assert plan.adopted_version.number == 1
    assert plan.adopted_at == frozen_clock.current
    assert plan.adopted_on == JULY_14
    assert plan.call_in_ends_on is None
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.after["adopted_version"] == 1


def test_it_refuses_adoption_until_the_call_in_period_is_over(world, frozen_clock):
    plan = to_call_in(world, submitted_plan(world))
    for day in (14, 15, 18, 21):  # the decision day, and up to the last working day
        frozen_clock.set(datetime.date(2016, 7, day))
        for actor in (None, world.lead):
            error = refused(GuardFailed, plan, plan_adopt, plan=plan, actor=actor)
            assert error.detail == (
                "The call-in period runs until the end of Thursday 21 July 2016."
            )
        assert plans_due_for_adoption() == []
    frozen_clock.set(datetime.date(2016, 7, 22))
    assert plans_due_for_adoption() == [plan.pk]
    plan = plan_adopt(plan=plan, actor=world.lead)
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_version_id == plan.current_version_id


def test_it_takes_the_call_in_length_from_settings(world, frozen_clock, settings):
    settings.PLANGOV_CALL_IN_WORKING_DAYS = 2
    plan = to_call_in(world, submitted_plan(world))
    assert plan.call_in_ends_on == datetime.date(2016, 7, 18)  # Friday, then Monday
    frozen_clock.set(datetime.date(2016, 7, 18))
    refused(GuardFailed, plan, plan_adopt, plan=plan, actor=None)
    frozen_clock.set(datetime.date(2016, 7, 19))
    assert plan_adopt(plan=plan, actor=None).stage == Stage.ADOPTED


@pytest.mark.parametrize(
    ("decided", "last_day"),
    [
        # Christmas 2016 fell on a Sunday: Boxing Day on Monday 26, Christmas on Tuesday 27.
        (datetime.date(2016, 12, 21), datetime.date(2016, 12, 30)),
        # Good Friday 25 March and Easter Monday 28 March 2016.
        (datetime.date(2016, 3, 24), datetime.date(2016, 4, 4)),
        # The early May bank holiday, Monday 2 May 2016.
        (datetime.date(2016, 4, 28), datetime.date(2016, 5, 6)),
    ],
)
def test_it_extends_the_call_in_period_over_bank_holidays(
    world, frozen_clock, decided, last_day
):
    frozen_clock.set(decided)
    plan = to_call_in(world, submitted_plan(world))
    assert plan.call_in_ends_on == last_day
    frozen_clock.set(last_day)
    error = refused(GuardFailed, plan, plan_adopt, plan=plan, actor=None)
    assert f"{last_day:%A %d %B %Y}" in error.detail
    frozen_clock.set(last_day + datetime.timedelta(days=1))
    plan = plan_adopt(plan=plan, actor=None)
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_on == last_day  # the day the period ended, not the day it was seen


def test_it_returns_a_called_in_plan_to_the_executive_for_a_new_decision(world, frozen_clock):
    plan = to_call_in(world, submitted_plan(world))
    frozen_clock.set(datetime.date(2016, 7, 21))  # the last day of the period
    call_in_request(world, plan, reasons="Consultation with schools.")
    frozen_clock.set(datetime.date(2016, 7, 26))
    call_in_outcome(world, plan, "referred_to_executive")
    plan = reload(plan)
    assert plan.stage == Stage.EXECUTIVE_APPROVAL
    assert plan.call_in_ends_on is None
    assert plan.adopted_version_id is None

    # The executive's first approval no longer counts: nothing moves the plan on without a
    # new executive decision, however long anyone waits.
    frozen_clock.set(datetime.date(2016, 9, 1))
    assert not approval_state(plan).executive_approved
    with pytest.raises(GuardFailed, match="since it last reached the executive"):
        PlanLifecycle(plan).check("executive_approve", None, enforce_permission=False)
    refused(WrongStage, plan, plan_adopt, plan=plan, actor=None)
    assert plans_due_for_adoption() == []

    # A decision reconsidered after a call-in cannot be called in again: it takes effect.
    decide(world, plan, world.executive, O.APPROVED, reasons="Reconsidered.")
    plan = reload(plan)
    assert plan.stage == Stage.ADOPTED
    assert plan.call_in_ends_on is None
    assert plan.adopted_on == datetime.date(2016, 9, 1)
    assert plan.adopted_version_id == plan.current_version_id


def test_it_refuses_a_call_in_dated_after_the_period(world, frozen_clock):
    plan = to_call_in(world, submitted_plan(world))
    frozen_clock.set(datetime.date(2016, 7, 22))
    error = refused(
        InvalidInput, plan, call_in_request, world, plan, requested_on=datetime.date(2016, 7, 22)
    )
    assert "Thursday 21 July 2016" in error.errors["requested_on"][0]
    assert not plan.call_in_requests.exists()
    assert plan_adopt(plan=plan, actor=None).stage == Stage.ADOPTED
    error = refused(
        WrongStage, plan, call_in_request, world, plan, requested_on=datetime.date(2016, 7, 21)
    )
    assert not plan.call_in_requests.exists()


# Wrong stage: every action where it does not exist


WRONG_ACTIONS = [
    (stage, action)
    for stage in Stage.values
    for action in PLAN_ACTIONS
    if action not in POSSIBLE[stage]
]


@pytest.mark.parametrize(("stage", "action"), WRONG_ACTIONS)
def test_it_refuses_an_action_in_a_stage_without_it(world, frozen_clock, stage, action):
    plan = plan_in(world, frozen_clock, stage)
    for actor in (world.lead, world.outsider, None):  # the stage is checked first
        error = refused(WrongStage, plan, run, action, plan, actor)
        assert error.status == 409
        assert error.stage == stage
        assert error.action == action
        assert error.possible == POSSIBLE[stage]
        label = Stage(stage).label
        assert f"'{action}' is not possible while the plan is in {label}." in error.detail
        options = ", ".join(POSSIBLE[stage]) or "none"
        assert error.detail.endswith(f"Actions possible from {label}: {options}.")
    assert verify_chain().ok


DECISION_WRONG_STAGES = [
    (stage, body) for stage in Stage.values for body in DECIDES_IN if DECIDES_IN[body] != stage
]


@pytest.mark.parametrize(("stage", "body"), DECISION_WRONG_STAGES)
def test_it_refuses_a_decision_in_a_stage_where_the_body_does_not_decide(
    world, frozen_clock, stage, body
):
    plan = plan_in(world, frozen_clock, stage)
    error = refused(WrongStage, plan, decide, world, plan, body_of(world, body), OUTCOME_FOR[body])
    assert error.stage == stage
    assert error.possible == POSSIBLE[stage]
    assert f"the plan is in {Stage(stage).label.lower()}" in error.detail


@pytest.mark.parametrize(
    "stage", [s for s in Stage.values if s not in (Stage.DRAFTING, Stage.CONSULTATION)]
)
def test_it_refuses_a_new_version_outside_drafting_and_consultation(world, frozen_clock, stage):
    plan = plan_in(world, frozen_clock, stage)
    error = refused(
        WrongStage, plan, version_create, plan=plan, actor=world.lead, content=valid_content()
    )
    assert error.stage == stage
    assert error.possible == POSSIBLE[stage]


@pytest.mark.parametrize("stage", [Stage.WITHDRAWN, Stage.SUPERSEDED])
def test_it_treats_withdrawn_and_superseded_as_terminal(world, frozen_clock, stage):
    plan = plan_in(world, frozen_clock, stage)
    assert PlanLifecycle(plan).possible_actions() == []
    for action in PLAN_ACTIONS:
        error = refused(WrongStage, plan, run, action, plan, world.lead)
        assert error.detail.endswith(f"Actions possible from {Stage(stage).label}: none.")
    for body in DECIDES_IN:
        refused(WrongStage, plan, decide, world, plan, body_of(world, body), OUTCOME_FOR[body])


# Permissions


def _ready_for(world: World, frozen_clock: Any, action: str) -> Plan:
    """A plan on which ``action`` is possible and every guard is met."""
    if action == "start_consultation":
        return plan_in(world, frozen_clock, Stage.DRAFTING)
    if action == "close_consultation":
        return plan_in(world, frozen_clock, Stage.CONSULTATION)
    if action == "submit":
        plan = make_plan(world, kind=PlanKind.ACTION_PLAN)
        version_create(plan=plan, actor=world.lead, content=valid_content())
        return reload(plan)
    if action == "adopt":
        plan = plan_in(world, frozen_clock, Stage.CALL_IN)
        frozen_clock.set(datetime.date(2016, 7, 22))
        return plan
    if action in ("revise", "supersede"):
        return plan_in(world, frozen_clock, Stage.ADOPTED)
    if action == "withdraw":
        return plan_in(world, frozen_clock, Stage.PARTNERSHIP_APPROVAL)
    raise AssertionError(action)  # pragma: no cover


@pytest.mark.parametrize("action", list(PLAN_ACTIONS))
def test_it_forbids_lifecycle_actions_to_anyone_but_the_lead_officer(
    world, frozen_clock, action
):
    plan = _ready_for(world, frozen_clock, action)
    inactive = world.users["lead"]
    for name in NOT_LEADS:
        error = refused(Forbidden, plan, run, action, plan, world.users[name])
        assert error.status == 403
        assert error.detail.endswith("Only the plan's lead officer or their deputy can do this.")
        assert error.detail.startswith(READS_ONLY) == (name == "auditor")
    refused(Forbidden, plan, run, action, plan, AnonymousUser())
    if action != "adopt":  # the system adopts when the call-in period ends
        refused(Forbidden, plan, run, action, plan, None)
    inactive.is_active = False
    inactive.save()
    refused(Forbidden, plan, run, action, plan, inactive)
    inactive.is_active = True
    inactive.save()
    assert run(action, plan, world.lead).stage != plan.stage


@pytest.mark.parametrize("action", list(PLAN_ACTIONS))
def test_it_lets_the_lead_officers_deputy_act(world, frozen_clock, action):
    plan = _ready_for(world, frozen_clock, action)
    set_lead_deputy(world, world.board_chair)
    plan = run(action, plan, world.board_chair)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == f"plan.{action}"
    assert event.actor == world.board_chair
    assert event.after["stage"] == plan.stage != event.before["stage"]


def test_it_checks_permission_before_guards(world, frozen_clock):
    plan = make_plan(world)  # no version: the guard would fail for the lead officer
    refused(Forbidden, plan, plan_submit, plan=plan, actor=world.outsider)
    refused(GuardFailed, plan, plan_submit, plan=plan, actor=world.lead)


def test_it_lets_the_deputy_write_versions_but_nobody_else(world, frozen_clock):
    plan = make_plan(world)
    for name in NOT_LEADS:
        refused(Forbidden, plan, version_create, plan=plan, actor=world.users[name],
                content=valid_content())
    set_lead_deputy(world, world.board_secretary)
    version = version_create(plan=plan, actor=world.board_secretary, content=valid_content())
    assert version.created_by == world.board_secretary


RECORDERS = {
    "board": {"board_secretary", "board_deputy"},
    "safeguarding": {"safeguarding_secretary"},
    "executive": {"executive_member", "executive_secretary"},
    "full_council": {"council_secretary"},
}


@pytest.mark.parametrize("body", list(RECORDERS))
def test_it_forbids_recording_a_decision_to_anyone_but_the_bodys_recorders(
    world, frozen_clock, body
):
    plan = plan_in(world, frozen_clock, DECIDES_IN[body])
    for name in world.users:
        if name in RECORDERS[body]:
            continue
        error = refused(
            Forbidden, plan, decide, world, plan, body_of(world, body), OUTCOME_FOR[body],
            actor=world.users[name],
        )
        assert "can record decisions of" in error.detail
    allowed = sorted(RECORDERS[body])[0]
    decide(world, plan, body_of(world, body), OUTCOME_FOR[body], actor=world.users[allowed])
    assert Decision.objects.filter(recorded_by=world.users[allowed]).count() == 1


def test_it_forbids_the_submitter_to_record_an_approval_of_their_own_version(
    world, frozen_clock
):
    set_lead_deputy(world, world.board_secretary)
    plan = make_plan(world, kind=PlanKind.ACTION_PLAN)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    plan_submit(plan=plan, actor=world.board_secretary)
    error = refused(Forbidden, plan, decide, world, plan, world.board, O.APPROVED)
    assert "You submitted this version" in error.detail
    decide(world, plan, world.board, O.APPROVED, actor=world.board_deputy)
    assert reload(plan).stage == Stage.PARTNERSHIP_APPROVAL


def test_it_refuses_a_withdrawal_without_a_reason(world, frozen_clock):
    plan = make_plan(world)
    error = refused(InvalidInput, plan, plan_withdraw, plan=plan, actor=world.lead, reason=" ")
    assert "reason" in error.errors


# Review, revision and the adopted version


def test_it_keeps_the_adopted_version_when_a_revision_is_withdrawn(world, frozen_clock):
    plan = plan_in(world, frozen_clock, Stage.ADOPTED)
    adopted = (plan.adopted_version_id, plan.adopted_at, plan.adopted_on)
    plan = plan_revise(plan=plan, actor=world.lead)
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Abandoned."))
    plan = plan_withdraw(plan=reload(plan), actor=world.lead, reason="Not now.")
    assert plan.stage == Stage.ADOPTED
    assert (plan.adopted_version_id, plan.adopted_at, plan.adopted_on) == adopted
    assert plan.adopted_version_id == plan.current_version_id


def test_it_sends_a_revised_plan_through_approval_again(world, frozen_clock):
    plan = plan_in(world, frozen_clock, Stage.ADOPTED)
    first = plan.adopted_version_id
    plan = plan_revise(plan=plan, actor=world.lead)
    assert plan.stage == Stage.DRAFTING
    assert plan.adopted_version_id == first
    version = version_create(plan=plan, actor=world.lead, content=valid_content(vision="New."))
    plan = consult(world, plan)  # a revision is a new drafting cycle: consulted on again
    plan = plan_submit(plan=plan, actor=world.lead)
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    assert plan.adopted_version_id == first

    # Approvals of version 1 do not carry over to version 2.
    assert {b.slug for b in approval_state(plan).missing} == {
        "yorok-board", "safeguarding-board"}
    plan = to_call_in(world, plan)
    assert plan.adopted_version_id == first
    frozen_clock.set(plan.call_in_ends_on + datetime.timedelta(days=1))
    plan = plan_adopt(plan=plan, actor=None)
    assert plan.adopted_version_id == version.pk != first


def test_it_changes_the_adopted_version_only_at_adoption(world, frozen_clock):
    plan = plan_in(world, frozen_clock, Stage.ADOPTED)
    plan_revise(plan=plan, actor=world.lead)
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Revised."))
    consult(world, plan)
    plan_submit(plan=plan, actor=world.lead)
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.REFERRED_BACK)
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Third."))
    plan_submit(plan=plan, actor=world.lead)
    to_call_in(world, plan)
    frozen_clock.advance(days=30)
    plan_adopt(plan=plan, actor=None)
    plan = reload(plan)
    assert plan.adopted_version.number == 3

    changes = [
        (e.action, e.before["stage"], e.after["adopted_version"])
        for e in AuditEvent.objects.filter(plan_id=plan.pk, action__startswith="plan.")
        .order_by("seq")
        if e.before.get("adopted_version") != e.after["adopted_version"]
    ]  # the plan's own events (a round's and a version's carry no plan snapshot)
    assert changes == [("plan.adopt", "call_in", 1), ("plan.adopt", "call_in", 3)]
    assert verify_chain().ok
