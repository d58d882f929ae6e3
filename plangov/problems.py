"""Every API error as an RFC 9457 ``application/problem+json`` document.

400 carries ``errors``: a map from each wrong field (dotted path) to its messages. A wrong
stage (409) also names the stage and the actions possible from it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from documents.content import flatten_errors

from .errors import InvalidInput, PlangovError, TooManyRequests, WrongStage

PROBLEM_CONTENT_TYPE = "application/problem+json"
REQUEST = "request"
API_PREFIX = "/api/"

_TYPES = {
    400: "invalid-input",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    410: "gone",
    412: "precondition-failed",
    413: "content-too-large",
    415: "unsupported-media-type",
    428: "precondition-required",
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
    if request is not None:
        # A problem document is JSON whatever renderer was negotiated (the browsable API's
        # HTML would otherwise go out labelled application/problem+json).
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    if isinstance(exc, WrongStage):
        return problem(
            exc.status, exc.title, exc.detail, instance=instance, kind="wrong-stage",
            stage=exc.stage, possible_actions=exc.possible,
        )
    if isinstance(exc, InvalidInput):
        return problem(exc.status, exc.title, exc.detail, instance=instance, errors=exc.errors)
    if isinstance(exc, TooManyRequests):
        result = problem(exc.status, exc.title, exc.detail, instance=instance)
        result["Retry-After"] = str(exc.retry_after)
        return result
    if isinstance(exc, PlangovError):
        return problem(exc.status, exc.title, exc.detail, instance=instance)
    if isinstance(exc, RequestDataTooBig):
        return problem(413, "Content Too Large", str(exc), instance=instance)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        # Errors about the request as a whole (a body that is not an object, credentials
        # that do not match) are reported under "request".
        errors = flatten_errors(exc.detail, root=REQUEST) or {REQUEST: ["Invalid input."]}
        fields = sorted(k for k in errors if k != REQUEST)
        detail = " ".join(errors.get(REQUEST, []))
        if fields:
            detail = (detail + " " if detail else "") + (
                "Some fields are not valid: " + ", ".join(fields) + "."
            )
        return problem(
            status.HTTP_400_BAD_REQUEST, "Invalid input", detail, instance=instance,
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


# Django's own error views, for errors that never reach a DRF view: a URL under /api/ that
# matches no route, an unhandled exception, a suspicious request. Under /api/ they answer
# problem+json like every other API error; elsewhere Django's pages are kept.


def _django_problem(
    request: HttpRequest, status_code: int, title: str, detail: str
) -> HttpResponse:
    body = {
        "type": f"urn:plangov:problem:{_TYPES.get(status_code, 'error')}",
        "title": title,
        "status": status_code,
        "detail": detail,
        "instance": request.get_full_path(),
    }
    return JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _django_problem(request, 400, "Bad Request", "The request could not be read.")
    return defaults.bad_request(request, exception)


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _django_problem(request, 403, "Forbidden", "You may not do this.")
    return defaults.permission_denied(request, exception)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _django_problem(
            request, 404, "Not Found", f"There is nothing at {request.path}."
        )
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        # Say nothing about the failure itself; it is logged by django.request.
        return _django_problem(
            request, 500, "Internal Server Error",
            "The server failed to answer this request; the failure has been logged.",
        )
    return defaults.server_error(request)
