"""The organisation's signing certificate: load it, check it, sign PDFs with it (PAdES).

Signatures are PAdES B-B, or B-T when ``PLANGOV_TSA_URL`` names a timestamp authority.
``signing_problem()`` says in plain words why nothing could be signed now; adoption is refused
while it answers anything, so a plan is never published unsigned.

Certificate validity is judged by the wall clock, not plangov's clock: the certificate lives
in the real world, and a signature made today carries today's signing time whatever day the
governance calendar says it is.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import io
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings

from plangov import text

# pyHanko, its certificate validator and cryptography's X.509 take a good part of a second to
# import: they load in the functions that use them, so commands and pages that never sign or
# verify (verify_audit, the imports, the beat scans, system checks) do not pay for them.
if TYPE_CHECKING:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator import ValidationContext

SIGNATURE_FIELD = "plangov-signature"
T = TypeVar("T")


class SigningUnavailable(Exception):
    """No usable signing certificate; the message says what is wrong and where."""


@dataclass(frozen=True)
class Credentials:
    signer: signers.SimpleSigner
    subject: str
    not_after: datetime.datetime


_cache: dict[tuple[object, ...], Credentials] = {}
_cache_lock = threading.Lock()


def outside_event_loop(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """pyHanko's synchronous calls run asyncio.run(), which refuses to start inside a thread
    that already runs an event loop (an async server, a test driving a browser). There, the
    call runs on a helper thread; everywhere else, directly."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func, *args, **kwargs).result()


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def trust_roots() -> list[asn1_x509.Certificate]:
    """The CA certificates verification trusts. A listed file that cannot be read is an
    operator's error and is reported, never skipped silently."""
    from pyhanko.keys import load_cert_from_pemder

    roots = []
    for path in settings.PLANGOV_SIGNING_TRUST_ROOTS:
        try:
            roots.append(load_cert_from_pemder(path))
        except (OSError, ValueError) as exc:
            raise SigningUnavailable(
                f"The trusted root certificate {path} (PLANGOV_SIGNING_TRUST_ROOTS) could not "
                f"be read: {exc}."
            ) from exc
    return roots


def validation_context() -> ValidationContext:
    from pyhanko_certvalidator import ValidationContext

    # allow_fetching=False: verification never goes to the network (no OCSP, CRL or AIA).
    return ValidationContext(trust_roots=trust_roots(), allow_fetching=False)


def credentials() -> Credentials:
    """The loaded signer, cached while the file and passphrase stay the same."""
    path = str(settings.PLANGOV_SIGNING_P12 or "").strip()
    if not path:
        raise SigningUnavailable(
            "No signing certificate is configured: set PLANGOV_SIGNING_P12 to the "
            "organisation's PKCS#12 file and PLANGOV_SIGNING_PASSPHRASE to its passphrase."
        )
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise SigningUnavailable(
            f"The signing certificate file {path} (PLANGOV_SIGNING_P12) does not exist or "
            "cannot be read."
        ) from exc
    passphrase = str(settings.PLANGOV_SIGNING_PASSPHRASE).encode()
    key = (path, stat.st_mtime_ns, stat.st_size, passphrase)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is None:
        cached = _load(Path(path), passphrase)
        with _cache_lock:
            _cache.clear()
            _cache[key] = cached
    if cached.not_after <= _now():
        raise SigningUnavailable(
            f"The signing certificate of {cached.subject} expired on "
            f"{cached.not_after:%d %B %Y}; install a renewed one (PLANGOV_SIGNING_P12)."
        )
    return cached


