"""Signed documents: published at adoption, archival and tagged, signed, verified by anyone."""

from __future__ import annotations

import datetime
import io
import socket
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from documents.models import DocumentKind, DocumentStatus, SignedDocument, Stage
from documents.publishing import services, storage
from documents.publishing.pdf import RefusingFetcher, html_to_pdf
from documents.publishing.verify import NotAPdf
from governance.models import DecisionOutcome as O
from plangov.errors import GuardFailed
from tests.conftest import publish_summary
from workflows.services import (
    plan_adopt,
    plan_close_consultation,
    plan_start_consultation,
    plan_submit,
)

from ..conftest import World, decide, make_plan, submitted_plan


@pytest.fixture(autouse=True)
def document_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_DOCUMENT_DIR = tmp_path / "documents"
    return settings.PLANGOV_DOCUMENT_DIR


def to_call_in(world: World, **kwargs: Any) -> Any:
    plan = submitted_plan(world, **kwargs)
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    decide(world, plan, world.executive, O.APPROVED, minute_reference="EX/16/31")
    plan.refresh_from_db()
    assert plan.stage == Stage.CALL_IN
    return plan


def adopt(world: World, frozen_clock: Any, **kwargs: Any) -> Any:
    plan = to_call_in(world, **kwargs)
    frozen_clock.set(plan.call_in_ends_on + datetime.timedelta(days=1))
    return plan_adopt(plan=plan, actor=None)


def signed(world: World, frozen_clock: Any, **kwargs: Any) -> tuple[Any, SignedDocument, bytes]:
    plan = adopt(world, frozen_clock, **kwargs)
    document = SignedDocument.objects.get(plan=plan, kind=DocumentKind.PLAN)
    assert services.document_render(document_id=document.pk) == "done"
    document.refresh_from_db()
    return plan, document, storage.read(document.file_sha256)


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.pdf") if p.parent.name != "tmp")


def test_it_publishes_the_adopted_version_once(world: World, frozen_clock: Any,
                                               document_dir: Path) -> None:
    plan, document, data = signed(world, frozen_clock)
    assert document.key == f"plan/{plan.pk}/v1"
    assert document.status == DocumentStatus.DONE and document.progress == 100
    assert document.content_sha256 == plan.adopted_version.content_hash
    assert stored_files(document_dir) == [storage.path_for(document.file_sha256)]
    # Asking again (a redelivered task, a person) returns the stored file; nothing re-renders.
    assert services.document_render(document_id=document.pk) == "nothing to do"
    again = services.document_request(plan=plan, actor=world.lead, kind=DocumentKind.PLAN)
    assert again.pk == document.pk
    assert storage.read(again.file_sha256) == data
    assert plan.audit_events.filter(action="document.sign").count() == 1
    assert plan.audit_events.filter(action="document.request").count() == 0


def test_it_makes_an_archival_tagged_pdf_with_language_title_and_embedded_fonts(
    world: World, frozen_clock: Any
) -> None:
    plan, document, data = signed(world, frozen_clock)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata() as meta:
            assert meta["pdfaid:part"] == "3"
            assert meta["pdfaid:conformance"] == "U"
            assert meta["dc:title"].startswith(plan.title)
        assert str(pdf.Root.Lang) == "en-GB"
        assert "/StructTreeRoot" in pdf.Root
        assert pdf.Root.MarkInfo.Marked
        fonts = [font for page in pdf.pages for font in page.Resources.Font.values()]
        assert fonts
        for font in fonts:
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        alternatives = [
            str(obj.Alt) for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/Figure" and "/Alt" in obj
        ]
    assert any(alt.startswith("Chart of") for alt in alternatives)
    assert len(pdf.pages) == document.page_count >= 5


