"""Services for signed documents: ask for one, render and sign it (in a worker), verify one.

A document is rendered once. ``status`` moves by compare-and-set on (status, claimed_at):
pending → rendering (claimed, with a lease) → done or failed. A worker that dies mid-render
leaves the row "rendering" with an old claim; once the lease has run out the next attempt
(the redelivered Celery message, or the beat scan) takes it over, clears what the dead one
left in ``tmp/`` and renders again. Only the attempt holding the current claim may finish, so
exactly one file ends up recorded.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import mail_admins
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string

from documents.models import (
    DocumentKind,
    DocumentStatus,
    ExecutiveReport,
    Plan,
    PlanVersion,
    Review,
    ReviewStage,
    SignedDocument,
)
from documents.services import lock_plan
from governance import policy
from governance.audit import audit_record
from governance.models import AuditEvent, AuditHead, Decision
from plangov import clock, text
from plangov.errors import Conflict, Forbidden, InvalidInput
from plangov.txn import service

from . import context, storage
from .pdf import html_to_pdf
from .review import review_content_hash, review_context, review_key, review_signed, review_title
from .signing import SigningUnavailable, credentials, sign_pdf, signing_problem
from .verify import SignatureCheck, Verdict, check_signature

log = logging.getLogger(__name__)


class SigningRefused(Conflict):
    title = "No usable signing certificate"


def record_key(kind: str, version: PlanVersion, *, decision: Decision | None = None,
               revision: int | None = None, review: Review | None = None) -> str:
    if kind == DocumentKind.REVIEW:
        assert review is not None
        return review_key(review)
    if kind == DocumentKind.PLAN:
        return f"plan/{version.plan_id}/v{version.number}"
    if kind == DocumentKind.EXECUTIVE_REPORT:
        return f"executive-report/{version.plan_id}/v{version.number}/r{revision}"
    if kind == DocumentKind.SCORECARD:  # of the readings as they stand now
        from documents.monitoring.scorecard_pdf import record_key as scorecard_key

        return scorecard_key(version.plan_id, version)
    assert decision is not None
    return f"decision-notice/{decision.pk}"


def _snapshot(document: SignedDocument) -> dict[str, Any]:
    return {"key": document.key, "status": document.status, "attempts": document.attempts}


def _enqueue(document_id: int) -> None:
    from documents.tasks import render_document

    render_document.delay_on_commit(document_id)


def _get_or_create(
    *, plan: Plan, version: PlanVersion, kind: str, actor: Any,
    decision: Decision | None = None, revision: int | None = None, review: Review | None = None,
) -> tuple[SignedDocument, str | None]:
    """The document for this exact thing, and what changed: "created", "retried" or None."""
    key = record_key(kind, version, decision=decision, revision=revision, review=review)
    existing = SignedDocument.objects.select_for_update().filter(key=key).first()
    if existing is not None:
        if existing.status != DocumentStatus.FAILED:
            return existing, None
        existing.status, existing.progress, existing.progress_label = DocumentStatus.PENDING, 0, ""
        existing.claimed_at = None
        existing.save(update_fields=["status", "progress", "progress_label", "claimed_at"])
        _enqueue(existing.pk)
        return existing, "retried"
    document = SignedDocument.objects.create(
        key=key, kind=kind, plan=plan, version=version, decision=decision, review=review,
        report_revision=revision,
        content_sha256=review_content_hash(review) if review is not None else version.content_hash,
        requested_by=actor if getattr(actor, "pk", None) else None,
        requested_at=clock.now(),
    )
    _enqueue(document.pk)
    return document, "created"


def publish_adopted_version(plan: Plan) -> SignedDocument:
    """Called inside the adoption's transaction: the adopted version is rendered and signed
    as soon as the adoption commits. The adoption's own audit event records it."""
    assert plan.adopted_version_id is not None
    version = PlanVersion.objects.get(pk=plan.adopted_version_id)
    document, _ = _get_or_create(plan=plan, version=version, kind=DocumentKind.PLAN, actor=None)
    return document


