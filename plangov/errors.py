"""Domain errors. Each kind of failure maps to one HTTP answer (see plangov.problems):
a wrong stage or a concurrent change is 409, no permission is 403, bad input is 400."""

from __future__ import annotations

from collections.abc import Sequence


class PlangovError(Exception):
    title = "Request failed"
    status = 400

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(detail)


class InvalidInput(PlangovError):
    """Bad input; ``errors`` maps each field (dotted path) to its messages."""

    title = "Invalid input"
    status = 400

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None):
        self.errors = errors
        super().__init__(detail or "Some fields are not valid: " + ", ".join(sorted(errors)) + ".")


class Forbidden(PlangovError):
    title = "Not permitted"
    status = 403


class Gone(PlangovError):
    """The thing is no longer (or not yet) taking this: a consultation round that has closed,
    or has not opened. Nothing was stored."""

    title = "Gone"
    status = 410


class TooManyRequests(PlangovError):
    """Too many requests from one form token or one address; try again after
    ``retry_after`` seconds."""

    title = "Too many requests"
    status = 429

    def __init__(self, detail: str, *, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        super().__init__(detail)


class Conflict(PlangovError):
    """The request does not fit the plan's current state."""

    title = "Conflict with the plan's current state"
    status = 409


class WrongStage(Conflict):
    title = "Action not possible in this stage"

    def __init__(
        self,
        *,
        action: str,
        stage: str,
        stage_label: str,
        possible: Sequence[str],
        detail: str | None = None,
    ):
        self.action = action
        self.stage = stage
        self.possible = list(possible)
        options = ", ".join(self.possible) if self.possible else "none"
        what = detail or f"'{action}' is not possible while the plan is in {stage_label}."
        super().__init__(f"{what} Actions possible from {stage_label}: {options}.")


class GuardFailed(Conflict):
    title = "The plan is not ready for this action"


class PreconditionFailed(PlangovError):
    """The thing changed since the client read it (a stale ``If-Match`` or revision):
    nothing was written. ``current`` is what is saved now, for the caller to show."""

    title = "Changed meanwhile"
    status = 412

    def __init__(self, detail: str, *, current: object = None):
        self.current = current
        super().__init__(detail)


class PreconditionRequired(PlangovError):
    """A change that must say which revision it was made from did not (no ``If-Match``)."""

    title = "Precondition required"
    status = 428
