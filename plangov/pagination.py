"""Pagination for every API list: limit and offset. A limit outside 1 to 500 or an offset
that is not a whole number a 64-bit column can hold is a 400 naming the parameter (never
silently replaced by the default), and the schema says the same bounds."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from .errors import InvalidInput
from .ids import INT64_MAX, query_int


class Pagination(LimitOffsetPagination):
    max_limit = 500

    def _read(self, request: Request) -> tuple[int, int]:
        params, errors = request.query_params, {}
        limit, offset = self.default_limit, 0
        try:
            limit = query_int(params, self.limit_query_param, minimum=1,
                              maximum=self.max_limit) or limit
        except InvalidInput as exc:
            errors.update(exc.errors)
        try:
            offset = query_int(params, self.offset_query_param) or 0
        except InvalidInput as exc:
            errors.update(exc.errors)
        if errors:
            raise InvalidInput(errors)
        return limit, offset

    def get_limit(self, request: Request) -> int:
        return self._read(request)[0]

    def get_offset(self, request: Request) -> int:
        return self._read(request)[1]

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self._read(request)  # both parameters checked before any query
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": INT64_MAX},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
