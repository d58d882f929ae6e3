"""Reading an uploaded content file without letting it cost more than it should.

Every limit is enforced while the file is read, never after: an upload over ``MAX_BYTES`` is
refused from its declared size before the body is read and, when the size is not declared
(a chunked upload), by a capped read; a Word document (a zip) is refused from its directory
(too many entries, declared sizes too large, encrypted entries) and then while its entries are
inflated, counting the bytes actually produced, before python-docx opens it.

What is refused, each as ``FileRefused`` (a 400 naming ``file``):

- a file that is empty or over ``MAX_BYTES`` (20 MB);
- a file that starts with the OLE2/CFB magic ``D0 CF 11 E0 A1 B1 1A E1``: a password-protected
  Word document (Word wraps an encrypted .docx in such a container, with an
  ``EncryptionInfo`` stream) or a Word 97-2003 ``.doc``;
- a zip that is not a Word document (no ``word/document.xml`` or ``[Content_Types].xml``),
  that is damaged, or whose entries are encrypted;
- a zip bomb: more than ``MAX_ENTRIES`` entries, declared uncompressed sizes over
  ``MAX_INFLATED`` in total, or (whatever the directory claims) more than ``MAX_INFLATED``
  bytes actually inflated, or more than ``MAX_XML`` of them in XML parts (what python-docx
  builds a tree of);
- an XML part that declares a document type (``<!DOCTYPE``): Office Open XML never has one,
  and a DTD is where entity expansion ("billion laughs") and external entities live. As a
  second line, python-docx parses with lxml's ``resolve_entities=False`` and lxml's default
  ``huge_tree=False`` (no text node over 10 MB, no tree deeper than 256 levels), and lxml does
  not fetch anything from the network by default (``no_network=True``).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Any

MAX_BYTES = 20 * 1024 * 1024
MAX_INFLATED = 100 * 1024 * 1024
# The XML that python-docx parses into a tree (pictures are only carried): 15 MB of it is
# about ten times a 100-page plan's document.xml, which imports in about a second.
MAX_XML = 15 * 1024 * 1024
MAX_ENTRIES = 1000
CHUNK = 64 * 1024

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
# A DTD in any of the encodings an XML part may use (UTF-8, UTF-16 either way round).
_DOCTYPES = [b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be")]
_OVERLAP = max(len(d) for d in _DOCTYPES)


class FileRefused(Exception):
    """The upload cannot be read as plan content; ``message`` says why, for the ``file``
    field."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def too_big(size: int) -> FileRefused:
    return FileRefused(f"The file is {_mb(size)}; files over {MAX_BYTES // 2**20} MB are not "
                       "imported. Split the plan or remove pictures from it.")


def read_capped(upload: Any) -> bytes:
    """The upload's bytes, refusing it from its declared size and again while reading, so a
    file whose size was not declared is never read past the limit."""
    if upload is None:
        raise FileRefused("Choose a Word (.docx), JSON or YAML file to import.")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise too_big(size)
    buffer = bytearray()
    chunks = upload.chunks(CHUNK) if hasattr(upload, "chunks") else iter(
        lambda: upload.read(CHUNK), b"")
    for chunk in chunks:
        buffer.extend(chunk)
        if len(buffer) > MAX_BYTES:
            raise too_big(len(buffer))
    if not buffer:
        raise FileRefused("The file is empty; choose the Word, JSON or YAML file to import.")
    return bytes(buffer)


def refuse_cfb(data: bytes) -> None:
    if data.startswith(CFB_MAGIC):
        if _ENCRYPTION_INFO in data[:MAX_BYTES]:
            raise FileRefused("The Word document is protected by a password, so it cannot be "
                              "read. Remove the password in Word (File, Info, Protect "
                              "Document) and upload it again.")
        raise FileRefused("This is an older Word 97-2003 (.doc) file or a protected document. "
                          "Save it as a Word Document (.docx) and upload that.")


