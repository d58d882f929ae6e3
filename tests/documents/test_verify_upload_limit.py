"""The public verify page and API refuse an upload over PLANGOV_VERIFY_MAX_BYTES before reading
it whole (documents.publishing.upload_limit): a declared Content-Length past the limit is
refused with nothing read, and a body within the framing's room whose file passes the limit is
cut off by the size-limited upload handler. The request bodies here are streams that fail the
test if read past the limit plus that room."""

from __future__ import annotations

import io
from typing import Any

import pytest

from documents.publishing import upload_limit

LIMIT = 4096
BOUNDARY = "plangovboundary"
VERIFY_API = "/api/v1/documents/verify/"


class Body(io.RawIOBase):
    """A request body of ``size`` bytes (``head``, then zeros), made as it is read, that
    fails if anything reads more than ``most`` bytes of it."""

    def __init__(self, head: bytes, size: int, most: int) -> None:
        self.head, self.size, self.most, self.read_bytes = head, size, most, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self.size - self.read_bytes
        n = min(n, self.size - self.read_bytes)
        if self.read_bytes + n > self.most:
            raise AssertionError(
                f"read {self.read_bytes + n} bytes of the body, past the limit's "
                f"{self.most}")
        start = self.read_bytes
        self.read_bytes += n
        head = self.head[start:start + n]
        return head + b"0" * (n - len(head))

    def readline(self, size: int = -1) -> bytes:  # Django's LimitedStream may ask
        return self.read(size if size and size > 0 else 8192)


def multipart_head(filename: str = "big.pdf") -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n"
            ).encode()


def post(client: Any, url: str, body: Body) -> Any:
    return client.generic(
        "POST", url, b"",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.size),
        **{"wsgi.input": body},
    )


@pytest.fixture
def limited(settings: Any) -> None:
    settings.PLANGOV_VERIFY_MAX_BYTES = LIMIT


def test_the_api_refuses_a_declared_120_mb_upload_unread(db: None, client: Any,
                                                         limited: None) -> None:
    body = Body(multipart_head(), 120 * 2**20, most=0)
    response = post(client, VERIFY_API, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]["file"] == ["The file is 120.0 MB; files over 0 MB are "
                                                 "not checked."]
    assert body.read_bytes == 0


def test_the_page_refuses_a_declared_120_mb_upload_unread(db: None, client: Any,
                                                          limited: None) -> None:
    body = Body(multipart_head(), 120 * 2**20, most=0)
    response = post(client, "/verify/", body)
    assert response.status_code == 400
    assert b"The file is 120.0 MB" in response.content
    assert b'href="#id_file"' in response.content  # the error summary links to the field
    assert body.read_bytes == 0


@pytest.mark.parametrize("url", [VERIFY_API, "/verify/"])
def test_a_body_within_the_framing_room_is_cut_off_at_the_limit(db: None, client: Any,
                                                                 limited: None,
                                                                 url: str) -> None:
    # Declares a length under limit + framing room, so it is read: the handler stops the
    # file at the limit and the view refuses it, never storing or verifying it whole.
    size = LIMIT + upload_limit.FRAMING_BYTES - 100
    body = Body(multipart_head(), size, most=LIMIT + upload_limit.FRAMING_BYTES)
    seen: list[int] = []
    original = upload_limit.tabular.SizeLimitHandler.receive_data_chunk

    def spy(self: Any, raw_data: bytes, start: int) -> bytes:
        try:
            return original(self, raw_data, start)
        finally:
            seen.append(self.seen)

    from plangov import tabular
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tabular.SizeLimitHandler, "receive_data_chunk", spy)
        response = post(client, url, body)
    assert response.status_code == 400
    message = "The file is over 0 MB; files over 0 MB are not checked."
    if url == VERIFY_API:
        assert response.json()["errors"]["file"] == [message]
    else:
        assert message.encode() in response.content
    # The handler stopped at the first chunk past the limit.
    assert seen and seen[-1] > LIMIT and all(s <= LIMIT for s in seen[:-1])


def test_an_upload_under_the_limit_is_still_checked(db: None, client: Any,
                                                    settings: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PLANGOV_VERIFY_MAX_BYTES = LIMIT
    response = client.post(VERIFY_API, {"file": SimpleUploadedFile("x.pdf", b"GIF89a no")})
    assert response.status_code == 400
    assert "not a PDF" in response.json()["errors"]["file"][0]
    page = client.post("/verify/", {"file": SimpleUploadedFile("x.pdf", b"GIF89a no")})
    assert page.status_code == 400 and b"not a PDF" in page.content


def test_the_page_still_checks_csrf_once_the_limit_is_in_place(db: None) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/verify/", {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.7\n")})
    assert response.status_code == 403
