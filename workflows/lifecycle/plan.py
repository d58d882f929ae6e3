"""The plan's lifecycle as a viewflow.fsm state machine (diagram in the README).

Guards live here as transition conditions; permissions as transition permissions from
governance.policy. viewflow.fsm only answers questions about permissions, so ``fire`` checks
them before it lets a transition run, and the services in workflows.services are the only
callers. The order of checks gives each failure its own answer: an action that does not exist
in this stage (409), a person who may not take it (403), then a guard that is not met (409).
"""

from __future__ import annotations

from typing import Any

from dateutil.relativedelta import relativedelta
from viewflow import fsm

from documents.models import Plan, Stage
from governance import policy
from governance.models import Body, BodyKind, Decision
from plangov import clock
from plangov.errors import Forbidden, GuardFailed, WrongStage

from .state import SENDING_BACK, approval_state, pending_call_in, reconsidered_after_call_in

Condition = fsm.State.CONDITION

# Actions people fire by name (the API's plans/{id}/actions/{action}/); the rest are moved by
# recorded decisions (workflows.decisions.decision_record).
USER_ACTIONS = (
    "start_consultation",
    "close_consultation",
    "submit",
    "adopt",
    "revise",
    "supersede",
    "withdraw",
)
DECISION_ACTIONS = (
    "complete_partnership_approval",
    "refer_back",
    "executive_approve",
    "refer_to_full_council",
    "call_in_no_further_action",
    "call_in_refer_back",
    "council_approve",
)


def _names(bodies: list[Body]) -> str:
    return ", ".join(body.name for body in bodies)


