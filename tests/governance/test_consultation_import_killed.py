"""A worker process killed (SIGKILL) mid-import: after the lease the import resumes, and every
row of the file is one response, none twice."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from governance.consultation.imports import services
from governance.consultation.tasks import scan_imports
from governance.models import Answer, AuditEvent, Response, ResponseImport, ResponseImportStatus

from .consultation_import_helpers import (
    consultation_round,
    csv_bytes,
    good_row,
    header,
    question_ids,
    upload,
)


def import_until_killed(import_id: int) -> None:
    """In the child: import, and hang after the second batch has committed until killed."""
    connections.close_all()  # the parent's connections are not ours to use

    def hang(import_id: int, processed: int) -> None:
        if processed >= 10:
            time.sleep(120)

    services.after_batch = hang  # type: ignore[assignment]
    services.import_run(import_id=import_id)


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_process_leaves_batches_whole_and_the_next_one_finishes(
        world: Any, frozen_clock: Any, settings: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PLANGOV_IMPORT_DIR = tmp_path / "imports"
    settings.PLANGOV_IMPORT_BATCH_ROWS = 5
    monkeypatch.setattr(services, "_enqueue", lambda import_id: None)
    round = consultation_round(world)
    record, _ = services.import_create(
        round=round, actor=world.lead,
        upload=upload(csv_bytes([header(round), *(good_row(n) for n in range(23))])))
    connections.close_all()
    child = multiprocessing.get_context("fork").Process(target=import_until_killed,
                                                        args=(record.pk,))
    child.start()
    try:
        deadline = time.monotonic() + 60
        while ResponseImport.objects.get(pk=record.pk).processed_rows < 10:
            assert time.monotonic() < deadline, "the import never got going"
            assert child.is_alive(), "the import ended before it was killed"
            time.sleep(0.05)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.join()
    record.refresh_from_db()
    assert record.status == ResponseImportStatus.IMPORTING
    assert (record.processed_rows, Response.objects.count()) == (10, 10)
    assert scan_imports() == 0  # the lease still runs: the worker might be alive
    frozen_clock.advance(seconds=settings.PLANGOV_IMPORT_LEASE_SECONDS + 1)
    assert scan_imports() == 1  # eager: the import runs to its end
    record.refresh_from_db()
    assert record.status == ResponseImportStatus.DONE
    assert (record.total_rows, record.imported_rows, record.skipped_rows) == (23, 23, 0)
    assert Response.objects.filter(round=round).count() == 23
    free_text = Answer.objects.filter(response__round=round, question_id=question_ids(round)[0])
    assert free_text.count() == free_text.values("text").distinct().count() == 23
    assert AuditEvent.objects.filter(action="consultation.import").count() == 1
