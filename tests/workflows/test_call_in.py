"""Call-in as English councils run it, under time travel: members' request within the period,
the scrutiny committee's outcome (no further action, refer back to the executive, refer to
full council), no request at all, the publication-start setting, the constitution's numbers,
who may record, the reminder, and the migration of the old "called in" decisions. And full
council, where the executive endorses a plan and recommends it there."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from documents.models import Plan, Stage
from governance.models import (
    AuditEvent,
    CallInOutcome,
    CallInOutcomeKind,
    CallInRequest,
    Decision,
    Partnership,
)
from governance.models import DecisionOutcome as O
from plangov.errors import Conflict, Forbidden, GuardFailed, InvalidInput, WrongStage
from tests.conftest import (
    World,
    add_full_council,
    call_in_outcome,
    call_in_request,
    decide,
    open_task,
    submitted_plan,
)
from tests.workflows.test_approval_flow import assert_in_step, scheduled_timers
from workflows import routing
from workflows.callin import call_in_period_end, decision_publish, names_digest
from workflows.models import Notification, NotificationKind, TaskKind
from workflows.services import plan_adopt, plan_submit, plans_due_for_adoption
from workflows.tasks import scan_call_in_periods, scan_deadlines

NFA, TO_EXECUTIVE, TO_COUNCIL = CallInOutcomeKind.values
JULY = {day: datetime.date(2016, 7, day) for day in range(1, 32)}
# The frozen clock starts on Thursday 14 July 2016; five working days end on Thursday 21 July.
DECIDED, LAST_DAY = JULY[14], JULY[21]


def reload(plan: Plan) -> Plan:
    return Plan.objects.select_related("current_version").get(pk=plan.pk)


def to_executive(world: World, **kwargs: Any) -> Plan:
    plan = submitted_plan(world, **kwargs)
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    return assert_in_step(plan)


def to_call_in(world: World) -> Plan:
    plan = to_executive(world)
    decide(world, plan, world.executive, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.CALL_IN
    assert plan.call_in_ends_on == LAST_DAY
    return plan


def unchanged(plan: Plan) -> Any:
    """What a refused call must leave as it was."""
    fresh = reload(plan)
    return (fresh.stage, fresh.call_in_ends_on, fresh.adopted_on, CallInRequest.objects.count(),
            CallInOutcome.objects.count(), AuditEvent.objects.count())


def refused(
    error: type[Exception], subject: Plan, call: Any, /, *args: Any, **kwargs: Any
) -> Any:
    before = unchanged(subject)
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    assert unchanged(subject) == before
    return caught.value


# No request.


def test_it_adopts_on_the_periods_last_day_when_nobody_calls_it_in(world, frozen_clock):
    plan = to_call_in(world)
    frozen_clock.set(LAST_DAY)
    assert scan_call_in_periods() == 0
    assert reload(plan).stage == Stage.CALL_IN
    # The beat runs late (a weekend, a worker down): the date still follows the rules.
    frozen_clock.set(JULY[25])
    assert scan_call_in_periods() == 1
    plan = assert_in_step(plan)
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_on == LAST_DAY
    assert plan.adopted_at.date() == JULY[25]
    event = AuditEvent.objects.filter(plan=plan).order_by("-seq").first()
    assert (event.action, event.after["adopted_on"]) == ("plan.adopt", "2016-07-21")


# A request, and each of the committee's outcomes.


def test_it_suspends_the_decision_once_members_call_it_in(world, frozen_clock):
    plan = to_call_in(world)
    frozen_clock.set(JULY[19])
    request = call_in_request(world, plan, requested_on=JULY[18])
    assert request.number == 1
    assert request.decision == Decision.objects.get(plan=plan, body=world.executive)
    assert request.member_count == 3
    assert (request.recorded_by, request.recorded_at.date()) == (world.scrutiny_secretary, JULY[19])
    plan = assert_in_step(plan)
    assert plan.stage == Stage.CALL_IN
    assert not scheduled_timers(plan).exists()

    # Suspended: the period ends, and nothing adopts it.
    frozen_clock.set(JULY[29])
    assert plans_due_for_adoption() == []
    assert scan_call_in_periods() == 0
    error = refused(GuardFailed, plan, plan_adopt, plan=plan, actor=world.lead)
    assert error.detail == (
        "The decision was called in on 18 July 2016; it is suspended until the scrutiny "
        "committee decides."
    )
    # A second request on the same decision waits for the committee too.
    frozen_clock.set(JULY[20])
    refused(Conflict, plan, call_in_request, world, plan)

    # The audit keeps the count and a hash of the names, never the names.
    event = AuditEvent.objects.get(plan=plan, action="call_in.request")
    assert event.after["requesters"] == 3
    assert event.after["requesters_sha256"] == names_digest(request.requesters)
    assert event.after["requested_on"] == "2016-07-18"
    assert "Cllr" not in str(event.before) + str(event.after) + event.reason


def test_it_adopts_on_the_committees_day_when_it_takes_no_further_action(world, frozen_clock):
    plan = to_call_in(world)
    process = routing.active_process(plan)
    call_in_request(world, plan)
    frozen_clock.set(JULY[27])  # the committee meets after the period has run out
    recorded = call_in_outcome(world, plan, NFA, decided_on=JULY[26])
    assert recorded.meeting.attendance == 7
    plan = assert_in_step(plan)
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_on == JULY[26]
    assert plan.adopted_version_id == plan.current_version_id
    process.refresh_from_db()
    assert process.status == PROCESS.DONE
    event = AuditEvent.objects.filter(plan=plan).order_by("-seq").first()
    assert event.action == "call_in.outcome"
    assert (event.before["stage"], event.after["stage"]) == ("call_in", "adopted")
    assert event.after["outcome"] == NFA


def test_it_refers_back_to_the_executive_which_approves_without_a_new_call_in(
    world, frozen_clock
):
    plan = to_call_in(world)
    call_in_request(world, plan)
    frozen_clock.set(JULY[20])
    call_in_outcome(world, plan, TO_EXECUTIVE, reasons="Costs must be in the report.")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.EXECUTIVE_APPROVAL  # never back to drafting
    assert plan.call_in_ends_on is None
    assert open_task(plan).info.kind == TaskKind.EXECUTIVE_DECISION

    frozen_clock.set(JULY[28])
    decide(world, plan, world.executive, O.APPROVED, reasons="Reconsidered with the costs.")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_on == JULY[28]
    assert plan.call_in_ends_on is None
    assert not Task.objects.filter(info__plan=plan, info__kind=TaskKind.CALL_IN,
                                   status__in=routing.OPEN).exists()


def test_it_refers_back_to_the_executive_which_may_refer_the_plan_back_to_drafting(
    world, frozen_clock
):
    plan = to_call_in(world)
    call_in_request(world, plan)
    call_in_outcome(world, plan, TO_EXECUTIVE)
    decide(world, plan, world.executive, O.REFERRED_BACK, reasons="Rewrite the costs.")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.DRAFTING
    redraft = open_task(plan)
    assert redraft.info.kind == TaskKind.REDRAFT
    assert "Rewrite the costs." in redraft.info.comments


def test_it_refers_a_called_in_decision_to_full_council(world, frozen_clock):
    add_full_council(world)
    plan = to_call_in(world)
    call_in_request(world, plan)
    call_in_outcome(world, plan, TO_COUNCIL)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.FULL_COUNCIL
    task = open_task(plan)
    assert (task.info.kind, task.info.body) == (TaskKind.FULL_COUNCIL_DECISION,
                                                world.full_council)
    frozen_clock.set(JULY[27])
    decide(world, plan, world.full_council, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_on == JULY[27]


def test_it_refuses_a_referral_to_full_council_the_constitution_does_not_allow(
    world, frozen_clock
):
    add_full_council(world, scrutiny_may_refer=False)
    plan = to_call_in(world)
    call_in_request(world, plan)
    error = refused(InvalidInput, plan, call_in_outcome, world, plan, TO_COUNCIL)
    assert "constitution does not let the scrutiny committee refer" in error.errors["outcome"][0]


def test_it_refuses_a_committee_outcome_that_does_not_add_up(world, frozen_clock):
    plan = to_call_in(world)
    refused(Conflict, plan, call_in_outcome, world, plan, NFA)  # nothing to decide yet
    frozen_clock.set(JULY[18])
    call_in_request(world, plan)
    error = refused(InvalidInput, plan, call_in_outcome, world, plan, NFA, attendance=2,
                    votes_for=2)
    assert "not quorate" in error.errors["attendance"][0]
    error = refused(InvalidInput, plan, call_in_outcome, world, plan, NFA, decided_on=JULY[15])
    assert error.errors["decided_on"] == [
        "The committee's meeting of Friday 15 July 2016 is before the call-in request of "
        "Monday 18 July 2016."
    ]
    refused(Forbidden, plan, call_in_outcome, world, plan, NFA, actor=world.executive_member)


# Full council after the executive's endorsement.


def test_it_routes_an_endorsement_to_full_council_which_approves(world, frozen_clock):
    add_full_council(world)
    plan = to_executive(world)
    decide(world, plan, world.executive, O.ENDORSED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.FULL_COUNCIL
    assert plan.call_in_ends_on is None  # no call-in of a recommendation
    task = open_task(plan)
    assert task.info.kind == TaskKind.FULL_COUNCIL_DECISION
    assert routing._may_work(task, world.council_secretary)
    assert not routing._may_work(task, world.executive_member)
    frozen_clock.set(JULY[20])
    decide(world, plan, world.full_council, O.APPROVED, minute_reference="FC/2016/12",
           alternatives_considered="Keep the 2013 strategy.", dispensations="None.")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_on == JULY[20]
    council = Decision.objects.get(plan=plan, body=world.full_council)
    assert council.alternatives_considered == "Keep the 2013 strategy."


def test_it_returns_a_plan_full_council_refers_back_to_drafting(world, frozen_clock):
    add_full_council(world)
    plan = to_executive(world)
    decide(world, plan, world.executive, O.ENDORSED)
    decide(world, plan, world.full_council, O.REFERRED_BACK, reasons="More on schools.")
    plan = assert_in_step(plan)
    assert plan.stage == Stage.DRAFTING
    redraft = open_task(plan)
    assert redraft.info.kind == TaskKind.REDRAFT
    assert redraft.info.comments.startswith("City of York Council: Referred back")


def test_it_refuses_an_endorsement_when_the_partnership_has_no_full_council(
    world, frozen_clock
):
    plan = to_executive(world)
    decisions = Decision.objects.count()
    with pytest.raises(GuardFailed) as caught:
        decide(world, plan, world.executive, O.ENDORSED)
    assert caught.value.detail == (
        "YorOK Children's Trust has no full council body to decide on the plan; add one (a "
        "body of kind full council) before endorsing it to full council."
    )
    assert Decision.objects.count() == decisions
    assert reload(plan).stage == Stage.EXECUTIVE_APPROVAL


# The period and the request.


def test_it_refuses_too_few_requesters_naming_the_field(world, frozen_clock):
    plan = to_call_in(world)
    error = refused(InvalidInput, plan, call_in_request, world, plan,
                    requesters=["Cllr Ann Reid", "Cllr Ann Reid", " ", "Cllr Ian Cuthbertson"])
    assert error.errors == {"requesters": [
        "YorOK Children's Trust needs 3 members or the scrutiny committee's chair to call a "
        "decision in; 2 are named."
    ]}
    # The chair alone suffices where the constitution says so...
    request = call_in_request(world, plan, requesters=["Cllr Ann Reid"], by_scrutiny_chair=True)
    assert request.by_scrutiny_chair


def test_it_takes_the_numbers_from_the_partnerships_constitution(world, frozen_clock):
    Partnership.objects.filter(pk=world.partnership.pk).update(
        call_in_members_needed=5, call_in_by_scrutiny_chair=False
    )
    plan = to_call_in(world)
    error = refused(InvalidInput, plan, call_in_request, world, plan,
                    requesters=["Cllr Ann Reid"], by_scrutiny_chair=True)
    assert error.errors["requesters"] == [
        "YorOK Children's Trust needs 5 members to call a decision in; 1 is named."
    ]
    names = [f"Cllr {n}" for n in ("Reid", "Cuthbertson", "Wiseman", "Ayre", "Aspden")]
    assert call_in_request(world, plan, requesters="\n".join(names)).member_count == 5


@pytest.mark.parametrize("who", ["lead", "board_secretary", "executive_member",
                                 "executive_secretary", "auditor", "outsider"])
def test_it_lets_only_scrutinys_secretary_record_a_request(world, frozen_clock, who):
    plan = to_call_in(world)
    error = refused(Forbidden, plan, call_in_request, world, plan, actor=world.users[who])
    assert error.detail.endswith("Only its secretary or their deputy can record decisions of "
                                 "Learning and Culture Scrutiny Committee.")
    assert error.detail.startswith("Auditors read") == (who == "auditor")


def test_it_refuses_a_request_dated_after_the_period(world, frozen_clock):
    plan = to_call_in(world)
    frozen_clock.set(JULY[25])
    error = refused(InvalidInput, plan, call_in_request, world, plan, requested_on=JULY[22])
    assert error.errors["requested_on"] == [
        "A call-in is requested between the executive decision of Thursday 14 July 2016 and "
        "the end of the call-in period on Thursday 21 July 2016; Friday 22 July 2016 is "
        "outside it."
    ]


def test_a_request_made_within_the_period_may_be_recorded_after_it(world, frozen_clock):
    # Records are replayed after the fact: the request's own date is what counts, as long
    # as the plan has not been adopted meanwhile.
    plan = to_call_in(world)
    frozen_clock.set(JULY[25])
    request = call_in_request(world, plan, requested_on=JULY[20])
    assert request.requested_on == JULY[20]
    plan.refresh_from_db()
    assert plan.stage == Stage.CALL_IN
    assert plans_due_for_adoption() == []


def test_it_refuses_a_request_once_the_plan_is_adopted(world, frozen_clock):
    plan = to_call_in(world)
    frozen_clock.set(JULY[22])
    scan_call_in_periods()
    plan.refresh_from_db()
    assert plan.stage == Stage.ADOPTED
    error = refused(WrongStage, plan, call_in_request, world, plan, requested_on=JULY[20])
    assert error.status == 409


def test_it_refuses_a_request_dated_before_the_decision(world, frozen_clock):
    frozen_clock.set(JULY[11])
    plan = to_executive(world)
    decide(world, plan, world.executive, O.APPROVED, decided_on=JULY[11])
    frozen_clock.set(JULY[14])
    error = refused(InvalidInput, plan, call_in_request, world, plan, requested_on=JULY[8])
    assert error.errors == {"requested_on": [
        "A call-in is requested between the executive decision of Monday 11 July 2016 and "
        "the end of the call-in period on Monday 18 July 2016; Friday 8 July 2016 is "
        "outside it."
    ]}
    error = refused(InvalidInput, plan, call_in_request, world, plan, requested_on=JULY[15])
    assert error.errors == {"requested_on": ["A call-in request cannot be dated in the future."]}
    error = refused(InvalidInput, plan, call_in_request, world, plan, reasons=" ")
    assert list(error.errors) == ["reasons"]


def test_it_refuses_a_request_outside_the_call_in_stage(world, frozen_clock):
    plan = to_executive(world)
    error = refused(Exception, plan, call_in_request, world, plan)
    assert error.status == 409 and error.stage == Stage.EXECUTIVE_APPROVAL


# The period counted from publication.


def test_it_counts_the_period_from_the_notices_publication(world, frozen_clock, settings):
    settings.PLANGOV_CALL_IN_STARTS = "publication"
    plan = to_executive(world)
    decide(world, plan, world.executive, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.CALL_IN
    assert plan.call_in_ends_on is None  # the period has not started
    assert scheduled_timers(plan).get().scheduled == routing.NOT_YET
    frozen_clock.set(JULY[19])
    error = refused(GuardFailed, plan, plan_adopt, plan=plan, actor=world.lead)
    assert "has not started" in error.detail
    for day in range(19, 30):  # a period with no end yet is never reminded
        frozen_clock.set(JULY[day])
        scan_deadlines()
    assert not Notification.objects.filter(task__info__kind=TaskKind.CALL_IN).exists()
    frozen_clock.set(JULY[19])
    error = refused(Conflict, plan, call_in_request, world, plan)
    assert "has not been published" in error.detail

    decision = Decision.objects.get(plan=plan, body=world.executive)
    refused(Forbidden, plan, decision_publish, decision=decision, actor=world.scrutiny_secretary,
            published_on=JULY[18])
    error = refused(InvalidInput, plan, decision_publish, decision=decision,
                    actor=world.executive_secretary, published_on=JULY[13])
    assert error.errors == {"published_on": [
        "The notice of Wednesday 13 July 2016 cannot come before the decision of Thursday 14 "
        "July 2016."
    ]}
    decision = decision_publish(decision=decision, actor=world.executive_secretary,
                                published_on=JULY[18])
    assert decision.published_on == JULY[18]
    plan = assert_in_step(plan)
    assert plan.call_in_ends_on == JULY[25] == call_in_period_end(plan, decision)
    assert open_task(plan).info.due_on == JULY[25]
    timer = scheduled_timers(plan).get()
    assert timer.scheduled.date() in (JULY[25], JULY[26])  # local midnight after the 25th
    refused(Conflict, plan, decision_publish, decision=decision,
            actor=world.executive_secretary, published_on=JULY[18])

    frozen_clock.set(JULY[26], hour=10)
    for task_id in routing.due_timer_ids():
        routing.timer_fire(task_id=task_id)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_on == JULY[25]


# Reminders: once, and never an escalation.


def test_it_reminds_scrutiny_once_of_the_window_and_never_escalates_it(world, frozen_clock):
    to_call_in(world)
    for day in (19, 19, 20, 21):
        frozen_clock.set(JULY[day])
        scan_deadlines()
    reminders = Notification.objects.filter(task__info__kind=TaskKind.CALL_IN)
    assert [n.kind for n in reminders] == [NotificationKind.REMINDER]
    message = next(m for m in mail.outbox if "call-in period" in m.subject)
    assert message.subject == ("Reminder: the call-in period for Children and Young People's "
                               "Plan ends on Thursday 21 July 2016")
    assert message.to == ["scrutiny_secretary@example.org"]
    assert "never reports it overdue" in message.body
    # The window passes unused; the beat has not adopted yet; nobody is told it is overdue.
    frozen_clock.set(JULY[22])
    scan_deadlines()
    assert not Notification.objects.filter(kind=NotificationKind.ESCALATION).exists()
    call_in = Task.objects.get(info__kind=TaskKind.CALL_IN)
    assert call_in.status in routing.OPEN
    from workflows.inbox import View, inbox, is_overdue

    assert not is_overdue(call_in)
    assert not inbox(world.scrutiny_secretary, view=View.OPEN, overdue=True).exists()


# Every door: task completion through the same services.


def test_it_completes_the_call_in_tasks_through_the_task_service(world, frozen_clock):
    plan = to_call_in(world)
    task = open_task(plan)
    request = routing.task_complete(
        task_id=task.pk, actor=world.scrutiny_secretary, requesters=["A", "B", "C"],
        reasons="Costs.", requested_on=JULY[14],
    )
    assert isinstance(request, CallInRequest)
    outcome_task = open_task(plan)
    assert outcome_task.info.kind == TaskKind.CALL_IN_OUTCOME
    outcome = routing.task_complete(
        task_id=outcome_task.pk, actor=world.scrutiny_secretary, outcome=NFA,
        decided_on=JULY[14], attendance=5,
    )
    assert isinstance(outcome, CallInOutcome)
    assert assert_in_step(plan).stage == Stage.ADOPTED
    outcome_task.refresh_from_db()
    assert outcome_task.status == STATUS.DONE


# The migration of today's "called in" decisions.


def test_it_migrates_called_in_decisions_into_requests_referred_back(world, frozen_clock):
    migration = importlib.import_module("governance.migrations.0003_call_in_requests")
    plan = to_call_in(world)
    executive = Decision.objects.get(plan=plan, body=world.executive)
    # What a "called in" decision looked like: a scrutiny decision, after the executive's.
    frozen_clock.set(JULY[18])
    called = Decision.objects.create(
        plan=plan, version=executive.version, body=world.scrutiny, decided_on=JULY[18],
        outcome="called_in", minute_reference="LCS/16/3", reasons="Members want the costs.",
        recorded_by=world.scrutiny_secretary, recorded_at=frozen_clock.current,
    )
    Plan.objects.filter(pk=plan.pk).update(stage=Stage.EXECUTIVE_APPROVAL, call_in_ends_on=None)

    migration.convert_called_in(apps, None)

    assert not Decision.objects.filter(pk=called.pk).exists()
    request = CallInRequest.objects.get(plan=plan)
    assert (request.decision, request.number, request.requested_on) == (executive, 1, JULY[18])
    assert request.reasons == "Members want the costs."
    assert request.recorded_by == world.scrutiny_secretary
    outcome = request.outcome
    assert (outcome.outcome, outcome.body, outcome.decided_on, outcome.minute_reference) == (
        TO_EXECUTIVE, world.scrutiny, JULY[18], "LCS/16/3"
    )
    # The plan carries on: the executive reconsiders, and its decision takes effect at once.
    plan = reload(plan)
    routing.on_withdrawn(plan)  # the process of the old rules is not part of this check
    decide(world, plan, world.executive, O.APPROVED, decided_on=JULY[18])
    plan = reload(plan)
    assert (plan.stage, plan.adopted_on) == (Stage.ADOPTED, JULY[18])
    # Run twice, it finds nothing left to convert.
    migration.convert_called_in(apps, None)
    assert CallInRequest.objects.count() == 1


def test_it_leaves_a_called_in_decision_with_nothing_before_it_as_it_was(world, frozen_clock):
    migration = importlib.import_module("governance.migrations.0003_call_in_requests")
    plan = submitted_plan(world)
    called = Decision.objects.create(
        plan=plan, version=plan.current_version, body=world.scrutiny, decided_on=JULY[14],
        outcome="called_in", recorded_by=world.scrutiny_secretary,
        recorded_at=frozen_clock.current,
    )
    migration.convert_called_in(apps, None)
    assert Decision.objects.filter(pk=called.pk).exists()
    assert not CallInRequest.objects.exists()


def test_a_resubmitted_version_after_a_call_in_is_open_to_call_in_again(world, frozen_clock):
    """The no-second-call-in rule is about the reconsidered decision, not the plan for ever:
    after a referral back to drafting, a new version's approval has its own period."""
    from documents.services import version_create
    from tests.factories import valid_content

    plan = to_call_in(world)
    call_in_request(world, plan)
    call_in_outcome(world, plan, TO_EXECUTIVE)
    decide(world, plan, world.executive, O.REFERRED_BACK)
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Costed."))
    plan_submit(plan=reload(plan), actor=world.lead)
    frozen_clock.set(JULY[18])
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    decide(world, plan, world.executive, O.APPROVED)
    plan = assert_in_step(plan)
    assert plan.stage == Stage.CALL_IN
    assert plan.call_in_ends_on == JULY[25]


