"""Backup and restore (issue 13, item 6), as docs/operations.md tells an operator to do it:
the database (``pg_dump -Fc`` on PostgreSQL, ``sqlite3 .backup`` on the embedded SQLite) and
a tarball of the document directory, restored into a fresh database and directory, after
which ``manage.py verify_audit`` passes and ``manage.py verify_documents`` verifies every
stored signed PDF against its record. Runs on whichever database the suite runs on."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlunsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection

from documents.models import DocumentKind, DocumentStatus, SignedDocument
from documents.publishing import services, storage

from ..documents.test_signed_documents import adopt

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.django_db(transaction=True)


def run(*command: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def checked(*command: str | Path, env: dict[str, str] | None = None) -> str:
    result = run(*command, env=env)
    assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
    return result.stdout


class Restored:
    """A restored copy: a database and a document directory, and the environment that points
    manage.py at them."""

    def __init__(self, root: Path, documents: Path, database_url: str | None) -> None:
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("PLANGOV_", "DJANGO_", "DATABASE_"))}
        self.env.update({
            "DJANGO_SETTINGS_MODULE": "plangov.settings.base",
            "PLANGOV_VAR_DIR": str(root / "var"),
            "PLANGOV_DOCUMENT_DIR": str(documents),
            "PLANGOV_SIGNING_P12": str(django_settings.PLANGOV_SIGNING_P12),
            "PLANGOV_SIGNING_TRUST_ROOTS": ",".join(
                str(p) for p in django_settings.PLANGOV_SIGNING_TRUST_ROOTS),
        })
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return run(sys.executable, "manage.py", *args, env=self.env)


@pytest.fixture
def restore_target(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Where the restore goes; on PostgreSQL a fresh database, dropped afterwards."""
    target: dict[str, Any] = {"root": tmp_path / "restored", "url": None}
    (target["root"] / "var").mkdir(parents=True)
    if connection.vendor != "postgresql":
        yield target
        return
    import psycopg
    from psycopg import sql

    params = connection.settings_dict
    name = f"{params['NAME']}_restored"
    server = urlunsplit(("postgresql", f"{params['USER']}@{params['HOST'] or '127.0.0.1'}:"
                                       f"{params['PORT'] or 5432}", "", "", ""))
    if params.get("PASSWORD"):
        server = server.replace("@", f":{params['PASSWORD']}@", 1)
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(drop)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    target["url"] = f"{server}/{name}"
    target["source_url"] = f"{server}/{params['NAME']}"
    try:
        yield target
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(drop)


def back_up_database(backup: Path, target: dict[str, Any]) -> None:
    if connection.vendor == "postgresql":
        # docs/operations.md: pg_dump -Fc, then pg_restore into an empty database.
        checked("pg_dump", "-Fc", f"--file={backup}", f"--dbname={target['source_url']}")
        checked("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target['url']}",
                backup)
        return
    source = connection.settings_dict["NAME"]
    copy = target["root"] / "var" / "plangov.sqlite3"
    if shutil.which("sqlite3"):  # docs/operations.md: sqlite3's online .backup
        checked("sqlite3", source, f".backup '{backup}'")
    else:  # the same online backup through Python's sqlite3 module
        with sqlite3.connect(source) as live, sqlite3.connect(backup) as out:
            live.backup(out)
    shutil.copyfile(backup, copy)


def test_a_backup_restores_with_its_audit_chain_and_every_signed_pdf(
    world, frozen_clock, settings, tmp_path: Path, restore_target: dict[str, Any]
) -> None:
    settings.PLANGOV_DOCUMENT_DIR = tmp_path / "documents"
    plan = adopt(world, frozen_clock)
    plan_document = SignedDocument.objects.get(plan=plan, kind=DocumentKind.PLAN)
    if plan_document.status != DocumentStatus.DONE:  # rendered on commit (eager) or now
        services.document_render(document_id=plan_document.pk)
    decision = plan.decisions.order_by("pk").first()
    notice = services.document_request(plan=plan, actor=world.lead,
                                       kind=DocumentKind.DECISION_NOTICE,
                                       decision_id=decision.pk)
    services.document_render(document_id=notice.pk)
    notice.refresh_from_db()
    done = SignedDocument.objects.filter(status=DocumentStatus.DONE)
    assert done.count() == 2

    # Back up: the database, and the document directory as a tarball.
    backups = tmp_path / "backups"
    backups.mkdir()
    back_up_database(backups / "plangov.dump", restore_target)
    checked("tar", "-C", settings.PLANGOV_DOCUMENT_DIR, "-czf", backups / "documents.tar.gz",
            ".")

    # Restore the documents into a fresh directory; the live ones are gone.
    restored_documents = restore_target["root"] / "documents"
    restored_documents.mkdir()
    checked("tar", "-C", restored_documents, "-xzf", backups / "documents.tar.gz")
    shutil.rmtree(settings.PLANGOV_DOCUMENT_DIR)
    restored = Restored(restore_target["root"], restored_documents, restore_target["url"])

    audit = restored.manage("verify_audit")
    assert audit.returncode == 0, audit.stderr
    assert "Audit chain intact" in audit.stdout
    verified = restored.manage("verify_documents")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "All 2 signed documents verify." in verified.stdout

    # A restore missing a PDF is caught, and the document named.
    settings.PLANGOV_DOCUMENT_DIR = restored_documents
    storage.path_for(notice.file_sha256).unlink()
    missing = restored.manage("verify_documents")
    assert missing.returncode == 1
    assert (f"document {notice.pk} ({notice.key}): its file is missing from the document "
            "directory") in missing.stderr
