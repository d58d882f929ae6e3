"""Write the audit ledger as signed JSON Lines (the format: governance.audit_export).

It lives here, beside the organisation's signing key, because governance sits below
documents: the format and its offline verification are governance's, the key is not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import IO, Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_der_private_key

from governance.audit_export import FORMAT, GENESIS, checkpoint_line, event_line
from governance.models import AuditEvent, AuditHead
from plangov import clock

from .signing import credentials


def _key_and_certificates() -> tuple[Any, list[x509.Certificate]]:
    signer = credentials().signer
    key = load_der_private_key(signer.signing_key.dump(), password=None)
    certs = [x509.load_der_x509_certificate(signer.signing_cert.dump())]
    certs += [x509.load_der_x509_certificate(c.dump()) for c in signer.cert_registry
              if c.dump() != signer.signing_cert.dump()]
    return key, certs


def export_lines(*, plan_id: int | None = None) -> Iterator[str]:
    """The export's lines, each ending in a newline: the events up to the head as it stood
    when the export began, then the signed checkpoint. Raises SigningUnavailable first, before
    any line, when there is no usable key."""
    key, certs = _key_and_certificates()
    # The head first, then the events up to it: appends made meanwhile stay out, so the
    # lines and the checkpoint describe one moment with no long-held transaction.
    head = AuditHead.objects.filter(pk=1).first()
    head_seq = head.last_seq if head else 0
    head_hash = head.last_hash if head else GENESIS
    events = AuditEvent.objects.filter(seq__lte=head_seq).order_by("seq")
    if plan_id is not None:
        events = events.filter(plan_id=plan_id)
    digest = hashlib.sha256()
    listed: list[list[Any]] = []
    count = 0
    for event in events.iterator(chunk_size=2000):
        line = event_line(event) + "\n"
        digest.update(line.encode("utf-8"))
        count += 1
        if plan_id is not None:
            listed.append([event.seq, event.hash])
        yield line
    checkpoint: dict[str, Any] = {
        "format": FORMAT,
        "scope": "chain" if plan_id is None else "plan",
        "head_seq": head_seq,
        "head_hash": head_hash,
        "count": count,
        "events_sha256": digest.hexdigest(),
        "exported_at": clock.now().isoformat(),
    }
    if plan_id is not None:
        checkpoint["plan_id"] = plan_id
        checkpoint["events"] = listed
    yield checkpoint_line(checkpoint, private_key=key, certificates=certs) + "\n"


def write_export(out: IO[str], *, plan_id: int | None = None) -> int:
    """Write the export to ``out``; returns the number of events written."""
    lines = 0
    for line in export_lines(plan_id=plan_id):
        out.write(line)
        lines += 1
    return lines - 1
