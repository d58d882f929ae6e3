"""Record at once that someone has left: their claimed tasks go back to the queue and their
API tokens are revoked (workflows.leavers.person_leave; beat's scan does the same for people
whose roles ended or whose account was closed)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from plangov.errors import PlangovError
from workflows.leavers import person_leave


class Command(BaseCommand):
    help = ("Put a person's claimed tasks back in their queues and revoke their API tokens, "
            "audited. Close their account in the admin so they cannot sign in again.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Why; the audit record keeps it.")

    def handle(self, *args: Any, username: str, reason: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Nobody has the username {username!r}.")
        try:
            done = person_leave(user=user, actor=None, reason=reason)
        except PlangovError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"{username}: {len(done.tasks_released)} task(s) back in their queue, "
            f"{done.tokens_revoked} token(s) revoked."
        ))
