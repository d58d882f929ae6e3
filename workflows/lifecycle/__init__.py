"""The plan's lifecycle (plan.py, diagram in the README) and the approval state its guards
read (state.py). ``from workflows.lifecycle import ...`` keeps working for both."""

from .plan import DECISION_ACTIONS, USER_ACTIONS, Condition, PlanLifecycle
from .state import (
    APPROVING,
    SENDING_BACK,
    ApprovalState,
    approval_state,
    pending_call_in,
    reconsidered_after_call_in,
)

__all__ = [
    "APPROVING",
    "DECISION_ACTIONS",
    "SENDING_BACK",
    "USER_ACTIONS",
    "ApprovalState",
    "Condition",
    "PlanLifecycle",
    "approval_state",
    "pending_call_in",
    "reconsidered_after_call_in",
]
