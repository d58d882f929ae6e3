"""Bad ids, numbers and text found by a probe of the API: each a clear 400 or 404 problem,
never a server error (issue 12, item 5). Run on SQLite and PostgreSQL: SQLite overflows past
64 bits, PostgreSQL refuses NUL in any string."""

from __future__ import annotations

import pytest

from governance.models import AuditEvent
from plangov.ids import INT64_MAX, to_int
from tests.conftest import make_plan, open_task, submitted_plan

from .conftest import plan_url, problem

# Ids no route or column can hold: a word, a decimal, a negative, Unicode digits that
# str.isdigit() accepts and int() refuses (superscript one, Arabic-Indic one, fullwidth one),
# and numbers past a signed 64-bit integer.
BAD_IDS = ["abc", "1.5", "-1", "0", "\u00b9", "\u0661", "\uff11", "99999999999999999999",
           str(INT64_MAX + 1)]
TOO_BIG = "99999999999999999999"


@pytest.mark.parametrize("value", BAD_IDS)
@pytest.mark.parametrize("tail", ["", "versions/", "decisions/", "history/", "versions/1/"])
def test_a_bad_plan_id_in_the_path_is_not_found(world, as_user, value, tail):
    make_plan(world)
    problem(as_user(world.lead).get(f"/api/v1/plans/{value}/{tail}"), 404)


@pytest.mark.parametrize("value", BAD_IDS)
@pytest.mark.parametrize("tail", ["versions/", "decisions/", "actions/submit/"])
def test_a_bad_plan_id_in_the_path_of_a_change_is_not_found_and_writes_nothing(
    world, as_user, value, tail
):
    make_plan(world)
    before = AuditEvent.objects.count()
    problem(as_user(world.lead).post(f"/api/v1/plans/{value}/{tail}", {}), 404)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("number", [TOO_BIG, str(INT64_MAX), "0"])
def test_a_version_number_past_any_version_is_not_found(world, as_user, number):
    plan = make_plan(world)
    problem(as_user(world.lead).get(plan_url(plan, f"versions/{number}/")), 404)


@pytest.mark.parametrize("value", BAD_IDS)
@pytest.mark.parametrize("tail", ["", "claim/"])
def test_a_bad_task_id_is_not_found(world, as_user, value, tail):
    submitted_plan(world)
    api = as_user(world.board_secretary)
    response = api.get(f"/api/v1/tasks/{value}/") if not tail else api.post(
        f"/api/v1/tasks/{value}/{tail}", {})
    problem(response, 404)


@pytest.mark.parametrize("value", BAD_IDS)
def test_a_bad_id_of_a_body_or_document_is_not_found(world, as_user, value):
    problem(as_user(world.lead).get(f"/api/v1/bodies/{value}/"), 404)
    problem(as_user(world.lead).get(f"/api/v1/documents/{value}/"), 404)
    problem(as_user(world.lead).get(f"/api/v1/documents/{value}/file/"), 404)


@pytest.mark.parametrize("value", ["\u00b9", "\u0661", "abc", "-1", "0", "1.5", TOO_BIG])
@pytest.mark.parametrize("url", ["/api/v1/tasks/", "/api/v1/documents/"])
def test_a_bad_plan_filter_is_a_400_naming_it(world, as_user, url, value):
    make_plan(world)
    body = problem(as_user(world.lead).get(url, {"plan": value}), 400)
    assert list(body["errors"]) == ["plan"]


@pytest.mark.parametrize("value", ["\u00b9", "\u0661", TOO_BIG, "yorok-board\x00", "\x00"])
def test_a_bad_body_filter_is_a_400_naming_it(world, as_user, value):
    submitted_plan(world)
    body = problem(as_user(world.board_secretary).get("/api/v1/tasks/", {"body": value}), 400)
    assert list(body["errors"]) == ["body"]


def test_the_body_filter_still_takes_a_slug_or_an_id(world, as_user):
    plan = submitted_plan(world)
    api = as_user(world.board_secretary)
    task = open_task(plan, world.board)
    for key in ("yorok-board", str(world.board.pk)):
        ids = [t["id"] for t in api.get("/api/v1/tasks/", {"body": key}).json()["results"]]
        assert ids == [task.pk]


@pytest.mark.parametrize(
    ("url", "name"),
    [("/api/v1/tasks/", "view"), ("/api/v1/plans/", "stage"), ("/api/v1/tasks/", "body")],
)
@pytest.mark.parametrize("value", ["\x00", "open\x00", "a\x1fb", "\x85"])
def test_a_control_character_in_a_text_filter_is_a_400_naming_it(world, as_user, url, name,
                                                                  value):
    body = problem(as_user(world.lead).get(url, {name: value}), 400)
    assert list(body["errors"]) == [name]
    assert "U+" in body["errors"][name][0]


@pytest.mark.parametrize("value", [TOO_BIG, INT64_MAX + 1, 10**30, "\u00b9", True, 1.5])
def test_an_id_no_column_can_hold_in_a_body_is_a_400(world, as_user, value):
    plan = make_plan(world)
    api = as_user(world.lead)
    body = problem(api.post("/api/v1/documents/", {"plan": value, "kind": "plan"}), 400)
    assert list(body["errors"]) == ["plan"]
    before = AuditEvent.objects.count()
    body = problem(api.post(plan_url(plan, "actions/supersede/"), {"successor": value}), 400)
    assert list(body["errors"]) == ["successor"]
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("name", ["limit", "offset"])
@pytest.mark.parametrize(
    "value", ["-1", "abc", "1.5", "\u00b9", "\u0661", "\uff15", " 5", "99999999999999999999",
              str(INT64_MAX + 1)],
)
@pytest.mark.parametrize(
    "url", ["/api/v1/plans/", "/api/v1/tasks/", "/api/v1/bodies/", "/api/v1/documents/",
            "history/", "versions/", "decisions/"],
)
def test_a_bad_limit_or_offset_is_a_400_naming_it(world, as_user, url, name, value):
    plan = make_plan(world)
    if not url.startswith("/"):
        url = plan_url(plan, url)
    body = problem(as_user(world.lead).get(url, {name: value}), 400)
    assert list(body["errors"]) == [name]


@pytest.mark.parametrize(("limit", "ok"), [("0", False), ("1", True), ("500", True),
                                           ("501", False)])
def test_the_limit_runs_from_1_to_500(world, as_user, limit, ok):
    make_plan(world)
    response = as_user(world.lead).get("/api/v1/plans/", {"limit": limit})
    if ok:
        assert response.status_code == 200 and response.json()["count"] == 1
    else:
        assert list(problem(response, 400)["errors"]) == ["limit"]


def test_to_int_reads_ascii_digits_in_range_only():
    assert to_int("0") == 0 and to_int("42") == 42 and to_int(7) == 7
    assert to_int(str(INT64_MAX)) == INT64_MAX
    for bad in ("", "+1", "-1", " 1", "1 ", "\u00b9", "\u0661", "1e3", str(INT64_MAX + 1),
                "0" * 30 + "1", True, 1.0, None, INT64_MAX + 1):
        assert to_int(bad) is None, bad
