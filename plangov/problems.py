"""Every API error as an RFC 9457 ``application/problem+json`` document.

400 carries ``errors``: a map from each wrong field (dotted path) to its messages. A wrong
stage (409) also names the stage and the actions possible from it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from documents.content import flatten_errors

from .errors import InvalidInput, PlangovError, WrongStage

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TYPES = {
    400: "invalid-input",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    415: "unsupported-media-type",
    429: "throttled",
}


def problem(
    status_code: int, title: str, detail: str, *, instance: str = "", kind: str = "", **extra: Any
) -> Response:
    body: dict[str, Any] = {
        "type": f"urn:plangov:problem:{kind or _TYPES.get(status_code, 'error')}",
        "title": title,
        "status": status_code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    if isinstance(exc, WrongStage):
        return problem(
            exc.status, exc.title, exc.detail, instance=instance, kind="wrong-stage",
            stage=exc.stage, possible_actions=exc.possible,
        )
    if isinstance(exc, InvalidInput):
        return problem(exc.status, exc.title, exc.detail, instance=instance, errors=exc.errors)
    if isinstance(exc, PlangovError):
        return problem(exc.status, exc.title, exc.detail, instance=instance)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail if isinstance(exc.detail, dict) else {"": exc.detail})
        errors = {k or "request": v for k, v in errors.items()}
        return problem(
            status.HTTP_400_BAD_REQUEST,
            "Invalid input",
            "Some fields are not valid: " + ", ".join(sorted(errors)) + ".",
            instance=instance,
            errors=errors,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    result = problem(
        response.status_code,
        response.status_text,
        str(detail),
        instance=instance,
    )
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    return result
