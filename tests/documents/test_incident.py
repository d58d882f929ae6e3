"""A plan adopted while its signed PDF cannot be made through a fault of ours is an incident:
the document page says so plainly, and the administrators are told, once per document."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from documents.models import DocumentKind, DocumentStatus, SignedDocument
from documents.publishing import services

from .test_signed_documents import adopt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def document_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_DOCUMENT_DIR = tmp_path / "documents"
    settings.ADMINS = [("Ops", "ops@york.example.org")]
    return settings.PLANGOV_DOCUMENT_DIR


def broken_renderer(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("font cache is corrupt")


def fail_render(document: SignedDocument, capture: Any) -> None:
    with capture(execute=True), pytest.raises(RuntimeError):
        services.document_render(document_id=document.pk)


def test_a_fault_of_ours_is_an_incident_told_once(world, frozen_clock, monkeypatch, client,
                                                  django_capture_on_commit_callbacks):
    plan = adopt(world, frozen_clock)
    document = SignedDocument.objects.get(plan=plan, kind=DocumentKind.PLAN)
    monkeypatch.setattr(services, "html_to_pdf", broken_renderer)
    fail_render(document, django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and document.incident_at is not None
    [message] = mail.outbox
    assert message.to == ["ops@york.example.org"]
    assert "Incident" in message.subject and plan.title in message.subject
    assert "font cache is corrupt" in message.body and f"/documents/{document.pk}/" in message.body

    client.force_login(world.lead)
    page = html.unescape(client.get(f"/documents/{document.pk}/").content.decode())
    assert "An incident" in page
    assert f"{plan.title} was adopted on" in page and "its signed PDF could not be made" in page
    assert "An administrator was told" in page

    # Asked again and failing again: recorded again, but the administrators are not mailed
    # a second time for the same document.
    with django_capture_on_commit_callbacks(execute=False):
        services.document_request(plan=plan, actor=world.lead, kind=DocumentKind.PLAN)
    fail_render(document, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_a_refusal_about_the_request_is_no_incident(world, frozen_clock, monkeypatch,
                                                    django_capture_on_commit_callbacks):
    plan = adopt(world, frozen_clock)
    document = SignedDocument.objects.get(plan=plan, kind=DocumentKind.PLAN)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise services.RenderRefused("The report changed; ask again.")

    monkeypatch.setattr(services, "html_to_pdf", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.document_render(document_id=document.pk) == "failed"
    document.refresh_from_db()
    assert document.incident_at is None and not mail.outbox
