"""plans/{id}/draft/import/ (preview, confirm) and plans/{id}/versions/{n}/export/."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.content import normalise
from documents.content_io import limits, reading
from documents.models import ContentImport
from documents.services import version_create
from tests.conftest import make_plan
from tests.documents import content_files as files
from tests.factories import valid_content

from .conftest import audit_events, other_partnership_plan, plan_url, problem

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def upload(api: Any, plan: Any, name: str, data: bytes) -> Any:
    return api.post(plan_url(plan, "draft/import/"),
                    {"file": SimpleUploadedFile(name, data)}, format="multipart")


@pytest.fixture
def plan(world: Any) -> Any:
    return make_plan(world)


# Preview


def test_a_word_upload_answers_the_preview_and_saves_nothing(world: Any, plan: Any,
                                                            as_user: Any) -> None:
    events = audit_events()
    response = upload(as_user(world.lead), plan, "plan.docx", files.hand_written_docx())
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert body["format"] == "docx"
    assert body["understood"]["counts"] == {
        "outcomes": 2, "priorities": 1, "indicators": 1, "actions": 1,
        "cross_cutting_themes": 0, "joint_priorities": 0}
    assert [u["position"] for u in body["not_understood"]] == [2, 11, 13, 3]
    assert body["valid"] is True and body["warnings"] == {}
    assert body["confirm_url"] == plan_url(plan, f"draft/import/{body['token']}/confirm/")
    assert audit_events() == events
    plan.refresh_from_db()
    assert plan.current_version is None


def test_json_and_yaml_uploads_report_the_validators_warnings_by_path(
    world: Any, plan: Any, as_user: Any,
) -> None:
    content = valid_content(vision="")
    api = as_user(world.lead)
    for name, data in (("c.json", json.dumps(content).encode()),
                       ("c.yaml", yaml.safe_dump(content).encode())):
        body = upload(api, plan, name, data).json()
        assert body["valid"] is False
        assert body["warnings"] == {"vision": ["This field may not be blank."]}


@pytest.mark.parametrize(("name", "data", "words"), [
    ("plan.docx", b"not a word document at all", "not a Word document"),
    ("plan.docx", files.zip_without_document(), "not a Word document"),
    ("plan.docx", files.encrypted_docx(), "password"),
    ("plan.docx", files.zip_bomb(), "unpacks to"),
    ("plan.docx", files.lying_zip_bomb(), "damaged"),
    ("plan.json", b"{", "JSON"),
    ("plan.yaml", b"a: &x 1\nb: *x\n", "alias"),
])
def test_bad_files_are_a_400_naming_file_and_nothing_is_kept(
    world: Any, plan: Any, as_user: Any, name: str, data: bytes, words: str,
) -> None:
    events = audit_events()
    body = problem(upload(as_user(world.lead), plan, name, data), 400)
    assert list(body["errors"]) == ["file"]
    assert words in body["errors"]["file"][0]
    assert not ContentImport.objects.exists()
    assert audit_events() == events


def test_a_file_over_20_mb_is_refused(world: Any, plan: Any, as_user: Any) -> None:
    body = problem(upload(as_user(world.lead), plan, "big.docx",
                          b"PK\x03\x04" + b"\0" * (limits.MAX_BYTES - 3)), 400)
    assert "over 20 MB" in body["errors"]["file"][0]
    assert not ContentImport.objects.exists()


def test_a_body_declared_too_big_is_refused_before_it_is_read(
    world: Any, plan: Any, api: Any,
) -> None:
    from django.test import Client

    from governance.tokens.services import token_create

    _, token = token_create(user=world.lead, name="test", actor=world.lead)

    class Unread(io.BytesIO):
        def read(self, *args: Any) -> bytes:
            raise AssertionError("the body was read")

    client = Client()
    response = client.generic(
        "POST", plan_url(plan, "draft/import/"), b"", "multipart/form-data; boundary=x",
        HTTP_AUTHORIZATION=f"Token {token}",
        CONTENT_LENGTH=str(limits.MAX_BYTES + limits.MULTIPART_SLACK + 1),
        **{"wsgi.input": Unread()},
    )
    body = problem(response, 400)
    assert "over 20 MB" in body["errors"]["file"][0]


def test_no_file_is_a_400_naming_file(world: Any, plan: Any, as_user: Any) -> None:
    response = as_user(world.lead).post(plan_url(plan, "draft/import/"), {},
                                        format="multipart")
    assert list(problem(response, 400)["errors"]) == ["file"]


def test_only_the_lead_officer_imports_others_who_see_the_plan_get_403(
    world: Any, plan: Any, as_user: Any,
) -> None:
    for person in ("board_secretary", "auditor", "executive_member"):
        response = upload(as_user(world.users[person]), plan, "plan.docx",
                          files.hand_written_docx())
        problem(response, 403)
    assert not ContentImport.objects.exists()


def test_a_plan_you_cannot_see_is_404(world: Any, plan: Any, as_user: Any) -> None:
    problem(upload(as_user(world.outsider), plan, "plan.docx", files.hand_written_docx()), 404)
    other = other_partnership_plan()
    problem(upload(as_user(world.lead), other, "plan.docx", files.hand_written_docx()), 404)


# Confirm


def _token(api: Any, plan: Any) -> str:
    return upload(api, plan, "plan.docx", files.hand_written_docx()).json()["token"]


def test_someone_elses_or_an_expired_or_unknown_token_is_404(
    world: Any, plan: Any, as_user: Any, frozen_clock: Any,
) -> None:
    token = _token(as_user(world.lead), plan)
    events = audit_events()
    problem(as_user(world.board_secretary).post(
        plan_url(plan, f"draft/import/{token}/confirm/")), 403)
    problem(as_user(world.lead).post(plan_url(plan, "draft/import/nope/confirm/")), 404)
    frozen_clock.advance(hours=3)
    problem(as_user(world.lead).post(plan_url(plan, f"draft/import/{token}/confirm/")), 404)
    assert audit_events() == events


def test_confirm_writes_the_draft_and_one_audit_event(world: Any, plan: Any,
                                                      as_user: Any) -> None:
    from documents.drafts import draft_get
    from governance.models import AuditEvent

    api = as_user(world.lead)
    preview = upload(api, plan, "plan.docx", files.hand_written_docx()).json()
    events = audit_events()
    response = api.post(preview["confirm_url"])
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    draft = draft_get(plan=plan, actor=world.lead)
    assert body["content"] == draft.content == preview["content"]
    assert response["ETag"] == f'"{draft.revision}"' and body["revision"] == draft.revision
    assert body["warnings"] == {}
    assert audit_events() == events + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "content.import"
    assert event.after["file_sha256"] == preview["file_sha256"]
    assert event.after["counts"]["outcomes"] == 2
    assert "Being healthy" not in json.dumps(event.after)  # no draft text in the ledger
    problem(api.post(preview["confirm_url"]), 404)  # once only


def test_a_draft_saved_after_the_preview_is_a_412_with_the_draft(world: Any, plan: Any,
                                                                 as_user: Any) -> None:
    api = as_user(world.lead)
    current = api.get(plan_url(plan, "draft/")).json()
    preview = upload(api, plan, "plan.docx", files.hand_written_docx()).json()
    assert preview["draft_revision"] == current["revision"]
    saved = api.put(plan_url(plan, "draft/"), {"content": {**current["content"],
                                                           "vision": "Typed meanwhile."}},
                    format="json", HTTP_IF_MATCH=f'"{current["revision"]}"')
    assert saved.status_code == 200
    events = audit_events()
    body = problem(api.post(preview["confirm_url"]), 412)
    assert body["draft"]["content"]["vision"] == "Typed meanwhile."
    assert audit_events() == events


def test_an_unfinished_file_keeps_the_draft_editors_warnings(world: Any, plan: Any,
                                                             as_user: Any) -> None:
    from documents.drafts import draft_warnings

    content = valid_content(vision="")
    content["actions"][0]["outcome"] = "nowhere"  # type: ignore[index]
    api = as_user(world.lead)
    preview = upload(api, plan, "c.json", json.dumps(content).encode()).json()
    assert preview["warnings"] == draft_warnings(normalise_lines(content))
    assert "actions[0].outcome" in preview["warnings"] and "vision" in preview["warnings"]
    body = api.post(preview["confirm_url"]).json()
    assert body["warnings"] == preview["warnings"]


def test_a_file_a_draft_cannot_hold_is_refused_at_the_preview(world: Any, plan: Any,
                                                              as_user: Any) -> None:
    content = valid_content(outcomes="Being healthy")
    body = problem(upload(as_user(world.lead), plan, "c.json", json.dumps(content).encode()),
                   400)
    assert "file.outcomes" in body["errors"]
    assert not ContentImport.objects.exists()


def normalise_lines(content: Any) -> Any:
    from plangov import text

    return text.clean_tree(content)[0]


# Export


@pytest.fixture
def versioned(world: Any, plan: Any) -> Any:
    version_create(plan=plan, actor=world.lead, content=valid_content())
    return plan


@pytest.mark.parametrize(("file_format", "media_type"), [
    ("json", "application/json"), ("yaml", "application/yaml"), ("docx", DOCX)])
def test_any_member_exports_a_version_as_an_attachment(
    world: Any, versioned: Any, as_user: Any, file_format: str, media_type: str,
) -> None:
    response = as_user(world.auditor).get(
        plan_url(versioned, f"versions/1/export/?format={file_format}"))
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="children-and-young-peoples-plan-version-1.{file_format}"')
    stored = versioned.versions.get(number=1).content
    back = reading.preview(f"x.{file_format}", response.content)
    assert back.content == stored


def test_an_unknown_format_is_a_400_naming_format(world: Any, versioned: Any,
                                                  as_user: Any) -> None:
    for query in ("?format=pdf", "", "?format="):
        body = problem(as_user(world.lead).get(plan_url(versioned, f"versions/1/export/{query}")),
                       400)
        assert list(body["errors"]) == ["format"]


def test_export_of_a_plan_or_version_you_cannot_see_is_404(world: Any, versioned: Any,
                                                           as_user: Any) -> None:
    problem(as_user(world.outsider).get(plan_url(versioned, "versions/1/export/?format=json")),
            404)
    problem(as_user(world.lead).get(plan_url(versioned, "versions/2/export/?format=json")), 404)
    problem(as_user(world.lead).get(
        plan_url(versioned, "versions/99999999999999999999/export/?format=json")), 404)


def test_export_needs_a_signed_in_person(versioned: Any, api: Any) -> None:
    problem(api.get(plan_url(versioned, "versions/1/export/?format=json")), 401)


def test_the_draft_exports_for_its_writer_only(world: Any, versioned: Any,
                                               as_user: Any) -> None:
    response = as_user(world.lead).get(plan_url(versioned, "draft/export/?format=docx"))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"] == (
        'attachment; filename="children-and-young-peoples-plan-draft-1.docx"')
    assert reading.preview("d.docx", response.content).content == versioned.versions.get(
        number=1).content
    problem(as_user(world.board_secretary).get(plan_url(versioned,
                                                        "draft/export/?format=json")), 403)
    problem(as_user(world.outsider).get(plan_url(versioned, "draft/export/?format=json")), 404)
    assert list(problem(as_user(world.lead).get(plan_url(versioned, "draft/export/?format=x")),
                        400)["errors"]) == ["format"]


def test_an_unfinished_draft_exports_as_far_as_it_goes(world: Any, plan: Any,
                                                       as_user: Any) -> None:
    api = as_user(world.lead)
    current = api.get(plan_url(plan, "draft/")).json()
    unfinished = {**current["content"], "outcomes": [{"key": "", "title": "Half written"}],
                  "actions": [{"title": "No lead yet"}]}
    api.put(plan_url(plan, "draft/"), {"content": unfinished}, format="json",
            HTTP_IF_MATCH=f'"{current["revision"]}"')
    for file_format in ("docx", "json", "yaml"):
        response = api.get(plan_url(plan, f"draft/export/?format={file_format}"))
        assert response.status_code == 200, file_format
    back = reading.preview("d.docx", api.get(plan_url(plan, "draft/export/?format=docx")).content)
    assert back.content["outcomes"][0]["title"] == "Half written"
    assert back.content["actions"][0]["title"] == "No lead yet"


def test_the_schema_documents_the_import_and_export(api: Any, db: None) -> None:
    schema = yaml.safe_load(api.get("/api/schema/").content)
    paths = schema["paths"]
    assert "multipart/form-data" in paths["/api/v1/plans/{id}/draft/import/"]["post"][
        "requestBody"]["content"]
    export = paths["/api/v1/plans/{id}/versions/{number}/export/"]["get"]
    assert set(export["responses"]["200"]["content"]) == {
        "application/json", "application/yaml", DOCX}
    # schemathesis parses YAML: both describe the same data.
    assert (export["responses"]["200"]["content"]["application/yaml"]["schema"]
            == export["responses"]["200"]["content"]["application/json"]["schema"])
    assert "412" in paths["/api/v1/plans/{id}/draft/import/{token}/confirm/"]["post"][
        "responses"]
    assert "/api/v1/plans/{id}/draft/export/" in paths
    _ = datetime, normalise
