"""Export to Word, then import: the same content back, for any plan content within the text
policy (white space normalised as documents.content_io.word.tidy says)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from documents.content import ActionKind, DirectionOfGood, normalise
from documents.content_io import reading, word
from plangov import text as text_policy

# Any text the policy accepts: no controls but tab and newline, no surrogates or
# non-characters; line and paragraph separators (which the policy turns into newlines) too.
_chars = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"),
    include_characters="\n\t\u2028\u2029 ",
)


def texts(*, min_size: int = 0, max_size: int = 60) -> st.SearchStrategy[str]:
    return st.text(_chars, min_size=min_size, max_size=max_size).filter(
        lambda s: not text_policy.FORBIDDEN.search(s))


def titles(max_size: int = 60) -> st.SearchStrategy[str]:
    return texts(min_size=1, max_size=max_size).filter(lambda s: s.strip())


keys = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,14}", fullmatch=True)
numbers = st.none() | st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def contents(draw: st.DrawFn) -> dict[str, Any]:
    outcome_keys = draw(st.lists(keys, min_size=1, max_size=4, unique=True))
    outcomes = []
    for key in outcome_keys:
        priority_keys = draw(st.lists(keys, max_size=3, unique=True))
        outcomes.append({
            "key": key, "title": draw(titles()), "description": draw(texts(max_size=120)),
            "priorities": [{"key": p, "title": draw(titles()),
                            "description": draw(texts())} for p in priority_keys],
        })
    indicators = [
        {"key": k, "title": draw(titles()), "outcome": draw(st.sampled_from(outcome_keys)),
         "unit": draw(texts(max_size=10)), "baseline": draw(numbers),
         "baseline_period": draw(texts(max_size=10)), "latest": draw(numbers),
         "latest_period": draw(texts(max_size=10)), "target": draw(numbers),
         "direction_of_good": draw(st.sampled_from(DirectionOfGood.values))}
        for k in draw(st.lists(keys, max_size=3, unique=True))
    ]
    actions = []
    for _ in range(draw(st.integers(0, 4))):
        outcome = draw(st.sampled_from(["", *outcome_keys]))
        priorities = [p["key"] for o in outcomes if o["key"] == outcome for p in o["priorities"]]
        actions.append({
            "title": draw(titles()), "kind": draw(st.sampled_from(ActionKind.values)),
            "outcome": outcome,
            "priority": draw(st.sampled_from(["", *priorities])) if outcome else "",
            "lead": draw(titles(30)), "delivery_group": draw(texts(max_size=30)),
            "due_date": draw(st.none() | st.dates().map(lambda d: d.isoformat())),
        })
    return {
        "vision": draw(titles(200)),
        "outcomes": outcomes,
        "indicators": indicators,
        "actions": actions,
        "cross_cutting_themes": [{"title": draw(titles()), "description": draw(texts())}
                                 for _ in range(draw(st.integers(0, 2)))],
        "joint_priorities": [
            {"title": draw(titles()), "description": draw(texts()),
             "bodies": draw(st.lists(keys, min_size=2, max_size=3))}
            for _ in range(draw(st.integers(0, 2)))],
    }


@hypothesis_settings(max_examples=30)
@given(contents())
def test_docx_export_then_import_gives_back_the_same_content(content: dict[str, Any]) -> None:
    original = normalise(content)
    data = word.write_docx(original, title="Children and Young People's Plan, version 1")
    result = reading.preview("plan.docx", data)
    assert result.parsed.unread == []
    assert result.valid, result.warnings
    assert result.content == word.tidy(original)


@hypothesis_settings(max_examples=30)
@given(contents())
def test_json_and_yaml_export_then_import_give_back_the_same_content(
    content: dict[str, Any],
) -> None:
    from documents.content_io import formats

    original = normalise(content)
    for name, data in (("plan.json", formats.write_json(original)),
                       ("plan.yaml", formats.write_yaml(original))):
        result = reading.preview(name, data)
        assert result.valid, (name, result.warnings)
        assert result.content == original, name