def test_it_verifies_its_own_pdf_as_genuine_and_matching_the_record(
    world: World, frozen_clock: Any
) -> None:
    plan, document, data = signed(world, frozen_clock)
    result = services.document_verify(data=data)
    assert result["verdict"] == "valid"
    assert result["matches_record"] is True
    assert result["signature"]["intact"] and result["signature"]["trusted"]
    assert result["document"]["key"] == document.key
    assert result["document"]["version"] == 1
    assert result["document"]["content_sha256"] == plan.adopted_version.content_hash


def test_it_calls_a_pdf_altered_by_one_byte_altered(world: World, frozen_clock: Any) -> None:
    _, document, data = signed(world, frozen_clock)
    # Every region of the file: header, page content, the signature's bytes, xref, trailer.
    positions = sorted({*range(0, len(data), max(1, len(data) // 120)), len(data) - 5,
                        data.index(b"/Contents <") + 40, data.rindex(b"startxref") + 12})
    for position in positions:
        tampered = bytearray(data)
        tampered[position] ^= 0x01
        result = services.document_verify(data=bytes(tampered))
        assert result["verdict"] == "altered", position
        assert result["matches_record"] is False
    appended = services.document_verify(data=data + b"\n% one more line\n")
    assert appended["verdict"] == "altered"


def test_it_verifies_with_no_network(world: World, frozen_clock: Any,
                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _, document, data = signed(world, frozen_clock)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("verification tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert services.document_verify(data=data)["verdict"] == "valid"
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    call_command("verify_pdf", str(path))
    assert "VALID" in capsys.readouterr().out
    tampered = bytearray(data)
    tampered[len(data) // 3] ^= 0x01
    path.write_bytes(bytes(tampered))
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_pdf", str(path))
    assert exit_.value.code == 1
    assert "ALTERED" in capsys.readouterr().out
    path.write_bytes(b"hello, not a pdf")
    with pytest.raises(CommandError, match="not a PDF"):
        call_command("verify_pdf", str(path))


def test_it_answers_400_for_a_non_pdf_or_an_oversized_upload(
    db: None, api: Any, client: Any, settings: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post("/api/v1/documents/verify/",
                        {"file": SimpleUploadedFile("x.pdf", b"GIF89a not a pdf")},
                        format="multipart")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "file" in response.json()["errors"]
    assert api.post("/api/v1/documents/verify/", {}, format="multipart").status_code == 400
    settings.PLANGOV_VERIFY_MAX_BYTES = 2048
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * 4096)
    response = api.post("/api/v1/documents/verify/", {"file": big}, format="multipart")
    assert response.status_code == 400
    assert "MB" in response.json()["errors"]["file"][0]
    page = client.post("/verify/", {"file": SimpleUploadedFile("x.txt", b"plain text")})
    assert page.status_code == 400
    assert b"not a PDF" in page.content
    with pytest.raises(NotAPdf):
        services.document_verify(data=b"")


def test_it_verifies_through_the_public_api_and_page(world: World, frozen_clock: Any,
                                                    api: Any, client: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    _, document, data = signed(world, frozen_clock)
    response = api.post("/api/v1/documents/verify/",
                        {"file": SimpleUploadedFile("plan.pdf", data)}, format="multipart")
    assert response.status_code == 200
    assert response.json()["verdict"] == "valid"
    assert response.json()["document"]["key"] == document.key
    tampered = bytearray(data)
    tampered[len(data) // 2] ^= 0x01
    page = client.post("/verify/", {"file": SimpleUploadedFile("plan.pdf", bytes(tampered))})
    assert page.status_code == 200
    assert b"Altered: this is not the signed document" in page.content


def test_it_escapes_html_in_plan_content_and_fetches_nothing(
    world: World, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from documents.services import version_create
    from tests.factories import valid_content

    content = valid_content()
    content["vision"] = ('<script>alert(1)</script><img src="http://evil.example/x.png"> '
                         '<link rel="stylesheet" href="https://evil.example/s.css">')
    content["outcomes"][0]["title"] = '<b>Bold</b> & "quoted"'
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=content)
    plan_start_consultation(plan=plan, actor=world.lead)
    plan_close_consultation(plan=plan, actor=world.lead)
    publish_summary(plan, world.lead)
    plan = plan_submit(plan=plan, actor=world.lead)
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    decide(world, plan, world.executive, O.APPROVED)
    plan.refresh_from_db()
    frozen_clock.set(plan.call_in_ends_on + datetime.timedelta(days=1))
    plan = plan_adopt(plan=plan, actor=None)
    document = SignedDocument.objects.get(plan=plan, kind=DocumentKind.PLAN)
    html, _ = services.build_html(document)
    assert "<script>" not in html and '<img src="http://evil' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;" in html

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("rendering tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert services.document_render(document_id=document.pk) == "done"


def test_it_refuses_remote_resources_in_the_html_it_renders() -> None:
    fetcher = RefusingFetcher()
    data, pages = html_to_pdf(
        '<html lang="en"><title>t</title><link rel="stylesheet" href="https://evil.example/s.css">'
        '<img src="http://evil.example/x.png" alt="x"><p>text</p></html>', fetcher=fetcher
    )
    assert data.startswith(b"%PDF-") and pages == 1
    assert fetcher.refused == ["https://evil.example/s.css", "http://evil.example/x.png"]


@pytest.mark.parametrize("problem", ["missing", "wrong passphrase", "unset"])
def test_it_refuses_adoption_without_a_usable_certificate(
    world: World, frozen_clock: Any, settings: Any, problem: str, tmp_path: Path, as_user: Any
) -> None:
    plan = to_call_in(world)
    frozen_clock.set(plan.call_in_ends_on + datetime.timedelta(days=1))
    if problem == "missing":
        settings.PLANGOV_SIGNING_P12 = str(tmp_path / "nowhere.p12")
    elif problem == "wrong passphrase":
        settings.PLANGOV_SIGNING_PASSPHRASE = "not-the-passphrase"
    else:
        settings.PLANGOV_SIGNING_P12 = ""
    with pytest.raises(GuardFailed, match="Adoption is refused until the plan can be signed"):
        plan_adopt(plan=plan, actor=world.lead)
    response = as_user(world.lead).post(f"/api/v1/plans/{plan.pk}/actions/adopt/", {},
                                        format="json")
    assert response.status_code == 409
    assert "signing certificate" in response.json()["detail"]
    plan.refresh_from_db()
    assert plan.stage == Stage.CALL_IN
    assert not SignedDocument.objects.filter(plan=plan).exists()


def test_it_refuses_an_executive_approval_that_would_adopt_unsigned(
    world: World, frozen_clock: Any, settings: Any, tmp_path: Path
) -> None:
    plan = submitted_plan(world, call_in=False)
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    settings.PLANGOV_SIGNING_P12 = str(tmp_path / "nowhere.p12")
    with pytest.raises(GuardFailed, match="does not exist"):
        decide(world, plan, world.executive, O.APPROVED)
    plan.refresh_from_db()
    assert plan.stage == Stage.EXECUTIVE_APPROVAL


def test_it_marks_a_render_that_runs_past_its_time_limit_failed_and_retries_on_request(
    world: World, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch, document_dir: Path
) -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    from documents.tasks import render_document

    plan = adopt(world, frozen_clock)
    document = SignedDocument.objects.get(plan=plan)

    def too_slow(*args: Any, **kwargs: Any) -> None:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "html_to_pdf", too_slow)
    assert render_document.delay(document.pk).get() == "failed"
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert "longer than" in document.error
    assert stored_files(document_dir) == []
    monkeypatch.undo()
    again = services.document_request(plan=plan, actor=world.lead, kind=DocumentKind.PLAN)
    assert again.pk == document.pk and again.status == DocumentStatus.PENDING
    assert services.document_render(document_id=document.pk) == "done"


def test_it_serves_documents_through_the_api(world: World, frozen_clock: Any,
                                             as_user: Any) -> None:
    plan, document, data = signed(world, frozen_clock)
    api = as_user(world.lead)
    listed = api.get(f"/api/v1/documents/?plan={plan.pk}").json()
    assert [d["key"] for d in listed["results"]] == [document.key]
    response = api.get(f"/api/v1/documents/{document.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == data
    decision = plan.decisions.order_by("pk").last()
    asked = api.post("/api/v1/documents/", {"plan": plan.pk, "kind": "decision_notice",
                                            "decision": decision.pk}, format="json")
    assert asked.status_code == 202
    assert asked.json()["key"] == f"decision-notice/{decision.pk}"
    bad = api.post("/api/v1/documents/", {"plan": plan.pk, "kind": "decision_notice",
                                          "decision": 999999}, format="json")
    assert bad.status_code == 400 and "decision" in bad.json()["errors"]
    outsider = as_user(world.users["outsider"]) if "outsider" in world.users else None
    if outsider is not None:
        assert outsider.get(f"/api/v1/documents/{document.pk}/").status_code == 404


def test_it_answers_409_for_the_plan_pdf_of_a_plan_not_adopted(world: World, frozen_clock: Any,
                                                                as_user: Any) -> None:
    plan = submitted_plan(world)
    response = as_user(world.lead).post("/api/v1/documents/",
                                        {"plan": plan.pk, "kind": "plan"}, format="json")
    assert response.status_code == 409
    assert "Only an adopted plan" in response.json()["detail"]


def test_it_shows_progress_then_the_download_on_the_document_page(
    world: World, frozen_clock: Any, client: Any
) -> None:
    plan = adopt(world, frozen_clock)
    document = SignedDocument.objects.get(plan=plan, kind=DocumentKind.PLAN)
    client.force_login(world.lead)
    waiting = client.get(f"/documents/{document.pk}/")
    assert waiting.status_code == 200
    # No meta refresh: a polite live region, updated by a static script polling the status
    # endpoint, and a plain Refresh link without JavaScript.
    assert b'http-equiv="refresh"' not in waiting.content
    assert b'role="status" aria-live="polite"' in waiting.content
    assert f'data-status-url="/documents/{document.pk}/status/"'.encode() in waiting.content
    assert b'<script src="/static/plangov/document-status.js" defer></script>' in waiting.content
    assert f'href="/documents/{document.pk}/">Refresh the page</a>'.encode() in waiting.content
    status = client.get(f"/documents/{document.pk}/status/").json()
    assert status["working"] is True and status["message"].endswith(f"{status['progress']}%")
    assert client.get(f"/documents/{document.pk}/file/").status_code == 404
    services.document_render(document_id=document.pk)
    done = client.get(f"/documents/{document.pk}/")
    assert b"aria-live" not in done.content and b"document-status.js" not in done.content
    status = client.get(f"/documents/{document.pk}/status/").json()
    assert status == {"status": "done", "working": False, "progress": status["progress"],
                      "message": "The document is signed. Refresh the page to download it."}
    assert b"Download the signed PDF" in done.content
    download = client.get(f"/documents/{document.pk}/file/")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content)[:5] == b"%PDF-"
    page = client.get(f"/plans/{plan.pk}/")
    assert f"/documents/{document.pk}/file/".encode() in page.content
    decision = plan.decisions.order_by("pk").first()
    asked = client.post(f"/plans/{plan.pk}/documents/",
                        {"kind": "decision_notice", "decision": str(decision.pk)})
    assert asked.status_code == 302
    notice = SignedDocument.objects.get(kind=DocumentKind.DECISION_NOTICE)
    assert asked["Location"] == f"/documents/{notice.pk}/"
    refused = client.post(f"/plans/{plan.pk}/documents/", {"kind": "decision_notice",
                                                          "decision": "x"})
    assert refused.status_code == 400
