"""Domain errors. Each kind of failure maps to one HTTP answer (see plangov.problems):
a wrong stage or a concurrent change is 409, no permission is 403, bad input is 400."""

from __future__ import annotations

from collections.abc import Sequence


class PlangovError(Exception):
    title = "Request failed"
    status = 400
    # The heading of the page that refuses it: what happened, in the person's words.
    page_title = "This could not be done"

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(detail)


class InvalidInput(PlangovError):
    """Bad input; ``errors`` maps each field (dotted path) to its messages."""

    title = "Invalid input"
    status = 400
    page_title = "Check what you entered"

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None):
        self.errors = errors
        super().__init__(detail or "Some fields are not valid: " + ", ".join(sorted(errors)) + ".")


class Forbidden(PlangovError):
    title = "Not permitted"
    status = 403
    page_title = "You are not allowed to do this"


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
    page_title = "This changed while you were working on it"


class WrongStage(Conflict):
    title = "Action not possible in this stage"
    page_title = "This cannot be done at this stage"

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
    page_title = "This cannot be done yet"


class PreconditionFailed(PlangovError):
    """The thing changed since the client read it (a stale ``If-Match`` or revision):
    nothing was written. ``current`` is what is saved now, for the caller to show."""

    title = "Changed meanwhile"
    status = 412
    page_title = "This changed while you were working on it"

    def __init__(self, detail: str, *, current: object = None):
        self.current = current
        super().__init__(detail)


class PreconditionRequired(PlangovError):
    """A change that must say which revision it was made from did not (no ``If-Match``)."""

    title = "Precondition required"
    status = 428
    page_title = "Check what you entered"


# Page titles by HTTP status, for refusals that reach a page without their error object.
PAGE_TITLES = {
    400: InvalidInput.page_title,
    403: Forbidden.page_title,
    404: "Page not found",
    409: Conflict.page_title,
    412: Conflict.page_title,
    428: InvalidInput.page_title,
}


def refusal_title(exc: PlangovError) -> str:
    """The heading of the page refusing ``exc``: not allowed (403), not at this stage or not
    yet (409), changed meanwhile (409, 412), or check what you entered (400)."""
    own = type(exc).__dict__.get("page_title")
    if own is None:
        for cls in type(exc).__mro__:
            if "page_title" in cls.__dict__ and cls is not PlangovError:
                own = cls.__dict__["page_title"]
                break
    return own or PAGE_TITLES.get(exc.status, PlangovError.page_title)
