"""PAdES B-T: with a timestamp authority configured, the signature carries its timestamp.

The authority here is a local RFC 3161 server on 127.0.0.1 (pyHanko's test time stamper
behind http.server), so the test needs no outside network."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from documents.publishing.signing import sign_pdf
from documents.publishing.verify import check_signature


def _tsa() -> DummyTimeStamper:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "plangov test TSA")])
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )),
    )


@pytest.fixture
def tsa_url() -> Iterator[str]:
    stamper = _tsa()
    requests: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(body)
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
        assert requests, "the signer never asked the timestamp authority"
    finally:
        server.shutdown()


def test_it_signs_pades_b_t_when_a_timestamp_authority_is_configured(
    settings: Any, tsa_url: str
) -> None:
    from weasyprint import HTML

    pdf = HTML(string="<html lang='en'><title>t</title><p>x</p></html>").write_pdf()
    settings.PLANGOV_TSA_URL = ""
    assert check_signature(sign_pdf(pdf, reason="B-B")).timestamped is False
    settings.PLANGOV_TSA_URL = tsa_url
    check = check_signature(sign_pdf(pdf, reason="B-T"))
    assert check.timestamped is True
    assert check.verdict == "valid"
