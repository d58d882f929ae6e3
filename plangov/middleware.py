"""The query string through plangov.text's policy, for every page and API endpoint at once:
a filter or search term holding a control character is a 400 naming the parameter, before
any view reads it (NUL would otherwise be an error from PostgreSQL, a 500)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from . import text
from .pages import refused
from .problems import API_PREFIX, PROBLEM_CONTENT_TYPE


class QueryTextPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        errors = text.check_fields({key: request.GET.getlist(key) for key in request.GET})
        if not errors:
            return self.get_response(request)
        names = ", ".join(sorted(errors))
        detail = f"Some query parameters are not valid: {names}."
        if request.path.startswith(API_PREFIX):
            return JsonResponse(
                {"type": "urn:plangov:problem:invalid-input", "title": "Invalid input",
                 "status": 400, "detail": detail, "instance": request.path, "errors": errors},
                status=400, content_type=PROBLEM_CONTENT_TYPE,
            )
        messages = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items())
        return refused(request, status=400, title="Check the address", detail=messages)
