"""The OpenAPI schema says every answer an operation can give, errors included.

Every error is an RFC 9457 problem document (``application/problem+json``, see
plangov.problems). The schema class below adds to each operation the error statuses that apply
to it, each with the Problem schema and that media type, so that a client (and schemathesis)
can check every answer against the schema:

- 400 everywhere (query parameters, bodies, pagination);
- 401 and 403 where the view authenticates and has permissions;
- 404 where the path names something (an id, a version, an action);
- 409 for every change made by a signed-in person (a wrong stage, a concurrent change);
- 413 and 415 where a request body is read;
- 429 where the view throttles (none yet);
- and any error status an operation declares itself with ``PROBLEM``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from .ids import ID_REGEX, INT64_MAX

PROBLEM_MEDIA_TYPE = "application/problem+json"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem document."""

    type = serializers.CharField(help_text="urn:plangov:problem:<kind>")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False, help_text="The path asked for.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="400 only: each wrong field (dotted path; 'request' for the request as a "
        "whole) and its messages.",
    )
    stage = serializers.CharField(required=False, help_text="409 wrong-stage only.")
    draft = serializers.JSONField(
        required=False,
        help_text="412 on a plan's draft only: the draft as it is saved now (content, "
        "revision, warnings...), so the client can show both.",
    )
    possible_actions = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="409 wrong-stage only: the actions possible from the plan's stage.",
    )


# Declare an error status on an operation: ``responses={404: PROBLEM}``.
PROBLEM = OpenApiResponse(response=ProblemSerializer,
                          description="An RFC 9457 problem document.")

DESCRIPTIONS = {
    400: "Invalid input: the problem's `errors` names each wrong field or parameter.",
    401: "Not signed in, or the token is not valid.",
    403: "Signed in, but not permitted to do this.",
    404: "Not found, or not yours to see.",
    406: "No acceptable representation for the Accept header.",
    409: "Not possible in the plan's current state, or a concurrent change.",
    410: "Gone.",
    412: "A precondition failed.",
    413: "The request body is too large.",
    415: "The request body's media type is not accepted.",
    428: "Precondition required: send If-Match with the ETag you read.",
    429: "Too many requests: wait for Retry-After.",
}


class AutoSchema(SpectacularAutoSchema):
    def _resolve_path_parameters(self, variables: Any) -> list[dict[str, Any]]:
        # A path id matches ID_REGEX; say what it is: a positive 64-bit whole number.
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("pattern") == f"^{ID_REGEX}$":
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": INT64_MAX}
        return parameters

    def _problem_statuses(self) -> set[int]:
        view = self.view
        codes = {400}
        authenticated = bool(getattr(view, "authentication_classes", ()))
        if authenticated:
            codes.add(401)  # a token that is not valid is refused even where none is needed
        permissions = getattr(view, "permission_classes", ())
        public = not permissions or all(p is AllowAny for p in permissions)
        if not public:
            codes.add(403)
        if "{" in self.path:
            codes.add(404)
        if self.method in UNSAFE and not public:
            codes.add(409)
        if self.method in UNSAFE and self.get_request_serializer() is not None:
            codes.update({413, 415})
        if getattr(view, "throttle_classes", ()):
            codes.add(429)
        return codes

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
        for code in sorted(declared | self._problem_statuses()):
            existing = responses.get(str(code), {})
            response = self._get_response_for_code(
                ProblemSerializer, str(code), [PROBLEM_MEDIA_TYPE], direction
            )
            response["description"] = (
                DESCRIPTIONS.get(code) or existing.get("description") or "A problem document."
            )
            responses[str(code)] = response
        return dict(sorted(responses.items()))
