"""The comparison of two versions' content (documents.compare): a pure function, no database."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from documents.compare import apply_counts, compare, item_counts, summary_phrases, word_diff
from documents.content import normalise
from tests.factories import valid_content


def base() -> dict[str, Any]:
    return normalise(valid_content(
        outcomes=[
            {"key": "healthy", "title": "Being healthy", "priorities": [
                {"key": "active", "title": "All children are active and eat healthily"},
                {"key": "smoke", "title": "Fewer young people smoke"},
            ]},
            {"key": "safe", "title": "Staying safe", "priorities": [
                {"key": "bullying", "title": "Less bullying in and out of school"},
            ]},
            {"key": "achieve", "title": "Enjoying and achieving", "priorities": []},
        ],
        actions=[
            {"title": "Extend the healthy schools programme", "kind": "immediate_priority",
             "outcome": "healthy", "priority": "active", "lead": "Head of Public Health"},
            {"title": "Train staff in anti-bullying work", "kind": "continuous_improvement",
             "outcome": "safe", "priority": "bullying", "lead": "Head of Education"},
            {"title": "Review the youth offer", "kind": "idea_for_further_consideration",
             "outcome": "achieve", "lead": "Head of Youth Services"},
        ],
        cross_cutting_themes=[{"title": "Narrowing the gap"}, {"title": "Participation"}],
        joint_priorities=[{"title": "Early help", "bodies": ["yorok-board", "safeguarding"]}],
    ))


def entries(result: dict[str, Any], section: str, kind: str) -> list[dict[str, Any]]:
    return [e for e in result["sections"][section] if kind in e["kinds"]]


def test_identical_contents_have_no_changes() -> None:
    result = compare(base(), base())
    assert result["vision"] is None
    assert result["total"] == 0
    assert all(not changes for changes in result["sections"].values())
    assert summary_phrases(result) == []


def test_outcomes_added_removed_changed_and_moved() -> None:
    old, new = base(), base()
    new["outcomes"].append({"key": "contribute", "title": "Making a positive contribution",
                            "description": "", "priorities": []})
    new["outcomes"] = [o for o in new["outcomes"] if o["key"] != "achieve"]
    new["actions"] = [a for a in new["actions"] if a["outcome"] != "achieve"]
    new["outcomes"][1]["title"] = "Staying safe from harm"
    new["outcomes"][0], new["outcomes"][1] = new["outcomes"][1], new["outcomes"][0]
    result = compare(old, new)
    assert [e["key"] for e in entries(result, "outcomes", "added")] == ["contribute"]
    assert [e["key"] for e in entries(result, "outcomes", "removed")] == ["achieve"]
    changed = entries(result, "outcomes", "changed")
    assert [e["key"] for e in changed] == ["safe"]
    assert changed[0]["fields"][0]["field"] == "title"
    assert changed[0]["fields"][0]["old"] == "Staying safe"
    assert changed[0]["fields"][0]["new"] == "Staying safe from harm"
    assert {"op": "insert", "text": " from harm"} in changed[0]["fields"][0]["diff"] or any(
        op["op"] == "insert" and "harm" in op["text"] for op in changed[0]["fields"][0]["diff"])
    # Swapping two outcomes moves one of them, not both, and nothing else.
    assert len(entries(result, "outcomes", "moved")) == 1
    assert "1 outcome added" in summary_phrases(result)
    assert "1 outcome removed" in summary_phrases(result)


def test_inserting_at_the_top_moves_nothing() -> None:
    old, new = base(), base()
    new["outcomes"].insert(0, {"key": "first", "title": "First", "description": "",
                               "priorities": []})
    result = compare(old, new)
    assert entries(result, "outcomes", "moved") == []
    assert [e["key"] for e in entries(result, "outcomes", "added")] == ["first"]
    assert result["total"] == 1


def test_priority_moved_between_outcomes_and_within_one() -> None:
    old, new = base(), base()
    smoke = new["outcomes"][0]["priorities"].pop(1)
    new["outcomes"][1]["priorities"].insert(0, smoke)
    result = compare(old, new)
    moved = entries(result, "priorities", "moved")
    assert len(moved) == 1
    assert moved[0]["key"] == "smoke"
    assert moved[0]["old_parent"] == ["healthy"]
    assert moved[0]["new_parent"] == ["safe"]
    assert entries(result, "priorities", "added") == []
    assert entries(result, "priorities", "removed") == []


def test_priority_reordered_within_its_outcome() -> None:
    old, new = base(), base()
    new["outcomes"][0]["priorities"].reverse()
    result = compare(old, new)
    moved = entries(result, "priorities", "moved")
    assert len(moved) == 1
    assert moved[0]["old_parent"] == moved[0]["new_parent"] == ["healthy"]


def test_priority_key_reused_under_two_outcomes_is_matched_by_outcome() -> None:
    old = normalise(valid_content(outcomes=[
        {"key": "a", "title": "A", "priorities": [{"key": "p", "title": "Under A"}]},
        {"key": "b", "title": "B", "priorities": [{"key": "p", "title": "Under B"}]},
    ], actions=[], indicators=[]))
    new = copy.deepcopy(old)
    new["outcomes"][1]["priorities"][0]["title"] = "Under B, changed"
    result = compare(old, new)
    changed = entries(result, "priorities", "changed")
    assert [(e["new_parent"], e["title"]) for e in changed] == [(["b"], "Under B, changed")]


def test_indicator_changes_name_each_field_old_and_new() -> None:
    old, new = base(), base()
    new["indicators"][0]["latest"] = 7.5
    new["indicators"][0]["target"] = None
    new["indicators"][0]["outcome"] = "safe"
    new["indicators"].append({**new["indicators"][0], "key": "new-one", "title": "New KPI"})
    result = compare(old, new)
    changed = entries(result, "indicators", "changed")
    assert len(changed) == 1
    fields = {f["field"]: (f["old"], f["new"], f["diff"]) for f in changed[0]["fields"]}
    assert fields == {"latest": (8.9, 7.5, None), "target": (8.0, None, None)}
    assert "moved" in changed[0]["kinds"]  # its outcome changed
    assert changed[0]["old_parent"] == ["healthy"] and changed[0]["new_parent"] == ["safe"]
    assert [e["key"] for e in entries(result, "indicators", "added")] == ["new-one"]


def test_actions_matched_by_title_then_similarity_else_added_and_removed() -> None:
    old, new = base(), base()
    # Same title, other fields changed: one change.
    new["actions"][0]["lead"] = "Director of Public Health"
    new["actions"][0]["due_date"] = "2011-03-31"
    # A small edit to the title: still the same action (similar titles).
    new["actions"][1]["title"] = "Train all staff in anti-bullying work"
    # A wholly different title: the old one removed, the new one added.
    new["actions"][2]["title"] = "Open two new youth centres"
    result = compare(old, new)
    changed = entries(result, "actions", "changed")
    assert len(changed) == 2
    first = {f["field"]: (f["old"], f["new"]) for f in changed[0]["fields"]}
    assert first == {"lead": ("Head of Public Health", "Director of Public Health"),
                     "due_date": (None, "2011-03-31")}
    title = changed[1]["fields"][0]
    assert title["field"] == "title"
    assert [op for op in title["diff"] if op["op"] != "equal"] == [
        {"op": "insert", "text": "all "}]
    assert [e["title"] for e in entries(result, "actions", "added")] == [
        "Open two new youth centres"]
    assert [e["title"] for e in entries(result, "actions", "removed")] == [
        "Review the youth offer"]


def test_action_moved_to_another_outcome_and_reordered() -> None:
    old, new = base(), base()
    new["actions"][0]["outcome"], new["actions"][0]["priority"] = "safe", "bullying"
    new["actions"].append(new["actions"].pop(1))
    result = compare(old, new)
    moved = entries(result, "actions", "moved")
    assert {e["title"] for e in moved} == {"Extend the healthy schools programme",
                                           "Train staff in anti-bullying work"}
    by_title = {e["title"]: e for e in moved}
    assert by_title["Extend the healthy schools programme"]["new_parent"] == ["safe", "bullying"]
    # The outcome and priority are the action's parent: a move, not a changed field.
    assert all(not e["fields"] for e in moved)


def test_duplicate_action_titles_pair_by_parent() -> None:
    twin = {"title": "Review the strategy", "kind": "continuous_improvement",
            "lead": "Lead"}
    old = normalise(valid_content(actions=[{**twin, "outcome": "healthy"},
                                           {**twin, "outcome": "safe"}]))
    new = copy.deepcopy(old)
    new["actions"].reverse()
    new["actions"][1]["lead"] = "Another lead"  # the healthy one
    result = compare(old, new)
    changed = entries(result, "actions", "changed")
    assert len(changed) == 1
    assert changed[0]["new_parent"] == ["healthy", ""]
    assert [f["field"] for f in changed[0]["fields"]] == ["lead"]
    assert entries(result, "actions", "added") == entries(result, "actions", "removed") == []


def test_themes_and_joint_priorities() -> None:
    old, new = base(), base()
    new["cross_cutting_themes"] = [{"title": "Participation", "description": "Every voice"},
                                   {"title": "Narrowing the gap", "description": ""},
                                   {"title": "Workforce", "description": ""}]
    new["joint_priorities"][0]["bodies"] = ["yorok-board", "safeguarding", "health"]
    result = compare(old, new)
    themes = result["sections"]["cross_cutting_themes"]
    assert [e["kinds"] for e in themes] == [["changed"], ["moved"], ["added"]] or [
        e["kinds"] for e in themes] == [["moved", "changed"], ["added"]]
    joint = entries(result, "joint_priorities", "changed")
    assert joint[0]["fields"] == [{"field": "bodies", "old": ["yorok-board", "safeguarding"],
                                   "new": ["yorok-board", "safeguarding", "health"],
                                   "diff": None}]
    assert "1 cross-cutting theme added" in summary_phrases(result)
    assert "1 joint priority changed" in summary_phrases(result)


def test_vision_word_diff() -> None:
    old, new = base(), base()
    new["vision"] = "In York we know that our children and young people are our future."
    result = compare(old, new)
    assert result["vision"]["diff"] == [
        {"op": "equal", "text": "In York we "},
        {"op": "delete", "text": "recognise "},
        {"op": "insert", "text": "know "},
        {"op": "equal", "text": "that our children "},
        {"op": "insert", "text": "and young people "},
        {"op": "equal", "text": "are our future."},
    ]
    assert summary_phrases(result) == ["Vision changed"]


def test_word_diff_keeps_paragraphs_of_the_new_text() -> None:
    ops = word_diff("One two.\n\nThree four.", "One two.\n\nThree five.")
    assert "".join(op["text"] for op in ops if op["op"] != "delete") == (
        "One two.\n\nThree five.")


# Properties.

words = st.text(alphabet="abcdefgh", min_size=1, max_size=6)
sentence = st.lists(words, min_size=1, max_size=8).map(" ".join)


@given(st.text(max_size=60), st.text(max_size=60))
def test_word_diff_rebuilds_the_new_text_and_the_old_words(old: str, new: str) -> None:
    ops = word_diff(old, new)
    assert "".join(op["text"] for op in ops if op["op"] != "delete") == new
    assert "".join(op["text"] for op in ops if op["op"] != "insert").split() == old.split()


@st.composite
def contents(draw: st.DrawFn) -> dict[str, Any]:
    outcome_keys = draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=5,
                                 unique=True))
    outcomes = []
    for key in outcome_keys:
        priority_keys = draw(st.lists(st.sampled_from("pqrst"), max_size=3, unique=True))
        outcomes.append({"key": key, "title": draw(sentence), "priorities": [
            {"key": p, "title": draw(sentence)} for p in priority_keys]})
    indicators = [
        {"key": f"i{n}", "title": draw(sentence), "outcome": draw(st.sampled_from(outcome_keys)),
         "latest": draw(st.none() | st.integers(0, 100)), "direction_of_good": "higher"}
        for n in draw(st.lists(st.integers(0, 9), max_size=4, unique=True))
    ]
    actions = [
        {"title": draw(sentence), "kind": "immediate_priority",
         "outcome": draw(st.sampled_from(outcome_keys)), "lead": draw(sentence)}
        for _ in range(draw(st.integers(0, 8)))
    ]
    themes = [{"title": draw(sentence)} for _ in range(draw(st.integers(0, 3)))]
    joint = [{"title": draw(sentence), "bodies": ["x", "y"]}
             for _ in range(draw(st.integers(0, 2)))]
    return normalise({"vision": draw(sentence), "outcomes": outcomes, "indicators": indicators,
                      "actions": actions, "cross_cutting_themes": themes,
                      "joint_priorities": joint})


@settings(max_examples=60)
@given(contents())
def test_compare_with_itself_is_empty(content: dict[str, Any]) -> None:
    result = compare(content, copy.deepcopy(content))
    assert result["total"] == 0
    assert summary_phrases(result) == []


@settings(max_examples=80)
@given(contents(), contents())
def test_additions_and_removals_account_for_every_item(old: dict[str, Any],
                                                        new: dict[str, Any]) -> None:
    result = compare(old, new)
    assert apply_counts(old, result) == item_counts(new)
    for name, changes in result["sections"].items():
        for change in changes:
            assert change["kinds"] in (["added"], ["removed"], ["moved"], ["changed"],
                                       ["moved", "changed"]), name
            if "changed" in change["kinds"]:
                assert change["fields"] and all(f["old"] != f["new"] for f in change["fields"])


@settings(max_examples=60)
@given(contents(), st.data())
def test_random_edits_are_reported(content: dict[str, Any], data: st.DataObject) -> None:
    """Delete some actions, append new ones with distinct titles, edit a theme: the reported
    additions and removals are exactly those counts."""
    new = copy.deepcopy(content)
    doomed = data.draw(st.sets(st.integers(0, max(len(new["actions"]) - 1, 0)),
                               max_size=len(new["actions"])))
    kept = [a for i, a in enumerate(new["actions"]) if i not in doomed]
    titles = {a["title"].casefold() for a in content["actions"]}
    added = data.draw(st.integers(0, 3))
    fresh = [{**(kept[0] if kept else content["actions"][0]), "title": f"Zzz unique {n} qqq"}
             for n in range(added)] if (kept or content["actions"]) else []
    new["actions"] = kept + fresh
    result = compare(content, normalise(new))
    summary = result["summary"]["actions"]
    # Removing one of two identical titles may pair either; the counts still hold.
    assert summary["added"] == len(fresh)
    assert summary["removed"] == len(content["actions"]) - len(kept)
    assert not any(t.startswith("zzz") for t in titles)


def test_a_priority_moved_to_another_outcome_is_found_by_title_when_its_key_recurs() -> None:
    old = normalise(valid_content(outcomes=[
        {"key": "a", "title": "A", "priorities": [{"key": "p1", "title": "X"}]},
        {"key": "b", "title": "B", "priorities": [{"key": "p1", "title": "Y"}]},
        {"key": "c", "title": "C", "priorities": []},
        {"key": "d", "title": "D", "priorities": []},
    ], actions=[], indicators=[]))
    new = copy.deepcopy(old)
    new["outcomes"][0]["priorities"] = []
    new["outcomes"][1]["priorities"] = []
    new["outcomes"][2]["priorities"] = [{"key": "p1", "title": "X", "description": ""}]
    new["outcomes"][3]["priorities"] = [{"key": "p1", "title": "Z", "description": ""}]
    result = compare(old, new)
    assert [(e["title"], e["old_parent"], e["new_parent"])
            for e in entries(result, "priorities", "moved")] == [("X", ["a"], ["c"])]
    assert [e["title"] for e in entries(result, "priorities", "removed")] == ["Y"]
    assert [e["title"] for e in entries(result, "priorities", "added")] == ["Z"]
