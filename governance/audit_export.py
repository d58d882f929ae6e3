"""The audit ledger as JSON Lines, and its offline verification.

An export is one event per line, each the canonical JSON the chain hashes (sorted keys, no
spaces, UTF-8) with the event's ``hash`` added, then a final **checkpoint** line::

    {"checkpoint": {...}, "signature": {"algorithm": ..., "value": ..., "certificates": [...]}}

The checkpoint says what the export covers: ``scope`` ``"chain"`` (every event from #1 to the
head) or ``"plan"`` (one plan's events only), the chain's head (``head_seq``, ``head_hash``)
when it was exported, the number of event lines (``count``), the SHA-256 of the event lines
(``events_sha256``), the time (``exported_at``) and, for a plan, ``plan_id`` and the
``[seq, hash]`` of each of its events. The signature is over the checkpoint's canonical bytes,
made with the organisation's signing key (the one that signs the PDFs), and carries the
signer's certificate (and intermediates), so anyone holding the trust roots can check it with
no database and no network.

A plan's export is not a chain (its events' links point at other plans' events), so it proves
each line's content by its hash and the set and order of lines by the signed list; the head
it names ties it to a full export or the database of the same moment.

This module writes nothing and reads no database: signing lives with the key, in
``documents.publishing.audit_export`` (governance sits below documents).
"""

from __future__ import annotations

import base64
import datetime
import gc
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

GENESIS = "0" * 64
FORMAT = "plangov-audit-export/1"
EVENT_FIELDS = ("seq", "created_at", "actor_id", "actor_label", "action", "object_type",
                "object_id", "plan_id", "before", "after", "reason", "prev_hash")


def canonical(value: Any) -> str:
    """The one JSON spelling the chain hashes: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload_hash(payload: dict[str, Any]) -> str:
    """The event's hash, as governance.audit.event_hash computes it."""
    return hashlib.sha256(canonical(payload).encode("utf-8")).hexdigest()


def event_payload(event: Any) -> dict[str, Any]:
    """What the chain hashes for ``event`` (an AuditEvent), field for field."""
    return {
        "seq": event.seq,
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "plan_id": event.plan_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "prev_hash": event.prev_hash,
    }


def event_line(event: Any) -> str:
    """One export line (no newline): the hashed payload and the stored hash."""
    return canonical({**event_payload(event), "hash": event.hash})


# ---------------------------------------------------------------------------------------
# Signatures over the checkpoint


def signature_algorithm(public_key: Any) -> str:
    if isinstance(public_key, rsa.RSAPublicKey):
        return "rsa-pkcs1v15-sha256"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return "ecdsa-sha256"
    raise ValueError(f"Unsupported signing key type {type(public_key).__name__}.")


def sign(data: bytes, private_key: Any) -> bytes:
    if isinstance(private_key, rsa.RSAPrivateKey):
        return private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return private_key.sign(data, ec.ECDSA(hashes.SHA256()))
    raise ValueError(f"Unsupported signing key type {type(private_key).__name__}.")


