"""Recompute the audit ledger's hash chain and name the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit hash chain; exits non-zero naming the first broken event."
    # A read-only check of the ledger, run by operators and schedules: it skips the system
    # checks (which import every view to check the URLconf), so it starts in half the time.
    # --export verifies a file offline and must not touch the database at all.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        # Offline verification of an export (governance.audit_export); see verify_export.
        parser.add_argument("--export", metavar="FILE",
                            help="Verify an audit export (JSON Lines) offline instead.")
        parser.add_argument("--trust-root", action="append", default=None, metavar="PEM",
                            help="A CA certificate to check the export's signature against "
                                 "(repeatable; default PLANGOV_SIGNING_TRUST_ROOTS).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("export") is not None:
            from governance.audit_export import verify_export_command

            self.stdout.write(self.style.SUCCESS(
                verify_export_command(options["export"], options.get("trust_root"))))
            return
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event #{report.broken_seq}: {report.problem}. "
                f"{report.checked} events before it verified."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events."))
