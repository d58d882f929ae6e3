"""Signed files, stored under their own SHA-256 and never overwritten.

A file is written whole to a temporary name in ``tmp/`` first, flushed to disk, and only then
linked to its final name; a worker killed while writing leaves at most a ``.part`` file in
``tmp/``, which the next render of the same document removes, and never a half file where a
reader looks.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings


class StoredFileDamaged(Exception):
    """The stored bytes no longer hash to their name."""


def root() -> Path:
    return Path(settings.PLANGOV_DOCUMENT_DIR)


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"Not a SHA-256: {sha256!r}")
    return root() / sha256[:2] / f"{sha256}.pdf"


def temp_dir() -> Path:
    return root() / "tmp"


def clear_partials(document_id: int) -> int:
    """Remove what an earlier, killed render of this document left in ``tmp/``."""
    removed = 0
    directory = temp_dir()
    if directory.exists():
        for leftover in directory.glob(f"doc{document_id}-*.part"):
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


def store(data: bytes, *, document_id: int, attempt: int) -> str:
    """Store ``data``; returns its SHA-256. Storing bytes already there changes nothing."""
    digest = hashlib.sha256(data).hexdigest()
    final = path_for(digest)
    if final.exists():
        return digest
    final.parent.mkdir(parents=True, exist_ok=True)
    temp_dir().mkdir(parents=True, exist_ok=True)
    part = temp_dir() / f"doc{document_id}-{attempt}-{os.getpid()}.part"
    with open(part, "wb") as handle:
        write_all(handle, data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        # link, not rename: it fails rather than replace a file that is already there.
        os.link(part, final)
    except FileExistsError:
        pass
    finally:
        part.unlink(missing_ok=True)
    return digest


def write_all(handle: object, data: bytes) -> None:
    """Separate so tests can stop a render half-way through writing."""
    handle.write(data)  # type: ignore[attr-defined]


def read(sha256: str) -> bytes:
    data = path_for(sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StoredFileDamaged(f"The stored file {sha256} has been changed on disk.")
    return data


def discard(sha256: str) -> None:
    path_for(sha256).unlink(missing_ok=True)