@service
def document_request(
    *, plan: Plan, actor: Any, kind: str, decision_id: int | None = None
) -> SignedDocument:
    """Ask for a signed PDF. Asking again for the same thing returns the same document (and,
    once it is signed, the same file); asking again after a failure tries once more."""
    plan = lock_plan(plan.pk)
    verdict = policy.can_request_document(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    if kind not in DocumentKind.values:
        raise InvalidInput({"kind": [f"Choose one of: {', '.join(DocumentKind.values)}."]})
    decision = None
    revision = None
    review = None
    if kind == DocumentKind.PLAN:
        if plan.adopted_version_id is None:
            raise Conflict("Only an adopted plan is published as a signed PDF; this one is "
                           f"in {plan.get_stage_display().lower()}.")
        version = PlanVersion.objects.get(pk=plan.adopted_version_id)
    elif kind == DocumentKind.REVIEW:
        # Made when a review is approved (workflows.reviews.hooks); asked for here only to
        # try again after a failure, for the approved review still waiting for its PDF.
        review = Review.objects.filter(plan=plan, stage=ReviewStage.APPROVED).order_by(
            "-approved_at", "-pk").first()
        if review is None:
            raise Conflict("A review's signed PDF is made when the review is approved; no "
                           "approved review of this plan is waiting for one.")
        version = review.version
    elif kind == DocumentKind.DECISION_NOTICE:
        decision = Decision.objects.filter(pk=decision_id, plan=plan).first() if (
            isinstance(decision_id, int)) else None
        if decision is None:
            raise InvalidInput({"decision": ["Give the id of a decision taken on this plan."]})
        if decision.version_id is None:
            raise InvalidInput({"decision": [
                "This decision is on a review of the plan, not on a version: a review's "
                "decisions are published with the review."
            ]})
        version = decision.version
    elif kind == DocumentKind.SCORECARD:
        if plan.adopted_version_id is None:
            raise Conflict("Only an adopted plan has a scorecard; this one is in "
                           f"{plan.get_stage_display().lower()}.")
        version = PlanVersion.objects.get(pk=plan.adopted_version_id)
    else:
        report = ExecutiveReport.objects.filter(plan=plan).first()
        if report is None or plan.current_version_id is None:
            raise Conflict("No executive report has been written for this plan yet.")
        version = PlanVersion.objects.get(pk=plan.current_version_id)
        revision = report.revision
    if problem := signing_problem():
        raise SigningRefused(f"Nothing can be signed now. {problem}")
    document, change = _get_or_create(
        plan=plan, version=version, kind=kind, actor=actor, decision=decision, revision=revision,
        review=review,
    )
    if change is not None:
        audit_record(
            actor=actor, action=f"document.{'request' if change == 'created' else 'retry'}",
            obj=document, plan_id=plan.pk, before={}, after=_snapshot(document),
        )
    return document


# Rendering, run by documents.tasks.render_document.


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.PLANGOV_RENDER_LEASE_SECONDS)


def claimable(now: datetime.datetime) -> Q:
    return Q(status=DocumentStatus.PENDING) | Q(
        status=DocumentStatus.RENDERING, claimed_at__lt=now - _lease()
    )


