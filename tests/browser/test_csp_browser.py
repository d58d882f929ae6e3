"""The browser fixture's CSP watcher (tests/browser/csp.py) sees a violation: a page served
with plangov's policy and an inline style and script is reported, with JavaScript on and off;
plangov's own sign-in page, under the same policy, reports nothing; Redoc works under the API
docs page's own looser policy."""

from __future__ import annotations

from typing import Any

import pytest

from .test_journey import browser  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.once, pytest.mark.django_db(transaction=True)]

BAD_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><title>bad</title>"
    "<style>body { color: red; }</style></head>"
    "<body><p style='color: blue'>x</p><script>document.title = 'ran';</script></body></html>"
)


def _serve_bad_page(context: Any, live_server: Any) -> str:
    from csp.utils import build_policy
    from django.conf import settings

    policy = build_policy(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    url = f"{live_server.url}/csp-watcher-check/"
    context.route(url, lambda route: route.fulfill(
        status=200, body=BAD_PAGE, content_type="text/html",
        headers={"Content-Security-Policy": policy}))
    return url


@pytest.mark.parametrize("javascript", [True, False])
def test_the_watcher_reports_an_inline_style_and_script(browser: Any,  # noqa: F811
                                                        live_server: Any,
                                                        javascript: bool) -> None:
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(_serve_bad_page(context, live_server))
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)  # the binding's calls reach Python
    browser.collect_open_pages()
    found = list(browser.violations)
    assert found, "the inline <style>, style= and <script> were not reported"
    assert any("style-src" in v for v in found), found
    if javascript:
        assert page.title() == "bad"  # the inline script was refused
        assert any("script-src" in v for v in found), found
    # This test caused them on purpose: the fixture's check at teardown must pass.
    browser.violations.clear()
    context.close()


def test_the_sign_in_page_reports_nothing(browser: Any, live_server: Any) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("load")
    header = page.evaluate(
        "async () => (await fetch(location.href)).headers.get('content-security-policy')")
    assert "script-src 'self'" in header and "unsafe-inline" not in header
    page.wait_for_timeout(200)
    browser.collect_open_pages()
    assert browser.violations == []


def test_redoc_renders_the_api_docs_under_its_own_policy(browser: Any,  # noqa: F811
                                                         live_server: Any) -> None:
    page = browser.new_page()
    page.goto(f"{live_server.url}/api/docs/")
    page.get_by_text("Workflow and approval engine").first.wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    browser.collect_open_pages()
    # Redoc's footer shows Redocly's logo from their CDN: the policy refuses it (nothing on
    # this page is fetched from another host), and that refusal is the only one.
    logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
    others = [v for v in browser.violations if logo not in v]
    assert others == []
    assert any(logo in v for v in browser.violations)
    page.context.close()  # its window.__cspViolations too: the fixture's check must pass
    browser.violations.clear()
