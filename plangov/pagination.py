"""Pagination for every API list: limit and offset, with a ceiling on the limit, so that an
absurd ``?limit=`` is a short page rather than a number the database cannot hold."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    max_limit = 500
