"""The monitoring API: an indicator's readings, the scorecard, RAG thresholds."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import IndicatorReading
from documents.monitoring.api import ScorecardSerializer
from tests.api.conftest import audit_events, other_partnership_plan, plan_url, problem
from tests.conftest import World, make_plan
from tests.documents.monitoring_helpers import adopted, bulk_readings, indicators, months
from tests.factories import valid_content

KEY = "obesity-reception"
BODY = {"value": 9.1, "period_label": "2009/10", "period_start": "2009-04-01",
        "period_end": "2010-03-31", "measured_on": "2010-06-01",
        "source": "NCMP", "commentary": "Down from 9.8."}


@pytest.fixture
def plan(world: World, frozen_clock: Any) -> Any:
    return adopted(world)


def readings_url(plan: Any, key: str = KEY) -> str:
    return plan_url(plan, f"indicators/{key}/readings/")


def test_record_and_list_a_reading(world: World, plan: Any, as_user: Any) -> None:
    api = as_user(world.lead)
    events = audit_events()
    response = api.post(readings_url(plan), BODY, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["value"] == 9.1 and body["current"] is True and body["supersedes"] is None
    assert body["entered_by"] == "lead"
    assert response["Location"] == f"{readings_url(plan)}{body['id']}/"
    assert audit_events() == events + 1
    assert api.get(response["Location"]).json() == body
    listed = api.get(readings_url(plan)).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]


def test_a_correction_and_the_superseded_flag(world: World, plan: Any, as_user: Any) -> None:
    api = as_user(world.lead)
    first = api.post(readings_url(plan), BODY, format="json").json()
    again = api.post(readings_url(plan), {**BODY, "value": 9.3}, format="json")
    assert "period_label" in problem(again, 400)["errors"]
    fixed = api.post(readings_url(plan), {**BODY, "value": 9.3, "corrects": first["id"],
                                          "reason": "Revised figure."}, format="json")
    assert fixed.status_code == 201, fixed.content
    assert fixed.json()["supersedes"] == first["id"]
    current = api.get(readings_url(plan)).json()["results"]
    assert [r["value"] for r in current] == [9.3]
    every = api.get(readings_url(plan), {"include_superseded": "true"}).json()["results"]
    assert {r["id"]: r["current"] for r in every} == {first["id"]: False,
                                                      fixed.json()["id"]: True}
    problem(api.get(readings_url(plan), {"include_superseded": "maybe"}), 400)


@pytest.mark.parametrize(("change", "field"), [
    ({"value": "ten"}, "value"),
    ({"period_start": "2008-01-01"}, "period_start"),
    ({"period_end": "2013-03-31"}, "period_end"),
    ({"measured_on": "2030-01-01"}, "measured_on"),
    ({"period_start": "31/03/2010"}, "period_start"),
    ({"commentary": "a\u0000b"}, "commentary"),
])
def test_bad_input_is_a_400_naming_the_field(world: World, plan: Any, as_user: Any,
                                            change: dict[str, Any], field: str) -> None:
    events = audit_events()
    body = problem(as_user(world.lead).post(readings_url(plan), {**BODY, **change},
                                            format="json"), 400)
    assert field in body["errors"], body
    assert not IndicatorReading.objects.exists()
    assert audit_events() == events


def test_an_unknown_indicator(world: World, plan: Any, as_user: Any) -> None:
    api = as_user(world.lead)
    body = problem(api.post(readings_url(plan, "no-such"), BODY, format="json"), 400)
    assert "indicator" in body["errors"]
    problem(api.get(readings_url(plan, "no-such")), 404)


def test_before_adoption_it_is_409(world: World, frozen_clock: Any, as_user: Any) -> None:
    plan = make_plan(world)
    api = as_user(world.lead)
    problem(api.post(readings_url(plan), BODY, format="json"), 409)
    problem(api.get(readings_url(plan)), 409)
    problem(api.get(plan_url(plan, "scorecard/")), 409)


def test_who_may_see_and_record(world: World, plan: Any, as_user: Any) -> None:
    problem(as_user(world.board_secretary).post(readings_url(plan), BODY, format="json"), 403)
    problem(as_user(world.auditor).post(readings_url(plan), BODY, format="json"), 403)
    assert as_user(world.auditor).get(readings_url(plan)).status_code == 200
    assert as_user(world.board_secretary).get(plan_url(plan, "scorecard/")).status_code == 200
    problem(as_user(world.outsider).get(readings_url(plan)), 404)
    problem(as_user(world.outsider).post(readings_url(plan), BODY, format="json"), 404)
    problem(as_user(world.outsider).get(plan_url(plan, "scorecard/")), 404)
    other = other_partnership_plan()
    problem(as_user(world.lead).get(plan_url(other, "scorecard/")), 404)
    assert not IndicatorReading.objects.exists()


def test_the_scorecard(world: World, frozen_clock: Any, as_user: Any) -> None:
    plan = adopted(world, valid_content(indicators=indicators(4)))
    periods = months(datetime.date(2009, 4, 1), 3)
    # ind-0 (higher, target 100): 80, 90, 99 -> improved, green within 0%? 1% off: amber.
    # ind-1 (lower, target 10): 30, 20, 25 -> worse, red.
    # ind-2: one reading only -> not comparable. ind-3: none.
    values = {0: [80, 90, 99], 1: [30, 20, 25], 2: [None, None, 100]}
    bulk_readings(plan, world.lead, ["ind-0", "ind-1"], periods,
                  value=lambda i, j: float(values[i][j]))
    bulk_readings(plan, world.lead, ["ind-2"], periods[2:], value=lambda i, j: 100.0)
    api = as_user(world.lead)
    body = api.get(plan_url(plan, "scorecard/"), {"series": "true"}).json()
    serializer = ScorecardSerializer(data=body)
    assert serializer.is_valid(), serializer.errors
    rows = {r["key"]: r for r in body["indicators"]}
    assert list(rows) == ["ind-0", "ind-1", "ind-2", "ind-3"]
    assert (rows["ind-0"]["trend"], rows["ind-0"]["rag"]) == ("improved", "amber")
    assert (rows["ind-1"]["trend"], rows["ind-1"]["rag"]) == ("worse", "red")
    assert rows["ind-1"]["trend_vs_baseline"] == "worse"  # baseline 20, latest 25
    assert (rows["ind-2"]["trend"], rows["ind-2"]["rag"]) == ("not_comparable", "green")
    assert (rows["ind-3"]["latest"], rows["ind-3"]["rag"]) == (None, "no_data")
    assert [p["value"] for p in rows["ind-0"]["series"]] == [80, 90, 99]
    assert rows["ind-0"]["latest"]["period_label"] == periods[2][0]
    assert rows["ind-0"]["previous"]["value"] == 90
    assert body["summary"] == {
        "total": 4, "comparable": 2, "improved": 1, "no_change": 0, "worse": 1,
        "not_comparable": 2, "percent": 50,
        "sentence": "Of 2 indicators where a trend can be identified, 1 has improved (50%).",
    }
    # Without the series: the same rows and summary from each indicator's two latest readings.
    lean = api.get(plan_url(plan, "scorecard/")).json()
    assert ScorecardSerializer(data=lean).is_valid()
    assert [{k: v for k, v in r.items() if k != "series"} for r in body["indicators"]] == (
        lean["indicators"])
    assert lean["summary"] == body["summary"]
    safe = api.get(plan_url(plan, "scorecard/"), {"outcome": "safe"}).json()
    assert [r["key"] for r in safe["indicators"]] == ["ind-1", "ind-3"]
    assert safe["filters"] == {"outcome": "safe", "rag": None}
    red = api.get(plan_url(plan, "scorecard/"), {"rag": "red"}).json()
    assert [r["key"] for r in red["indicators"]] == ["ind-1"]
    assert "outcome" in problem(api.get(plan_url(plan, "scorecard/"), {"outcome": "x"}),
                                400)["errors"]
    assert "rag" in problem(api.get(plan_url(plan, "scorecard/"), {"rag": "purple"}),
                            400)["errors"]
    # Wider thresholds turn 99 against 100 green.
    response = api.put(plan_url(plan, "rag-thresholds/"),
                       {"green_within_percent": 2, "amber_within_percent": 80}, format="json")
    assert response.json() == {"green_within_percent": 2.0, "amber_within_percent": 80.0}
    rows = {r["key"]: r for r in api.get(plan_url(plan, "scorecard/")).json()["indicators"]}
    assert (rows["ind-0"]["rag"], rows["ind-1"]["rag"]) == ("green", "red")


def test_rag_thresholds_api(world: World, plan: Any, as_user: Any) -> None:
    assert as_user(world.auditor).get(plan_url(plan, "rag-thresholds/")).json() == {
        "green_within_percent": 0.0, "amber_within_percent": 10.0}
    problem(as_user(world.board_chair).put(
        plan_url(plan, "rag-thresholds/"),
        {"green_within_percent": 1, "amber_within_percent": 5}, format="json"), 403)
    body = problem(as_user(world.lead).put(
        plan_url(plan, "rag-thresholds/"),
        {"green_within_percent": 10, "amber_within_percent": 5}, format="json"), 400)
    assert "amber_within_percent" in body["errors"]


def _scorecard_of(world: World, n: int) -> Any:
    """An adopted plan with ``n`` indicators and a year of monthly readings of each."""
    plan = adopted(world, valid_content(indicators=indicators(n)))
    bulk_readings(plan, world.lead, [f"ind-{i}" for i in range(n)],
                  months(datetime.date(2009, 4, 1), 12), value=lambda i, j: float(i * j))
    return plan


def test_the_scorecard_takes_as_many_queries_for_2_and_200_indicators(
        world: World, frozen_clock: Any, as_user: Any, django_assert_num_queries: Any) -> None:
    small, large = _scorecard_of(world, 2), _scorecard_of(world, 200)
    api = as_user(world.lead)
    for params in ({}, {"series": "true"}):
        with CaptureQueriesContext(connection) as captured:
            response = api.get(plan_url(small, "scorecard/"), params)
        assert len(response.json()["indicators"]) == 2
        assert len(captured) <= 6, [q["sql"] for q in captured]
        with django_assert_num_queries(len(captured)):
            response = api.get(plan_url(large, "scorecard/"), params)
        assert len(response.json()["indicators"]) == 200
        assert response.json()["summary"]["total"] == 200


def test_the_readings_list_takes_as_many_queries_for_1_and_60(
        world: World, frozen_clock: Any, as_user: Any, django_assert_num_queries: Any) -> None:
    plan = adopted(world, valid_content(indicators=indicators(2)))
    bulk_readings(plan, world.lead, ["ind-0"], months(datetime.date(2009, 4, 1), 1))
    bulk_readings(plan, world.lead, ["ind-1"], months(datetime.date(2009, 4, 1), 36))
    api = as_user(world.lead)
    with CaptureQueriesContext(connection) as captured:
        assert api.get(readings_url(plan, "ind-0")).json()["count"] == 1
    with django_assert_num_queries(len(captured)):
        assert api.get(readings_url(plan, "ind-1")).json()["count"] == 36


def test_the_monitoring_api_is_in_the_schema(db: None, api: Any) -> None:
    schema = api.get("/api/schema/", {"format": "json"}).json()
    readings = schema["paths"]["/api/v1/plans/{id}/indicators/{key}/readings/"]
    assert {"400", "403", "404", "409", "201"} <= set(readings["post"]["responses"])
    assert "include_superseded" in {p["name"] for p in readings["get"]["parameters"]}
    scorecard = schema["paths"]["/api/v1/plans/{id}/scorecard/"]["get"]
    assert {"outcome", "rag", "series"} <= {p["name"] for p in scorecard["parameters"]}
    assert "409" in scorecard["responses"]
    assert "put" in schema["paths"]["/api/v1/plans/{id}/rag-thresholds/"]
