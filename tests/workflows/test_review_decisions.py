"""Decisions on a review of an adopted plan: the owning board's, then the executive's, under
the rules of a plan's decisions (recorder, quorum, dates, four eyes, outcomes), and the
call-in of the executive's approval. A review's decisions never move the plan: it stays
adopted on the same version throughout, and its approval state ignores them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from documents.models import Plan, Review, ReviewKind, ReviewStage, Stage
from governance.models import (
    AuditEvent,
    CallInOutcomeKind,
    CallInRequest,
    Decision,
    Membership,
    Role,
)
from governance.models import DecisionOutcome as O
from plangov import clock
from plangov.errors import Conflict, Forbidden, InvalidInput, WrongStage
from tests.api.conftest import adopted_plan
from tests.conftest import World, call_in_outcome, call_in_request, decide
from tests.factories import MembershipFactory
from tests.workflows.review_decision_helpers import plan_state, review_at_board
from workflows import chronology
from workflows.callin import call_in_period_end, decision_publish
from workflows.lifecycle import approval_state, pending_call_in
from workflows.reviews import callin as review_callin
from workflows.reviews import decisions as review_decisions
from workflows.reviews.callin import review_call_in_period_over, reviews_due_after_call_in
from workflows.reviews.decisions import review_decision_record
from workflows.reviews.lifecycle import ReviewLifecycle
from workflows.services import plans_due_for_adoption

NFA, TO_EXECUTIVE, TO_COUNCIL = CallInOutcomeKind.values


@pytest.fixture
def approved(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The reviews on_review_approved was called for, in order."""
    calls: list[int] = []
    for module in (review_decisions, review_callin):
        monkeypatch.setattr(module, "on_review_approved", lambda review: calls.append(review.pk))
    return calls


def decide_review(world: World, review: Review, body: Any, outcome: str, **kwargs: Any) -> Any:
    actor = kwargs.pop("actor", None) or (
        world.executive_member if body == world.executive else world.board_secretary)
    params: dict[str, Any] = {
        "decided_on": clock.today(), "attendance": 8, "votes_for": 7,
        "minute_reference": f"{body.slug}/{clock.today():%Y}/7",
    }
    params.update(kwargs)
    return review_decision_record(review=review, actor=actor, body=body, outcome=outcome,
                                  **params)


def fresh(review: Review) -> Review:
    return Review.objects.select_related("plan").get(pk=review.pk)


