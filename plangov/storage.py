"""Static files in production: WhiteNoise's compressed, hashed copies, forgiving one thing.

Some third-party stylesheets collected with every app's static files (viewflow's own UI,
which plangov does not serve) name font files their package does not ship. Django's manifest
storage would fail the whole ``collectstatic`` on them; here such a reference is left as it
was written (it would 404 there, as it does now). Every file plangov serves is hashed."""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def hashed_name(self, name: str, content: Any = None, filename: str | None = None) -> str:
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if content is None and not self.exists(self.clean_name(name)):
                return name
            raise
