"""The import pages (upload, preview, confirm or cancel) and the export links."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents.content_io import limits
from documents.models import ContentImport
from documents.services import version_create
from governance.models import AuditEvent
from tests.conftest import make_plan
from tests.factories import valid_content

from . import content_files as files


@pytest.fixture
def plan(world: Any) -> Any:
    return make_plan(world)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_file(client: Client, plan: Any, name: str, data: bytes) -> Any:
    return client.post(reverse("documents:import", kwargs={"pk": plan.pk}),
                       {"file": SimpleUploadedFile(name, data)})


def test_the_upload_form_is_a_govuk_file_upload(world: Any, plan: Any) -> None:
    page = client_for(world.lead).get(reverse("documents:import", kwargs={"pk": plan.pk}))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert 'class="govuk-file-upload"' in html and 'name="file"' in html


def test_upload_then_preview_lists_what_was_and_was_not_understood(world: Any,
                                                                    plan: Any) -> None:
    client = client_for(world.lead)
    response = post_file(client, plan, "plan.docx", files.hand_written_docx())
    record = ContentImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:import-preview",
                                           kwargs={"pk": plan.pk, "token": record.token})
    html = client.get(response["Location"]).content.decode()
    assert "Not understood (4)" in html
    assert "Foreword by the Director" in html and "Budget line Amount" in html
    assert "Being healthy" in html and "Obesity in reception year" in html
    assert "Confirm and replace the draft" in html and ">Cancel<" in html


def test_a_bad_file_is_an_error_summary_linking_to_the_field(world: Any, plan: Any) -> None:
    response = post_file(client_for(world.lead), plan, "plan.docx", files.encrypted_docx())
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in html
    assert 'href="#id_file"' in html and "password" in html
    assert "govuk-form-group--error" in html
    assert not ContentImport.objects.exists()


def test_a_body_declared_too_big_is_refused_on_the_page_too(world: Any, plan: Any) -> None:
    import io

    class Unread(io.BytesIO):
        def read(self, *args: Any) -> bytes:
            raise AssertionError("the body was read")

    client = client_for(world.lead)
    client.handler.enforce_csrf_checks = True
    response = client.generic(
        "POST", reverse("documents:import", kwargs={"pk": plan.pk}), b"",
        "multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(limits.MAX_BYTES + limits.MULTIPART_SLACK + 1),
        **{"wsgi.input": Unread()})
    assert response.status_code == 400
    assert "over 20 MB" in response.content.decode()


def test_the_upload_is_csrf_protected(world: Any, plan: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.lead)
    response = post_file(client, plan, "plan.docx", files.hand_written_docx())
    assert response.status_code == 403
    assert not ContentImport.objects.exists()


def test_cancel_forgets_the_import_and_changes_nothing(world: Any, plan: Any) -> None:
    client = client_for(world.lead)
    location = post_file(client, plan, "plan.docx", files.hand_written_docx())["Location"]
    events = AuditEvent.objects.count()
    response = client.post(location, {"cancel": "1"})
    assert response.status_code == 302
    assert not ContentImport.objects.exists()
    assert AuditEvent.objects.count() == events
    assert client.get(location).status_code == 404


def test_text_from_the_file_is_shown_as_text(world: Any, plan: Any) -> None:
    content = valid_content()
    content["outcomes"][0]["title"] = "<script>alert(1)</script>"  # type: ignore[index]
    client = client_for(world.lead)
    location = post_file(client, plan, "c.json", json.dumps(content).encode())["Location"]
    html = client.get(location).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_who_may_not_import_is_told_and_who_cannot_see_gets_404(world: Any, plan: Any) -> None:
    url = reverse("documents:import", kwargs={"pk": plan.pk})
    assert client_for(world.board_secretary).get(url).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404
    response = post_file(client_for(world.auditor), plan, "plan.docx", files.hand_written_docx())
    assert response.status_code == 403
    assert not ContentImport.objects.exists()


def test_someone_elses_preview_is_not_found(world: Any, plan: Any) -> None:
    location = post_file(client_for(world.lead), plan, "plan.docx",
                         files.hand_written_docx())["Location"]
    assert client_for(world.board_deputy).get(location).status_code in {403, 404}


def test_the_export_link_downloads_each_format(world: Any, plan: Any) -> None:
    version_create(plan=plan, actor=world.lead, content=valid_content())
    url = reverse("documents:version-export", kwargs={"pk": plan.pk, "number": 1})
    client = client_for(world.board_secretary)
    for file_format in ("json", "yaml", "docx"):
        response = client.get(url, {"format": file_format})
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment; filename=")
    assert client.get(url, {"format": "pdf"}).status_code == 400
    assert client_for(world.outsider).get(url, {"format": "json"}).status_code == 404


def test_confirm_replaces_the_draft_and_opens_it(world: Any, plan: Any) -> None:
    drafts = pytest.importorskip("documents.drafts")
    client = client_for(world.lead)
    location = post_file(client, plan, "plan.docx", files.hand_written_docx())["Location"]
    record = ContentImport.objects.get()
    response = client.post(location, {"confirm": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("drafts:overview", kwargs={"pk": plan.pk})
    assert drafts.draft_get(plan=plan, actor=world.lead).content == record.content
    assert not ContentImport.objects.exists()


def test_the_draft_overview_links_to_import_and_downloads(world: Any, plan: Any) -> None:
    client = client_for(world.lead)
    html = client.get(reverse("drafts:overview", kwargs={"pk": plan.pk})).content.decode()
    assert f'href="{reverse("documents:import", kwargs={"pk": plan.pk})}"' in html
    export = reverse("documents:draft-export", kwargs={"pk": plan.pk})
    for file_format in ("docx", "json", "yaml"):
        assert f'href="{export}?format={file_format}"' in html
        response = client.get(export, {"format": file_format})
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment; filename=")
    assert client_for(world.board_secretary).get(export, {"format": "json"}).status_code == 403


def test_import_and_export_are_not_taken_for_draft_sections(plan: Any) -> None:
    from django.urls import resolve

    for path in (f"/plans/{plan.pk}/draft/import/", f"/plans/{plan.pk}/draft/export/"):
        assert resolve(path).namespace == "documents", path


def test_the_version_page_links_to_its_exports(world: Any, plan: Any) -> None:
    version_create(plan=plan, actor=world.lead, content=valid_content())
    html = client_for(world.board_secretary).get(
        reverse("documents:version", kwargs={"pk": plan.pk, "number": 1})).content.decode()
    export = reverse("documents:version-export", kwargs={"pk": plan.pk, "number": 1})
    for file_format in ("docx", "json", "yaml"):
        assert f'href="{export}?format={file_format}"' in html