def build_html(document: SignedDocument,
               audit_head: tuple[int, str] | None = None) -> tuple[str, str]:
    """The document's HTML and its title; ``audit_head`` (the audit ledger's newest event
    number and hash when it is signed) is printed in its colophon."""
    plan, version = document.plan, document.version
    overrides: dict[str, Any] = {}
    if document.kind == DocumentKind.PLAN:
        title = f"{plan.title} {plan.period_start:%Y}–{plan.period_end:%Y}"
        data = context.plan_context(plan, version)
        template = "documents/plan.html"
    elif document.kind == DocumentKind.REVIEW:
        assert document.review is not None
        title = review_title(document.review)
        data = review_context(document.review, version)
        template = "documents/review.html"
        overrides = {
            "content_sha256": document.content_sha256,
            "footer_left": f"{document.review.title}. Content SHA-256 "
                           f"{document.content_sha256[:16]}…",
        }
    elif document.kind == DocumentKind.DECISION_NOTICE:
        assert document.decision is not None
        title = f"Decision notice: {document.decision.body.name}, {plan.title}"
        data = context.decision_context(document.decision)
        template = "documents/decision_notice.html"
    elif document.kind == DocumentKind.SCORECARD:
        from documents.monitoring.scorecard_pdf import scorecard_document

        data, title, template = scorecard_document(document, RenderRefused)
    else:
        from .executive import executive_report_context

        report = ExecutiveReport.objects.get(plan=plan)
        if report.revision != document.report_revision:
            raise RenderRefused(
                f"The executive report was changed (now revision {report.revision}) after "
                f"revision {document.report_revision} was asked for; ask for the PDF again."
            )
        data = executive_report_context(report, version)
        title = data.get("document_title") or f"Executive report: {plan.title}"
        template = "documents/report.html"
    frame = context.frame(plan=plan, version=version, record_key=document.key, title=title)
    if audit_head is not None:
        frame["audit_head"] = {"seq": audit_head[0], "hash": audit_head[1]}
    html = render_to_string(template, {**data, **frame, **overrides, "document_title": title})
    # The second line behind plangov.text's policy: text stored before the policy (or
    # written around it) may hold characters no PDF metadata (XMP is XML) can carry. They
    # are dropped from the whole document, so no stored string can stop it being published.
    return text.scrub(html), text.scrub(title)


class RenderRefused(Exception):
    """The document cannot be made as asked; the message says why."""


def signature_reason(document: SignedDocument, title: str,
                     audit_head: tuple[int, str] | None = None) -> str:
    # The audit ledger's head at signing rides in the signed reason (and the colophon), so
    # anyone holding the PDF can show a later rewrite of the ledger: verify_pdf and the
    # verify page look the event up (documents.publishing.verify reads it back).
    head = f". Audit head: #{audit_head[0]} {audit_head[1]}" if audit_head else ""
    return text.scrub(
        f"Signed off by {document.plan.partnership.name}: {title}, version "
        f"{document.version.number}. Content SHA-256: {document.content_sha256}. "
        f"Record: plangov:{document.key}{head}"
    )


def audit_head_now() -> tuple[int, str]:
    """The audit ledger's newest event number and hash (0 and the genesis hash when empty)."""
    head = AuditHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    return (head[0], head[1]) if head else (0, "0" * 64)


def document_render(*, document_id: int) -> str:
    """Claim, render, sign, store and record one document. Idempotent: a second call for a
    document that is done, or being rendered under a live claim, does nothing."""
    now = clock.now()
    claimed = SignedDocument.objects.filter(Q(pk=document_id) & claimable(now)).update(
        status=DocumentStatus.RENDERING, claimed_at=now, attempts=F("attempts") + 1,
        progress=5, progress_label="Gathering the record", error="",
    )
    if not claimed:
        return "nothing to do"
    document = SignedDocument.objects.select_related(
        "plan", "plan__partnership", "plan__owning_body", "version", "decision",
        "decision__body", "decision__meeting", "decision__recorded_by",
    ).get(pk=document_id)
    mine = SignedDocument.objects.filter(
        pk=document_id, status=DocumentStatus.RENDERING, claimed_at=now
    )
    storage.clear_partials(document_id)

    def progress(percent: int, label: str) -> None:
        mine.update(progress=percent, progress_label=label)

    try:
        audit_head = audit_head_now()
        html, title = build_html(document, audit_head)
        progress(20, "Laying out the pages")
        pdf, pages = html_to_pdf(html, on_layout=lambda n: progress(60, f"Writing {n} pages"))
        progress(85, "Signing")
        signed = sign_pdf(pdf, reason=signature_reason(document, title, audit_head))
        progress(95, "Storing the signed file")
        digest = storage.store(signed, document_id=document_id, attempt=document.attempts)
    except RenderRefused as exc:
        document_fail(document_id=document_id, claim=now, error=str(exc))
        return "failed"
    except SigningUnavailable as exc:
        document_fail(document_id=document_id, claim=now, error=str(exc), incident=True)
        return "failed"
    except SoftTimeLimitExceeded:
        # Celery's soft limit: stop, say why, and leave nothing behind (store() had not run,
        # or ran whole; the file is discarded below only if unrecorded).
        document_fail(
            document_id=document_id, claim=now,
            error=f"Rendering took longer than {settings.PLANGOV_RENDER_SOFT_SECONDS} seconds "
            "and was stopped. Shorten the document or ask an administrator to raise "
            "PLANGOV_RENDER_SOFT_SECONDS.",
            incident=True,
        )
        return "failed"
    except OperationalError:
        # Transient (the database was busy): give the claim back; Celery retries.
        mine.update(status=DocumentStatus.PENDING, claimed_at=None, progress=0,
                    progress_label="")
        raise
    except Exception as exc:
        # A fault of ours, or a time limit: say so on the document rather than leave it
        # "rendering" until the lease runs out, then let the worker log it.
        document_fail(document_id=document_id, claim=now,
                      error=f"Rendering failed: {type(exc).__name__}: {exc}", incident=True)
        raise
    if _finish(document_id=document_id, claim=now, digest=digest, size=len(signed),
               pages=pages, signer=credentials().subject, audit_head=audit_head):
        return "done"
    # Our claim was taken over (we outlived the lease): the other attempt's file is the one.
    if not SignedDocument.objects.filter(file_sha256=digest).exists():
        storage.discard(digest)
    return "superseded"


