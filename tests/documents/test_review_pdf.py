"""The approved review as a signed PDF: asked for when the review is approved, rendered and
signed by the worker like the plan, verified by anyone, with its own sign-off page; when it is
signed the review is published and listed on the public site beside the plan."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from documents.models import (
    DocumentKind,
    DocumentStatus,
    ProgressReport,
    Review,
    ReviewStage,
    SignedDocument,
)
from documents.publishing import services, storage
from documents.publishing.review import review_content_hash, review_title
from governance.models import AuditEvent
from plangov import clock
from plangov.errors import Conflict
from workflows.reviews.external import external_submission_record, external_submission_set
from workflows.reviews.hooks import on_review_approved
from workflows.reviews.scrutiny import (
    feedback_point_answer,
    review_feedback_incorporated,
    scrutiny_feedback_record,
)

from ..workflows.records_helpers import approve_review, make_review


@pytest.fixture(autouse=True)
def document_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_DOCUMENT_DIR = tmp_path / "documents"
    return settings.PLANGOV_DOCUMENT_DIR


def reviewed(world: Any, frozen_clock: Any) -> Any:
    """A review taken through scrutiny and an external submission, then approved."""
    review = make_review(world)
    ProgressReport.objects.create(
        review=review, outcome_key="healthy", priority_key="active",
        priority_title="All children are active and eat healthily", lead=world.lead,
        due_on=clock.today(), text="Two new school sports partnerships.\n\nFree swimming.",
        submitted_on=clock.today(), submitted_at=clock.now(), submitted_by=world.lead)
    feedback = scrutiny_feedback_record(
        review=review, actor=world.scrutiny_secretary, meeting_on=clock.today(), attendance=5,
        points=["Say how the plan reaches care leavers.", "Show the NEET trend by ward."])
    for point, answer in zip(feedback.points.order_by("number"),
                             ["A care leavers' section was added.", "See the ward table."],
                             strict=True):
        feedback_point_answer(point=point, response=answer, actor=world.lead)
    review_feedback_incorporated(review=review, note="Sections 2 and 4 rewritten.",
                                 actor=world.lead)
    external_submission_set(review=review, recipient="Department for Education",
                            deadline=clock.today() + datetime.timedelta(days=20),
                            actor=world.lead)
    frozen_clock.advance(days=7)
    external_submission_record(review=review, submitted_on=clock.today(),
                               what_was_sent="The self-assessment.", actor=world.lead)
    frozen_clock.advance(days=14)
    approve_review(world, review)
    return review


def published(world: Any, frozen_clock: Any) -> tuple[Any, SignedDocument, bytes]:
    review = reviewed(world, frozen_clock)
    on_review_approved(review)
    document = SignedDocument.objects.get(review=review)
    assert services.document_render(document_id=document.pk) == "done"
    document.refresh_from_db()
    review.refresh_from_db()
    return review, document, storage.read(document.file_sha256)


def test_approval_asks_for_the_pdf_once_and_signing_it_publishes_the_review(
        world, frozen_clock):
    review = reviewed(world, frozen_clock)
    on_review_approved(review)
    on_review_approved(review)  # asked again: the same document
    document = SignedDocument.objects.get(review=review)
    assert (document.kind, document.key) == (DocumentKind.REVIEW, f"review/{review.pk}")
    assert document.version == review.version and document.plan == review.plan
    assert document.content_sha256 == review_content_hash(review)
    review.refresh_from_db()
    assert review.stage == ReviewStage.APPROVED and review.published_at is None
    assert services.document_render(document_id=document.pk) == "done"
    review.refresh_from_db()
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE
    assert review.stage == ReviewStage.PUBLISHED and review.published_at == clock.now()
    signed = AuditEvent.objects.filter(action="document.sign", object_id=str(document.pk))
    assert signed.count() == 1
    assert signed.get().after["review_stage"] == "published"
    # The plan itself is untouched: still adopted, its version still the adopted one.
    review.plan.refresh_from_db()
    assert review.plan.stage == "adopted"


def test_a_failed_review_pdf_is_asked_for_again_through_the_documents_door(
        world, frozen_clock, monkeypatch):
    review = reviewed(world, frozen_clock)
    Review.objects.filter(pk=review.pk).update(stage=ReviewStage.EXECUTIVE)
    with pytest.raises(Conflict):  # approved reviews only
        services.document_request(plan=review.plan, actor=world.lead, kind=DocumentKind.REVIEW)
    Review.objects.filter(pk=review.pk).update(stage=ReviewStage.APPROVED)
    on_review_approved(review)
    document = SignedDocument.objects.get(review=review)
    monkeypatch.setattr(services, "html_to_pdf", lambda *a, **k: (_ for _ in ()).throw(
        RuntimeError("font cache gone")))
    with pytest.raises(RuntimeError):
        services.document_render(document_id=document.pk)
    document.refresh_from_db()
    review.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and review.stage == ReviewStage.APPROVED
    monkeypatch.undo()
    again = services.document_request(plan=review.plan, actor=world.lead,
                                      kind=DocumentKind.REVIEW)
    assert again.pk == document.pk and again.status == DocumentStatus.PENDING
    assert services.document_render(document_id=document.pk) == "done"
    review.refresh_from_db()
    assert review.stage == ReviewStage.PUBLISHED


def test_it_is_signed_archival_and_verified_as_the_record(world, frozen_clock):
    review, document, data = published(world, frozen_clock)
    result = services.document_verify(data=data)
    assert result["verdict"] == "valid" and result["matches_record"] is True
    assert result["document"]["key"] == f"review/{review.pk}"
    assert result["document"]["content_sha256"] == document.content_sha256
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata() as meta:
            assert meta["pdfaid:part"] == "3"
            assert meta["dc:title"].startswith(review.title)
        assert len(pdf.pages) == document.page_count >= 5
    tampered = bytearray(data)
    tampered[len(data) // 2] ^= 1
    assert services.document_verify(data=bytes(tampered))["verdict"] == "altered"


def test_it_says_everything_and_its_sign_off_page_lists_the_decisions(world, frozen_clock):
    review = reviewed(world, frozen_clock)
    on_review_approved(review)
    document = SignedDocument.objects.get(review=review)
    html, title = services.build_html(document)
    assert title == f"{review.title}: {review.plan.title}"
    review.title = f"Annual review {review.year} of the {review.plan.title}"
    assert review_title(review) == review.title
    for words in ("Strengths and achievements", "More children walk to school.",
                  "Areas for development", "Priorities for next year",
                  "Reach every care leaver by 16.", "Obesity in reception year", "Improved",
                  "Worse", "Green", "Red", "Being healthy",
                  "All children are active and eat healthily", "Free swimming.",
                  "Of 2 indicators where a trend can be identified, 1 has improved (50%).",
                  "Children asked for safer routes to school.",
                  "1. Say how the plan reaches care leavers.",
                  "Response: A care leavers&#x27; section was added.",
                  "Sections 2 and 4 rewritten.", "Department for Education",
                  "The self-assessment."):
        assert words in html, words
    signoff = html[html.index('id="signoff"'):]
    for words in ("YorOK Board", "YB/17/4", "Executive", "EX/17/12", "Approved",
                  "6 / 0 / 0", f"plangov:review/{review.pk}", document.content_sha256):
        assert words in signoff, words
    assert "was not called in" in signoff or "not subject to call-in" in signoff


def test_the_public_site_lists_the_published_review_beside_the_plan(world, frozen_clock,
                                                                    client):
    review, document, data = published(world, frozen_clock)
    page = client.get(f"/p/{world.partnership.slug}/")
    assert page.status_code == 200
    text = page.content.decode()
    url = f"/p/{world.partnership.slug}/documents/{document.pk}/"
    assert url in text and f"Annual review {review.year} (signed PDF" in text
    assert text.index("Children and Young People") < text.index(f"Annual review {review.year}")
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == data
    assert download["Content-Disposition"].endswith(f'review-{review.plan_id}-{review.pk}.pdf"')


def test_an_unpublished_review_is_not_on_the_public_site(world, frozen_clock, client):
    review = reviewed(world, frozen_clock)
    on_review_approved(review)
    document = SignedDocument.objects.get(review=review)
    page = client.get(f"/p/{world.partnership.slug}/")
    assert f"/documents/{document.pk}/" not in page.content.decode()
    assert client.get(f"/p/{world.partnership.slug}/documents/{document.pk}/").status_code == 404


def test_through_the_decision_services_a_called_in_review_is_published_with_its_call_in(
        world, frozen_clock):
    """The real way: the board and the executive approve, the approval is called in, the
    scrutiny committee takes no further action; the approval asks for the PDF, signing it
    publishes the review, and the sign-off page tells the call-in."""
    from tests.api.conftest import adopted_plan
    from tests.conftest import call_in_outcome, call_in_request
    from tests.workflows.review_decision_helpers import review_at_board
    from workflows.reviews.decisions import review_decision_record

    plan = adopted_plan(world, frozen_clock)
    review = review_at_board(world, plan)
    for body, actor, ref in ((world.board, world.board_secretary, "YB/17/9"),
                             (world.executive, world.executive_member, "EX/17/30")):
        review_decision_record(review=review, actor=actor, body=body, outcome="approved",
                               decided_on=clock.today(), attendance=8, votes_for=7,
                               minute_reference=ref)
    review.refresh_from_db()
    assert review.stage == ReviewStage.CALL_IN
    assert not SignedDocument.objects.filter(review=review).exists()
    call_in_request(world, plan, review=review)
    frozen_clock.advance(days=1)
    call_in_outcome(world, plan, "no_further_action", review=review,
                    minute_reference="SC/17/2")
    review.refresh_from_db()
    assert review.stage == ReviewStage.APPROVED
    document = SignedDocument.objects.get(review=review, kind=DocumentKind.REVIEW)
    html, _ = services.build_html(document)
    signoff = html[html.index('id="signoff"'):]
    for words in ("YB/17/9", "EX/17/30", "was called in", "3 members", "SC/17/2",
                  "no further action"):
        assert words in signoff, words
    assert services.document_render(document_id=document.pk) == "done"
    review.refresh_from_db()
    assert review.stage == ReviewStage.PUBLISHED
