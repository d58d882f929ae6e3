"""The indicators pages: the list, an indicator's readings, recording and correcting one."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from documents.models import IndicatorReading
from governance.models import AuditEvent
from tests.conftest import World, make_plan
from tests.factories import valid_content

from .monitoring_helpers import adopted, bulk_readings, indicators, months

KEY = "obesity-reception"
FORM = {"value": "9.1", "period_label": "2009/10", "period_start": "01/04/2009",
        "period_end": "31/03/2010", "measured_on": "01/06/2010", "source": "NCMP",
        "commentary": "Down from 9.8."}


@pytest.fixture
def plan(world: World, frozen_clock: Any) -> Any:
    return adopted(world)


def page(plan: Any, key: str = KEY) -> str:
    return f"/plans/{plan.pk}/indicators/{key}/"


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_the_plan_page_links_to_the_indicators(world: World, plan: Any, client: Client) -> None:
    response = signed_in(client, world.lead).get(f"/plans/{plan.pk}/")
    assert f"/plans/{plan.pk}/indicators/".encode() in response.content


def test_record_a_reading_on_the_page(world: World, plan: Any, client: Client) -> None:
    client = signed_in(client, world.lead)
    response = client.get(page(plan))
    assert response.status_code == 200
    assert b"Record a reading" in response.content and b"No readings yet" in response.content
    events = AuditEvent.objects.count()
    response = client.post(page(plan), FORM)
    assert response.status_code == 302
    reading = IndicatorReading.objects.get()
    assert (reading.value, reading.period_start, reading.measured_on) == (
        9.1, datetime.date(2009, 4, 1), datetime.date(2010, 6, 1))
    assert AuditEvent.objects.count() == events + 1
    response = client.get(page(plan))
    assert b"The reading for 2009/10 was recorded." in response.content
    assert b"Down from 9.8." in response.content
    listing = client.get(f"/plans/{plan.pk}/indicators/")
    assert listing.status_code == 200
    assert b"Obesity in reception year" in listing.content
    assert b"9.1 (2009/10)" in listing.content


def test_errors_come_back_beside_their_fields(world: World, plan: Any, client: Client) -> None:
    client = signed_in(client, world.lead)
    response = client.post(page(plan), {**FORM, "value": "about nine",
                                        "period_start": "01/04/2001"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_value"' in body and 'href="#id_period_start"' in body
    assert "plan&#x27;s period" in body or "plan's period" in body
    assert not IndicatorReading.objects.exists()
    response = client.post(page(plan), {**FORM, "measured_on": "31/02/2010"})
    assert response.status_code == 400 and 'href="#id_measured_on"' in response.content.decode()


def test_a_second_reading_for_the_period_is_refused_and_corrected(
        world: World, plan: Any, client: Client) -> None:
    client = signed_in(client, world.lead)
    client.post(page(plan), FORM)
    old = IndicatorReading.objects.get()
    response = client.post(page(plan), {**FORM, "value": "9.3"})
    assert response.status_code == 400
    assert b"A correction is a new reading" in response.content
    # The "Correct" link fills the form from the reading.
    response = client.get(page(plan), {"corrects": old.pk})
    assert f"Correct reading {old.pk}".encode() in response.content
    assert b'value="2009/10"' in response.content
    response = client.post(page(plan), {**FORM, "value": "9.3", "corrects": str(old.pk)})
    assert response.status_code == 400
    assert b'href="#id_reason"' in response.content
    response = client.post(page(plan), {**FORM, "value": "9.3", "corrects": str(old.pk),
                                        "reason": "The figure was revised."})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.superseded_by is not None and old.superseded_by.value == 9.3
    response = client.get(page(plan))
    assert b"Corrected" in response.content and b"The correction for 2009/10" in response.content


def test_who_may_record_on_the_page(world: World, plan: Any, client: Client) -> None:
    client = signed_in(client, world.board_secretary)
    response = client.get(page(plan))
    assert response.status_code == 200 and b"Record a reading" not in response.content
    assert client.post(page(plan), FORM).status_code == 403
    client = signed_in(Client(), world.outsider)
    assert client.get(page(plan)).status_code == 404
    assert client.get(f"/plans/{plan.pk}/indicators/").status_code == 404
    assert not IndicatorReading.objects.exists()


def test_before_adoption_and_unknown_indicators(world: World, frozen_clock: Any,
                                                client: Client) -> None:
    plan = make_plan(world)
    client = signed_in(client, world.lead)
    assert client.get(f"/plans/{plan.pk}/indicators/").status_code == 409
    assert client.get(page(plan)).status_code == 409
    assert client.post(page(plan), FORM).status_code == 409
    done = adopted(world)
    assert client.get(page(done, "no-such")).status_code == 404


def test_the_indicators_page_takes_as_many_queries_for_2_and_60(
        world: World, frozen_clock: Any, client: Client, django_assert_num_queries: Any) -> None:
    client = signed_in(client, world.lead)
    plans = []
    for n in (2, 60):
        plan = adopted(world, valid_content(indicators=indicators(n)))
        bulk_readings(plan, world.lead, [f"ind-{i}" for i in range(n)],
                      months(datetime.date(2009, 4, 1), 6))
        plans.append(plan)
    client.get(f"/plans/{plans[0].pk}/indicators/")  # warm the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/plans/{plans[0].pk}/indicators/").status_code == 200
    with django_assert_num_queries(len(captured)):
        response = client.get(f"/plans/{plans[1].pk}/indicators/")
    assert b"Indicator 59" in response.content