@service
def _finish(*, document_id: int, claim: datetime.datetime, digest: str, size: int,
            pages: int, signer: str, audit_head: tuple[int, str] | None = None) -> bool:
    head_seq, head_hash = audit_head or (None, "")
    done = SignedDocument.objects.filter(
        pk=document_id, status=DocumentStatus.RENDERING, claimed_at=claim
    ).update(
        status=DocumentStatus.DONE, file_sha256=digest, file_size=size, page_count=pages,
        signer=signer, signed_at=clock.now(), progress=100, progress_label="Signed",
        audit_head_seq=head_seq, audit_head_hash=head_hash,
    )
    if done:
        document = SignedDocument.objects.get(pk=document_id)
        published: dict[str, Any] = {}
        if document.kind == DocumentKind.REVIEW:
            # The review's lifecycle (workflows) publishes the review in this transaction;
            # see documents.publishing.review.
            for _, answer in review_signed.send(sender=SignedDocument, document=document):
                published.update(answer or {})
        audit_record(
            actor=None, action="document.sign", obj=document, plan_id=document.plan_id,
            before={"status": DocumentStatus.RENDERING},
            after={**_snapshot(document), "file_sha256": digest, "pages": pages, **published},
        )
    return bool(done)


@service
def document_fail(*, document_id: int, claim: datetime.datetime, error: str,
                  incident: bool = False) -> bool:
    """Mark the render failed. ``incident``: it failed for a fault of ours (a bug, the
    signing certificate, a time limit), not because of what was asked; the administrators
    are told, once per document, when this commits."""
    failed = SignedDocument.objects.filter(
        pk=document_id, status=DocumentStatus.RENDERING, claimed_at=claim
    ).update(status=DocumentStatus.FAILED, error=error[:2000], progress_label="Failed")
    if failed:
        first_incident = incident and bool(SignedDocument.objects.filter(
            pk=document_id, incident_at__isnull=True).update(incident_at=clock.now()))
        document = SignedDocument.objects.get(pk=document_id)
        audit_record(
            actor=None, action="document.fail", obj=document, plan_id=document.plan_id,
            before={"status": DocumentStatus.RENDERING},
            after={**_snapshot(document), "incident": incident}, reason=error,
        )
        if first_incident:
            transaction.on_commit(lambda: _tell_administrators(document_id))
    return bool(failed)