def _load(path: Path, passphrase: bytes) -> Credentials:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    data = path.read_bytes()
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError as exc:
        raise SigningUnavailable(
            f"The signing certificate {path} could not be opened: the passphrase "
            "(PLANGOV_SIGNING_PASSPHRASE) is wrong or the file is not PKCS#12."
        ) from exc
    if key is None or cert is None:
        raise SigningUnavailable(
            f"The signing certificate {path} holds no private key and certificate pair."
        )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if public != cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise SigningUnavailable(f"In {path}, the private key does not match the certificate.")
    subject = cert.subject.rfc4514_string()
    now = _now()
    if cert.not_valid_before_utc > now:
        raise SigningUnavailable(
            f"The signing certificate of {subject} is not valid until "
            f"{cert.not_valid_before_utc:%d %B %Y}."
        )
    # Embedded beside the signature: the signer's certificate and any intermediates, never the
    # self-signed root. Verifiers hold the root already; a copy inside the file would be
    # outside what the signature proves, so a changed byte in it could pass unnoticed.
    intermediates = [c for c in chain or [] if c.issuer != c.subject]
    registry = SimpleCertificateStore()
    registry.register_multiple(
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
        for c in intermediates
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=registry,
    )
    _check_trusted(signer, subject)
    return Credentials(signer=signer, subject=subject, not_after=cert.not_valid_after_utc)


def _check_trusted(signer: signers.SimpleSigner, subject: str) -> None:
    """A signature nobody can verify is no better than none: the certificate must chain to
    one of the configured trust roots."""
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    context = ValidationContext(
        trust_roots=trust_roots(),
        other_certs=list(signer.cert_registry),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    validator = CertificateValidator(signer.signing_cert, validation_context=context)
    try:
        outside_event_loop(asyncio.run, validator.async_validate_usage(set()))
    except (PathBuildingError, PathValidationError) as exc:
        raise SigningUnavailable(
            f"The signing certificate of {subject} is not issued by a trusted root "
            f"(PLANGOV_SIGNING_TRUST_ROOTS): {exc}"
        ) from exc


def signing_problem() -> str | None:
    """Why nothing can be signed now, or None when signing is ready."""
    try:
        credentials()
    except SigningUnavailable as exc:
        return str(exc)
    return None


def sign_pdf(pdf: bytes, *, reason: str, location: str = "") -> bytes:
    """Sign ``pdf`` with an invisible PAdES signature covering the whole file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers, timestamps
    from pyhanko.sign.fields import SigSeedSubFilter

    creds = credentials()
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        # The /Reason and /Location may quote stored titles and names: scrubbed, so a legacy
        # control character can never stop a signature (see plangov.text).
        reason=text.scrub(reason),
        location=text.scrub(location) or None,
        name=creds.subject,
    )
    timestamper = (
        timestamps.HTTPTimeStamper(settings.PLANGOV_TSA_URL, timeout=30)
        if settings.PLANGOV_TSA_URL
        else None
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = io.BytesIO()
    pdf_signer = signers.PdfSigner(meta, signer=creds.signer, timestamper=timestamper)
    outside_event_loop(pdf_signer.sign_pdf, writer, output=output)
    return output.getvalue()


# The demo's own CA and signing certificate (never used in production settings).


def make_demo_credentials(
    directory: Path,
    *,
    organisation: str = "plangov demonstration council",
    passphrase: str = "plangov-demo",
    valid_days: int = 5 * 365,
) -> tuple[Path, Path]:
    """Write ``demo-ca.pem`` and ``demo-signer.p12`` into ``directory``, unless both are
    there already. Returns (ca path, p12 path)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory.mkdir(parents=True, exist_ok=True)
    ca_path, p12_path = directory / "demo-ca.pem", directory / "demo-signer.p12"
    if ca_path.exists() and p12_path.exists():
        return ca_path, p12_path
    now = _now() - datetime.timedelta(days=1)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} demonstration CA"),
    ])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=2 * valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} document signing"),
        ]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        name=b"plangov-signer",
        key=key,
        cert=cert,
        cas=[ca_cert],
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
    )
    # Written to temporary names and renamed, so a half-made pair is never taken for a whole.
    for path, data in (
        (ca_path, ca_cert.public_bytes(serialization.Encoding.PEM)),
        (p12_path, p12),
    ):
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        os.chmod(tmp, 0o600 if path == p12_path else 0o644)
        os.replace(tmp, path)
    return ca_path, p12_path
