"""Importing plan content from Word, JSON and YAML: one validation path, what was not
understood, bad files refused before anything parses them, and a preview that saves nothing."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.content import ContentInvalid, normalise
from documents.content_io import FileRefused, import_preview, limits, reading
from documents.models import ContentImport
from governance.models import AuditEvent
from plangov.errors import Forbidden, InvalidInput
from tests.conftest import make_plan
from tests.factories import valid_content

from . import content_files as files


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(FileRefused) as caught:
        reading.preview(name, data)
    return caught.value.message


# Word documents as people write them


def test_a_hand_written_word_document_is_read_by_its_headings_and_tables() -> None:
    result = reading.preview("plan.docx", files.hand_written_docx())
    content = result.content
    assert result.valid, result.warnings
    assert content["vision"] == ("In York we recognise that our children are our future.\n\n"
                                 "Every child should thrive.")
    assert [(o["key"], o["title"]) for o in content["outcomes"]] == [
        ("being-healthy", "Being healthy"), ("staying-safe", "Staying safe")]
    assert content["outcomes"][0]["description"] == "Children live healthy lives."
    assert content["outcomes"][0]["priorities"] == [{
        "key": "all-children-are-active", "title": "All children are active",
        "description": "Sport and play for all."}]
    # Titles in the tables name the outcome and priority; labels name the choices.
    indicator = content["indicators"][0]
    assert (indicator["outcome"], indicator["baseline"], indicator["target"],
            indicator["direction_of_good"], indicator["key"]) == (
        "being-healthy", 9.8, 8.0, "lower", "obesity-in-reception-year")
    action = content["actions"][0]
    assert (action["kind"], action["outcome"], action["priority"]) == (
        "immediate_priority", "being-healthy", "all-children-are-active")
    assert result.parsed.title == "Children and Young People's Plan 2009-12"


def test_every_paragraph_and_table_not_understood_is_listed_with_where_it_is() -> None:
    result = reading.preview("plan.docx", files.hand_written_docx())
    unread = [(u.kind, u.position, u.text) for u in result.parsed.unread]
    assert unread == [
        ("paragraph", 2, "Foreword by the Director, who welcomes this plan warmly."),
        ("paragraph", 11, "A stray fourth-level heading"),
        ("paragraph", 13, "The actions below are agreed by the board."),
        ("table", 3, "Budget line Amount"),
    ]
    assert result.as_dict()["not_understood"][3]["reason"].startswith("Its header row")


def test_long_text_is_cut_to_its_first_words_in_the_list() -> None:
    import io

    import docx

    document = docx.Document()
    document.add_paragraph("word " * 200)
    out = io.BytesIO()
    document.save(out)
    (unread,) = reading.preview("x.docx", out.getvalue()).parsed.unread
    assert unread.text == "word " * 11 + "word…"


def test_a_word_document_that_breaks_the_rules_gets_the_validators_own_paths() -> None:
    """The same validator, the same field paths, whatever the format."""
    content = valid_content()
    content["actions"][0]["lead"] = ""  # type: ignore[index]
    content["indicators"][0]["unit"] = "x" * 41  # type: ignore[index]
    with pytest.raises(ContentInvalid) as direct:
        normalise(content)
    from documents.content_io import word

    data = word.write_docx(content)  # written as is, not validated
    result = reading.preview("plan.docx", data)
    assert not result.valid
    assert result.warnings == direct.value.errors
    assert set(result.warnings) == {"actions[0].lead", "indicators[0].unit"}


# JSON and YAML


def test_json_and_yaml_go_through_the_same_validator_with_the_same_paths() -> None:
    content = valid_content(outcomes=[{"key": "bad key", "title": ""}])
    with pytest.raises(ContentInvalid) as direct:
        normalise(content)
    for name, data in (("c.json", json.dumps(content).encode()),
                       ("c.yaml", yaml.safe_dump(content).encode())):
        result = reading.preview(name, data)
        assert not result.valid
        assert result.warnings == direct.value.errors, name


def test_yaml_dates_stay_dates_and_json_is_sniffed_without_an_extension() -> None:
    source = yaml.safe_dump(valid_content()).replace("'2010-03-31'", "2010-03-31").encode()
    assert reading.preview("c.yml", source).content["actions"][0]["due_date"] == "2010-03-31"
    assert reading.preview("upload", json.dumps(valid_content()).encode()).valid


def test_yaml_aliases_and_deep_nesting_are_refused_by_the_projects_loader() -> None:
    laughs = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert "alias" in refusal("c.yaml", laughs.encode())
    assert "nested" in refusal("c.yaml", ("[" * 40 + "]" * 40).encode())


def test_json_that_is_not_json_or_not_utf8_is_refused_naming_the_file() -> None:
    assert "JSON parse error" in refusal("c.json", b'{"vision": ')
    assert "UTF-8" in refusal("c.json", b'{"vision": "\xff"}')
    assert "object" in refusal("c.json", b"[1, 2]")


def test_text_the_policy_refuses_refuses_the_file_naming_the_place() -> None:
    content = valid_content(vision="Our \x85 children")
    with pytest.raises(InvalidInput) as caught:
        reading.preview("c.yaml", yaml.safe_dump(content).encode())
    assert "file.vision" in caught.value.errors


# Bad files: refused before python-docx reads them


def test_a_file_that_is_not_a_word_document_is_refused() -> None:
    assert "not a Word document" in refusal("plan.docx", b"Just some text, not Word.")
    assert "not a Word document" in refusal("plan.docx", files.zip_without_document())
    assert "not a Word document" in refusal("plan.docx", b"PK\x03\x04 truncated zip")
    assert "PDF" in refusal("plan.pdf", b"%PDF-1.7\n")


def test_a_password_protected_word_document_is_refused_as_such() -> None:
    assert "protected by a password" in refusal("plan.docx", files.encrypted_docx())
    assert "97-2003" in refusal("plan.doc", files.legacy_doc())


def test_a_zip_bomb_is_refused_from_its_directory_quickly() -> None:
    bomb = files.zip_bomb()
    assert len(bomb) < 1024 * 1024  # small on disk
    started = time.perf_counter()
    message = refusal("plan.docx", bomb)
    assert "unpacks to 1" in message and "at most 100 MB" in message
    assert time.perf_counter() - started < 2


def test_a_zip_bomb_that_understates_its_size_is_never_inflated_past_it() -> None:
    """zipfile stops inflating a part at its declared size (then its checksum fails), and the
    import counts the bytes actually inflated as a second line."""
    message = refusal("plan.docx", files.lying_zip_bomb())
    assert "damaged" in message


def test_inflated_bytes_are_counted_against_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = files.zip_bomb(inflated=3 * 2**20)
    monkeypatch.setattr(limits, "MAX_INFLATED", 2 * 2**20)
    assert "at most 2 MB" in refusal("plan.docx", bomb)


def test_too_much_xml_is_refused_before_python_docx_builds_a_tree_of_it() -> None:
    padding = b"<!-- " + b"x" * (limits.MAX_XML + 1) + b" -->"
    data = files.docx_with_part("word/footer9.xml", padding)
    assert "more than 15 MB" in refusal("plan.docx", data)


def test_too_many_parts_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ENTRIES", 5)
    assert "parts" in refusal("plan.docx", files.exported_docx())


def test_a_document_type_declaration_is_refused_before_lxml_sees_it() -> None:
    data = files.docx_with_part("word/document.xml", files.BILLION_LAUGHS)
    assert "<!DOCTYPE>" in refusal("plan.docx", data)
    utf16 = files.BILLION_LAUGHS.decode().replace('version="1.0"',
                                                  'version="1.0" encoding="UTF-16"')
    assert "<!DOCTYPE>" in refusal("plan.docx", files.docx_with_part(
        "word/document.xml", utf16.encode("utf-16")))


def test_python_docx_parses_without_resolving_entities() -> None:
    """The second line behind the DOCTYPE check: python-docx's parser."""
    from docx.oxml.parser import parse_xml
    from lxml import etree

    laughs = parse_xml(files.BILLION_LAUGHS)
    assert len(etree.tostring(laughs)) < 1000  # &lol9; stays a reference, unexpanded
    external = parse_xml(b'<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>')
    assert "root:" not in "".join(external.itertext())


