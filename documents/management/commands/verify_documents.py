"""Check every stored signed PDF against its record: after restoring a backup (the database
and the document directory, docs/operations.md), or at any time.

    python manage.py verify_documents

For each signed document marked done: its file is in PLANGOV_DOCUMENT_DIR, unchanged (its
SHA-256), its signature intact and trusted, and it matches the record held here. Offline (no
network). Exit status 0 when all do, 1 naming each that does not."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from documents.models import DocumentStatus, SignedDocument
from documents.publishing import storage
from documents.publishing.services import document_verify
from documents.publishing.verify import NotAPdf


class Command(BaseCommand):
    help = "Verify every stored signed PDF (file, signature, record); exits 1 naming failures."

    def handle(self, *args: Any, **options: Any) -> None:
        failures: list[str] = []
        checked = 0
        documents = SignedDocument.objects.filter(status=DocumentStatus.DONE).order_by("pk")
        for document in documents.iterator():
            checked += 1
            name = f"document {document.pk} ({document.key})"
            try:
                data = storage.read(document.file_sha256)
            except FileNotFoundError:
                failures.append(f"{name}: its file is missing from the document directory")
                continue
            except storage.StoredFileDamaged:
                failures.append(f"{name}: its stored file has been changed")
                continue
            try:
                result = document_verify(data=data)
            except NotAPdf as exc:
                failures.append(f"{name}: {exc}")
                continue
            found = result["document"]
            if result["verdict"] != "valid" or not result["matches_record"] or \
                    found is None or found.get("key") != document.key:
                failures.append(f"{name}: {result['verdict']}, {result['summary']}")
        if failures:
            raise CommandError(
                f"{len(failures)} of {checked} signed documents do not verify:\n"
                + "\n".join(failures), returncode=1)
        self.stdout.write(self.style.SUCCESS(f"All {checked} signed documents verify."))
