"""Make an API token for someone from the server (an operator's job: a service account, or a
scripted journey where two-factor is required). Prints the token once, on its own line."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.tokens.services import token_create
from plangov.errors import InvalidInput


class Command(BaseCommand):
    help = ("Make an API token for USERNAME (expiring after PLANGOV_TOKEN_DAYS) and print it; "
            "it is not shown again. One audit event, by that person.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Made on the server",
                            help="What the token is for.")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        try:
            _, raw = token_create(user=user, name=name, actor=user)
        except InvalidInput as exc:
            raise CommandError(" ".join(sum(exc.errors.values(), []))) from exc
        self.stdout.write(raw)
