"""What every page's frame needs: the council's name (PLANGOV_ORGANISATION_NAME)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def organisation(request: HttpRequest) -> dict[str, str]:
    return {"organisation_name": settings.PLANGOV_ORGANISATION_NAME}
