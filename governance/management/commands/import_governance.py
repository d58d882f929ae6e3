"""Load partnerships, bodies, people and memberships from a YAML file (docs/governance-yaml.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.importer import GovernanceFileInvalid, import_governance
from plangov.errors import Conflict


class Command(BaseCommand):
    help = (
        "Create or update partnerships, bodies, people and memberships from a YAML file. "
        "The whole file is checked first; on any problem nothing is written and every problem "
        "is listed with its line. Never deletes; running it twice changes nothing. "
        "The format is described in docs/governance-yaml.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The governance YAML file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without writing anything.",
        )

    def handle(self, *args: Any, file: str, dry_run: bool = False, **options: Any) -> None:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(f"{file}: no such file.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: not UTF-8 text.") from exc
        except OSError as exc:
            raise CommandError(f"{file}: cannot be read ({exc.strerror}).") from exc
        try:
            report = import_governance(text=text, source=path.name, dry_run=dry_run)
        except GovernanceFileInvalid as exc:
            count = len(exc.problems)
            raise CommandError(
                f"{file}: {count} problem{'s' if count != 1 else ''}; nothing was written.\n"
                + "\n".join(f"  {problem}" for problem in exc.problems)
            ) from exc
        except Conflict as exc:
            raise CommandError(f"{file}: {exc.detail} Nothing was written.") from exc
        for change in report.changes:
            self.stdout.write(f"  {change}")
        prefix = "Dry run, nothing written; would be: " if dry_run else f"Imported {path.name}: "
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report.summary}."))
