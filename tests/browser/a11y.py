"""Accessibility checks for the browser journeys.

``check_page(page)`` injects axe-core (``tests/browser/vendor/axe.min.js``, axe-core from npm,
pinned and vendored by ``scripts/vendor-frontend``; MPL-2.0) into the page Playwright has open,
runs it, and fails listing every violation of impact "serious" or "critical".
``check_narrow(page)`` lays the page out 390 px wide (a small phone) and fails if it scrolls
sideways; the viewport is put back afterwards.

Call both on every page a journey visits: ``checked(page)`` does both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")
NARROW = 390


def _describe(violation: dict[str, Any]) -> str:
    nodes = violation.get("nodes", [])
    where = "; ".join(
        f"{' '.join(node.get('target', []))}: {node.get('failureSummary', '').strip()}"
        for node in nodes[:5]
    )
    more = f" (and {len(nodes) - 5} more)" if len(nodes) > 5 else ""
    return (f"[{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation.get('helpUrl', '')})\n    {where}{more}")


def inject_axe(page: Any) -> None:
    """axe-core into the open page, once. Through DevTools, which the page's
    Content-Security-Policy does not govern: add_script_tag would add an inline <script> that
    the policy rightly refuses (and the browser fixture would fail the test for it)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")


def check_page(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page; fail on any serious or critical violation. Returns every
    violation (minor and moderate ones too), for a test that wants to look at them."""
    page.wait_for_load_state("load")
    inject_axe(page)
    results = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations']})"
    )
    violations = results["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING]
    assert not blocking, (
        f"axe-core found {len(blocking)} serious or critical violation(s) on {page.url}:\n"
        + "\n".join(_describe(v) for v in blocking)
    )
    return violations


def check_narrow(page: Any, width: int = NARROW) -> None:
    """At ``width`` px the page must not scroll sideways (wide tables scroll in their own
    box). The viewport is restored afterwards."""
    before = page.viewport_size or {"width": 1280, "height": 900}
    page.set_viewport_size({"width": width, "height": before["height"]})
    try:
        page.wait_for_timeout(50)  # let the layout settle
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        if scroll_width > width:
            wide = page.evaluate(
                """(width) => Array.from(document.querySelectorAll('body *'))
                    .filter(e => e.getBoundingClientRect().right > width + 1)
                    .filter(e => !e.closest('.pg-table-scroll, .pg-timeline'))
                    .slice(0, 5)
                    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                         + (e.className && e.className.baseVal === undefined
                            ? '.' + String(e.className).trim().split(/\\s+/).join('.') : ''))""",
                width,
            )
            raise AssertionError(
                f"{page.url} scrolls sideways at {width} px: scrollWidth {scroll_width}. "
                f"Too wide: {', '.join(wide) or 'unknown'}"
            )
    finally:
        page.set_viewport_size(before)


def checked(page: Any) -> Any:
    """Both checks on the page now open; returns the page, for chaining."""
    check_page(page)
    check_narrow(page)
    return page
