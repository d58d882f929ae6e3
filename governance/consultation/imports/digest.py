"""A digest of a round's responses for the audit chain: responses are personal data and never
audit events, so the events of an import (and of closing and publication) hold this hash."""

from __future__ import annotations

import hashlib

from django.db import connections

from ..models import Answer, ConsultationRound, Response


def responses_digest(round: ConsultationRound) -> str:
    """consultcore's digest over the round's responses when it is on this branch, else the
    same idea here: SHA-256 over every response and answer in a canonical order."""
    try:
        from ..services import responses_digest as shared  # type: ignore[attr-defined]
    except ImportError:
        pass
    else:  # pragma: no cover - until merged
        return shared(round)
    digest = hashlib.sha256()
    connection = connections[Response.objects.db]
    quote = connection.ops.quote_name
    answer, response = quote(Answer._meta.db_table), quote(Response._meta.db_table)
    queries = [
        (f"SELECT r.id, r.fingerprint, r.audience_id, r.channel, r.consent_to_quote, "
         f"r.anonymised_at FROM {response} r WHERE r.round_id = %s ORDER BY r.id"),
        (f"SELECT a.response_id, a.question_id, a.text, a.choices FROM {answer} a "
         f"JOIN {response} r ON r.id = a.response_id WHERE r.round_id = %s "
         "ORDER BY a.response_id, a.question_id"),
    ]
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute(query, [round.pk])
            while chunk := cursor.fetchmany(5000):
                digest.update(repr(chunk).encode())
    return digest.hexdigest()
