"""Content-Security-Policy violations in the browser journeys fail the test that caused them.

``CspWatchingBrowser`` wraps the Chromium the ``browser`` fixture (tests/browser/test_journey.py)
launches: every context it opens (``new_context``, ``new_page``) records, on every page,

- each ``securitypolicyviolation`` event (an init script, run before the page's own scripts,
  pushes it onto ``window.__cspViolations`` and hands it to Python through a binding, so a
  violation on a page the test has since left is not lost), and
- each console message naming the Content Security Policy (Chromium logs every refused
  inline script or style there, with JavaScript on or off).

The fixture calls ``assert_none()`` when the test ends: one violation anywhere fails it, listing
the page, the directive and what was refused."""

from __future__ import annotations

from typing import Any

INIT_SCRIPT = """
(() => {
  window.__cspViolations = window.__cspViolations || [];
  document.addEventListener('securitypolicyviolation', (event) => {
    const violation = {
      page: document.location.href,
      directive: event.effectiveDirective || event.violatedDirective,
      blocked: event.blockedURI,
      source: event.sourceFile ? `${event.sourceFile}:${event.lineNumber}` : '',
      sample: event.sample || '',
    };
    window.__cspViolations.push(violation);
    if (typeof window.__plangovCspViolation === 'function') {
      window.__plangovCspViolation(violation);
    }
  });
})();
"""


class CspWatchingBrowser:
    """The Playwright Browser, with every context it opens watching for CSP violations."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.violations: list[str] = []
        self._contexts: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)

    def new_context(self, **kwargs: Any) -> Any:
        context = self._browser.new_context(**kwargs)
        self.watch(context)
        return context

    def new_page(self, **kwargs: Any) -> Any:
        return self.new_context(**kwargs).new_page()

    def watch(self, context: Any) -> None:
        self._contexts.append(context)
        context.expose_binding(
            "__plangovCspViolation",
            lambda source, violation: self._record_event(violation),
        )
        context.add_init_script(INIT_SCRIPT)
        context.on("page", self._watch_page)
        for page in context.pages:
            self._watch_page(page)

    def _watch_page(self, page: Any) -> None:
        page.on("console", lambda message: self._record_console(page, message))

    def _record_event(self, violation: dict[str, Any]) -> None:
        self.violations.append(
            f"{violation.get('page')}: refused by {violation.get('directive')}: "
            f"{violation.get('blocked') or 'inline'} {violation.get('source') or ''} "
            f"{violation.get('sample') or ''}".rstrip()
        )

    def _record_console(self, page: Any, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.violations.append(f"{page.url}: console: {text}")

    def collect_open_pages(self) -> None:
        """Read back ``window.__cspViolations`` from the pages still open: a violation whose
        binding call had not reached Python yet is counted too."""
        seen = set(self.violations)
        for context in self._contexts:
            for page in context.pages:
                if page.is_closed():
                    continue
                try:
                    recorded = page.evaluate("() => window.__cspViolations || []")
                except Exception:  # a page mid-navigation, or JavaScript off
                    continue
                for violation in recorded:
                    before = len(self.violations)
                    self._record_event(violation)
                    if self.violations[-1] in seen:
                        del self.violations[before:]

    def assert_none(self) -> None:
        self.collect_open_pages()
        unique = list(dict.fromkeys(self.violations))
        assert not unique, (
            f"{len(unique)} Content-Security-Policy violation(s) in the browser:\n  "
            + "\n  ".join(unique)
        )
