"""Check a signed PDF offline: no network is used (no OCSP, CRL or certificate fetching).

    python manage.py verify_pdf plan.pdf

Exit status 0 when the signature is intact, trusted and matches the record held here (and the
audit ledger still holds the head the PDF recorded at signing); 1 when it does not; 2 when
the file is not a PDF or cannot be read.
"""

from __future__ import annotations

import json as jsonlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from documents.publishing.services import document_verify
from documents.publishing.verify import NotAPdf


class Command(BaseCommand):
    help = "Check a signed PDF's signature and record offline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, file: Path, json: bool = False, **options: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file} cannot be read: {exc.strerror}.", returncode=2) from exc
        try:
            result = document_verify(data=data)
        except NotAPdf as exc:
            raise CommandError(f"{file}: {exc}", returncode=2) from exc
        if json:
            self.stdout.write(_json(result))
        else:
            self._print(file, result)
        rewritten = (result.get("audit_head") or {}).get("in_ledger") is False
        if result["verdict"] != "valid" or not result["matches_record"] or rewritten:
            raise SystemExit(1)

    def _print(self, file: Path, result: dict[str, Any]) -> None:
        style = self.style.SUCCESS if result["verdict"] == "valid" else self.style.ERROR
        self.stdout.write(style(f"{file}: {result['verdict'].upper()}"))
        self.stdout.write(result["summary"])
        signature = result["signature"]
        lines = [
            ("Signature intact", signature["intact"]),
            ("Signer trusted", signature["trusted"]),
            ("Covers the whole file", signature["covers_whole_file"]),
            ("Signed by", signature["signer"] or "-"),
            ("Signed at", signature["signed_at"] or "-"),
            ("File SHA-256", result["file_sha256"]),
            ("Matches the record", result["matches_record"]),
        ]
        if head := result.get("audit_head"):
            held = {True: "yes", False: "NO: the ledger was rewritten after signing",
                    None: "-"}[head.get("in_ledger")]
            lines += [("Audit head at signing", f"#{head['seq']} {head['hash']}"),
                      ("Still in the audit ledger", held)]
        if document := result["document"]:
            lines[:0] = [("Plan", document["plan"]["title"]), ("Version", document["version"]),
                         ("Record", document["key"])]
        for label, value in lines:
            if isinstance(value, bool):
                value = "yes" if value else "no"
            self.stdout.write(f"  {label + ':':24}{value}")
        for problem in result["problems"]:
            self.stdout.write(f"  - {problem}")


def _json(result: dict[str, Any]) -> str:
    return jsonlib.dumps(result, indent=2)