def _tell_administrators(document_id: int) -> None:
    """An incident mail (settings.ADMINS). Never raises: the failure is already recorded
    and shown on the document's page."""
    document = SignedDocument.objects.select_related("plan", "version").get(pk=document_id)
    plan = document.plan
    adopted = document.kind == DocumentKind.PLAN
    what = (f"the adopted plan {plan.title!r} (plan {plan.pk}, version "
            f"{document.version.number}) has no signed PDF" if adopted
            else f"the {document.get_kind_display().lower()} for plan {plan.pk} was not made")
    try:
        mail_admins(
            text.scrub(f"Incident: {what}")[:200],
            text.scrub(
                f"A signed document could not be rendered for a fault of plangov's, not of "
                f"the document: {what}.\n\n"
                f"Document: {document.key} (attempt {document.attempts})\n"
                f"Error: {document.error}\n\n"
                f"{settings.PLANGOV_SITE_URL}/documents/{document.pk}/\n\n"
                "Once the fault is fixed, anyone who can see the plan can ask for the "
                "document again from that page. This mail is sent once per document."
            ),
            fail_silently=True,
        )
    except Exception:  # a mail server that cannot be reached must not hide the failure
        log.exception("Could not tell the administrators about document %s", document_id)


def documents_due() -> list[int]:
    """Beat: documents waiting for a worker, and renders whose worker died (lease run out)."""
    return list(
        SignedDocument.objects.filter(claimable(clock.now())).values_list("pk", flat=True)
    )


# Verification: the signature, then the record.


def document_verify(*, data: bytes) -> dict[str, Any]:
    """What anyone may learn about a PDF: is the signature intact and trusted, which plan and
    version it is, and whether its bytes are those of the signed-off record. Raises
    verify.NotAPdf for a file that is not a PDF."""
    check = check_signature(data)
    record = SignedDocument.objects.filter(
        file_sha256=check.file_sha256, status=DocumentStatus.DONE
    ).select_related("plan", "version").first()
    claimed = record or (
        SignedDocument.objects.filter(key=check.record_key).select_related("plan", "version")
        .first() if check.record_key else None
    )
    result = check.as_dict()
    result["matches_record"] = record is not None
    _audit_head(result, check)
    result["document"] = _describe(claimed) if claimed is not None else None
    if claimed is not None and record is None and check.verdict in {Verdict.VALID,
                                                                     Verdict.UNTRUSTED}:
        _altered(result, check, f"This PDF differs from the signed-off record of {claimed.key}"
                                ": its bytes are not the ones that were signed off.")
    elif claimed is None and check.verdict == Verdict.VALID:
        result["summary"] += " This plangov holds no record of the document, though."
    return result


def _audit_head(result: dict[str, Any], check: SignatureCheck) -> None:
    """Does the audit ledger still hold the event the PDF names as its head at signing? Only
    the signed reason is trusted for it, so only an intact signature's is looked up."""
    head = result["audit_head"]
    if head is None or not check.intact:
        return
    if head["seq"] == 0:
        head["in_ledger"] = head["hash"] == "0" * 64
    else:
        head["in_ledger"] = AuditEvent.objects.filter(seq=head["seq"],
                                                      hash=head["hash"]).exists()
    if not head["in_ledger"]:
        result["problems"] = [*result["problems"], (
            f"The audit ledger no longer holds event #{head['seq']} with the hash this PDF "
            "recorded when it was signed: the ledger was rewritten after the signing.")]
        result["summary"] += (" But the audit ledger was rewritten after it was signed: it no "
                              "longer holds the event the PDF recorded.")


def _altered(result: dict[str, Any], check: SignatureCheck, summary: str) -> None:
    result["verdict"] = Verdict.ALTERED
    result["summary"] = summary
    result["problems"] = [*check.problems, "The file's SHA-256 matches no signed-off record."]


def _describe(document: SignedDocument) -> dict[str, Any]:
    return {
        "key": document.key,
        "kind": document.kind,
        "plan": {"id": document.plan_id, "title": document.plan.title},
        "version": document.version.number,
        "content_sha256": document.content_sha256,
        "file_sha256": document.file_sha256,
        "signed_at": document.signed_at.isoformat() if document.signed_at else None,
    }
