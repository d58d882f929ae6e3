"""HTML to an archival, tagged PDF (PDF/A-3u with a structure tree) with WeasyPrint.

Nothing is fetched while rendering: the URL fetcher refuses every URL but inline ``data:``
ones, so plan content naming a remote image or stylesheet can neither leak a request nor
change the document. Templates escape plan content (Django's autoescape); no content is ever
marked safe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from weasyprint import HTML
from weasyprint.urls import URLFetcher

log = logging.getLogger(__name__)

# PDF/A-3u: archival, every character mapped to Unicode; WeasyPrint adds the structure tree
# with pdf_tags. (WeasyPrint's "pdf/ua-1" variant cannot be combined with PDF/A in one file;
# tagging, language, title and text alternatives give the accessibility PDF/UA asks for.)
PDF_VARIANT = "pdf/a-3u"


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


def html_to_pdf(
    html: str, *, fetcher: RefusingFetcher | None = None,
    on_layout: Callable[[int], None] | None = None,
) -> tuple[bytes, int]:
    """Render ``html`` to PDF bytes; returns (bytes, page count). ``on_layout`` hears the page
    count once layout is done, before the (slower) PDF is written."""
    fetcher = fetcher or RefusingFetcher()
    document = HTML(string=html, base_url="about:blank", url_fetcher=fetcher).render(
        pdf_variant=PDF_VARIANT, pdf_tags=True
    )
    pages = len(document.pages)
    if on_layout is not None:
        on_layout(pages)
    data = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    return data, pages
