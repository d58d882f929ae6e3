"""POST /api/v1/consultations/{id}/imports/ (202, Location) and GET .../imports/{id}/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.models import ConsultationStatus, Response, ResponseImport
from tests.governance.consultation_import_helpers import (
    consultation_round,
    csv_bytes,
    good_row,
    header,
)


@pytest.fixture(autouse=True)
def import_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_IMPORT_DIR = tmp_path / "imports"
    return settings.PLANGOV_IMPORT_DIR


def post(client: Any, round_id: int, data: bytes, name: str = "returns.csv",
         **extra: Any) -> Any:
    return client.post(f"/api/v1/consultations/{round_id}/imports/",
                       {"file": SimpleUploadedFile(name, data), **extra}, format="multipart")


def test_an_upload_answers_202_with_progress_and_location_then_the_import_is_done(
        world: Any, as_user: Any, django_capture_on_commit_callbacks: Any) -> None:
    round = consultation_round(world)
    client = as_user(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(client, round.pk, csv_bytes([header(round), good_row(1), good_row(2)]))
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["status"] == "pending" and body["progress"] == 0 and not body["duplicate"]
    assert answer["Location"] == f"/api/v1/consultations/{round.pk}/imports/{body['id']}/"
    done = client.get(answer["Location"])
    assert done.status_code == 200
    assert done.json()["status"] == "done" and done.json()["progress"] == 100
    assert done.json()["imported_rows"] == 2 and done.json()["report"] == []
    # The same file again: 200, the earlier import, nothing queued.
    again = post(client, round.pk, csv_bytes([header(round), good_row(1), good_row(2)]))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["id"] == body["id"]
    assert ResponseImport.objects.count() == 1 and Response.objects.count() == 2


def test_the_row_report_and_only_valid_rows(world: Any, as_user: Any,
                                            django_capture_on_commit_callbacks: Any) -> None:
    round = consultation_round(world)
    client = as_user(world.lead)
    rows = [header(round), good_row(1), ["pensioners", "", "", "", "x", "", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(client, round.pk, csv_bytes(rows))
    report = client.get(answer["Location"]).json()
    assert report["status"] == "invalid"
    assert report["report"] == [{"row": 3, "column": "audience", "problem": report["report"][0][
        "problem"]}]
    assert "not an audience" in report["report"][0]["problem"]
    assert Response.objects.count() == 0
    rows[1] = good_row(7)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(client, round.pk, csv_bytes(rows), only_valid_rows="true")
    assert client.get(answer["Location"]).json()["imported_rows"] == 1


def test_bad_requests_are_400_naming_file(world: Any, as_user: Any, settings: Any) -> None:
    round = consultation_round(world)
    client = as_user(world.lead)
    missing = client.post(f"/api/v1/consultations/{round.pk}/imports/", {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()["errors"]
    assert missing["Content-Type"].startswith("application/problem+json")
    as_json = client.post(f"/api/v1/consultations/{round.pk}/imports/", {"file": "x"},
                          format="json")
    assert as_json.status_code == 400 and "file" in as_json.json()["errors"]
    empty = post(client, round.pk, b"")
    assert empty.status_code == 400 and "file" in empty.json()["errors"]
    settings.PLANGOV_IMPORT_MAX_BYTES = 1024
    big = post(client, round.pk, b"audience\n" + b"schools\n" * 20_000)
    assert big.status_code == 400 and "MB" in big.json()["errors"]["file"][0]
    assert ResponseImport.objects.count() == 0


def test_a_body_just_over_the_limit_is_stopped_while_reading(
        world: Any, as_user: Any, settings: Any) -> None:
    round = consultation_round(world)
    settings.PLANGOV_IMPORT_MAX_BYTES = 100 * 1024
    # Over the limit, but within the framing allowance of the Content-Length check: the
    # upload handler stops it.
    data = b"audience\n" + b"x" * (110 * 1024)
    answer = post(as_user(world.lead), round.pk, data)
    assert answer.status_code == 400 and "file" in answer.json()["errors"]


def test_who_may_import_and_see_imports(world: Any, as_user: Any,
                                        django_capture_on_commit_callbacks: Any) -> None:
    round = consultation_round(world)
    data = csv_bytes([header(round), good_row(1)])
    assert post(as_user(world.board_secretary), round.pk, data).status_code == 403
    assert post(as_user(world.auditor), round.pk, data).status_code == 403
    assert post(as_user(world.outsider), round.pk, data).status_code == 404
    assert post(as_user(world.lead), 999_999, data).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        location = post(as_user(world.lead), round.pk, data)["Location"]
    assert as_user(world.auditor).get(location).status_code == 200
    assert as_user(world.outsider).get(location).status_code == 404
    other = consultation_round(world, status=ConsultationStatus.CLOSED)
    assert as_user(world.lead).get(
        f"/api/v1/consultations/{other.pk}/imports/{location.split('/')[-2]}/"
    ).status_code == 404
    draft = consultation_round(world, status=ConsultationStatus.DRAFT)
    refused = post(as_user(world.lead), draft.pk, csv_bytes([header(draft), good_row(1)]))
    assert refused.status_code == 409


def test_the_imports_api_is_in_the_schema(api: Any) -> None:
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    create = schema["paths"]["/api/v1/consultations/{id}/imports/"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert {"202", "200", "400", "403", "404", "409"} <= set(create["responses"])
    detail = schema["paths"]["/api/v1/consultations/{id}/imports/{import_id}/"]["get"]
    assert "200" in detail["responses"]


def test_a_too_big_body_is_refused_before_a_session_s_csrf_check_reads_it(
        world: Any, settings: Any) -> None:
    from rest_framework.test import APIClient

    round = consultation_round(world)
    settings.PLANGOV_IMPORT_MAX_BYTES = 1024
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.lead)
    answer = client.post(f"/api/v1/consultations/{round.pk}/imports/",
                         {"file": SimpleUploadedFile("big.csv", b"x" * 200_000)},
                         format="multipart")
    assert answer.status_code == 400 and "file" in answer.json()["errors"]
