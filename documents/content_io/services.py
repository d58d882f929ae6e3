"""The import's two steps, as services: ``import_preview`` reads a file and keeps what it
read for a short while (nothing about the plan changes); ``apply_import`` puts it into the
plan's draft when the coordinator confirms, and records one audit event for the import."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from documents import drafts
from documents.models import ContentImport, Plan, PlanDraft
from documents.services import lock_plan
from governance import policy
from governance.audit import audit_record
from plangov import clock, text
from plangov.errors import Forbidden, InvalidInput, PlangovError
from plangov.txn import service

from . import limits, reading

# How long a preview waits for its confirmation.
PREVIEW_LIFETIME = datetime.timedelta(hours=2)


class ImportNotFound(PlangovError):
    title = "No such import"
    status = 404


def may_import(plan: Plan, actor: AbstractBaseUser) -> None:
    """Importing writes the draft: whoever may write the plan's versions (its lead officer
    or their deputy, as version_create checks)."""
    verdict = policy.can_lead(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)


def draft_revision(plan: Plan) -> int | None:
    """The draft's current revision, when the plan has a draft."""
    return PlanDraft.objects.filter(plan=plan).values_list("revision", flat=True).first()


def import_preview(*, plan: Plan, actor: AbstractBaseUser, upload: Any,
                   filename: str = "") -> ContentImport:
    """Read ``upload`` (a DOCX, JSON or YAML file) and keep what it holds under a random
    token for ``PREVIEW_LIFETIME``; the plan and its draft are not touched. Raises Forbidden
    before reading anything, FileRefused for a file that cannot be read."""
    may_import(plan, actor)
    data = limits.read_capped(upload)
    name = text.scrub(filename or getattr(upload, "name", "") or "")[:255]
    result = reading.preview(name, data)
    if not result.valid:
        # The warnings the draft editor will show: the validator's, and the references and
        # duplicate keys it cannot check until every field is valid.
        result.warnings = drafts.draft_warnings(result.content)
        # What a draft cannot hold at all (a list where text belongs) refuses the file now,
        # not at the confirmation.
        try:
            drafts.clean_content(result.content)
        except InvalidInput as exc:
            raise InvalidInput({"file": ["The file's content does not have the plan content's "
                                         "shape; each place is named below."],
                                **{f"file.{k.removeprefix('content.')}": v
                                   for k, v in exc.errors.items()}}) from exc
    now = clock.now()
    with transaction.atomic():
        ContentImport.objects.filter(expires_at__lt=now).delete()
        return ContentImport.objects.create(
            token=secrets.token_urlsafe(32), plan=plan, created_by=actor, created_at=now,
            expires_at=now + PREVIEW_LIFETIME, filename=name, file_format=result.parsed.file_format,
            file_sha256=result.parsed.sha256, file_size=result.parsed.size,
            content=result.content, preview=result.as_dict(), draft_revision=draft_revision(plan),
        )


def pending_import(*, plan: Plan, actor: AbstractBaseUser, token: str) -> ContentImport:
    """The caller's own unexpired import into ``plan``; ImportNotFound otherwise."""
    record = ContentImport.objects.filter(
        token=token[:64], plan=plan, created_by=actor, expires_at__gte=clock.now()
    ).first()
    if record is None:
        raise ImportNotFound("This import has expired, was already confirmed, or is not "
                             "yours; upload the file again.")
    return record


@service
def apply_import(*, plan: Plan, actor: AbstractBaseUser, token: str) -> PlanDraft:
    """Confirm a previewed import: its content replaces the plan's draft (through the draft
    service, which checks the draft has not changed since the preview) and one audit event
    records the import (the file's SHA-256, its format and counts; no text)."""
    plan = lock_plan(plan.pk)
    may_import(plan, actor)
    record = pending_import(plan=plan, actor=actor, token=token)
    # No draft at the preview: the draft made now (from the current version) is revision 1,
    # and anyone's save since then makes the import a stale change (412), not an overwrite.
    expected = record.draft_revision if record.draft_revision is not None else 1
    draft = drafts.draft_save(plan=plan, content=record.content, expected_revision=expected,
                              actor=actor)
    counts = record.preview.get("understood", {}).get("counts", {})
    audit_record(
        actor=actor, action="content.import",
        obj=draft, plan_id=plan.pk,
        before={"draft_revision": record.draft_revision},
        after={"file_sha256": record.file_sha256, "format": record.file_format,
               "file_size": record.file_size, "counts": counts,
               "valid": record.preview.get("valid", False),
               "not_understood": len(record.preview.get("not_understood", [])),
               "draft_revision": draft.revision},
    )
    record.delete()
    return draft
