"""Response headers (issue 13, headers): a strict Content-Security-Policy on every page (no
inline script or style), its looser variant on the API docs page only, Permissions-Policy,
and the other security headers; no template a browser is served holds inline script or style
(the signed PDFs' templates, rendered by WeasyPrint, are not served, so not covered)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tests.conftest import World, make_plan

ROOT = Path(__file__).resolve().parents[2]


def directives(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict(response: Any) -> None:
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert "worker-src" not in policy


def assert_security_headers(response: Any) -> None:
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/verify/", "/accessibility/",
                                 "/no-such-page/", "/api/v1/plans/", "/api/schema/"])
def test_public_pages_and_answers_send_the_strict_policy(db: None, client: Any,
                                                         url: str) -> None:
    response = client.get(url)
    assert response.status_code in (200, 401, 403, 404)
    assert_strict(response)
    assert_security_headers(response)


def test_signed_in_pages_send_the_strict_policy(world: World, client: Any) -> None:
    plan = make_plan(world)
    client.force_login(world.lead)
    for url in ("/", "/plans/", "/tasks/", f"/plans/{plan.pk}/", "/admin/"):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert_strict(response)
        assert_security_headers(response)


def test_only_the_api_docs_page_loosens_the_policy(db: None, client: Any) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = directives(response)
    # Redoc's injected <style> elements, its search worker from a blob: URL, data: icons.
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["worker-src"] == ["'self'", "blob:"]
    assert policy["img-src"] == ["'self'", "data:"]
    # Its scripts are still ours only, and nothing else is loosened.
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert_security_headers(response)
    # The same pages around it stay strict.
    assert_strict(client.get("/api/schema/"))
    assert_strict(client.get("/accessibility/"))


def test_no_url_but_the_api_docs_is_given_a_looser_policy() -> None:
    """Every view in the URL configuration: only plangov.views.api_docs carries a policy
    change (django-csp's decorators mark the response, so look for the decorator's wrapper
    by name on each view's closure chain)."""
    from django.urls import get_resolver

    from plangov import views

    loosened = []

    def walk(patterns: Any, prefix: str = "") -> None:
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            callback = pattern.callback
            seen = set()
            while callback is not None and id(callback) not in seen:
                seen.add(id(callback))
                code = getattr(callback, "__code__", None)
                if code is not None and "csp" in code.co_filename.replace("\\", "/").split(
                        "/")[-2:-1]:
                    loosened.append(prefix + str(pattern.pattern))
                    break
                callback = getattr(callback, "__wrapped__", None)

    walk(get_resolver().url_patterns)
    assert loosened == ["api/docs/"]
    assert views.api_docs is get_resolver().resolve("/api/docs/").func


@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_the_production_https_redirect_spares_the_health_check(client: Any, path: str) -> None:
    # production.py's values (tests/plangov/test_deploy_check.py reads them from there).
    with override_settings(SECURE_SSL_REDIRECT=True,
                           SECURE_REDIRECT_EXEMPT=[r"^healthz/?$"],
                           SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        page = client.get("/accessibility/")
        assert page.status_code == 301
        assert page["Location"] == "https://testserver/accessibility/"
        proxied = client.get("/accessibility/", headers={"X-Forwarded-Proto": "https"})
        assert proxied.status_code == 200
        health = client.get(path)
        assert health.status_code != 301


# Templates: no inline script or style in anything a browser is served.

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
     "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I), "an on*= handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def served_templates() -> list[Path]:
    pdf_frame = "documents/_base.html"
    found = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if not path.is_file() or path.suffix not in (".html", ".svg", ".txt"):
            continue
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(ROOT / "templates").as_posix()
        # The signed PDFs' templates: WeasyPrint's input, never served to a browser.
        if relative == pdf_frame or f'extends "{pdf_frame}"' in text:
            continue
        found.append(path)
    return found


def test_no_served_template_holds_inline_script_or_style() -> None:
    templates = served_templates()
    assert len(templates) > 50
    problems = []
    for path in templates:
        # Comments may talk about what they do not do.
        text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "",
                      path.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r"{#.*?#}", "", text, flags=re.S)
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert problems == []


def test_no_html_or_svg_made_in_python_holds_inline_script_or_style() -> None:
    """The HTML and SVG plangov writes in Python (sparklines, analysis charts, the timeline,
    template tags) style by classes and SVG presentation attributes only. The signed PDFs'
    own charts (documents/publishing) are WeasyPrint's input, never served."""
    markup = [
        (re.compile(r"<[a-zA-Z][^>]*\sstyle=", re.I), "a style= attribute"),
        (re.compile(r"<style\b", re.I), "a <style> block"),
        (re.compile(r"<script\b", re.I), "a <script>"),
        (re.compile(r"<[a-zA-Z][^>]*\son[a-z]+=", re.I), "an on*= handler"),
        (re.compile(r"""["']\s*javascript:""", re.I), "a javascript: URL"),
    ]
    sources = [
        path for package in ("plangov", "governance", "documents", "workflows")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
        and not path.is_relative_to(ROOT / "documents" / "publishing")
    ]
    assert any(path.name == "sparkline.py" for path in sources)
    problems = []
    for path in sources:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if line.lstrip().startswith("#"):
                continue
            for pattern, what in markup:
                if pattern.search(line):
                    problems.append(f"{path.relative_to(ROOT)}:{number}: {what}")
    assert problems == []
