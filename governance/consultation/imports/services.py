"""Importing offline responses (paper returns, event notes) from CSV or XLSX.

``import_create`` checks who asks and the round's state, stores the uploaded file under
PLANGOV_IMPORT_DIR by its SHA-256 and queues the import when the transaction commits. The
worker (``import_run``, run by a thin Celery task) then:

1. **validates the whole file** (status "validating"), streaming it row by row: the row report
   (row, column, problem). A problem in the header, or any invalid row when the coordinator
   did not choose "import only the valid rows", ends it "invalid": nothing is written, and the
   coordinator may then choose to import only the valid rows from the same stored file;
2. **imports** (status "importing") in batches of PLANGOV_IMPORT_BATCH_ROWS rows, one
   transaction each (SQLite's write lock is never held for long). Each batch writes its
   responses and moves ``processed_rows`` in the same transaction;
3. finishes ("done") with ONE audit event: the counts, the file's SHA-256 and a digest of the
   round's responses; the stored file is then deleted.

Each row is fingerprinted (``rows.fingerprint``) and a round holds each fingerprint once, so a
file imported twice writes nothing the second time (the same file is recognised by its hash
before that), and a corrected file adds only the rows not seen before.

A killed worker: ``status`` and ``claimed_at`` move by compare-and-set, and every batch renews
the claim (a lease of PLANGOV_IMPORT_LEASE_SECONDS). A worker that dies leaves the import
"validating" or "importing" with an old claim; once the lease has run out, the redelivered
message or the beat scan (``imports_due``) claims it again and resumes after the last committed
batch. Were it to start again from the first row, the fingerprints would still keep every row
to exactly one response.

Imports are taken while the round is open and after it has closed (paper returns arrive
late), never before it opens nor once its summary is published.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from governance import policy
from governance.audit import audit_record
from plangov import clock, tabular
from plangov.errors import Conflict, Forbidden
from plangov.txn import service

from ..models import (
    Answer,
    ConsultationRound,
    ConsultationStatus,
    Response,
    ResponseImport,
    ResponseSource,
)
from ..models import ResponseImportStatus as S
from . import reader
from .digest import responses_digest
from .rows import Layout, Problem, Row, RowChecker, fingerprint, layout_for

log = logging.getLogger(__name__)

WORKING = (S.PENDING, S.VALIDATING, S.IMPORTING)


# The stored file.


def import_dir() -> Path:
    return Path(settings.PLANGOV_IMPORT_DIR)


def path_for(sha256: str) -> Path:
    return import_dir() / sha256


def too_big(size: int) -> str:
    return tabular.too_big(size, settings.PLANGOV_IMPORT_MAX_BYTES)


def store_upload(upload: Any) -> tuple[str, int]:
    """Write the upload under the import directory, named by its SHA-256, in chunks (never
    whole in memory); refuse it once it passes the size limit (plangov.tabular.spool)."""
    partial, sha, size = tabular.spool(
        upload, import_dir() / "tmp", limit=settings.PLANGOV_IMPORT_MAX_BYTES,
        missing="Choose a CSV or XLSX file of responses.",
        empty="The file is empty; choose the file of responses.")
    try:
        os.replace(partial, path_for(sha))
    finally:
        partial.unlink(missing_ok=True)
    return sha, size


def _discard_if_unused(sha256: str) -> None:
    """Delete a stored file no import still needs (one waiting, working, or invalid and so
    perhaps to be imported with only its valid rows)."""
    if not ResponseImport.objects.filter(
        file_sha256=sha256, status__in=[*WORKING, S.INVALID]
    ).exists():
        path_for(sha256).unlink(missing_ok=True)


# Asking for an import.


def may_import(round: ConsultationRound, actor: Any) -> None:
    """Raise Forbidden or Conflict unless ``actor`` may import into ``round`` now."""
    verdict = policy.can_lead(round.plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    if round.summary_published_at is not None:
        raise Conflict("The summary of this consultation has been published; no more "
                       "responses can be imported into it.")
    if round.status == ConsultationStatus.DRAFT:
        raise Conflict("This consultation has not opened yet; responses can be imported once "
                       "it is open, and after it closes.")


def _enqueue(import_id: int) -> None:
    from plangov.queue import enqueue_on_commit

    from ..tasks import import_responses

    enqueue_on_commit(import_responses, import_id)


def import_create(*, round: ConsultationRound, actor: Any, upload: Any, filename: str = "",
                  only_valid_rows: bool = False) -> tuple[ResponseImport, bool]:
    """Store the file and queue its import. Answers the import and whether it is a file
    already imported (or being imported) into this round: then nothing new is queued and
    the earlier import is answered."""
    may_import(round, actor)
    sha, _ = store_upload(upload)
    try:
        return _create(round_id=round.pk, actor=actor, sha=sha, filename=filename,
                       only_valid_rows=only_valid_rows)
    except BaseException:
        _discard_if_unused(sha)
        raise


@service
def _create(*, round_id: int, actor: Any, sha: str, filename: str,
            only_valid_rows: bool) -> tuple[ResponseImport, bool]:
    round = ConsultationRound.objects.select_for_update().select_related("plan").get(pk=round_id)
    may_import(round, actor)
    earlier = ResponseImport.objects.filter(
        round=round, file_sha256=sha, status__in=[*WORKING, S.DONE]
    ).order_by("-created_at", "-pk").first()
    if earlier is not None:
        return earlier, True
    record = ResponseImport.objects.create(
        round=round, file_sha256=sha, filename=filename[:255], stored_path=sha,
        only_valid_rows=only_valid_rows, created_by=actor, created_at=clock.now(),
    )
    _enqueue(record.pk)
    return record, False


@service
def import_valid_rows(*, response_import: ResponseImport, actor: Any) -> ResponseImport:
    """The coordinator read the row report of an invalid file and chooses to import only its
    valid rows (the stored file is imported again, skipping the invalid ones)."""
    record = ResponseImport.objects.select_for_update().select_related(
        "round", "round__plan").get(pk=response_import.pk)
    may_import(record.round, actor)
    if record.status != S.INVALID or not record.stored_path or not path_for(
        record.file_sha256
    ).exists():
        raise Conflict("Only a file that was checked and found to have problems can be "
                       "imported without its invalid rows.")
    if any(p.get("row") == 1 for p in record.report):
        raise Conflict("The file's columns are wrong, so no row can be imported; correct the "
                       "header and upload the file again.")
    ResponseImport.objects.filter(pk=record.pk).update(
        status=S.PENDING, only_valid_rows=True, claimed_at=None, finished_at=None,
        processed_rows=0, imported_rows=0, skipped_rows=0,
    )
    _enqueue(record.pk)
    record.refresh_from_db()
    return record


# The worker.


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.PLANGOV_IMPORT_LEASE_SECONDS)


def claimable(now: datetime.datetime) -> Q:
    return Q(status=S.PENDING) | Q(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - _lease()),
        status__in=[S.VALIDATING, S.IMPORTING],
    )


def discard_stale_files() -> int:
    """Beat: delete the stored files of invalid imports nobody chose to import the valid rows
    of within PLANGOV_IMPORT_KEEP_INVALID_DAYS, and of failed ones. Answers how many."""
    cutoff = clock.now() - datetime.timedelta(days=settings.PLANGOV_IMPORT_KEEP_INVALID_DAYS)
    stale = ResponseImport.objects.filter(
        Q(status=S.INVALID, finished_at__lt=cutoff) | Q(status=S.FAILED)
    ).exclude(stored_path="")
    count = 0
    for pk, sha in stale.values_list("pk", "file_sha256"):
        ResponseImport.objects.filter(pk=pk).update(stored_path="")
        if not ResponseImport.objects.filter(
            Q(status__in=WORKING) | Q(status=S.INVALID, finished_at__gte=cutoff),
            file_sha256=sha,
        ).exists():
            path_for(sha).unlink(missing_ok=True)
        count += 1
    return count


def imports_due() -> list[int]:
    """Beat: imports waiting for a worker, and those whose worker died (lease run out)."""
    return list(ResponseImport.objects.filter(claimable(clock.now())).values_list("pk", flat=True))


class LostClaim(Exception):
    """Another attempt took the import over (this one outlived its lease)."""


def after_batch(import_id: int, processed: int) -> None:
    """Called after each batch commits. Nothing to do; tests replace it to kill a worker."""


def import_run(*, import_id: int) -> str:
    """Claim the import and carry it on from where it stands. Idempotent: an import that is
    finished, or held by a live worker, is left alone."""
    now = clock.now()
    record = ResponseImport.objects.filter(Q(pk=import_id) & claimable(now)).first()
    if record is None:
        return "nothing to do"
    status = S.IMPORTING if record.status == S.IMPORTING else S.VALIDATING
    claimed = ResponseImport.objects.filter(
        pk=import_id, status=record.status, claimed_at=record.claimed_at
    ).update(status=status, claimed_at=now)
    if not claimed:
        return "nothing to do"
    run = _Run(import_id, claim=now)
    try:
        return run.go()
    except LostClaim:
        return "superseded"
    except OperationalError:
        # Transient (the database was busy): give the claim back; Celery retries.
        ResponseImport.objects.filter(pk=import_id, claimed_at=run.claim).update(claimed_at=None)
        raise
    except Exception as exc:
        run.fail(f"The import failed through a fault of plangov's ({type(exc).__name__}); "
                 "an administrator can see the details in the worker's log.")
        raise


def _raw_insert(model: Any, given: tuple[str, ...], rows: list[list[Any]]) -> None:
    """Insert ``rows`` (values of the ``given`` attnames, already prepared for the database)
    with one executemany. The ORM's bulk_create spends most of its time preparing each field
    of each of the million objects a large file makes; here fields other than the given ones
    take their defaults, prepared once."""
    if not rows:
        return
    connection = connections[model.objects.db]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = clock.now()
    defaults = [f.get_db_prep_save(
        now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default(), connection) for f in fields if f.attname not in given]
    others = [f for f in fields if f.attname not in given]
    ordered = [*(model._meta.get_field(name.removesuffix("_id")) if name.endswith("_id")
                 else model._meta.get_field(name) for name in given), *others]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in ordered)}) "
           f"VALUES ({', '.join(['%s'] * len(ordered))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*row, *defaults] for row in rows])


class _Run:
    def __init__(self, import_id: int, *, claim: datetime.datetime):
        self.import_id = import_id
        self.claim = claim
        self.record = ResponseImport.objects.select_related(
            "round", "round__plan", "created_by").get(pk=import_id)
        self.round = ConsultationRound.objects.select_related("plan").prefetch_related(
            "questions", "audiences").get(pk=self.record.round_id)
        self.batch_rows = settings.PLANGOV_IMPORT_BATCH_ROWS
        # The day the file was uploaded: "today" for every check, however late the worker.
        self.today = timezone.localdate(self.record.created_at)

    # Compare-and-set on the claim; every write of the worker goes through here.
    def _mine(self) -> Any:
        return ResponseImport.objects.filter(pk=self.import_id, claimed_at=self.claim)

    def _renew(self, **changes: Any) -> None:
        now = clock.now()
        if not self._mine().update(claimed_at=now, **changes):
            raise LostClaim()
        self.claim = now

    def go(self) -> str:
        if self.round.summary_published_at is not None:
            self.fail("The consultation's summary was published before the import ran; "
                      "nothing was imported.")
            return "failed"
        if self.record.status == S.VALIDATING:
            outcome = self.validate()
            if outcome != "valid":
                return outcome
        return self.load()

    def fail(self, message: str) -> None:
        report = [*self.record.report, {"row": 0, "column": "", "problem": message}]
        self._mine().update(status=S.FAILED, finished_at=clock.now(), report=report,
                            claimed_at=None)

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        path = path_for(self.record.file_sha256)
        kind = reader.sniff(path, self.record.filename)
        yield from enumerate(reader.rows(path, kind), start=1)

    def _layout(self, rows: Iterator[tuple[int, list[str]]]) -> Layout | None:
        first = next(rows, None)
        if first is None:
            return None
        return layout_for(self.round, first[1])

    def validate(self) -> str:
        limit = settings.PLANGOV_IMPORT_REPORT_LIMIT
        report: list[dict[str, Any]] = []
        total = invalid = problems = 0

        def note(found: list[Problem]) -> None:
            nonlocal problems
            problems += len(found)
            room = limit - len(report)
            report.extend(p.as_dict() for p in found[:max(room, 0)])

        try:
            rows = self._rows()
            layout = self._layout(rows)
            if layout is None:
                note([Problem(1, "", "The file is empty: it has no header and no rows.")])
            elif layout.problems:
                note(layout.problems)
            else:
                checker = RowChecker(layout, today=self.today)
                for number, cells in rows:
                    if not any(c.strip() for c in cells):
                        continue
                    total += 1
                    _, found = checker.check(number, cells)
                    if found:
                        invalid += 1
                        note(found)
                    if total % 10_000 == 0:
                        self._renew(total_rows=total)  # progress, and the lease
                if total == 0:
                    note([Problem(2, "", "The file has a header but no rows of responses.")])
        except reader.Unreadable as exc:
            note([Problem(exc.row, "", exc.message)])
            total, invalid = 0, 0
        counts = {"total_rows": total, "invalid_rows": invalid, "problem_count": problems,
                  "report": report}
        bad_file = total == 0 or any(p["row"] == 1 or p["column"] == "" for p in report)
        if bad_file or (invalid and not self.record.only_valid_rows):
            self._renew(status=S.INVALID, finished_at=clock.now(), **counts)
            return "invalid"
        self._renew(status=S.IMPORTING, processed_rows=0, imported_rows=0, skipped_rows=0,
                    **counts)
        self.record.refresh_from_db()
        return "valid"

    def load(self) -> str:
        skip = self.record.processed_rows
        rows = self._rows()
        layout = self._layout(rows)
        assert layout is not None and not layout.problems
        checker = RowChecker(layout, today=self.today)
        occurrences: Counter[bytes] = Counter()
        batch: list[tuple[Row, str] | None] = []
        seen = 0
        for number, cells in rows:
            if not any(c.strip() for c in cells):
                continue
            seen += 1
            row, _ = checker.check(number, cells)
            fp = ""
            if row is not None:
                content = hashlib.sha256(row.content.encode()).digest()
                occurrences[content] += 1
                fp = fingerprint(content.hex(), occurrences[content])
            if seen <= skip:
                continue  # committed by an earlier attempt
            batch.append((row, fp) if row is not None else None)
            if len(batch) >= self.batch_rows:
                self._commit(batch)
                batch = []
        if batch:
            self._commit(batch)
        self._finish()
        return "done"

    def _commit(self, batch: list[tuple[Row, str] | None]) -> None:
        previous = self.claim
        try:
            self._write(batch)
        except BaseException:
            self.claim = previous  # the renewal was rolled back with the batch
            raise
        self.record.refresh_from_db(fields=["processed_rows"])
        after_batch(self.import_id, self.record.processed_rows)

    def _write(self, batch: list[tuple[Row, str] | None]) -> None:
        record = self.record
        with transaction.atomic():
            self._renew(processed_rows=F("processed_rows") + len(batch))
            valid = [item for item in batch if item is not None]
            fps = [fp for _, fp in valid]
            known = set(Response.objects.filter(
                round_id=record.round_id, fingerprint__in=fps
            ).exclude(fingerprint="").values_list("fingerprint", flat=True))
            fresh = [(row, fp) for row, fp in valid if fp not in known]
            now = clock.now()
            connection = connections[Response.objects.db]
            submitted = Response._meta.get_field("submitted_at")
            _raw_insert(Response, (
                "round_id", "source", "submitted_at", "channel", "audience_id",
                "children_form", "consent_to_quote", "response_import_id", "fingerprint",
            ), [
                [record.round_id, ResponseSource.IMPORTED, submitted.get_db_prep_save(
                    min(now, datetime.datetime.combine(row.submitted_on, datetime.time(12),
                                                       tzinfo=datetime.UTC)), connection),
                 row.channel, row.audience_id, row.children_form, row.consent_to_quote,
                 record.pk, fp]
                for row, fp in fresh
            ])
            ids = dict(Response.objects.filter(
                round_id=record.round_id, fingerprint__in=[fp for _, fp in fresh]
            ).exclude(fingerprint="").values_list("fingerprint", "pk"))
            adapt = connection.ops.adapt_json_value
            _raw_insert(Answer, ("response_id", "question_id", "text", "choices"), [
                [ids[fp], qid, answer["text"], adapt(answer["choices"], None)]
                for row, fp in fresh for qid, answer in row.answers.items()
            ])
            self._mine().update(imported_rows=F("imported_rows") + len(fresh),
                                skipped_rows=F("skipped_rows") + len(valid) - len(fresh))

    def _finish(self) -> None:
        with transaction.atomic():
            now = clock.now()
            if not self._mine().filter(status=S.IMPORTING).update(
                status=S.DONE, finished_at=now, claimed_at=None
            ):
                raise LostClaim()
            record = ResponseImport.objects.get(pk=self.import_id)
            from .rows import answers_validator

            audit_record(
                actor=record.created_by, action="consultation.import", obj=record,
                plan_id=self.round.plan_id, before={"status": S.IMPORTING},
                after={
                    "round": self.round.pk, "file_sha256": record.file_sha256,
                    "total_rows": record.total_rows, "imported_rows": record.imported_rows,
                    "skipped_rows": record.skipped_rows, "invalid_rows": record.invalid_rows,
                    "only_valid_rows": record.only_valid_rows,
                    "answers_rules": answers_validator()[0],
                    "responses_digest": responses_digest(self.round),
                },
            )
            sha = record.file_sha256
            transaction.on_commit(lambda: _discard_if_unused(sha))
