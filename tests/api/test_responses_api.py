"""POST /api/v1/consultations/{id}/responses/: public, 201 / 400 naming fields / 410 / 429."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from governance.consultation.models import ConsultationStatus, Response

from ..consultation_helpers import open_round, questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(world, frozen_clock):  # noqa: A001
    cache.clear()
    return open_round(world)


def path(round) -> str:  # noqa: A002
    return f"/api/v1/consultations/{round.pk}/responses/"


def body(round, **extra):  # noqa: A002
    free, single, multi, agree = questions(round)
    data = {"answers": {str(free.pk): "More youth clubs", str(single.pk): "no",
                        str(multi.pk): ["school"], str(agree.pk): "strongly_agree"},
            "audience": "schools", "consent_to_quote": True}
    data.update(extra)
    return data


def test_anyone_may_respond_without_a_token(round):
    got = APIClient().post(path(round), body(round), format="json")
    assert got.status_code == 201, got.content
    assert got.json()["answers"] == 4 and got.json()["round"] == round.pk
    response = Response.objects.get()
    assert response.audience.slug == "schools" and response.consent_to_quote


def test_a_bad_token_header_is_ignored_not_401(round):
    client = APIClient(HTTP_AUTHORIZATION="Token nonsense")
    assert client.post(path(round), body(round), format="json").status_code == 201


@pytest.mark.parametrize("change, field", [
    (lambda q, b: b["answers"].update({"424242": "x"}), "answers.424242"),
    (lambda q, b: b["answers"].update({str(q[0].pk): "x" * 10_001}), "answers.{0}"),
    (lambda q, b: b["answers"].pop(str(q[0].pk)), "answers.{0}"),
    (lambda q, b: b["answers"].update({str(q[1].pk): "perhaps"}), "answers.{1}"),
    (lambda q, b: b["answers"].update({str(q[0].pk): "nul\x00"}), "answers.{0}"),
    (lambda q, b: b.update({"audience": "martians"}), "audience"),
    (lambda q, b: b.update({"answers": "not an object"}), "answers"),
])
def test_bad_input_is_400_naming_the_field(round, change, field):
    qs = questions(round)
    data = body(round)
    change(qs, data)
    got = APIClient().post(path(round), data, format="json")
    assert got.status_code == 400, got.content
    assert got["Content-Type"] == "application/problem+json"
    name = field.format(*[q.pk for q in qs])
    assert name in got.json()["errors"], got.json()
    assert not Response.objects.exists()


@pytest.mark.parametrize("status", [ConsultationStatus.CLOSED, ConsultationStatus.DRAFT])
def test_a_closed_or_unopened_round_is_410(round, status):
    round.status = status
    round.save()
    got = APIClient().post(path(round), body(round), format="json")
    assert got.status_code == 410
    assert got.json()["type"] == "urn:plangov:problem:gone"
    assert not Response.objects.exists()


def test_an_unknown_round_is_404(round):
    assert APIClient().post("/api/v1/consultations/999999/responses/", {},
                            format="json").status_code == 404
    assert APIClient().post(f"/api/v1/consultations/{2**64}/responses/", {},
                            format="json").status_code == 404


def test_the_address_ceiling_is_429_with_retry_after(round, settings):
    settings.PLANGOV_RESPONSES_PER_ADDRESS_HOUR = 3
    client = APIClient(REMOTE_ADDR="203.0.113.5")
    codes = [client.post(path(round), body(round), format="json").status_code
             for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    got = client.post(path(round), body(round), format="json")
    assert got.status_code == 429 and 0 < int(got["Retry-After"]) <= 3600
    assert got["Content-Type"] == "application/problem+json"
    assert Response.objects.count() == 3
    other = APIClient(REMOTE_ADDR="203.0.113.6")
    assert other.post(path(round), body(round), format="json").status_code == 201


def test_behind_trusted_proxies_the_forwarded_address_counts(round, settings):
    settings.PLANGOV_RESPONSES_PER_ADDRESS_HOUR = 1
    settings.PLANGOV_TRUSTED_PROXIES = 1
    for n in range(3):
        client = APIClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert client.post(path(round), body(round), format="json").status_code == 201


def test_the_schema_documents_it(db):
    got = APIClient().get("/api/schema/?format=json")
    operation = got.json()["paths"]["/api/v1/consultations/{id}/responses/"]["post"]
    assert {"201", "400", "404", "410", "429"} <= set(operation["responses"])
    assert operation.get("security") in (None, [], [{}]) or {} in operation["security"]
