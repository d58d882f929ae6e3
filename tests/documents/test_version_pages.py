"""The versions pages: reading a version, the list of versions with their decisions, and the
comparison of two; who may see them; bad from/to; HTML typed into content shown as text."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from documents.models import PlanVersion
from documents.services import version_create
from tests.conftest import decide, make_plan, open_task, submitted_plan
from tests.factories import valid_content
from workflows.services import plan_submit

SCRIPT = '<script>alert("x")</script><b>bold</b>'


def text(response: Any) -> str:
    return response.content.decode()


def content_with(**changes: Any) -> dict[str, Any]:
    content = valid_content()
    content.update(changes)
    return content


@pytest.fixture
def plan(world: Any, frozen_clock: Any) -> Any:
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content(
        joint_priorities=[{"title": "Early help", "bodies": ["yorok-board",
                                                             "safeguarding-board"]}]))
    second = valid_content(vision="In York we know that our children are our future.")
    second["actions"] = [*second["actions"], {  # type: ignore[list-item]
        "title": "Open two youth centres", "kind": "continuous_improvement",
        "outcome": "safe", "lead": "Head of Youth Services"}]
    version_create(plan=plan, actor=world.lead, content=second)
    return plan


def test_reading_a_version_shows_its_content_with_metadata(world, plan, client):
    client.force_login(world.board_secretary)
    response = client.get(f"/plans/{plan.pk}/versions/1/")
    assert response.status_code == 200
    page = text(response)
    version = PlanVersion.objects.get(plan=plan, number=1)
    for words in ("In York we recognise that our children are our future.", "Being healthy",
                  "All children are active and eat healthily", "Obesity in reception year",
                  "Extend healthy schools programme", "Immediate priority action",
                  "Narrowing the gap", "Early help",
                  # body names, not slugs, for a joint priority
                  "YorOK Board, Children&#x27;s Safeguarding Board",
                  version.content_hash[:12], 'href="#vision"', 'href="#indicators"',
                  'id="joint-priorities"', "Read version 2"):
        assert words in page, words
    # The chart, with its text alternative, and the same figures in a table.
    assert "<svg" in page and "<title>Chart of Being healthy." in page
    assert "8.9%" in page and "<table" in page
    # No inline style anywhere on the page's content.
    body = page.split('id="main-content"', 1)[-1]
    assert 'style="' not in body
    assert f'href="/plans/{plan.pk}/versions/compare/?from=1&amp;to=2"' not in page
    second = text(client.get(f"/plans/{plan.pk}/versions/2/"))
    assert f'href="/plans/{plan.pk}/versions/compare/?from=1&amp;to=2"' in second


@pytest.mark.parametrize("who", ["outsider"])
def test_pages_are_404_for_people_who_cannot_see_the_plan(world, plan, client, who):
    client.force_login(getattr(world, who))
    for url in (f"/plans/{plan.pk}/versions/", f"/plans/{plan.pk}/versions/1/",
                f"/plans/{plan.pk}/versions/compare/?from=1&to=2"):
        assert client.get(url).status_code == 404, url


def test_an_auditor_reads_versions(world, plan, client):
    client.force_login(world.auditor)
    assert client.get(f"/plans/{plan.pk}/versions/1/").status_code == 200
    assert client.get(f"/plans/{plan.pk}/versions/compare/?from=1&to=2").status_code == 200


def test_a_version_that_does_not_exist_is_404(world, plan, client):
    client.force_login(world.lead)
    assert client.get(f"/plans/{plan.pk}/versions/3/").status_code == 404
    assert client.get(f"/plans/{plan.pk}/versions/99999999999999999999/").status_code == 404
    assert client.get("/plans/99999999999999999999/versions/").status_code == 404


def test_signing_in_is_needed(plan, client):
    response = client.get(f"/plans/{plan.pk}/versions/1/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_versions_list_links_each_version_to_its_decisions(world, frozen_clock, client):
    plan = submitted_plan(world)
    decide(world, plan, world.board, "referred_back", reasons="More on health.")
    version_create(plan=plan, actor=world.lead, content=content_with(vision="Changed."))
    client.force_login(world.board_secretary)
    page = text(client.get(f"/plans/{plan.pk}/versions/"))
    assert "Version 2" in page and "Version 1" in page
    decision = plan.decisions.get()
    assert f"#decision-{decision.pk}" in page
    assert "YorOK Board: referred back" in page
    assert "?from=1&amp;to=2" in page
    # The compare controls: a GET form that works without JavaScript.
    assert re.search(r'<form[^>]*method="get"[^>]*action="/plans/\d+/versions/compare/"', page)
    assert 'name="from"' in page and 'name="to"' in page


def test_the_versions_list_runs_the_same_queries_for_one_or_many(world, frozen_clock, client,
                                                                  django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    client.force_login(world.lead)
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/plans/{plan.pk}/versions/").status_code == 200
    for n in range(6):
        version_create(plan=plan, actor=world.lead, content=content_with(vision=f"v{n}"))
    with django_assert_num_queries(len(one)):
        response = client.get(f"/plans/{plan.pk}/versions/")
    assert text(response).count("Changes from version") == 6


def test_compare_page_shows_the_changes_side_by_side_with_a_summary(world, plan, client):
    client.force_login(world.board_secretary)
    response = client.get(f"/plans/{plan.pk}/versions/compare/?from=1&to=2")
    assert response.status_code == 200
    page = text(response)
    assert "Changes from version 1 to version 2" in page
    assert "Vision changed" in page and "1 action added" in page
    assert "1 joint priority removed" in page
    # Word-level: marked up as deletions and insertions, with words for a screen reader.
    assert ('<del class="pg-diff-del"><span class="govuk-visually-hidden">deleted: </span>'
            "recognise</del>") in page
    assert ('<ins class="pg-diff-ins"><span class="govuk-visually-hidden">inserted: </span>'
            "know</ins>") in page
    assert "Open two youth centres" in page
    assert "Not in version 1." in page
    assert 'class="govuk-grid-column-one-half pg-side"' in page
    assert 'style="' not in page.split('id="main-content"', 1)[-1]


def test_compare_with_the_same_version_says_so(world, plan, client):
    client.force_login(world.lead)
    page = text(client.get(f"/plans/{plan.pk}/versions/compare/?from=2&to=2"))
    assert "The two versions have the same content." in page


@pytest.mark.parametrize(("query", "fields"), [
    ("", {"from", "to"}),
    ("?from=1", {"to"}),
    ("?from=abc&to=2", {"from"}),
    ("?from=1&to=-2", {"to"}),
    ("?from=1&to=%D9%A1", {"to"}),
    ("?from=1&to=99999999999999999999999", {"to"}),
    ("?from=7&to=2", {"from"}),
    ("?from=0&to=9", {"from", "to"}),
])
def test_bad_from_or_to_is_a_400_naming_the_field(world, plan, client, query, fields):
    client.force_login(world.lead)
    response = client.get(f"/plans/{plan.pk}/versions/compare/{query}")
    assert response.status_code == 400
    page = text(response)
    assert "<title>Error:" in page
    for name in ("from", "to"):
        assert (f'href="#id_{name}"' in page) == (name in fields), name
    if "?from=7" in query:
        assert "This plan has no version 7; its versions are 1 to 2." in page


def test_html_typed_into_content_shows_as_text(world, frozen_clock, client):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    hostile = copy.deepcopy(valid_content(vision=f"Our vision {SCRIPT}"))
    hostile["outcomes"][0]["title"] = f"Healthy {SCRIPT}"  # type: ignore[index]
    hostile["indicators"][0]["title"] = f"KPI {SCRIPT}"  # type: ignore[index]
    hostile["actions"][0]["title"] = f"Extend healthy schools programme {SCRIPT}"  # type: ignore[index]
    hostile["cross_cutting_themes"] = [{"title": SCRIPT}]
    version_create(plan=plan, actor=world.lead, content=hostile)
    client.force_login(world.lead)
    for url in (f"/plans/{plan.pk}/versions/2/", f"/plans/{plan.pk}/versions/compare/?from=1&to=2",
                f"/plans/{plan.pk}/versions/"):
        page = text(client.get(url))
        assert "<script>alert" not in page, url
        assert "<b>bold</b>" not in page, url
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text(
        client.get(f"/plans/{plan.pk}/versions/compare/?from=1&to=2"))


def test_the_plan_page_links_to_its_versions(world, plan, client):
    client.force_login(world.board_secretary)
    page = text(client.get(f"/plans/{plan.pk}/"))
    assert f'href="/plans/{plan.pk}/versions/"' in page
    assert f'href="/plans/{plan.pk}/versions/2/"' in page


def test_a_task_page_links_to_the_version_decided_on(world, frozen_clock, client):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    client.force_login(world.board_secretary)
    page = text(client.get(f"/tasks/{task.pk}/"))
    assert "Read the version decided on" in page
    assert f'href="/plans/{plan.pk}/versions/1/"' in page
    # No earlier decision by this board: the link is to the version itself.
    assert "This board has not decided on an earlier version" in page


def test_a_board_secretary_sees_changes_since_the_version_the_board_last_decided_on(
        world, frozen_clock, client):
    plan = submitted_plan(world)
    decide(world, plan, world.board, "referred_back", reasons="More on health.")
    version_create(plan=plan, actor=world.lead, content=content_with(vision="Changed."))
    version_create(plan=plan, actor=world.lead, content=content_with(vision="Changed again."))
    plan_submit(plan=plan, actor=world.lead)
    task = open_task(plan, world.board)
    client.force_login(world.board_secretary)
    page = text(client.get(f"/tasks/{task.pk}/"))
    assert f'href="/plans/{plan.pk}/versions/compare/?from=1&amp;to=3"' in page
    assert "Changes since the version this board last decided on (version 1)" in page
    assert f'href="/plans/{plan.pk}/versions/3/"' in page


def test_the_executive_report_page_links_to_the_version(world, plan, client):
    client.force_login(world.lead)
    page = text(client.get(f"/plans/{plan.pk}/report/"))
    assert f'href="/plans/{plan.pk}/versions/2/"' in page