def test_a_damaged_word_document_is_a_clear_refusal_not_an_error() -> None:
    data = files.docx_with_part("word/document.xml", b"<w:document><unclosed>")
    assert "cannot be read" in refusal("plan.docx", data)


def test_a_file_over_20_mb_is_refused_before_it_is_read() -> None:
    class Unreadable:
        size = limits.MAX_BYTES + 1

        def chunks(self, size: int) -> Any:
            raise AssertionError("read a file already known to be too big")

    with pytest.raises(FileRefused) as caught:
        limits.read_capped(Unreadable())
    assert "over 20 MB" in caught.value.message


def test_a_file_of_undeclared_size_is_read_no_further_than_the_limit() -> None:
    read: list[int] = []

    class Endless:
        size = None

        def chunks(self, size: int) -> Any:
            while True:
                read.append(size)
                yield b"x" * size

    with pytest.raises(FileRefused):
        limits.read_capped(Endless())
    assert sum(read) <= limits.MAX_BYTES + limits.CHUNK


# The preview service


@pytest.mark.django_db
def test_a_preview_changes_nothing_about_the_plan(world: Any) -> None:
    plan = make_plan(world)
    events = AuditEvent.objects.count()
    upload = SimpleUploadedFile("plan.docx", files.hand_written_docx())
    record = import_preview(plan=plan, actor=world.lead, upload=upload)
    plan.refresh_from_db()
    assert plan.current_version is None
    assert AuditEvent.objects.count() == events
    assert record.preview["understood"]["counts"]["outcomes"] == 2
    assert record.content["outcomes"][0]["key"] == "being-healthy"
    assert len(record.token) >= 40
    assert record.expires_at > record.created_at


