"""import_governance through the text policy, and safe against YAML that costs a great deal
to read: aliases ("billion laughs") and deep nesting end at once with a line-numbered error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from governance.importer import parse_governance

from .test_import_governance import VALID, counts, line_of, problems, run

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]

# Each class the policy refuses, as a YAML double-quoted escape, and its code point.
ESCAPES = [("\\0", "U+0000"), ("\\v", "U+000B"), ("\\e", "U+001B"), ("\\x7f", "U+007F"),
           ("\\N", "U+0085"), ("\\x9f", "U+009F"), ("\\uFDD0", "U+FDD0"), ("\\uFFFE", "U+FFFE"),
           ("\\U0010FFFF", "U+10FFFF"), ("\\uD800", "U+D800")]


@pytest.mark.parametrize(("escape", "code"), ESCAPES)
def test_each_class_is_refused_with_its_line(tmp_path, escape, code):
    bad = VALID.replace("    name: YorOK Children's Trust",
                        f'    name: "YorOK{escape} Children\'s Trust"')
    message = problems(tmp_path, bad)
    assert (f"line {line_of(bad, 'YorOK')}: 'name' contains {code} ") in message
    assert "1 problem; nothing was written." in message
    assert counts() == (0, 0, 0, 0, 0)


def test_every_scalar_is_checked_keys_and_list_items_too(tmp_path):
    bad = VALID.replace("reports_to: [yorok-board, safeguarding-board]",
                        'reports_to: [yorok-board, "safeguarding\\vboard"]').replace(
        "    full_name: Priya Raman", '    "full\\0name": Priya Raman')
    message = problems(tmp_path, bad)
    assert f"line {line_of(bad, 'safeguarding' + chr(92) + 'vboard')}: 'reports_to' contains " \
           "U+000B" in message
    assert f"line {line_of(bad, 'full' + chr(92) + '0name')}: a key contains U+0000" in message


@pytest.mark.parametrize(("raw", "code"), [("\x0b", "U+000B"), ("\x7f", "U+007F"),
                                           ("\ufffe", "U+FFFE"), ("\x1b", "U+001B")])
def test_a_raw_control_character_is_refused_with_its_line(tmp_path, raw, code):
    bad = VALID.replace("    area: City of York", f"    area: City{raw} of York")
    message = problems(tmp_path, bad)
    assert f"line {line_of(bad, 'City')}: contains {code} " in message


def test_line_separators_in_text_are_normalised(tmp_path):
    run(tmp_path, VALID.replace("    area: City of York", '    area: "City\\r\\nof\\u2028York"'))
    from governance.models import Partnership

    assert Partnership.objects.get().area == "City\nof\nYork"


def laughs(levels: int) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        prev, name = chr(96 + n), chr(97 + n)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "partnerships: []\npeople: []\n" + "\n".join(lines) + "\n"


def test_billion_laughs_ends_at_the_first_alias(tmp_path):
    source = laughs(9)  # a thousand million "lol"s once expanded
    message = problems(tmp_path, source)
    assert f"line {line_of(source, '*a')}: an alias (*a) is not allowed here" in message
    assert counts() == (0, 0, 0, 0, 0)


def test_an_alias_anywhere_is_refused(tmp_path):
    source = VALID.replace("    area: City of York", "    area: &area City of York").replace(
        "        name: Executive", "        name: *area")
    assert f"line {line_of(source, '*area')}: an alias (*area)" in problems(tmp_path, source)


@pytest.mark.parametrize("style", ["flow", "block"])
def test_nesting_past_the_limit_ends_with_its_line(style):
    depth = 10_000 if style == "flow" else 200
    if style == "flow":
        source = "partnerships: " + "[" * depth + "]" * depth + "\n"
    else:
        source = "partnerships:\n" + "".join("  " * i + "- x:\n" for i in range(depth))
    _, found = parse_governance(source)
    assert len(found) == 1
    assert "nested more than 32 levels deep" in found[0].message
    assert found[0].line == (1 if style == "flow" else 17)


GUARD = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "plangov.settings.test"
import django
django.setup()
from governance.importer import parse_governance
for name in sys.argv[1:]:
    _, found = parse_governance(open(name, encoding="utf-8").read())
    print(name, "|", "; ".join(str(p) for p in found))
"""


def test_hostile_files_end_quickly_in_a_separate_process(tmp_path):
    """A guard only: if a regression made these hang, the timeout fails the test instead of
    the whole run. What they must say is asserted above."""
    files = {"laughs.yaml": laughs(12), "deep.yaml": "a: " + "[" * 10_000 + "]" * 10_000}
    for name, source in files.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", GUARD, *(str(tmp_path / n) for n in files)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "an alias (*a) is not allowed" in result.stdout
    assert "nested more than 32 levels deep" in result.stdout
