"""Error pages outside /api/ are plangov's own GOV.UK pages (templates/4xx.html, 500.html,
extending base.html), not viewflow's Material ones; under /api/ they stay problem+json."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from plangov import problems


def test_a_missing_page_is_the_govuk_404(client, db):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<title>Page not found — plangov</title>" in html
    assert 'class="govuk-template' in html and "govuk-heading-l" in html


def test_the_api_still_answers_problem_json(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(("handler", "status", "title"), [
    (problems.handler400, 400, "Check the address"),
    (problems.handler403, 403, "You do not have permission to see this page"),
])
def test_the_other_client_errors_render_from_base(db, handler, status, title):
    request = RequestFactory().get("/plans/")
    response = handler(request, Exception("no"))
    assert response.status_code == status
    assert f"<title>{title} — plangov</title>" in response.content.decode()


def test_the_server_error_page_renders_without_a_request_context(db):
    response = problems.handler500(RequestFactory().get("/plans/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html and "govuk-template" in html
