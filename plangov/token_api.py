"""The API token endpoint: DRF's, reading its body with plangov's parsers (JSON only, through
the text policy), so it refuses deep or bad input with a 400 like every other endpoint."""

from __future__ import annotations

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings


class TokenView(ObtainAuthToken):
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES


token_view = TokenView.as_view()