def audits(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


@pytest.fixture
def plan(world: World, frozen_clock: Any) -> Plan:
    return adopted_plan(world, frozen_clock)


# The way through.


def test_the_board_then_the_executive_approve_an_annual_review_and_call_in_ends_it(
    world, frozen_clock, plan, approved
):
    state = plan_state(plan)
    version_decisions = list(Decision.objects.filter(plan=plan).values_list("pk", flat=True))
    executive_before = approval_state(plan).executive
    review = review_at_board(world, plan)

    board = decide_review(world, review, world.board, O.APPROVED)
    assert board.review_id == review.pk and board.version_id is None
    review = fresh(review)
    assert review.stage == ReviewStage.EXECUTIVE
    assert review.approved_on is None
    assert audits("review.decision.record") == 1
    event = AuditEvent.objects.get(action="review.decision.record")
    assert event.plan_id == plan.pk
    assert event.after["stage"] == ReviewStage.EXECUTIVE
    assert event.after["plan_state"]["stage"] == Stage.ADOPTED
    assert plan_state(plan) == state

    frozen_clock.advance(days=3)
    executive = decide_review(world, review, world.executive, O.APPROVED)
    review = fresh(review)
    assert review.stage == ReviewStage.CALL_IN
    assert review.call_in_ends_on == call_in_period_end(plan, executive)
    assert review.call_in_ends_on > clock.today()
    assert audits("review.decision.record") == 2
    assert plan_state(plan) == state
    # The plan's approval reads the decisions on its versions only.
    assert approval_state(plan).executive == executive_before
    assert approval_state(plan).executive_approved
    assert sorted(Decision.objects.filter(plan=plan, version__isnull=False)
                  .values_list("pk", flat=True)) == sorted(version_decisions)

    # Not over until the last day has passed; then approved on that day, once.
    assert review_call_in_period_over(review_id=review.pk) is False
    assert reviews_due_after_call_in() == []
    frozen_clock.set(datetime.datetime.combine(
        review.call_in_ends_on + datetime.timedelta(days=1), datetime.time(9),
        tzinfo=datetime.UTC))
    assert reviews_due_after_call_in() == [review.pk]
    assert review_call_in_period_over(review_id=review.pk) is True
    review = fresh(review)
    assert review.stage == ReviewStage.APPROVED
    assert review.approved_on == review.call_in_ends_on
    assert approved == [review.pk]
    assert audits("review.call_in_period_over") == 1
    assert review_call_in_period_over(review_id=review.pk) is False
    assert audits("review.call_in_period_over") == 1
    assert approved == [review.pk]
    assert plan_state(plan) == state
    assert plans_due_for_adoption() == []


def test_a_six_month_review_is_approved_by_the_board_alone(world, frozen_clock, plan, approved):
    state = plan_state(plan)
    review = review_at_board(world, plan, kind=ReviewKind.SIX_MONTH)
    decide_review(world, review, world.board, O.APPROVED_WITH_AMENDMENTS)
    review = fresh(review)
    assert review.stage == ReviewStage.APPROVED
    assert review.approved_on == clock.today()
    assert approved == [review.pk]
    assert plan_state(plan) == state


def test_the_executive_approves_at_once_when_the_plan_is_not_subject_to_call_in(
    world, frozen_clock, plan, approved
):
    Plan.objects.filter(pk=plan.pk).update(subject_to_call_in=False)
    review = review_at_board(world, Plan.objects.get(pk=plan.pk))
    decide_review(world, review, world.board, O.APPROVED)
    decide_review(world, review, world.executive, O.APPROVED)
    review = fresh(review)
    assert review.stage == ReviewStage.APPROVED
    assert review.call_in_ends_on is None
    assert approved == [review.pk]


@pytest.mark.parametrize("outcome", [O.REFERRED_BACK, O.REJECTED])
@pytest.mark.parametrize("at", ["board", "executive"])
def test_a_referral_back_or_rejection_returns_the_review_to_drafting(
    world, frozen_clock, plan, outcome, at
):
    state = plan_state(plan)
    review = review_at_board(world, plan)
    if at == "executive":
        decide_review(world, review, world.board, O.APPROVED)
    decide_review(world, review, world.executive if at == "executive" else world.board,
                  outcome, reasons="Say more about attendance.")
    review = fresh(review)
    assert review.stage == ReviewStage.DRAFTING
    assert plan_state(plan) == state
    # Back in drafting, it can be submitted again (the lifecycle's own guards apply).
    ReviewLifecycle(review).check("withdraw", world.lead)


def test_a_deferral_leaves_the_review_with_the_board(world, frozen_clock, plan):
    review = review_at_board(world, plan)
    decide_review(world, review, world.board, O.DEFERRED)
    assert fresh(review).stage == ReviewStage.BOARD
    frozen_clock.advance(days=7)
    decide_review(world, review, world.board, O.APPROVED)
    assert fresh(review).stage == ReviewStage.EXECUTIVE


# What is refused.


def refused(error: type[Exception], plan: Plan, review: Review, call: Any, /, *args: Any,
            **kwargs: Any) -> Exception:
    before = (plan_state(plan), fresh(review).stage, Decision.objects.count(),
              AuditEvent.objects.count())
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    assert (plan_state(plan), fresh(review).stage, Decision.objects.count(),
            AuditEvent.objects.count()) == before
    return caught.value


def test_whoever_submitted_the_review_cannot_record_its_approval(world, frozen_clock, plan):
    # The lead officer also clerks the board: they may record a deferral, not an approval.
    MembershipFactory(user=world.lead, body=world.board, role="secretary")
    review = review_at_board(world, plan)
    error = refused(Forbidden, plan, review, decide_review, world, review, world.board,
                    O.APPROVED, actor=world.lead)
    assert "You submitted this review" in str(error)
    decide_review(world, review, world.board, O.DEFERRED, actor=world.lead)
    decide_review(world, review, world.board, O.APPROVED)
    assert fresh(review).stage == ReviewStage.EXECUTIVE


def test_the_submitter_is_the_one_who_submitted_it(world, frozen_clock, plan):
    # The board's deputy secretary also deputises for the lead officer, and submitted it: the
    # deputy cannot record its approval; the lead officer, who did not submit it, can.
    MembershipFactory(user=world.lead, body=world.board, role="secretary")
    Membership.objects.filter(user=world.lead, body=world.board, role=Role.LEAD_OFFICER).update(
        deputy=world.board_deputy)
    review = review_at_board(world, plan, submitter=world.board_deputy)
    refused(Forbidden, plan, review, decide_review, world, review, world.board, O.APPROVED,
            actor=world.board_deputy)
    decide_review(world, review, world.board, O.APPROVED, actor=world.lead)
    assert fresh(review).stage == ReviewStage.EXECUTIVE


def test_the_lead_officer_cannot_record_the_executives_decision(world, frozen_clock, plan):
    MembershipFactory(user=world.lead, body=world.executive, role="executive_member")
    review = review_at_board(world, plan)
    decide_review(world, review, world.board, O.APPROVED)
    for outcome in (O.APPROVED, O.REFERRED_BACK):
        error = refused(Forbidden, plan, review, decide_review, world, review,
                        world.executive, outcome, actor=world.lead)
        assert "lead officer" in str(error)


@pytest.mark.parametrize("who", ["lead", "safeguarding_secretary", "scrutiny_secretary",
                                 "auditor", "outsider"])
def test_only_the_bodys_recorders_record_its_decision(world, frozen_clock, plan, who):
    review = review_at_board(world, plan)
    refused(Forbidden, plan, review, decide_review, world, review, world.board, O.APPROVED,
            actor=getattr(world, who))


def test_an_inquorate_board_cannot_approve_a_review(world, frozen_clock, plan):
    review = review_at_board(world, plan)
    error = refused(InvalidInput, plan, review, decide_review, world, review, world.board,
                    O.APPROVED, attendance=2, votes_for=2)
    assert "attendance" in error.errors
    assert "not quorate" in error.errors["attendance"][0]


def test_the_decisions_dates_follow_the_review(world, frozen_clock, plan):
    review = review_at_board(world, plan)
    future = refused(InvalidInput, plan, review, decide_review, world, review, world.board,
                     O.APPROVED, decided_on=clock.today() + datetime.timedelta(days=1))
    assert "decided_on" in future.errors
    early = refused(InvalidInput, plan, review, decide_review, world, review, world.board,
                    O.APPROVED, decided_on=clock.today() - datetime.timedelta(days=1))
    assert "submitted to the board" in early.errors["decided_on"][0]
    frozen_clock.advance(days=10)
    decide_review(world, review, world.board, O.APPROVED,
                  decided_on=clock.today() - datetime.timedelta(days=5))
    before_board = refused(
        InvalidInput, plan, review, decide_review, world, review, world.executive,
        O.APPROVED, decided_on=clock.today() - datetime.timedelta(days=6))
    assert "approved the review" in before_board.errors["decided_on"][0]
    # Recorded later than the board's approval, but dated after it: fine.
    decide_review(world, review, world.executive, O.APPROVED,
                  decided_on=clock.today() - datetime.timedelta(days=2))
    assert fresh(review).stage == ReviewStage.CALL_IN


def test_each_body_decides_in_its_own_stage(world, frozen_clock, plan):
    review = review_at_board(world, plan)
    error = refused(WrongStage, plan, review, decide_review, world, review, world.executive,
                    O.APPROVED)
    assert error.stage == ReviewStage.BOARD
    assert "Executive decides on this review during executive approval" in str(error)
    stranger = refused(InvalidInput, plan, review, decide_review, world, review,
                       world.safeguarding, O.APPROVED, actor=world.safeguarding_secretary)
    assert "body" in stranger.errors


def test_the_executive_does_not_endorse_a_review_to_full_council(world, frozen_clock, plan):
    review = review_at_board(world, plan)
    decide_review(world, review, world.board, O.APPROVED)
    error = refused(InvalidInput, plan, review, decide_review, world, review, world.executive,
                    O.ENDORSED)
    assert "outcome" in error.errors


def test_nothing_is_decided_on_a_withdrawn_review_and_the_plan_is_untouched(
    world, frozen_clock, plan
):
    state = plan_state(plan)
    review = review_at_board(world, plan)
    decide_review(world, review, world.board, O.DEFERRED)
    review = fresh(review)
    ReviewLifecycle(review).fire("withdraw", world.lead, reason="Merged into next year's.")
    review.save()
    refused(WrongStage, plan, review, decide_review, world, review, world.board, O.APPROVED)
    assert plan_state(plan) == state
    assert approval_state(plan).all_bodies_approved


# Call-in of the executive's approval of a review.


def to_review_call_in(world: World, plan: Plan) -> tuple[Review, Decision]:
    review = review_at_board(world, plan)
    decide_review(world, review, world.board, O.APPROVED)
    decision = decide_review(world, review, world.executive, O.APPROVED)
    review = fresh(review)
    assert review.stage == ReviewStage.CALL_IN
    return review, decision


def test_a_call_in_suspends_the_review_and_no_further_action_approves_it(
    world, frozen_clock, plan, approved
):
    state = plan_state(plan)
    review, decision = to_review_call_in(world, plan)
    request = call_in_request(world, plan, review=review)
    assert request.decision == decision
    assert pending_call_in(plan) is None  # the plan's own call-in is not affected
    assert review_callin.pending_review_call_in(review) == request
    assert reviews_due_after_call_in(on=review.call_in_ends_on + datetime.timedelta(days=3)) \
        == []
    frozen_clock.advance(days=1)
    call_in_outcome(world, plan, NFA, review=review)
    review = fresh(review)
    assert review.stage == ReviewStage.APPROVED
    assert review.approved_on == clock.today()
    assert approved == [review.pk]
    assert plan_state(plan) == state


def test_a_call_in_is_found_by_the_decision_named(world, frozen_clock, plan):
    review, decision = to_review_call_in(world, plan)
    request = call_in_request(world, plan, decision=decision)
    assert request.decision == decision
    frozen_clock.advance(days=1)
    outcome = call_in_outcome(world, plan, TO_EXECUTIVE, number=request.number)
    assert outcome.request == request
    review = fresh(review)
    assert review.stage == ReviewStage.EXECUTIVE
    assert review.call_in_ends_on is None
    # The executive reconsiders: its new approval is not open to call-in again.
    frozen_clock.advance(days=7)
    decide_review(world, review, world.executive, O.APPROVED)
    review = fresh(review)
    assert review.stage == ReviewStage.APPROVED


def test_a_reviews_call_in_is_never_referred_to_full_council(world, frozen_clock, plan):
    from tests.conftest import add_full_council

    add_full_council(world)
    review, _ = to_review_call_in(world, plan)
    call_in_request(world, plan, review=review)
    with pytest.raises(InvalidInput) as caught:
        call_in_outcome(world, plan, TO_COUNCIL, review=review)
    assert "full council" in caught.value.errors["outcome"][0]
    assert fresh(review).stage == ReviewStage.CALL_IN


def test_a_review_call_in_is_refused_outside_its_period(world, frozen_clock, plan):
    review = review_at_board(world, plan, year=2018)
    with pytest.raises(WrongStage):
        call_in_request(world, plan, review=review)
    review, _ = to_review_call_in(world, plan)
    with pytest.raises(InvalidInput) as caught:
        call_in_request(world, plan, review=review,
                        requested_on=review.call_in_ends_on + datetime.timedelta(days=1))
    assert "requested_on" in caught.value.errors
    call_in_request(world, plan, review=review)
    with pytest.raises(Conflict):
        call_in_request(world, plan, review=review)


def test_the_plans_own_call_in_ignores_the_review(world, frozen_clock, plan):
    """A plan that is adopted has no call-in of its own: a call-in of a review's approval
    is not taken for one."""
    review, _ = to_review_call_in(world, plan)
    with pytest.raises(WrongStage):
        call_in_request(world, plan)
    call_in_request(world, plan, review=review)
    with pytest.raises(Conflict):  # no request on the plan's own decision is waiting
        call_in_outcome(world, plan, NFA)
    assert fresh(review).stage == ReviewStage.CALL_IN


def test_a_publication_council_starts_the_reviews_period_with_the_notice(
    world, frozen_clock, plan, settings
):
    settings.PLANGOV_CALL_IN_STARTS = "publication"
    state = plan_state(plan)
    review, decision = to_review_call_in(world, plan)
    assert review.call_in_ends_on is None
    assert review_call_in_period_over(review_id=review.pk) is False
    frozen_clock.advance(days=2)
    decision_publish(decision=decision, actor=world.executive_secretary,
                     published_on=clock.today())
    review = fresh(review)
    decision.refresh_from_db()
    assert review.call_in_ends_on == call_in_period_end(plan, decision)
    assert plan_state(plan) == state


# The plan's own record ignores a review's decisions.


def test_the_plans_dates_ignore_a_reviews_decisions(world, frozen_clock, plan):
    review = review_at_board(world, plan)
    frozen_clock.advance(days=5)
    decide_review(world, review, world.board, O.REFERRED_BACK)
    day, _ = chronology._last_decision(plan)
    assert day is not None and day < clock.today()
    assert Decision.objects.filter(plan=plan, version__isnull=True).count() == 1


def test_the_plans_decisions_api_and_page_list_the_versions_decisions_only(
    world, frozen_clock, plan, as_user, client
):
    review = review_at_board(world, plan)
    on_review = decide_review(world, review, world.board, O.APPROVED)
    api = as_user(world.board_secretary)
    listed = api.get(f"/api/v1/plans/{plan.pk}/decisions/")
    assert listed.status_code == 200
    ids = [d["id"] for d in listed.json()["results"]]
    assert on_review.pk not in ids
    assert len(ids) == Decision.objects.filter(plan=plan, version__isnull=False).count()
    detail = api.get(f"/api/v1/plans/{plan.pk}/")
    assert detail.status_code == 200
    assert on_review.pk not in [d["id"] for d in detail.json()["decisions"]]
    client.force_login(world.board_secretary)
    page = client.get(f"/plans/{plan.pk}/")
    assert page.status_code == 200
    assert f'id="decision-{on_review.pk}"' not in page.content.decode()
    assert "recorded a decision on a review of the plan" in page.content.decode()


def test_a_review_decision_serialises_with_its_review(world, frozen_clock, plan):
    from governance.api import DecisionSerializer

    review = review_at_board(world, plan)
    data = DecisionSerializer(decide_review(world, review, world.board, O.DEFERRED)).data
    assert data["version"] is None
    assert data["review"] == review.pk
    version = DecisionSerializer(Decision.objects.filter(plan=plan, version__isnull=False)
                                 .first()).data
    assert version["version"] == 1 and version["review"] is None


def test_the_call_in_api_calls_in_a_reviews_approval(world, frozen_clock, plan, as_user):
    review, decision = to_review_call_in(world, plan)
    api = as_user(world.scrutiny_secretary)
    made = api.post(f"/api/v1/plans/{plan.pk}/call-ins/", {
        "requesters": ["Cllr Ann Reid", "Cllr Ian Cuthbertson", "Cllr Sian Wiseman"],
        "reasons": "The review leaves out attendance.", "requested_on": str(clock.today()),
        "decision": decision.pk,
    }, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["review"] == review.pk
    assert made.json()["decision"] == decision.pk
    number = made.json()["number"]
    unknown = api.post(f"/api/v1/plans/{plan.pk}/call-ins/", {
        "requesters": ["A", "B", "C"], "reasons": "x", "requested_on": str(clock.today()),
        "decision": 10**9}, format="json")
    assert unknown.status_code == 400
    assert "decision" in str(unknown.json())
    council = api.post(f"/api/v1/plans/{plan.pk}/call-ins/{number}/outcome/", {
        "outcome": TO_COUNCIL, "decided_on": str(clock.today()), "attendance": 6,
        "votes_for": 5}, format="json")
    assert council.status_code == 400
    done = api.post(f"/api/v1/plans/{plan.pk}/call-ins/{number}/outcome/", {
        "outcome": NFA, "decided_on": str(clock.today()), "attendance": 6, "votes_for": 5},
        format="json")
    assert done.status_code == 201, done.content
    assert fresh(review).stage == ReviewStage.APPROVED
    assert CallInRequest.objects.get(number=number).decision.review_id == review.pk


def test_a_decision_notice_is_not_made_for_a_reviews_decision(world, frozen_clock, plan):
    from documents.models import DocumentKind
    from documents.publishing.services import document_request

    review = review_at_board(world, plan)
    on_review = decide_review(world, review, world.board, O.DEFERRED)
    with pytest.raises(InvalidInput) as caught:
        document_request(plan=plan, actor=world.lead, kind=DocumentKind.DECISION_NOTICE,
                         decision_id=on_review.pk)
    assert "review" in caught.value.errors["decision"][0]


def test_plan_decisions_still_follow_their_own_rules_beside_a_review(world, frozen_clock,
                                                                     plan):
    """An adopted plan takes no decision of its own, whatever its review's stage."""
    review_at_board(world, plan)
    with pytest.raises(WrongStage):
        decide(world, plan, world.board, O.APPROVED)


def test_the_beat_approves_a_review_with_no_timer_once_its_period_is_over(
    world, frozen_clock, plan, approved
):
    from workflows.tasks import scan_call_in_periods

    review, _ = to_review_call_in(world, plan)  # made without a process: no timer
    scan_call_in_periods()
    assert fresh(review).stage == ReviewStage.CALL_IN
    frozen_clock.set(datetime.datetime.combine(
        review.call_in_ends_on + datetime.timedelta(days=1), datetime.time(9),
        tzinfo=datetime.UTC))
    assert scan_call_in_periods() == 1
    assert fresh(review).stage == ReviewStage.APPROVED
    assert approved == [review.pk]
    assert scan_call_in_periods() == 0


def test_an_outcome_on_a_request_of_another_subject_is_refused(world, frozen_clock, plan):
    review, _ = to_review_call_in(world, plan)
    request = call_in_request(world, plan, review=review)
    other = review_at_board(world, plan, year=2018)
    with pytest.raises(InvalidInput) as caught:
        call_in_outcome(world, plan, NFA, review=other, number=request.number)
    assert "number" in caught.value.errors
    assert fresh(review).stage == ReviewStage.CALL_IN


def test_the_api_publishes_a_reviews_executive_decision_and_starts_its_period(
    world, frozen_clock, plan, settings, as_user
):
    settings.PLANGOV_CALL_IN_STARTS = "publication"
    review, decision = to_review_call_in(world, plan)
    frozen_clock.advance(days=1)
    answer = as_user(world.executive_secretary).post(
        f"/api/v1/plans/{plan.pk}/decisions/{decision.pk}/publication/",
        {"published_on": str(clock.today())}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["review"] == review.pk and answer.json()["version"] is None
    assert fresh(review).call_in_ends_on is not None
    again = as_user(world.executive_secretary).post(
        f"/api/v1/plans/{plan.pk}/decisions/{decision.pk}/publication/",
        {"published_on": str(clock.today())}, format="json")
    assert again.status_code == 409


def test_the_plans_timetable_ignores_a_reviews_decisions(
    world, frozen_clock, plan
):
    from workflows.timetable.record import _facts

    before = _facts(plan)
    review, _ = to_review_call_in(world, plan)
    frozen_clock.advance(days=1)
    review_at_board(world, plan, year=2018)
    assert _facts(plan) == before
    assert Decision.objects.filter(plan=plan, version__isnull=True).count() == 2