@pytest.mark.django_db
def test_only_who_may_write_the_plan_can_import_and_the_file_is_not_read_first(
    world: Any,
) -> None:
    plan = make_plan(world)

    class Unreadable:
        size = 10

        def chunks(self, size: int) -> Any:
            raise AssertionError("read the file of someone who may not import")

    for person in (world.board_secretary, world.auditor, world.outsider):
        with pytest.raises(Forbidden):
            import_preview(plan=plan, actor=person, upload=Unreadable())
    assert not ContentImport.objects.exists()


@pytest.mark.django_db
def test_a_refused_file_leaves_no_record(world: Any) -> None:
    plan = make_plan(world)
    with pytest.raises(FileRefused):
        import_preview(plan=plan, actor=world.lead,
                       upload=SimpleUploadedFile("plan.docx", files.encrypted_docx()))
    assert not ContentImport.objects.exists()


# Confirming into the draft (documents.drafts)


def _preview(world: Any, plan: Any) -> Any:
    return import_preview(plan=plan, actor=world.lead,
                          upload=SimpleUploadedFile("plan.docx", files.hand_written_docx()))


@pytest.mark.django_db
def test_confirming_puts_the_content_into_the_draft_with_one_audit_event(world: Any) -> None:
    drafts = pytest.importorskip("documents.drafts")
    from documents.content_io import apply_import

    plan = make_plan(world)
    record = _preview(world, plan)
    events = AuditEvent.objects.count()
    draft = apply_import(plan=plan, actor=world.lead, token=record.token)
    assert draft.content == record.content
    assert drafts.draft_get(plan=plan, actor=world.lead).revision == draft.revision
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.plan_id) == ("content.import", plan.pk)
    assert event.after["file_sha256"] == record.file_sha256
    assert event.after["counts"]["actions"] == 1
    assert "Being healthy" not in json.dumps(event.after)
    assert not ContentImport.objects.exists()
    plan.refresh_from_db()
    assert plan.current_version is None  # a draft, not a version


@pytest.mark.django_db
def test_a_draft_saved_after_the_preview_is_not_overwritten(world: Any) -> None:
    drafts = pytest.importorskip("documents.drafts")
    from documents.content_io import apply_import
    from plangov.errors import PreconditionFailed  # type: ignore[attr-defined]

    plan = make_plan(world)
    draft = drafts.draft_get(plan=plan, actor=world.lead)
    record = _preview(world, plan)
    assert record.draft_revision == draft.revision
    saved = drafts.draft_save(plan=plan, content={**draft.content, "vision": "Typed meanwhile."},
                              expected_revision=draft.revision, actor=world.lead)
    events = AuditEvent.objects.count()
    with pytest.raises(PreconditionFailed):
        apply_import(plan=plan, actor=world.lead, token=record.token)
    assert drafts.draft_get(plan=plan, actor=world.lead).content == saved.content
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_draft_first_opened_after_the_preview_is_replaced(world: Any) -> None:
    drafts = pytest.importorskip("documents.drafts")
    from documents.content_io import apply_import

    plan = make_plan(world)
    record = _preview(world, plan)
    assert record.draft_revision is None
    drafts.draft_get(plan=plan, actor=world.lead)  # made now, nothing typed into it
    draft = apply_import(plan=plan, actor=world.lead, token=record.token)
    assert draft.content == record.content
