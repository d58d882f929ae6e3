"""Check a PDF's signature offline: intact, trusted, covering the whole file.

Nothing here touches the database or the network; ``documents.publishing.services`` adds what
the record says. A file that is not a PDF at all is the caller's mistake (NotAPdf, a 400);
a PDF that no longer parses, or whose signature no longer matches, is "altered": that is the
answer a person checking a document needs, never a crash.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from .signing import SigningUnavailable, outside_event_loop, validation_context

log = logging.getLogger(__name__)

# What a signature's /Reason says about the record, written by documents.publishing.services.
_RECORD = re.compile(r"Record: plangov:(?P<key>[\w/.-]+)")
_CONTENT = re.compile(r"Content SHA-256: (?P<hash>[0-9a-f]{64})")
_AUDIT_HEAD = re.compile(r"Audit head: #(?P<seq>\d+) (?P<hash>[0-9a-f]{64})")


class NotAPdf(ValueError):
    """The upload is not a PDF file at all."""


class Verdict:
    VALID = "valid"
    ALTERED = "altered"
    UNTRUSTED = "untrusted"
    UNSIGNED = "unsigned"


@dataclass
class SignatureCheck:
    verdict: str
    summary: str
    file_sha256: str
    intact: bool = False
    trusted: bool = False
    whole_file: bool = False
    signer: str = ""
    signed_at: datetime.datetime | None = None
    timestamped: bool = False
    reason: str = ""
    record_key: str = ""
    content_sha256: str = ""
    audit_head_seq: int | None = None
    audit_head_hash: str = ""
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "summary": self.summary,
            "file_sha256": self.file_sha256,
            "signature": {
                "intact": self.intact,
                "trusted": self.trusted,
                "covers_whole_file": self.whole_file,
                "signer": self.signer,
                "signed_at": self.signed_at.isoformat() if self.signed_at else None,
                "timestamped": self.timestamped,
                "reason": self.reason,
            },
            "audit_head": {"seq": self.audit_head_seq, "hash": self.audit_head_hash}
            if self.audit_head_seq is not None else None,
            "problems": self.problems,
        }


def looks_like_pdf(data: bytes) -> bool:
    # The PDF header may follow a little junk (readers tolerate it); a PDF whose header was
    # damaged still ends with its end-of-file marker, and is "altered", not "not a PDF".
    return b"%PDF-" in data[:1024] or b"%%EOF" in data[-1024:]


def _padding_untouched(signature: Any) -> bool:
    """The space reserved for the signature is the CMS structure followed by zero bytes.
    Validators read the structure and ignore the rest, so a changed byte in the padding
    would otherwise pass as intact."""
    from asn1crypto import cms

    try:
        contents = bytes(signature.sig_object["/Contents"])
        length = len(cms.ContentInfo.load(contents, strict=False).dump())
    except Exception:  # noqa: BLE001 - unreadable contents are not intact
        return False
    return not any(contents[length:])


def check_signature(data: bytes) -> SignatureCheck:
    # pyHanko loads here, when a file is checked, not with the module (see signing.py).
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if not looks_like_pdf(data):
        raise NotAPdf("This file is not a PDF: it has no PDF header.")
    digest = hashlib.sha256(data).hexdigest()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - any parse failure of a PDF means it is damaged
        log.info("PDF could not be read for verification: %s", exc)
        return SignatureCheck(
            verdict=Verdict.ALTERED,
            summary="This PDF has been altered or damaged: it can no longer be read as the "
            "signed document.",
            file_sha256=digest,
            problems=[f"The file could not be read: {exc}"],
        )
    if not signatures and (b"/ByteRange" in data or b"/SigFlags" in data):
        # A signature's byte range or the form's signature flags are there, but no signature
        # field could be read (one altered byte in "/FT /Sig" is enough): a damaged signed
        # file, not an unsigned one.
        return SignatureCheck(
            verdict=Verdict.ALTERED,
            summary="This PDF has been altered or damaged: its signature can no longer be "
            "found in it.",
            file_sha256=digest,
            problems=["The file carries a signature's byte range, but no readable signature."],
        )
    if not signatures:
        return SignatureCheck(
            verdict=Verdict.UNSIGNED,
            summary="This PDF carries no digital signature, so nothing proves who issued it.",
            file_sha256=digest,
        )
    signature = signatures[-1]
    check = SignatureCheck(verdict=Verdict.ALTERED, summary="", file_sha256=digest)
    try:
        reason = signature.sig_object.get("/Reason")
        check.reason = str(reason) if reason is not None else ""
    except Exception:  # noqa: BLE001 - a damaged signature dictionary is an altered file
        check.reason = ""
    if match := _RECORD.search(check.reason):
        check.record_key = match["key"]
    if match := _CONTENT.search(check.reason):
        check.content_sha256 = match["hash"]
    if match := _AUDIT_HEAD.search(check.reason):
        check.audit_head_seq, check.audit_head_hash = int(match["seq"]), match["hash"]
    try:
        status = outside_event_loop(validate_pdf_signature, signature, validation_context())
    except SigningUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - a signature that cannot be checked is altered
        log.info("Signature could not be validated: %s", exc)
        check.summary = (
            "This PDF has been altered: its signature can no longer be checked against it."
        )
        check.problems.append(f"The signature could not be validated: {exc}")
        return check
    check.intact = bool(status.intact and status.valid) and _padding_untouched(signature)
    check.trusted = bool(status.trusted)
    check.whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    try:
        check.signer = status.signing_cert.subject.human_friendly
    except Exception:  # noqa: BLE001
        check.signer = ""
    check.signed_at = status.signer_reported_dt
    check.timestamped = status.timestamp_validity is not None
    if not check.intact:
        check.problems.append("The document's bytes do not match what was signed.")
    if not check.whole_file:
        check.problems.append("Content was added to the file after it was signed.")
    if not check.trusted:
        check.problems.append("The signing certificate is not issued by a trusted authority.")
    if not (check.intact and check.whole_file):
        check.verdict = Verdict.ALTERED
        check.summary = "This PDF has been altered since it was signed."
    elif not check.trusted:
        check.verdict = Verdict.UNTRUSTED
        check.summary = (
            "The signature is intact, but the certificate that made it is not one we trust."
        )
    else:
        check.verdict = Verdict.VALID
        check.summary = f"The signature is intact and was made by {check.signer}."
    return check
