"""HTML to an archival, tagged PDF (PDF/A-3u with a structure tree) with WeasyPrint.

Nothing is fetched while rendering: the URL fetcher refuses every URL but inline ``data:``
ones, so plan content naming a remote image or stylesheet can neither leak a request nor
change the document. Templates escape plan content (Django's autoescape); no content is ever
marked safe.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# PDF/A-3u: archival, every character mapped to Unicode; WeasyPrint adds the structure tree
# with pdf_tags. (WeasyPrint's "pdf/ua-1" variant cannot be combined with PDF/A in one file;
# tagging, language, title and text alternatives give the accessibility PDF/UA asks for.)
PDF_VARIANT = "pdf/a-3u"


@functools.cache
def _refusing_fetcher_class() -> type:
    # WeasyPrint takes over a second to import (fonts, fontTools, lxml): it loads when the
    # first document is rendered, not with this module, so commands that never render (and
    # Django's system checks, which import every view) do not pay for it.
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):
        """Refuses every URL except inline data: URLs, and remembers what it refused."""

        def __init__(self) -> None:
            super().__init__(timeout=1, allowed_protocols={"data"}, allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
            if not url.startswith("data:"):
                self.refused.append(url)
                log.warning("Rendering refused to fetch %s", url[:200])
                raise ValueError(f"plangov documents fetch nothing: refused {url[:200]}")
            return super().fetch(url, headers)

    RefusingFetcher.__module__ = __name__
    RefusingFetcher.__qualname__ = "RefusingFetcher"
    return RefusingFetcher


def __getattr__(name: str) -> Any:
    """``RefusingFetcher`` is made on first use (importing it imports WeasyPrint)."""
    if name == "RefusingFetcher":
        return _refusing_fetcher_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def html_to_pdf(
    html: str, *, fetcher: Any = None,
    on_layout: Callable[[int], None] | None = None,
) -> tuple[bytes, int]:
    """Render ``html`` to PDF bytes; returns (bytes, page count). ``on_layout`` hears the page
    count once layout is done, before the (slower) PDF is written. ``fetcher`` is a
    ``RefusingFetcher`` (a fresh one by default)."""
    from weasyprint import HTML

    fetcher = fetcher or _refusing_fetcher_class()()
    document = HTML(string=html, base_url="about:blank", url_fetcher=fetcher).render(
        pdf_variant=PDF_VARIANT, pdf_tags=True
    )
    pages = len(document.pages)
    if on_layout is not None:
        on_layout(pages)
    data = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    return data, pages
