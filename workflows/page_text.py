"""What the plan and task pages say after an action (what happened, what happens next) and
before one that ends a plan's life (withdraw, supersede: a confirmation page)."""

from __future__ import annotations

from documents.models import Plan, Review

# Actions that end a plan's life: a warning button leading to a confirmation page that
# says what will happen and asks why (the record keeps the reason).
CONFIRMED_ACTIONS = {
    "withdraw": {
        "title": "Withdraw the plan",
        "button": "Withdraw the plan",
        "effects": [
            "The plan stops where it is: it will not be approved or adopted.",
            "Open tasks on it are cancelled, and nobody can act on it any more.",
            "This cannot be undone. The plan, its versions and its record stay on file.",
        ],
        "reason_label": "Reason for withdrawing the plan",
        "reason_hint": "Required. The audit record keeps it and the plan's page shows it.",
    },
    "supersede": {
        "title": "Mark the plan as superseded",
        "button": "Mark as superseded",
        "effects": [
            "The plan is no longer in force: a newer plan replaces it.",
            "Nothing more can be done with it, and this cannot be undone.",
            "The plan, its signed documents and its record stay on file.",
        ],
        "reason_label": "Reason for marking it superseded",
        "reason_hint": "For example, the plan that replaces it. The audit record keeps it.",
    },
}

# After each plan action: what happened, and what happens next.
ACTION_DONE = {
    "start_consultation": "Consultation opened.\nWhen it has closed, record its closing "
                          "here; then the plan can be submitted for approval.",
    "close_consultation": "Consultation closed.\nThe plan is back in drafting: write a new "
                          "version if the consultation calls for one, then submit it.",
    "submit": "Plan submitted for approval.\nThe partnership boards' secretaries have been "
              "given their tasks.",
    "adopt": "Plan adopted.\nIts signed PDF is being made and will be listed under Signed "
             "documents.",
    "revise": "Revision started.\nThe adopted version stays in force: write a new version, "
              "then submit it for approval.",
    "supersede": "Plan marked as superseded.\nIt stays on file; nothing more can be done "
                 "with it.",
    "withdraw": "Plan withdrawn.\nIts open tasks were cancelled; the record keeps your reason.",
    "withdraw_revision": "Revision withdrawn.\nThe adopted version stays in force, as it was; "
                         "the record keeps your reason.",
    "start_successor": "Successor plan started.\nIts draft holds the adopted content of this "
                       "plan: edit it, then write its first version.",
}

# Withdrawing a revision of an adopted plan (the plan stays adopted).
WITHDRAW_REVISION = {
    "title": "Withdraw the revision",
    "button": "Withdraw the revision",
    "effects": [
        "The revision stops where it is: it will not be approved or adopted.",
        "The plan stays adopted: its adopted version stays in force, as it was.",
        "Open tasks on the revision are cancelled. Its versions and record stay on file.",
    ],
    "reason_label": "Reason for withdrawing the revision",
    "reason_hint": "Required. The audit record keeps it and the plan's page shows it.",
}


def confirmed_text(plan: Plan, action: str) -> dict:
    if action == "withdraw" and plan.adopted_version_id:
        return WITHDRAW_REVISION
    return CONFIRMED_ACTIONS[action]


def done_text(plan: Plan, action: str) -> str:
    if action == "withdraw" and plan.stage == "adopted":
        return ACTION_DONE["withdraw_revision"]
    return ACTION_DONE.get(action, "Done.")


def plan_now(plan_id: int) -> str:
    """What happens next, from the stage the plan is in now."""
    plan = Plan.objects.get(pk=plan_id)
    return {
        "drafting": "The plan is back in drafting: its lead officer has a task to redraft it.",
        "partnership_approval": "The plan waits for the partnership boards' decisions; "
                                "their secretaries have their tasks.",
        "executive_approval": "Every board has approved: the executive's secretary has been "
                              "given the task of recording its decision.",
        "call_in": "The call-in period has started"
                   + (f" and runs until {plan.call_in_ends_on.day} "
                      f"{plan.call_in_ends_on:%B %Y}"
                      if plan.call_in_ends_on else "")
                   + "; the plan is adopted when it ends unless the decision is called in.",
        "full_council": "Full council's secretary has been given the task of recording its "
                        "decision.",
        "adopted": "The plan is adopted; its signed PDF is being made.",
    }.get(plan.stage, f"The plan is now at the {plan.get_stage_display().lower()} stage.")


def review_now(review_id: int) -> str:
    """What happens next, from the stage a review is in now."""
    review = Review.objects.get(pk=review_id)
    ends = review.call_in_ends_on
    return {
        "drafting": "The review is back with its lead officer to revise.",
        "board": "The review waits for the board's decision; its secretary has the task.",
        "executive": "The board has approved the review: the executive's secretary has been "
                     "given the task of recording its decision.",
        "call_in": "The call-in period has started"
                   + (f" and runs until {ends.day} {ends:%B %Y}" if ends else "")
                   + "; the review is approved when it ends unless the decision is called in.",
        "approved": "The review is approved; its signed PDF is being made. The plan stays "
                    "adopted as it was.",
    }.get(review.stage, f"The review is now at the {review.get_stage_display().lower()} stage.")
