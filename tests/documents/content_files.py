"""Files for the import tests: Word documents written the way a person would, and bad ones
(a zip bomb, an encrypted container, a document with a DTD)."""

from __future__ import annotations

import io
import struct
import zipfile

import docx

from documents.content_io import word
from tests.factories import valid_content


def hand_written_docx() -> bytes:
    """A plan typed into Word by hand: outcomes as Heading 1, no keys, titles in the tables,
    and a few things the import does not understand."""
    document = docx.Document()
    document.add_heading("Children and Young People's Plan 2009-12", level=0)
    document.add_paragraph("Foreword by the Director, who welcomes this plan warmly.")
    document.add_heading("Vision", level=1)
    document.add_paragraph("In York we recognise that our children are our future.")
    document.add_paragraph("Every child should thrive.")
    document.add_heading("Being healthy", level=1)
    document.add_paragraph("Children live healthy lives.")
    document.add_heading("All children are active", level=2)
    document.add_paragraph("Sport and play for all.")
    document.add_heading("Staying safe", level=1)
    document.add_heading("A stray fourth-level heading", level=4)
    table = document.add_table(rows=2, cols=6)
    for cell, value in zip(table.rows[0].cells, ["Indicator", "Outcome", "Unit", "Baseline",
                                                  "Target", "Direction of good"], strict=True):
        cell.text = value
    for cell, value in zip(table.rows[1].cells, ["Obesity in reception year", "Being healthy",
                                                  "%", "9.8", "8", "Lower is better"],
                           strict=True):
        cell.text = value
    document.add_heading("Actions", level=1)
    document.add_paragraph("The actions below are agreed by the board.")
    table = document.add_table(rows=2, cols=5)
    for cell, value in zip(table.rows[0].cells, ["Action", "Kind", "Outcome", "Priority",
                                                  "Lead"], strict=True):
        cell.text = value
    for cell, value in zip(table.rows[1].cells, [
            "Extend healthy schools", "Immediate priority action", "Being healthy",
            "All children are active", "Head of Public Health"], strict=True):
        cell.text = value
    budget = document.add_table(rows=2, cols=2)
    budget.rows[0].cells[0].text, budget.rows[0].cells[1].text = "Budget line", "Amount"
    budget.rows[1].cells[0].text, budget.rows[1].cells[1].text = "Healthy schools", "£20,000"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def exported_docx(content: dict | None = None) -> bytes:
    from documents.content import normalise

    return word.write_docx(normalise(content or valid_content()), title="A plan")


def zip_bomb(inflated: int = 101 * 2**20) -> bytes:
    """A real zip bomb, small on disk: a Word document with a part of zeros that inflates to
    ``inflated`` bytes (101 MB by default: about 100 KB compressed)."""
    base = zipfile.ZipFile(io.BytesIO(exported_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in base.infolist():
            bomb.writestr(info.filename, base.read(info))
        with bomb.open("word/media/zeros.bin", "w") as part:
            block = b"\0" * 2**20
            for _ in range(inflated // 2**20):
                part.write(block)
    return out.getvalue()


def lying_zip_bomb() -> bytes:
    """A zip bomb whose directory understates its part's size: the directory says 1 KB, the
    part inflates to 101 MB. Only counting the inflated bytes catches it."""
    data = bytearray(zip_bomb())
    name = b"word/media/zeros.bin"
    # Central directory entry: signature PK\1\2; uncompressed size at offset 24; name at 46.
    at = data.find(b"PK\x01\x02" + b"\0" * 0, 0)
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + name_len]) == name:
            struct.pack_into("<I", data, at + 24, 1024)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def docx_with_part(name: str, payload: bytes) -> bytes:
    """An exported Word document with one part replaced (or added)."""
    base = zipfile.ZipFile(io.BytesIO(exported_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as result:
        for info in base.infolist():
            if info.filename != name:
                result.writestr(info.filename, base.read(info))
        result.writestr(name, payload)
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"""


def encrypted_docx() -> bytes:
    """What Word saves for a password-protected document: an OLE2 compound file (CFB) holding
    an EncryptionInfo stream and the encrypted package (here, the magic and the stream name
    are enough)."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504
    directory = "EncryptionInfo".encode("utf-16-le") + b"\0" * 50
    return header + directory + b"\x55" * 4096


def legacy_doc() -> bytes:
    return bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + "WordDocument".encode(
        "utf-16-le") + b"\0" * 4096


def zip_without_document() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()