class PlanLifecycle:
    stage = fsm.State(Stage, default=Stage.DRAFTING)

    def __init__(self, plan: Plan):
        self.plan = plan

    @stage.getter()
    def _get_stage(self) -> str:
        return self.plan.stage

    @stage.setter()
    def _set_stage(self, value: str) -> None:
        self.plan.stage = value
        self.plan.stage_changed_at = clock.now()

    # Guards. Each returns a Condition whose message tells the person what is missing.

    def has_version(self) -> Condition:
        return Condition(
            self.plan.current_version_id is not None,
            "The plan has no version yet; write one before submitting.",
        )

    def consultation_done(self) -> Condition:
        """A plan consulted on by kind needs a round held in the current drafting cycle (since
        the first draft, or since a review revised it; a referral back stays in the cycle),
        closed, with its summary published."""
        if not self.plan.needs_consultation:
            return Condition(True)
        kind = self.plan.get_kind_display().lower()
        since = ("since the review revised it" if self.plan.drafting_cycle > 1
                 else "since it was first drafted")
        rounds = list(
            self.plan.consultation_rounds.filter(drafting_cycle=self.plan.drafting_cycle)
            .order_by("number")
        )
        if any(r.status == "closed" and r.summary_published_at for r in rounds):
            return Condition(True)
        closed = [r for r in rounds if r.status == "closed"]
        if closed:
            last = closed[-1]
            return Condition(
                False,
                f"Consultation round {last.number} ({last.title}) has closed but its summary "
                f"is not published yet; publish the summary before submitting this {kind}.",
            )
        if rounds:
            return Condition(
                False,
                f"Consultation round {rounds[-1].number} ({rounds[-1].title}) is still open; "
                f"close it and publish its summary before submitting this {kind}.",
            )
        return Condition(
            False,
            f"A {kind} needs a closed consultation round, held {since} and with its summary "
            "published, before it is submitted for approval.",
        )

    def version_not_sent_back(self) -> Condition:
        sent_back = self.plan.current_version_id is not None and Decision.objects.filter(
            plan=self.plan, version_id=self.plan.current_version_id, outcome__in=SENDING_BACK
        ).exists()
        return Condition(
            not sent_back,
            "This version was referred back or rejected; write a new version before "
            "submitting again.",
        )

    def version_not_submitted_before(self) -> Condition:
        # A version goes through approval once. The only other way back to drafting with a
        # submitted version is a revision after review: that version was adopted, so every
        # body has approved it already and none could decide on it again.
        version = self.plan.current_version
        if version is None or not version.is_submitted:
            return Condition(True)
        adopted = " and adopted" if version.pk == self.plan.adopted_version_id else ""
        return Condition(
            False,
            f"Version {version.number} was already submitted{adopted}; write a new version "
            "before submitting again.",
        )

    def all_bodies_approved(self) -> Condition:
        state = approval_state(self.plan)
        return Condition(
            state.all_bodies_approved,
            f"Still waiting for approval of this version by: {_names(state.missing)}.",
        )

    def executive_approved(self) -> Condition:
        state = approval_state(self.plan)
        if not state.all_bodies_approved:
            return Condition(False, f"Not approved by: {_names(state.missing)}.")
        return Condition(
            state.executive_approved,
            "The executive has not approved this version since it last reached the executive.",
        )

    def sent_back_by_latest_decision(self) -> Condition:
        latest = Decision.objects.filter(
            plan=self.plan, version_id=self.plan.current_version_id, version__isnull=False
        ).order_by("-pk").first()
        return Condition(
            latest is not None and latest.outcome in SENDING_BACK,
            "No body has referred back or rejected this version.",
        )

    def signing_ready(self) -> Condition:
        # A plan is never published unsigned: with no usable certificate, adoption waits.
        if self.plan.stage == Stage.EXECUTIVE_APPROVAL and self._after_executive() != Stage.ADOPTED:
            return Condition(True)  # this executive approval leads to call-in, not adoption
        from documents.publishing.signing import signing_problem

        problem = signing_problem()
        return Condition(
            problem is None,
            f"Adoption is refused until the plan can be signed: {problem} "
            "Ask your plangov administrator to install the organisation's certificate.",
        )

    def call_in_period_over(self) -> Condition:
        ends = self.plan.call_in_ends_on
        return Condition(
            ends is not None and clock.today() > ends,
            f"The call-in period runs until the end of {ends:%A %d %B %Y}."
            if ends
            else "The call-in period has not started: the executive's decision notice has not "
            "been published yet.",
        )

    def not_called_in(self) -> Condition:
        pending = pending_call_in(self.plan)
        return Condition(
            pending is None,
            f"The decision was called in on {pending.requested_on:%d %B %Y}; it is suspended "
            "until the scrutiny committee decides." if pending else "",
        )

    def full_council_exists(self) -> Condition:
        exists = Body.objects.filter(
            partnership_id=self.plan.partnership_id, kind=BodyKind.FULL_COUNCIL
        ).exists()
        return Condition(
            exists,
            f"{self.plan.partnership.name} has no full council body to decide on the plan; add "
            "one (a body of kind full council) before endorsing it to full council.",
        )

    def _lead(self, user: Any) -> policy.Verdict:
        return policy.can_lead(self.plan, user)

    def _lead_or_system(self, user: Any) -> policy.Verdict:
        return policy.can_lead_or_system(self.plan, user)

    def _by_decision(self, user: Any) -> policy.Verdict:
        # Decision-driven moves are authorised by workflows.decisions.decision_record, which
        # checks the recorder against the deciding body before it fires them.
        return policy.Verdict(False, "This move follows a recorded decision.")

    # Transitions.

    # The lead officer opens and closes rounds by hand. The beat scan opens and closes a round
    # set up by the lead officer at its times: workflows.services passes that round and no
    # actor, and asks for no permission (the lead officer's, given when setting it up).
    @stage.transition(source=Stage.DRAFTING, target=Stage.CONSULTATION, permission=_lead,
                      label="Start consultation")
    def start_consultation(self) -> None:
        """Open a consultation round on the plan."""

    @stage.transition(source=Stage.CONSULTATION, target=Stage.DRAFTING, permission=_lead,
                      label="Close consultation")
    def close_consultation(self) -> None:
        """Close the open round and return to drafting to act on what was heard."""

    @stage.transition(
        source=Stage.DRAFTING,
        target=Stage.PARTNERSHIP_APPROVAL,
        permission=_lead,
        conditions=[
            has_version, consultation_done, version_not_sent_back, version_not_submitted_before
        ],
        label="Submit for approval",
    )
    def submit(self, *, submitter: Any, submitted_on: Any = None) -> None:
        version = self.plan.current_version
        assert version is not None
        if not version.is_submitted:
            version.submitted_by = submitter
            version.submitted_at = clock.now()
            version.submitted_on = submitted_on or clock.today()
            version.save(update_fields=["submitted_by", "submitted_at", "submitted_on"])

    @stage.transition(
        source=Stage.PARTNERSHIP_APPROVAL,
        target=Stage.EXECUTIVE_APPROVAL,
        permission=_by_decision,
        conditions=[all_bodies_approved],
        label="Complete partnership approval",
    )
    def complete_partnership_approval(self) -> None:
        """Every required body approved the submitted version: on to the executive."""

    @stage.transition(
        source=[Stage.PARTNERSHIP_APPROVAL, Stage.EXECUTIVE_APPROVAL, Stage.FULL_COUNCIL],
        target=Stage.DRAFTING,
        permission=_by_decision,
        conditions=[sent_back_by_latest_decision],
        label="Refer back",
    )
    def refer_back(self) -> None:
        """A referral back or rejection returns the plan to its lead officer for redrafting."""

    def _after_executive(self, **_: Any) -> str:
        if self.plan.subject_to_call_in and not self._reconsidered():
            return Stage.CALL_IN
        return Stage.ADOPTED

    def _reconsidered(self) -> bool:
        # Asked by a guard, the transition's target and its body within one check-and-fire;
        # read once each time the lifecycle checks (check, available_actions).
        memo = self.__dict__.setdefault("_memo", {})
        if "reconsidered" not in memo:
            memo["reconsidered"] = reconsidered_after_call_in(self.plan)
        return bool(memo["reconsidered"])

    @stage.transition(
        source=Stage.EXECUTIVE_APPROVAL,
        target=fsm.State.GET_STATE(_after_executive, states=[Stage.CALL_IN, Stage.ADOPTED]),
        permission=_by_decision,
        conditions=[executive_approved, signing_ready],
        label="Executive approval",
    )
    def executive_approve(self, *, decision: Decision) -> None:
        if self._after_executive() == Stage.CALL_IN:
            from ..callin import call_in_period_end

            # None while a "publication" council's decision notice is unpublished.
            self.plan.call_in_ends_on = call_in_period_end(self.plan, decision)
        else:
            self.plan.call_in_ends_on = None
            self._fix_adopted_version(on=decision.decided_on)

    @stage.transition(
        source=[Stage.EXECUTIVE_APPROVAL, Stage.CALL_IN],
        target=Stage.FULL_COUNCIL,
        permission=_by_decision,
        conditions=[full_council_exists],
        label="Refer to full council",
    )
    def refer_to_full_council(self) -> None:
        """The executive endorsed the plan and recommended it to full council, or scrutiny
        referred a called-in decision there: full council decides, with no call-in."""
        self.plan.call_in_ends_on = None

    @stage.transition(
        source=Stage.CALL_IN,
        target=Stage.EXECUTIVE_APPROVAL,
        permission=_by_decision,
        label="Refer back to the executive",
    )
    def call_in_refer_back(self) -> None:
        """Scrutiny referred the called-in decision back: the executive reconsiders it."""
        self.plan.call_in_ends_on = None

    @stage.transition(
        source=Stage.CALL_IN,
        target=Stage.ADOPTED,
        permission=_by_decision,
        conditions=[executive_approved, signing_ready],
        label="No further action on the call-in",
    )
    def call_in_no_further_action(self, *, decided_on: Any) -> None:
        """Scrutiny took no further action: the decision takes effect on the meeting's day."""
        self._fix_adopted_version(on=decided_on)

    @stage.transition(
        source=Stage.FULL_COUNCIL,
        target=Stage.ADOPTED,
        permission=_by_decision,
        conditions=[all_bodies_approved, signing_ready],
        label="Full council approval",
    )
    def council_approve(self, *, decided_on: Any) -> None:
        self._fix_adopted_version(on=decided_on)

    @stage.transition(
        source=Stage.CALL_IN,
        target=Stage.ADOPTED,
        permission=_lead_or_system,
        conditions=[call_in_period_over, not_called_in, executive_approved, signing_ready],
        label="Adopt",
    )
    def adopt(self) -> None:
        # The decision took effect when the period ended, whenever the adoption is recorded.
        self._fix_adopted_version(on=self.plan.call_in_ends_on)

    def _fix_adopted_version(self, *, on: Any) -> None:
        from documents.publishing.services import publish_adopted_version

        self._adopting(on=on)
        self.plan.adopted_version_id = self.plan.current_version_id
        self.plan.adopted_at = clock.now()
        self.plan.adopted_on = on
        if self.plan.review_date is None and on is not None:  # reviewed a year after adoption
            self.plan.review_date = on + relativedelta(years=1)
        # Rendered and signed by a worker once the adoption commits.
        publish_adopted_version(self.plan)

    def _adopting(self, *, on: Any) -> None:
        """Before the adopted version is fixed: a revision's adoption moves the review date
        a year on; a successor's supersedes its predecessor (workflows.successor)."""
        from ..successor import on_adopting

        on_adopting(self.plan, on=on, actor=getattr(self, "actor", None))

    @stage.transition(source=Stage.ADOPTED, target=Stage.DRAFTING, permission=_lead,
                      label="Revise the plan")
    def revise(self) -> None:
        """A review changed the priorities: a new version goes through approval, in a new
        drafting cycle (which needs its own consultation round, by kind), while the adopted
        version stays in force (``adopted_version``) until the revision is adopted."""
        self.plan.drafting_cycle += 1
        self.plan.drafting_cycle_started_at = clock.now()

    @stage.transition(source=Stage.ADOPTED, target=Stage.SUPERSEDED, permission=_lead,
                      label="Supersede")
    def supersede(self, *, successor: Plan | None = None) -> None:
        self.plan.superseded_by = successor

    def _after_withdraw(self, **_: Any) -> str:
        # Withdrawing a revision leaves the adopted plan as it was: never withdrawn.
        return Stage.ADOPTED if self.plan.adopted_version_id else Stage.WITHDRAWN

    @stage.transition(
        source=[
            Stage.DRAFTING,
            Stage.CONSULTATION,
            Stage.PARTNERSHIP_APPROVAL,
            Stage.EXECUTIVE_APPROVAL,
            Stage.FULL_COUNCIL,
        ],
        target=fsm.State.GET_STATE(_after_withdraw, states=[Stage.ADOPTED, Stage.WITHDRAWN]),
        permission=_lead,
        label="Withdraw",
    )
    def withdraw(self) -> None:
        """The plan is abandoned; it keeps its history. A revision of an adopted plan is
        abandoned instead: the plan is adopted again, its adopted version current."""
        if self.plan.adopted_version_id:
            self.plan.current_version_id = self.plan.adopted_version_id
            self.plan.call_in_ends_on = None

    # Checks and firing.

    def _bound(self, action: str) -> Any:
        if action not in USER_ACTIONS and action not in DECISION_ACTIONS:
            raise ValueError(f"Unknown lifecycle action {action!r}")
        return getattr(self, action)

    def possible_actions(self) -> list[str]:
        """Actions people can fire from the current stage, whoever they are."""
        return [a for a in USER_ACTIONS if self._bound(a).can_proceed(check_conditions=False)]

    def check(self, action: str, user: Any, *, enforce_permission: bool = True) -> None:
        """Raise WrongStage, Forbidden or GuardFailed, in that order, or return."""
        self._memo: dict[str, Any] = {}
        bound = self._bound(action)
        if not bound.can_proceed(check_conditions=False):
            raise WrongStage(
                action=action,
                stage=self.plan.stage,
                stage_label=self.plan.get_stage_display(),
                possible=self.possible_actions(),
            )
        if enforce_permission:
            verdict = self._permission(action, user)
            if not verdict:
                raise Forbidden(getattr(verdict, "reason", "") or "You may not do this.")
        unmet = self._transition(action).get_unmet_condition(self)
        if unmet is not None:
            _, result = unmet
            raise GuardFailed(getattr(result, "message", "") or "The plan is not ready.")

    def _transition(self, action: str) -> fsm.Transition:
        descriptor = getattr(type(self), action)._descriptor
        transition = descriptor.get_transition(self.plan.stage)
        assert transition is not None
        return transition

    def _permission(self, action: str, user: Any) -> Any:
        transition = self._transition(action)
        return transition.permission(self, user)

    def fire(
        self, action: str, user: Any, *, enforce_permission: bool = True, **kwargs: Any
    ) -> str:
        """Check, then run the transition. Returns the new stage."""
        self.check(action, user, enforce_permission=enforce_permission)
        self.actor = user  # who moved it, for what adoption does to a predecessor
        self._bound(action)(**kwargs)
        return self.plan.stage

    def available_actions(self, user: Any) -> list[dict[str, Any]]:
        """What this person could fire now, each with what (if anything) still blocks it."""
        self._memo = {}
        available = []
        for action in self.possible_actions():
            if not self._permission(action, user):
                continue
            unmet = self._transition(action).get_unmet_condition(self)
            label = self._transition(action).label
            if action == "withdraw" and self.plan.adopted_version_id:
                label = "Withdraw the revision"
            available.append(
                {
                    "action": action,
                    "label": label,
                    "ready": unmet is None,
                    "blocked_by": getattr(unmet[1], "message", "") if unmet else None,
                }
            )
        return available