def check_docx(data: bytes) -> None:
    """Refuse a zip that is not a Word document or that inflates past the limits, before
    anything parses its XML."""
    refuse_cfb(data)
    not_word = ("The file is not a Word document (.docx): it could not be opened as one. "
                "Save it from Word as a Word Document (.docx).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise FileRefused(not_word) from exc
    with archive:
        try:
            entries = archive.infolist()
        except Exception as exc:  # a damaged directory
            raise FileRefused(not_word) from exc
        if len(entries) > MAX_ENTRIES:
            raise FileRefused(f"The file holds {len(entries)} parts; a Word document has far "
                              f"fewer (at most {MAX_ENTRIES} are read). It is not imported.")
        names = {entry.filename for entry in entries}
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise FileRefused("The file is a zip archive but not a Word document (it has no "
                              "word/document.xml). Save it from Word as a Word Document "
                              "(.docx).")
        if any(entry.flag_bits & 0x1 for entry in entries):
            raise FileRefused("The Word document's parts are encrypted, so it cannot be read. "
                              "Remove the password in Word and upload it again.")
        declared = sum(entry.file_size for entry in entries)
        if declared > MAX_INFLATED:
            raise FileRefused(_bomb(declared))
        inflated = xml_bytes = 0
        for entry in entries:
            xml = entry.filename.endswith((".xml", ".rels"))
            tail = b""
            try:
                with archive.open(entry) as member:
                    while chunk := member.read(CHUNK):
                        inflated += len(chunk)
                        if inflated > MAX_INFLATED:
                            raise FileRefused(_bomb(MAX_INFLATED, counted=True))
                        if xml:
                            xml_bytes += len(chunk)
                            if xml_bytes > MAX_XML:
                                raise FileRefused(
                                    f"The document's text and layout unpack to more than "
                                    f"{MAX_XML // 2**20} MB, far more than a plan needs; it is "
                                    "not imported. Split it into smaller documents.")
                            window = tail + chunk
                            if any(d in window for d in _DOCTYPES):
                                raise FileRefused(
                                    f"The part {entry.filename} declares a document type "
                                    "(<!DOCTYPE>), which Word never writes; the file is not "
                                    "imported.")
                            tail = window[-_OVERLAP:]
            except FileRefused:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError,
                    ValueError, RuntimeError) as exc:
                raise FileRefused("The Word document is damaged: its part "
                                  f"{entry.filename[:100]} cannot be read.") from exc


def _bomb(size: int, *, counted: bool = False) -> str:
    what = "unpacks to more than" if counted else "says it unpacks to"
    return (f"The file {what} {_mb(size)}; a Word document that imports unpacks to at most "
            f"{MAX_INFLATED // 2**20} MB. It is not imported.")


# Uploads: refused from the declared length before the body is read, and counted while it is.

# A multipart body carries its boundaries and field headers besides the file.
MULTIPART_SLACK = 64 * 1024


def declared_too_big(meta: dict[str, Any]) -> FileRefused | None:
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    return too_big(length) if length > MAX_BYTES + MULTIPART_SLACK else None


def _handler_base() -> Any:
    from django.core.files.uploadhandler import FileUploadHandler

    return FileUploadHandler


class CappedUploadHandler(_handler_base()):  # type: ignore[misc]
    """First of a request's upload handlers: counts the file's bytes as they arrive and stops
    the upload (without reading the rest of the body) once they pass MAX_BYTES. The handlers
    after it build the file as usual."""

    chunk_size = CHUNK

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0
        self.exceeded = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        from django.core.files.uploadhandler import StopUpload

        self.received += len(raw_data)
        if self.received > MAX_BYTES:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def guard_upload(request: Any) -> CappedUploadHandler:
    """Before anything reads ``request``'s body (a Django HttpRequest): refuse a body declared
    too big, and put the counting handler first. Raises FileRefused."""
    if (refused := declared_too_big(request.META)) is not None:
        raise refused
    from django.conf import settings
    from django.core.files.uploadhandler import load_handler

    cap = CappedUploadHandler(request)
    request.upload_handlers = [cap, *(load_handler(h, request)
                                      for h in settings.FILE_UPLOAD_HANDLERS)]
    return cap
