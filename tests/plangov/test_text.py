"""plangov.text: the one policy for text input, and its second line for outputs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from plangov import text

# One or more of each class the policy refuses, and what it says each is.
REFUSED = [
    ("\x00", "U+0000 (NULL)"),
    ("\x01", "U+0001 (START OF HEADING)"),
    ("\x08", "U+0008 (BACKSPACE)"),
    ("\x0b", "U+000B (LINE TABULATION)"),
    ("\x0c", "U+000C (FORM FEED)"),
    ("\x1b", "U+001B (ESCAPE)"),
    ("\x1f", "U+001F (INFORMATION SEPARATOR ONE)"),
    ("\x7f", "U+007F (DELETE)"),
    ("\x80", "U+0080 (PADDING CHARACTER)"),
    ("\x85", "U+0085 (NEXT LINE)"),
    ("\x9f", "U+009F (APPLICATION PROGRAM COMMAND)"),
    ("\ufdd0", "U+FDD0 (a Unicode non-character)"),
    ("\ufdef", "U+FDEF (a Unicode non-character)"),
    ("\ufffe", "U+FFFE (a Unicode non-character)"),
    ("\uffff", "U+FFFF (a Unicode non-character)"),
    ("\U0001fffe", "U+1FFFE (a Unicode non-character)"),
    ("\U0010ffff", "U+10FFFF (a Unicode non-character)"),
    ("\ud800", "U+D800 (a lone surrogate)"),
    ("\udfff", "U+DFFF (a lone surrogate)"),
]
# A sample per class for the tests of every door.
SAMPLES = ["\x00", "\x0b", "\x1b", "\x7f", "\x85", "\ufffe", "\ufdd0", "\U0010ffff", "\ud800"]


@pytest.mark.parametrize(("char", "name"), REFUSED)
def test_it_refuses_each_class_naming_the_character_and_where(char, name):
    with pytest.raises(text.TextRefused) as caught:
        text.clean_text(f"Early Help{char} Strategy")
    assert caught.value.message == (
        f"Contains {name} at position 11, which cannot be stored or printed; remove it."
    )
    assert caught.value.for_field("title").startswith(f"title: contains {name} at position 11")


def test_it_counts_the_others():
    with pytest.raises(text.TextRefused) as caught:
        text.clean_text("a\x0bb\x0bc\x00")
    assert "U+000B (LINE TABULATION) at position 2 (and 2 more such characters)" in str(
        caught.value)
    assert str(caught.value).endswith("remove them.")


@pytest.mark.parametrize("value", [
    "Tab\tand newline\n", "Ünïcödé — “quotes”, emoji 🎈, CJK 計画", "\u00a0\u00a0", "\ufffd",
    "\ufdcf\ufdf0\ufffd", "\U0001fffd", "\u200b\ufeff",
])
def test_it_accepts_text_that_every_output_can_carry(value):
    assert text.clean_text(value) == value


@pytest.mark.parametrize(("given", "stored"), [
    ("a\r\nb", "a\nb"), ("a\rb", "a\nb"), ("a\u2028b", "a\nb"), ("a\u2029b", "a\nb"),
    ("a\r\n\r\nb\r", "a\n\nb\n"), ("\r\r\n", "\n\n"),
])
def test_it_normalises_line_separators(given, stored):
    assert text.clean_text(given) == stored


def test_it_walks_nested_data_naming_dotted_paths_keys_too():
    data = {"title": "ok\r\n", "outcomes": [{"key": "a", "title": "x\x0by"},
                                          {"priorities": [{"title": "\x00"}]}],
            "bad\x0bkey": 1, 3: "y"}
    cleaned, errors = text.clean_tree(data)
    assert cleaned["title"] == "ok\n"
    assert set(errors) == {"outcomes[0].title", "outcomes[1].priorities[0].title",
                           "bad\ufffdkey"}
    assert errors["bad\ufffdkey"][0].startswith("This key contains U+000B")


def test_it_refuses_nesting_deeper_than_the_limit_without_walking_it():
    fine = current = []
    for _ in range(text.MAX_DEPTH - 1):
        current.append([])
        current = current[0]
    assert text.clean_tree(fine)[1] == {}
    current.append([[]])
    with pytest.raises(text.TooDeep):
        text.clean_tree(fine)


def test_check_fields_names_the_field():
    errors = text.check_fields({"reason": ["fine", "no\x00"], "ok": "yes"})
    assert list(errors) == ["reason"]


@given(st.text())
def test_cleaned_text_is_refused_or_clean_and_stable(value):
    try:
        cleaned = text.clean_text(value)
    except text.TextRefused:
        assert text.FORBIDDEN.search(value)
        return
    assert not text.FORBIDDEN.search(cleaned)
    assert "\r" not in cleaned and "\u2028" not in cleaned and "\u2029" not in cleaned
    assert text.clean_text(cleaned) == cleaned


@given(st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF)))
def test_scrubbed_text_is_always_xml(value):
    """The second line: whatever is stored, what reaches a PDF's XMP or a Word file is XML."""
    scrubbed = text.scrub(value)
    assert not text.FORBIDDEN.search(scrubbed)
    element = etree.Element("title")
    element.text = scrubbed.replace("\r", "")
    assert etree.fromstring(etree.tostring(element)).text in (None, element.text)
