"""Write the audit ledger (or one plan's events) as JSON Lines with a signed checkpoint."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from documents.models import Plan
from documents.publishing.audit_export import write_export
from documents.publishing.signing import SigningUnavailable


class Command(BaseCommand):
    help = ("Export the audit ledger as JSON Lines, one event per line, ending in a checkpoint "
            "(the chain's head, the count and the time) signed with the organisation's key. "
            "With --plan, only that plan's events: each line is proved by its hash and the "
            "signed checkpoint lists them, but a plan's events are not a chain on their own.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Where to write the export ('-' for standard output).")
        parser.add_argument("--plan", type=int, help="Only this plan's events.")

    def handle(self, *args: Any, **options: Any) -> None:
        plan_id = options.get("plan")
        if plan_id is not None and not Plan.objects.filter(pk=plan_id).exists():
            raise CommandError(f"There is no plan {plan_id}.")
        target = options["file"]
        try:
            if target == "-":
                count = write_export(sys.stdout, plan_id=plan_id)
            else:
                path = Path(target)
                partial = path.with_name(path.name + ".partial")
                with open(partial, "w", encoding="utf-8", newline="\n") as out:
                    count = write_export(out, plan_id=plan_id)
                partial.replace(path)
        except SigningUnavailable as exc:
            raise CommandError(f"The export could not be signed: {exc}") from exc
        if target != "-":
            what = f"plan {plan_id}'s" if plan_id is not None else "the whole chain's"
            self.stdout.write(self.style.SUCCESS(
                f"Wrote {count} events ({what}) and a signed checkpoint to {target}."))
