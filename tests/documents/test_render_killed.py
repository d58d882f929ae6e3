"""A worker killed mid-render leaves no half-written file, and the retry makes exactly one."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from documents.models import DocumentKind, DocumentStatus, SignedDocument
from documents.publishing import services, storage

from ..conftest import World
from .test_signed_documents import adopt, stored_files


@pytest.fixture(autouse=True)
def document_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_DOCUMENT_DIR = tmp_path / "documents"
    return settings.PLANGOV_DOCUMENT_DIR


def render_until_half_written(document_id: int) -> None:
    """In the child: write half the signed file, then hang until killed."""
    connections.close_all()  # the parent's connections are not ours to use

    def half_then_hang(handle: Any, data: bytes) -> None:
        handle.write(data[: len(data) // 2])
        handle.flush()
        time.sleep(120)

    storage.write_all = half_then_hang  # type: ignore[assignment]
    services.document_render(document_id=document_id)


@pytest.mark.django_db(transaction=True)
def test_it_leaves_no_half_file_when_killed_and_the_retry_makes_exactly_one(
    world: World, frozen_clock: Any, document_dir: Path, settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "_enqueue", lambda document_id: None)
    plan = adopt(world, frozen_clock)
    document = SignedDocument.objects.get(plan=plan, kind=DocumentKind.PLAN)
    connections.close_all()
    child = multiprocessing.get_context("fork").Process(
        target=render_until_half_written, args=(document.pk,)
    )
    child.start()
    try:
        deadline = time.monotonic() + 60
        while not list((document_dir / "tmp").glob("*.part")):
            assert time.monotonic() < deadline, "the render never started writing"
            assert child.is_alive(), "the render ended before it was killed"
            time.sleep(0.05)
        time.sleep(0.2)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.join()
    document.refresh_from_db()
    assert document.status == DocumentStatus.RENDERING
    assert stored_files(document_dir) == []  # only the .part in tmp/, never a final file
    # Within the lease nobody takes it over: the dead worker might still be alive.
    assert services.documents_due() == []
    assert services.document_render(document_id=document.pk) == "nothing to do"
    frozen_clock.advance(seconds=settings.PLANGOV_RENDER_LEASE_SECONDS + 1)
    assert services.documents_due() == [document.pk]
    assert services.document_render(document_id=document.pk) == "done"
    assert services.document_render(document_id=document.pk) == "nothing to do"
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE and document.attempts == 2
    assert stored_files(document_dir) == [storage.path_for(document.file_sha256)]
    assert list((document_dir / "tmp").glob("*.part")) == []
    assert storage.read(document.file_sha256)[:5] == b"%PDF-"
    assert plan.audit_events.filter(action="document.sign").count() == 1
