"""Exports of a version's content: JSON, YAML and a Word document the import reads back."""

from __future__ import annotations

import io
import json
from typing import Any

import docx
import pytest
import yaml

from documents.content import normalise
from documents.content_io import export_content, reading, word
from documents.services import version_create
from plangov.errors import InvalidInput
from tests.conftest import make_plan
from tests.factories import valid_content

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def content() -> dict[str, Any]:
    return normalise(valid_content(
        vision="First paragraph.\n\nSecond <b>paragraph</b>, with a line\nbreak.",
        joint_priorities=[{"title": "Early help", "description": "Together.",
                           "bodies": ["yorok-board", "safeguarding-board"]}]))


@pytest.mark.parametrize(("file_format", "media_type"), [
    ("json", "application/json"), ("yaml", "application/yaml"), ("docx", DOCX)])
def test_each_format_has_its_media_type_and_a_file_name(file_format: str,
                                                         media_type: str) -> None:
    export = export_content(content=content(), file_format=file_format,
                            title="Children's Plan, version 2", stem="Children's Plan v2")
    assert export.media_type == media_type
    assert export.filename == f"childrens-plan-v2.{file_format}"


def test_json_and_yaml_exports_hold_exactly_the_content() -> None:
    stored = content()
    as_json = export_content(content=stored, file_format="json", title="", stem="p")
    as_yaml = export_content(content=stored, file_format="yaml", title="", stem="p")
    assert json.loads(as_json.data) == stored
    assert yaml.safe_load(as_yaml.data) == stored


def test_the_word_export_uses_the_headings_and_tables_the_import_reads() -> None:
    data = export_content(content=content(), file_format="docx", title="The plan",
                          stem="p").data
    document = docx.Document(io.BytesIO(data))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith(("Heading", "Title"))]
    assert headings == [
        ("Title", "The plan"), ("Heading 1", "Vision"),
        ("Heading 1", "Outcomes and priorities"), ("Heading 2", "Being healthy"),
        ("Heading 3", "All children are active and eat healthily"),
        ("Heading 2", "Staying safe"), ("Heading 1", "Indicators"), ("Heading 1", "Actions"),
        ("Heading 1", "Cross-cutting themes"), ("Heading 2", "Narrowing the gap"),
        ("Heading 1", "Joint priorities"), ("Heading 2", "Early help"),
    ]
    indicators, actions = document.tables
    assert [c.text for c in indicators.rows[0].cells] == word.INDICATOR_HEADER
    assert [c.text for c in actions.rows[0].cells] == word.ACTION_HEADER
    assert actions.rows[1].cells[1].text == "Immediate priority action"
    # HTML typed into a field is text in Word too.
    assert "Second <b>paragraph</b>, with a line\nbreak." in [p.text for p in document.paragraphs]


def test_export_then_import_gives_back_the_same_content() -> None:
    stored = content()
    data = export_content(content=stored, file_format="docx", title="t", stem="p").data
    result = reading.preview("p.docx", data)
    assert result.parsed.unread == []
    assert result.content == word.tidy(stored) == stored


def test_a_persons_edits_to_the_word_file_are_what_the_next_import_reads() -> None:
    data = export_content(content=content(), file_format="docx", title="t", stem="p").data
    document = docx.Document(io.BytesIO(data))
    for paragraph in document.paragraphs:
        if paragraph.text == "Staying safe":
            paragraph.text = "Staying safe at home and online"
    actions = document.tables[1]
    row = actions.add_row().cells
    for cell, value in zip(row, ["Publish a safety guide", "Continuous improvement", "safe", "",
                                 "Head of Safeguarding", "", "31/03/2011"], strict=True):
        cell.text = value
    out = io.BytesIO()
    document.save(out)
    result = reading.preview("p.docx", out.getvalue())
    assert result.valid, result.warnings
    assert result.content["outcomes"][1]["title"] == "Staying safe at home and online"
    assert result.content["outcomes"][1]["key"] == "safe"
    assert result.content["actions"][1] == {
        "title": "Publish a safety guide", "kind": "continuous_improvement", "outcome": "safe",
        "priority": "", "lead": "Head of Safeguarding", "delivery_group": "",
        "due_date": "2011-03-31"}


def test_an_unknown_format_is_refused_naming_format() -> None:
    with pytest.raises(InvalidInput) as caught:
        export_content(content=content(), file_format="pdf", title="", stem="p")
    assert list(caught.value.errors) == ["format"]


def test_legacy_text_the_policy_refuses_is_scrubbed_from_exports() -> None:
    stored = content()
    stored["vision"] = "Legacy\x0btext"
    data = export_content(content=stored, file_format="docx", title="t", stem="p").data
    assert reading.preview("p.docx", data).content["vision"] == "Legacy text"


@pytest.mark.django_db
def test_a_stored_version_exports_and_imports_back(world: Any) -> None:
    plan = make_plan(world)
    version = version_create(plan=plan, actor=world.lead, content=content())
    data = export_content(content=version.content, file_format="docx", title=plan.title,
                          stem=plan.title).data
    assert normalise(reading.preview("p.docx", data).content) == version.content


def test_the_json_schema_file_is_up_to_date_and_describes_valid_content() -> None:
    import jsonschema
    from django.conf import settings

    from documents.content_io.schema import render

    path = settings.BASE_DIR / "docs" / "plan-content.schema.json"
    assert path.read_text() == render(), "regenerate docs/plan-content.schema.json"
    schema = json.loads(render())
    jsonschema.validate(content(), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**content(), "visoin": "typo"}, schema)
