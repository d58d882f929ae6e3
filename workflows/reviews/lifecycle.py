"""A review's lifecycle as a viewflow.fsm state machine, apart from the plan's: the adopted
plan stays adopted throughout, a review's approval never approves a plan version and its
withdrawal never withdraws the plan.

    drafting ──send_to_scrutiny──▶ scrutiny ──submit_to_board──▶ board     (annual review)
    drafting ──submit_to_board──▶ board                                  (six-month review)
    board ──board_approve──▶ executive (annual) | approved (six-month)
    executive ──executive_approve──▶ call_in (plan subject to call-in) | approved
    call_in ──call_in_no_further_action / call_in_period_over──▶ approved
    call_in ──call_in_refer_back──▶ executive
    board, executive ──refer_back──▶ drafting
    approved ──publish──▶ published (the signed PDF is done)
    drafting, scrutiny, board, executive ──withdraw──▶ withdrawn

Guards are transition conditions; permissions come from governance.policy. As with the plan's
lifecycle, ``fire`` checks the stage (409), then the person (403), then the guards (409), and
the services in workflows.reviews are its only callers.
"""

from __future__ import annotations

from typing import Any

from viewflow import fsm

from documents.models import Review, ReviewKind, ReviewStage
from governance import policy
from plangov import clock
from plangov.errors import Forbidden, GuardFailed, WrongStage

Condition = fsm.State.CONDITION

USER_ACTIONS = ("send_to_scrutiny", "submit_to_board", "withdraw")
DECISION_ACTIONS = (
    "board_approve",
    "executive_approve",
    "refer_back",
    "call_in_no_further_action",
    "call_in_refer_back",
    "call_in_period_over",
)
SYSTEM_ACTIONS = ("publish",)


