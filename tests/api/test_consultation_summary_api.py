"""GET /api/v1/consultations/{id}/summary/: public once published, else only to people who may
see the plan; 404 to everyone else and for ids that name nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from governance.consultation.analysis_services import answer_redact, statement_save
from governance.models import ConsultationRound
from tests.factories import PartnershipFactory, UserFactory
from tests.governance.consultation_helpers import (
    activity,
    audiences,
    closed_round,
    free_text,
    respond,
)

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def url(rnd_id: object) -> str:
    return f"/api/v1/consultations/{rnd_id}/summary/"


@pytest.fixture
def rnd(world):
    rnd = closed_round(world)
    by = audiences(world)
    respond(rnd, audience=by["parents-and-carers"], channel="paper")
    quoted = free_text(rnd, respond(rnd, audience=by["children-and-young-people"],
                                    consent=True, text="Jo at St Paul's <b>hates</b> buses"))
    activity(rnd, {by["children-and-young-people"]: 40})
    answer_redact(answer=quoted, redacted_text="[name] <b>hates</b> buses",
                  reason="Names a pupil", actor=world.lead)
    statement_save(round=rnd, you_said="Buses are unreliable", we_did="Added a transport "
                   "priority", quotes=[quoted], outcome_key="healthy", priority_key="active",
                   actor=world.lead)
    return rnd


def publish(rnd: ConsultationRound) -> None:
    # As consultcore's round_publish_summary marks it; this API only reads the fields.
    ConsultationRound.objects.filter(pk=rnd.pk).update(
        summary_published_at=timezone.now(), summary_published_on=rnd.closed_on)


def test_a_published_summary_is_public(api, rnd):
    publish(rnd)
    response = api.get(url(rnd.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["published"] is True
    assert body["reach"]["sentence"] == (
        "1 piece of work reaching 41 children and young people; 1 parent questionnaire")
    assert body["round"]["opens_on"] == "2008-06-09"
    assert body["round"]["closes_on"] == "2008-09-30"
    assert {c["channel"]: c["responses"] for c in body["counts"]["by_channel"]} == {
        "paper": 1, "online": 1, "event": 0}
    (statement,) = body["statements"]
    assert statement["we_did"] == "Added a transport priority"
    assert statement["priority_title"] == "All children are active and eat healthily"
    assert statement["quotes"] == ["[name] <b>hates</b> buses"]  # JSON: the text as stored
    assert "Jo at St" not in response.content.decode()


def test_an_unpublished_summary_is_read_only_by_people_who_may_see_the_plan(
        api, as_user, world, rnd):
    assert api.get(url(rnd.pk)).status_code == 404
    outsider = as_user(world.outsider).get(url(rnd.pk))
    assert outsider.status_code == 404 and outsider["Content-Type"] == PROBLEM
    for who in (world.lead, world.board_secretary, world.auditor):
        response = as_user(who).get(url(rnd.pk))
        assert response.status_code == 200 and response.json()["published"] is False
    other = UserFactory(username="elsewhere")
    PartnershipFactory(slug="elsewhere")
    assert as_user(other).get(url(rnd.pk)).status_code == 404


@pytest.mark.parametrize("bad", ["0", "99999", str(2**63), "-1"])
def test_ids_that_name_nothing_are_404(api, world, bad):
    response = api.get(f"/api/v1/consultations/{bad}/summary/")
    assert response.status_code == 404


def test_it_is_in_the_openapi_schema(api, db):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/consultations/{id}/summary/"]["get"]
    assert set(operation["responses"]) >= {"200", "404"}
    assert "ConsultationSummary" in schema["components"]["schemas"]