def checkpoint_line(checkpoint: dict[str, Any], *, private_key: Any,
                    certificates: list[x509.Certificate]) -> str:
    """The final line: the checkpoint, signed over its canonical bytes with the certificates
    that let anyone check it (signer first)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    data = canonical(checkpoint).encode("utf-8")
    return canonical({
        "checkpoint": checkpoint,
        "signature": {
            "algorithm": signature_algorithm(certificates[0].public_key()),
            "value": base64.b64encode(sign(data, private_key)).decode("ascii"),
            "certificates": [base64.b64encode(c.public_bytes(Encoding.DER)).decode("ascii")
                             for c in certificates],
        },
    })


def load_roots(paths: Iterable[str | Path]) -> list[x509.Certificate]:
    roots = []
    for path in paths:
        data = Path(path).read_bytes()
        if b"-----BEGIN" in data:
            roots.extend(x509.load_pem_x509_certificates(data))
        else:
            roots.append(x509.load_der_x509_certificate(data))
    return roots


def _verify_with(public_key: Any, signature: bytes, data: bytes) -> None:
    if isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    else:
        raise InvalidSignature("unsupported key type")


def check_signature(record: dict[str, Any], roots: list[x509.Certificate]) -> tuple[str, str]:
    """(problem, signer): problem is empty when the checkpoint's signature is intact, made by
    a certificate valid when it was made, that chains to one of ``roots``."""
    try:
        signature = record["signature"]
        data = canonical(record["checkpoint"]).encode("utf-8")
        value = base64.b64decode(signature["value"], validate=True)
        certs = [x509.load_der_x509_certificate(base64.b64decode(c, validate=True))
                 for c in signature["certificates"]]
        if not certs:
            return "the checkpoint's signature carries no certificate", ""
        signer = certs[0]
        if signature["algorithm"] != signature_algorithm(signer.public_key()):
            return "the checkpoint's signature names the wrong algorithm", ""
        _verify_with(signer.public_key(), value, data)
    except InvalidSignature:
        return ("the checkpoint was edited: its signature does not match its content", "")
    except (KeyError, TypeError, ValueError) as exc:
        return f"the checkpoint's signature cannot be read ({exc})", ""
    subject = signer.subject.rfc4514_string()
    when = _parse_time(record["checkpoint"].get("exported_at"))
    if when is None or not (signer.not_valid_before_utc <= when <= signer.not_valid_after_utc):
        return (f"the signing certificate of {subject} was not valid when the export was "
                "made", subject)
    if not roots:
        return ("no trust roots were given to check the signing certificate against "
                "(PLANGOV_SIGNING_TRUST_ROOTS or --trust-root)", subject)
    chain, current = list(certs[1:]), signer
    for _ in range(len(certs) + 1):
        for root in roots:
            if _issued_by(current, root):
                return "", subject
        issuer = next((c for c in chain if _issued_by(current, c)), None)
        if issuer is None:
            break
        chain.remove(issuer)
        current = issuer
    return (f"the signing certificate of {subject} is not issued by a trusted root", subject)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _parse_time(value: Any) -> datetime.datetime | None:
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else None


# ---------------------------------------------------------------------------------------
# Verification


@dataclass
class ExportReport:
    lines: int = 0
    events: int = 0
    line: int | None = None  # the first broken line (1-based), None when intact
    kind: str = ""  # edited | deleted | inserted | reordered | checkpoint | unreadable
    problem: str = ""
    scope: str = ""
    head_seq: int | None = None
    head_hash: str = ""
    exported_at: str = ""
    signer: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.line is None and not self.problem


def _fail(report: ExportReport, line: int, kind: str, problem: str) -> ExportReport:
    report.line, report.kind, report.problem = line, kind, problem
    return report


def verify_export(path: str | Path, *, trust_roots: list[x509.Certificate]) -> ExportReport:
    # Parsing holds every line's objects at once; the cyclic collector would walk them again
    # and again as they pile up (quadratic time), and none of them can form a cycle.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _verify_export(path, trust_roots=trust_roots)
    finally:
        if enabled:
            gc.enable()


def _verify_export(path: str | Path, *, trust_roots: list[x509.Certificate]) -> ExportReport:
    """Check an export with no database: every line's content against its hash, the order
    and links of the lines, the signed checkpoint, and the signature against ``trust_roots``.
    Names the first broken line and what happened to it."""
    report = ExportReport()
    with open(path, "rb") as handle:
        raw_lines = handle.read().split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    report.lines = len(raw_lines)
    if not raw_lines:
        return _fail(report, 1, "deleted", "the export is empty: no events and no checkpoint")
    parsed: list[dict[str, Any] | None] = []
    for raw in raw_lines:
        try:
            value = json.loads(raw.decode("utf-8"))
            parsed.append(value if isinstance(value, dict) else None)
        except (UnicodeDecodeError, ValueError):
            parsed.append(None)
    last = parsed[-1]
    if last is None or "checkpoint" not in last:
        at = next((n for n, v in enumerate(parsed, 1) if v and "checkpoint" in v), None)
        if at is not None:
            return _fail(report, at + 1, "inserted",
                         f"line {at + 1} comes after the checkpoint (line {at}), which must "
                         "be the last line")
        return _fail(report, len(raw_lines) + 1, "deleted",
                     "the signed checkpoint line is missing: the export was cut short or its "
                     "last line removed")
    record = last
    checkpoint = record.get("checkpoint") if isinstance(record.get("checkpoint"), dict) else {}
    report.scope = str(checkpoint.get("scope", ""))
    report.exported_at = str(checkpoint.get("exported_at", ""))
    events, checkpoint_at = parsed[:-1], len(raw_lines)
    report.events = len(events)

    problem = _check_lines(report, raw_lines, events, checkpoint)
    if problem is not None:
        return problem
    trouble, report.signer = check_signature(record, trust_roots)
    if trouble:
        return _fail(report, checkpoint_at, "checkpoint", trouble)
    report.head_seq = checkpoint.get("head_seq")
    report.head_hash = str(checkpoint.get("head_hash", ""))
    return _check_against_checkpoint(report, raw_lines[:-1], events, checkpoint)


_HASH_KEY = b',"hash":"'


def _hashed_bytes_digest(raw: bytes) -> str:
    """The SHA-256 of the line with its ``"hash"`` entry cut out: byte for byte what the chain
    hashed, when the line is as exported (canonical JSON puts the event's own hash after
    ``created_at``; only ``before``/``after``, which come earlier, can hold nested keys, and no
    string value can hold an unescaped quote, so the last such key is the event's). Any other
    spelling of the same values is a change of bytes and reads as an edit."""
    at = raw.rfind(_HASH_KEY)
    end = at + len(_HASH_KEY) + 64
    if at < 0 or raw[end:end + 1] != b'"':
        return ""
    return hashlib.sha256(raw[:at] + raw[end + 1:]).hexdigest()


def _check_lines(report: ExportReport, raw_lines: list[bytes],
                 events: list[dict[str, Any] | None],
                 checkpoint: dict[str, Any]) -> ExportReport | None:
    """Line by line, what needs no checkpoint: each line readable, canonical and matching its
    hash; for the whole chain, sequence numbers from #1 and each link to the line before."""
    chain = checkpoint.get("scope") == "chain"
    seqs = [e.get("seq") if e is not None else None for e in events]
    expected, prev_hash, prev_seq = 1, GENESIS, 0
    seen: dict[int, int] = {}
    for n, (raw, event) in enumerate(zip(raw_lines, events, strict=False), 1):
        if event is None or "checkpoint" in event:
            kind = "inserted" if event is not None else "edited"
            return _fail(report, n, kind, f"line {n} is not an audit event (it was edited or "
                         "inserted)" if kind == "edited" else
                         f"line {n} is a second checkpoint: it was inserted")
        seq = event.get("seq")
        if set(event) != {*EVENT_FIELDS, "hash"} or not isinstance(seq, int):
            return _fail(report, n, "edited",
                         f"line {n} was edited: it does not have an event's fields")
        if _hashed_bytes_digest(raw) != event["hash"]:
            return _fail(report, n, "edited", f"line {n} (event #{seq}, {event['action']}) "
                         "was edited: its content no longer matches its hash")
        if seq in seen:
            return _fail(report, n, "inserted", f"line {n} (event #{seq}) repeats line "
                         f"{seen[seq]}: it was inserted")
        seen[seq] = n
        if chain:
            if seq != expected:
                if seq < expected:
                    return _fail(report, n, "reordered", f"line {n} (event #{seq}) is out "
                                 f"of order: event #{expected} belongs here")
                if expected in seqs[n:]:
                    later = seqs.index(expected, n) + 1
                    return _fail(report, n, "reordered", f"line {n} (event #{seq}) is out of "
                                 f"order: event #{expected}, which belongs here, is at line "
                                 f"{later}")
                return _fail(report, n, "deleted", f"event #{expected} was deleted: it "
                             f"belongs at line {n}, where event #{seq} is")
            if event["prev_hash"] != prev_hash:
                if n == 1:
                    return _fail(report, n, "edited", "line 1 (event #1) was edited: it does "
                                 "not start the chain")
                return _fail(report, n - 1, "edited", f"line {n - 1} (event #{seq - 1}) was "
                             "edited and its hash recomputed, or replaced: line "
                             f"{n} (event #{seq}) no longer links to it")
            prev_hash = event["hash"]
            expected += 1
        elif seq <= prev_seq:
            first = next(k for k, s in enumerate(seqs[:n], 1) if isinstance(s, int) and s > seq)
            return _fail(report, first, "reordered", f"line {first} (event #{seqs[first - 1]})"
                         f" is out of order: event #{seq}, at line {n}, comes before it")
        prev_seq = seq
    return None


def _check_against_checkpoint(report: ExportReport, raw_lines: list[bytes],
                              events: list[dict[str, Any] | None],
                              checkpoint: dict[str, Any]) -> ExportReport:
    """What the signed checkpoint pins: the count, the head (whole chain) or each event's
    place and hash (one plan), and the digest of every event line."""
    count = checkpoint.get("count")
    n_events = len(events)
    if checkpoint.get("scope") == "chain":
        head_seq, head_hash = checkpoint.get("head_seq"), checkpoint.get("head_hash")
        if not isinstance(head_seq, int) or count != head_seq:
            return _fail(report, n_events + 1, "checkpoint",
                         "the checkpoint does not describe a whole chain")
        if n_events < head_seq:
            return _fail(report, n_events + 1, "deleted",
                         f"event #{n_events + 1} was deleted: the signed checkpoint ends the "
                         f"chain at event #{head_seq}")
        if n_events > head_seq:
            return _fail(report, head_seq + 1, "inserted",
                         f"line {head_seq + 1} (event #{head_seq + 1}) was added after the "
                         f"signed head, event #{head_seq}")
        if n_events and events[-1]["hash"] != head_hash:  # type: ignore[index]
            # A consistent rewrite: find the first line whose hash is not the signed one we
            # can tell. Only the head is signed, so the newest line is where it shows.
            return _fail(report, n_events, "edited",
                         f"line {n_events} (event #{n_events}) is not the event the signed "
                         "checkpoint names as the head: the chain was rewritten")
    elif checkpoint.get("scope") == "plan":
        listed = checkpoint.get("events")
        if not isinstance(listed, list) or count != len(listed):
            return _fail(report, n_events + 1, "checkpoint",
                         "the checkpoint does not list the plan's events")
        where = {}
        for index, item in enumerate(listed):
            if isinstance(item, list) and len(item) == 2:
                where[item[0]] = index
        plan_id = checkpoint.get("plan_id")
        for n, event in enumerate(events, 1):
            assert event is not None
            seq = event["seq"]
            if event["plan_id"] != plan_id:
                return _fail(report, n, "inserted", f"line {n} (event #{seq}) is not an "
                             f"event of plan {plan_id}: it was inserted")
            if n > len(listed):
                return _fail(report, n, "inserted", f"line {n} (event #{seq}) was added: "
                             f"the signed checkpoint lists {len(listed)} events")
            want_seq, want_hash = listed[n - 1]
            if seq == want_seq and event["hash"] != want_hash:
                return _fail(report, n, "edited", f"line {n} (event #{seq}) was edited and "
                             "its hash recomputed: the signed checkpoint holds another hash")
            if seq != want_seq:
                if seq not in where:
                    return _fail(report, n, "inserted", f"line {n} (event #{seq}) was "
                                 "inserted: the signed checkpoint does not list it")
                if any(e is not None and e["seq"] == want_seq for e in events):
                    return _fail(report, n, "reordered", f"line {n} (event #{seq}) is out "
                                 f"of order: event #{want_seq} belongs here")
                return _fail(report, n, "deleted", f"event #{want_seq} was deleted: it "
                             f"belongs at line {n}")
        if n_events < len(listed):
            return _fail(report, n_events + 1, "deleted", f"event #{listed[n_events][0]} "
                         f"was deleted: it belongs at line {n_events + 1}")
    else:
        return _fail(report, n_events + 1, "checkpoint",
                     "the checkpoint names no scope it covers")
    digest = hashlib.sha256(b"".join(raw + b"\n" for raw in raw_lines)).hexdigest()
    if digest != checkpoint.get("events_sha256"):
        return _fail(report, n_events + 1, "checkpoint",
                     "the event lines are not the ones the checkpoint signed")
    return report


def describe(report: ExportReport) -> str:
    if report.ok:
        what = ("the whole chain" if report.scope == "chain"
                else f"one plan's events ({report.events})")
        return (f"Audit export intact: {report.events} events, {what}, head event "
                f"#{report.head_seq} ({report.head_hash[:16]}…), exported "
                f"{report.exported_at}, signed by {report.signer}.")
    return f"Audit export broken at line {report.line} ({report.kind}): {report.problem}."


def verify_export_command(path: str, roots: list[str] | None) -> str:
    """``verify_audit --export``: the verdict line, or CommandError naming the broken line.
    Reads settings only (for the default trust roots), never the database."""
    from django.conf import settings
    from django.core.management.base import CommandError

    root_paths = roots if roots is not None else list(settings.PLANGOV_SIGNING_TRUST_ROOTS)
    try:
        trust = load_roots(root_paths)
    except (OSError, ValueError) as exc:
        raise CommandError(f"A trust root could not be read: {exc}") from exc
    try:
        report = verify_export(path, trust_roots=trust)
    except OSError as exc:
        raise CommandError(f"The export {path} could not be read: {exc}") from exc
    if not report.ok:
        raise CommandError(describe(report))
    return describe(report)