class ReviewLifecycle:
    stage = fsm.State(ReviewStage, default=ReviewStage.DRAFTING)

    def __init__(self, review: Review):
        self.review = review

    @stage.getter()
    def _get_stage(self) -> str:
        return self.review.stage

    @stage.setter()
    def _set_stage(self, value: str) -> None:
        self.review.stage = value
        self.review.stage_changed_at = clock.now()

    # Guards.

    def is_annual(self) -> Condition:
        return Condition(self.review.kind == ReviewKind.ANNUAL,
                         "A six-month progress review goes to the owning board only.")

    def compiled(self) -> Condition:
        return Condition(self.review.compiled_at is not None,
                         "Compile the review (strengths, areas for development, priorities for "
                         "next year) before sending it on.")

    def scrutiny_answered(self) -> Condition:
        """An annual review reaches the board only after scrutiny's feedback was recorded,
        answered point by point, and recorded as incorporated. A six-month review skips
        scrutiny."""
        if self.review.kind != ReviewKind.ANNUAL:
            return Condition(True)
        if self.review.stage != ReviewStage.SCRUTINY:
            return Condition(False, "An annual review goes to the scrutiny committee first.")
        feedback = list(self.review.feedback.all())
        if not feedback:
            return Condition(False, "The scrutiny committee's feedback is not recorded yet.")
        unanswered = [
            p.number for f in feedback for p in f.points.all() if not p.response.strip()
        ]
        if unanswered:
            points = ", ".join(str(n) for n in unanswered)
            return Condition(False, f"Answer every point of scrutiny's feedback first "
                                    f"(unanswered: {points}).")
        return Condition(self.review.feedback_incorporated,
                         "Record that scrutiny's feedback was incorporated into the review.")

    def _lead(self, user: Any) -> policy.Verdict:
        return policy.can_lead(self.review.plan, user)

    def _by_decision(self, user: Any) -> policy.Verdict:
        return policy.Verdict(False, "This move follows a recorded decision.")

    def _system(self, user: Any) -> policy.Verdict:
        return policy.Verdict(False, "This move follows the signed PDF being made.")

    def _after_board(self, **_: Any) -> str:
        if self.review.kind == ReviewKind.ANNUAL:
            return ReviewStage.EXECUTIVE
        return ReviewStage.APPROVED

    def _after_executive(self, **_: Any) -> str:
        if self.review.plan.subject_to_call_in and not self.review.decisions.filter(
            call_in_requests__outcome__outcome="referred_to_executive"
        ).exists():
            return ReviewStage.CALL_IN
        return ReviewStage.APPROVED

    def _approve(self, on: Any) -> None:
        self.review.approved_on = on
        self.review.approved_at = clock.now()

    # Transitions.

    @stage.transition(source=ReviewStage.DRAFTING, target=ReviewStage.SCRUTINY, permission=_lead,
                      conditions=[is_annual, compiled], label="Send to scrutiny")
    def send_to_scrutiny(self) -> None:
        """Ask the scrutiny committee for its feedback on the compiled review."""

    @stage.transition(source=[ReviewStage.DRAFTING, ReviewStage.SCRUTINY],
                      target=ReviewStage.BOARD, permission=_lead,
                      conditions=[compiled, scrutiny_answered], label="Submit to the board")
    def submit_to_board(self) -> None:
        """Send the review to the owning board for its decision."""

    @stage.transition(
        source=ReviewStage.BOARD,
        target=fsm.State.GET_STATE(_after_board,
                                   states=[ReviewStage.EXECUTIVE, ReviewStage.APPROVED]),
        permission=_by_decision, label="Board approval",
    )
    def board_approve(self, *, decided_on: Any) -> None:
        if self.review.kind != ReviewKind.ANNUAL:
            self._approve(decided_on)

    @stage.transition(
        source=ReviewStage.EXECUTIVE,
        target=fsm.State.GET_STATE(_after_executive,
                                   states=[ReviewStage.CALL_IN, ReviewStage.APPROVED]),
        permission=_by_decision, label="Executive approval",
    )
    def executive_approve(self, *, decided_on: Any, call_in_ends_on: Any = None) -> None:
        if self._after_executive() == ReviewStage.CALL_IN:
            self.review.call_in_ends_on = call_in_ends_on
        else:
            self._approve(decided_on)

    @stage.transition(source=[ReviewStage.BOARD, ReviewStage.EXECUTIVE],
                      target=ReviewStage.DRAFTING, permission=_by_decision, label="Refer back")
    def refer_back(self) -> None:
        """The board or the executive sent the review back to its lead officer."""

    @stage.transition(source=ReviewStage.CALL_IN, target=ReviewStage.APPROVED,
                      permission=_by_decision, label="No further action on the call-in")
    def call_in_no_further_action(self, *, decided_on: Any) -> None:
        self._approve(decided_on)

    @stage.transition(source=ReviewStage.CALL_IN, target=ReviewStage.EXECUTIVE,
                      permission=_by_decision, label="Refer back to the executive")
    def call_in_refer_back(self) -> None:
        self.review.call_in_ends_on = None

    @stage.transition(source=ReviewStage.CALL_IN, target=ReviewStage.APPROVED,
                      permission=_by_decision, label="Call-in period over")
    def call_in_period_over(self) -> None:
        """No call-in request in the period: the executive's approval takes effect on the
        period's last day."""
        self._approve(self.review.call_in_ends_on)

    @stage.transition(source=ReviewStage.APPROVED, target=ReviewStage.PUBLISHED,
                      permission=_system, label="Publish")
    def publish(self) -> None:
        self.review.published_at = clock.now()

    @stage.transition(
        source=[ReviewStage.DRAFTING, ReviewStage.SCRUTINY, ReviewStage.BOARD,
                ReviewStage.EXECUTIVE],
        target=ReviewStage.WITHDRAWN, permission=_lead, label="Withdraw",
    )
    def withdraw(self, *, reason: str = "") -> None:
        """The review is abandoned; it stays in the history, and the plan is untouched."""
        self.review.withdrawn_at = clock.now()
        self.review.withdrawn_reason = reason

    # Checks and firing (as workflows.lifecycle.PlanLifecycle).

    def _bound(self, action: str) -> Any:
        if action not in (*USER_ACTIONS, *DECISION_ACTIONS, *SYSTEM_ACTIONS):
            raise ValueError(f"Unknown review action {action!r}")
        return getattr(self, action)

    def _transition(self, action: str) -> fsm.Transition:
        transition = getattr(type(self), action)._descriptor.get_transition(self.review.stage)
        assert transition is not None
        return transition

    def possible_actions(self) -> list[str]:
        return [a for a in USER_ACTIONS if self._bound(a).can_proceed(check_conditions=False)]

    def check(self, action: str, user: Any, *, enforce_permission: bool = True) -> None:
        """Raise WrongStage, Forbidden or GuardFailed, in that order, or return."""
        if not self._bound(action).can_proceed(check_conditions=False):
            raise WrongStage(
                action=action, stage=self.review.stage,
                stage_label=self.review.get_stage_display(),
                possible=self.possible_actions(),
            )
        if enforce_permission:
            verdict = self._transition(action).permission(self, user)
            if not verdict:
                raise Forbidden(getattr(verdict, "reason", "") or "You may not do this.")
        unmet = self._transition(action).get_unmet_condition(self)
        if unmet is not None:
            raise GuardFailed(getattr(unmet[1], "message", "") or "The review is not ready.")

    def fire(self, action: str, user: Any, *, enforce_permission: bool = True,
             **kwargs: Any) -> str:
        self.check(action, user, enforce_permission=enforce_permission)
        self._bound(action)(**kwargs)
        return self.review.stage

    def available_actions(self, user: Any) -> list[dict[str, Any]]:
        available = []
        for action in self.possible_actions():
            if not self._transition(action).permission(self, user):
                continue
            unmet = self._transition(action).get_unmet_condition(self)
            available.append({
                "action": action, "label": self._transition(action).label,
                "ready": unmet is None,
                "blocked_by": getattr(unmet[1], "message", "") if unmet else None,
            })
        return available