# What the signed documents say.


def _text(html: str) -> str:
    import re
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_sign_off_page_tells_the_call_in_and_the_decision_record(world, frozen_clock):
    from documents.models import DocumentKind, SignedDocument
    from documents.publishing.services import build_html, document_request

    plan = to_executive(world)
    decide(world, plan, world.executive, O.APPROVED, alternatives_considered="Keep the old plan.",
           dispensations="Cllr Reid, on item 4.")
    frozen_clock.set(JULY[18])
    call_in_request(world, plan)
    frozen_clock.set(JULY[26])
    call_in_outcome(world, plan, NFA, minute_reference="LCS/2016/3")
    plan = reload(plan)
    page = _text(build_html(SignedDocument.objects.get(plan=plan, kind=DocumentKind.PLAN))[0])
    assert "Adopted on 26 July 2016." in page
    assert ("The executive decision of 14 July 2016 was called in on 18 July 2016 by 3 members. "
            "The scrutiny committee met on 26 July 2016 (minute LCS/2016/3): no further "
            "action, and the decision took effect that day.") in page
    assert "Alternatives considered Keep the old plan." in page
    assert "Dispensations Cllr Reid, on item 4." in page
    assert "Cllr Ann Reid" not in page  # the requesters' names are in the record, not here

    executive = Decision.objects.get(plan=plan, body=world.executive)
    notice = document_request(plan=plan, actor=world.lead, kind="decision_notice",
                              decision_id=executive.pk)
    text = _text(build_html(notice)[0])
    assert "Alternative options considered and rejected Keep the old plan." in text
    assert "Dispensations granted Cllr Reid, on item 4." in text


def test_the_sign_off_page_tells_full_councils_decision(world, frozen_clock):
    from documents.models import DocumentKind, SignedDocument
    from documents.publishing.services import build_html

    add_full_council(world)
    plan = to_executive(world)
    decide(world, plan, world.executive, O.ENDORSED)
    frozen_clock.set(JULY[20])
    decide(world, plan, world.full_council, O.APPROVED, minute_reference="FC/2016/12")
    plan = reload(plan)
    page = _text(build_html(SignedDocument.objects.get(plan=plan, kind=DocumentKind.PLAN))[0])
    assert "and by City of York Council. Adopted on 20 July 2016." in page
    assert "The executive endorsed the plan and recommended it to full council" in page
    assert "Full council Body City of York Council Decision Approved Date 20 July 2016" in page
