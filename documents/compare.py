"""What changed between two versions of a plan: a pure function over two normalised contents
(``documents.content.normalise``), with no database, shared by the compare page and the API.

``compare(old, new)`` answers, for each kind of item (outcomes, priorities, indicators,
actions, cross-cutting themes, joint priorities), which were added, removed, moved (their
position among the items that stayed, or their parent, changed) and changed (which fields,
old → new), and for the vision and every changed text field a word-level diff.

Identity: outcomes and indicators by their key; a priority by its outcome and key, else by its
key alone when it moved to another outcome (and the key is unique among the priorities left
over on each side). Actions, themes and joint priorities have no key: they are paired by the
same title (case and spacing aside), then by title similarity (difflib over words) at or
above ``SIMILAR``, best pairs first; anything left over is an addition or a removal.

A "moved" item is one whose parent changed (a priority's or indicator's outcome, an action's
outcome or priority), or one outside the longest run of items that kept their relative order
in their list, so adding one item at the top does not report every item after it as moved.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

# Title similarity (difflib ratio over words) at or above which two keyless items are the
# same item edited rather than one removed and another added.
SIMILAR = 0.6

SECTIONS: tuple[tuple[str, str, str], ...] = (
    # (name, singular, plural)
    ("outcomes", "outcome", "outcomes"),
    ("priorities", "priority", "priorities"),
    ("indicators", "indicator", "indicators"),
    ("actions", "action", "actions"),
    ("cross_cutting_themes", "cross-cutting theme", "cross-cutting themes"),
    ("joint_priorities", "joint priority", "joint priorities"),
)
KINDS = ("added", "removed", "moved", "changed")

# The fields compared on each kind of item, in the order they are reported. The parent of an
# item (a priority's outcome; an indicator's outcome; an action's outcome and priority) is
# reported as a move, not as a changed field.
FIELDS: dict[str, tuple[str, ...]] = {
    "outcomes": ("title", "description"),
    "priorities": ("title", "description"),
    "indicators": ("title", "unit", "baseline", "baseline_period", "latest",
                   "latest_period", "target", "direction_of_good"),
    "actions": ("title", "kind", "lead", "delivery_group", "due_date"),
    "cross_cutting_themes": ("title", "description"),
    "joint_priorities": ("title", "description", "bodies"),
}
PARENT_FIELDS: dict[str, tuple[str, ...]] = {
    "indicators": ("outcome",),
    "actions": ("outcome", "priority"),
}
# Free text, diffed word by word when it changes. Keys, choices, numbers and dates are shown
# old → new.
TEXT_FIELDS = frozenset({"title", "description", "lead", "delivery_group", "unit",
                         "baseline_period", "latest_period"})

_TOKEN = re.compile(r"\S+\s*")
_SPACE = re.compile(r"\s+")


# Word-level text diff.


def word_diff(old: str, new: str) -> list[dict[str, str]]:
    """The change from ``old`` to ``new`` as runs of words: ``[{"op": "equal" | "delete" |
    "insert", "text": ...}]``. Words are compared without their spacing; equal and inserted
    runs carry the new text's spacing, deleted runs the old text's, so the equal and inserted
    runs joined are exactly ``new``."""
    old_tokens, new_tokens = _tokens(old), _tokens(new)
    matcher = SequenceMatcher(
        None, [t.rstrip() for t in old_tokens], [t.rstrip() for t in new_tokens], autojunk=False
    )
    ops: list[dict[str, str]] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if ops and ops[-1]["op"] == op:
            ops[-1]["text"] += text
        else:
            ops.append({"op": op, "text": text})

    lead = new[: len(new) - len(new.lstrip())]
    add("equal", lead)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", "".join(new_tokens[j1:j2]))
            continue
        if tag in {"delete", "replace"}:
            add("delete", "".join(old_tokens[i1:i2]))
        if tag in {"insert", "replace"}:
            add("insert", "".join(new_tokens[j1:j2]))
    return ops


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


# Matching items across the two versions.


class _Item:
    __slots__ = ("data", "parent", "position")

    def __init__(self, data: Mapping[str, Any], parent: tuple[str, ...], position: int):
        self.data = data
        self.parent = parent
        self.position = position


def _items(content: Mapping[str, Any], section: str) -> list[_Item]:
    if section == "priorities":
        return [
            _Item(priority, (outcome["key"],), index)
            for outcome in content.get("outcomes", [])
            for index, priority in enumerate(outcome.get("priorities", []))
        ]
    parent_fields = PARENT_FIELDS.get(section, ())
    return [
        _Item(item, tuple(item.get(f) or "" for f in parent_fields), index)
        for index, item in enumerate(content.get(section, []))
    ]


def _match_by_key(old: list[_Item], new: list[_Item], section: str) -> list[tuple[int, int]]:
    if section != "priorities":
        where = {item.data["key"]: i for i, item in enumerate(old)}
        return [(where[item.data["key"]], j) for j, item in enumerate(new)
                if item.data["key"] in where]
    # A priority is its outcome's key and its own; one that moved to another outcome keeps
    # its key, when that key names one priority only among those left on each side.
    exact = {(item.parent, item.data["key"]): i for i, item in enumerate(old)}
    pairs = [(exact[(item.parent, item.data["key"])], j) for j, item in enumerate(new)
             if (item.parent, item.data["key"]) in exact]
    used_old, used_new = {i for i, _ in pairs}, {j for _, j in pairs}
    left_old: dict[str, list[int]] = defaultdict(list)
    left_new: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(old):
        if i not in used_old:
            left_old[item.data["key"]].append(i)
    for j, item in enumerate(new):
        if j not in used_new:
            left_new[item.data["key"]].append(j)
    for key, js in left_new.items():
        candidates = left_old.get(key, [])
        if len(js) == 1 and len(candidates) == 1:
            pairs.append((candidates[0], js[0]))
            continue
        # The key is used under several outcomes: the one with the same title moved.
        for j in js:
            title = _norm_title(new[j])
            same = [i for i in candidates if _norm_title(old[i]) == title]
            if len(same) == 1:
                pairs.append((same[0], j))
                candidates.remove(same[0])
    return pairs


def _norm_title(item: _Item) -> str:
    return _SPACE.sub(" ", str(item.data.get("title", ""))).strip().casefold()


def _match_by_title(old: list[_Item], new: list[_Item]) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    # 1. The same title; among several, the one in the same parent, else the first.
    waiting: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(old):
        waiting[_norm_title(item)].append(i)
    left_new: list[int] = []
    for j, item in enumerate(new):
        candidates = waiting.get(_norm_title(item))
        if not candidates:
            left_new.append(j)
            continue
        pick = next((i for i in candidates if old[i].parent == item.parent), candidates[0])
        candidates.remove(pick)
        pairs.append((pick, j))
    left_old = sorted(i for queue in waiting.values() for i in queue)
    if not left_old or not left_new:
        return pairs
    # 2. Similar titles, most similar first (then nearest in position), each used once. The
    # words two titles share (as multisets, from an index of the old titles' words) bound
    # difflib's ratio from above, so only pairs that could reach SIMILAR are diffed.
    words_old = {i: _norm_title(old[i]).split() for i in left_old}
    postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, words in words_old.items():
        for word, count in Counter(words).items():
            postings[word].append((i, count))
    scored: list[tuple[float, int, int, int]] = []
    matcher = SequenceMatcher(autojunk=False)
    for j in left_new:
        words_new = _norm_title(new[j]).split()
        shared: dict[int, int] = defaultdict(int)
        for word, count in Counter(words_new).items():
            for i, other in postings.get(word, ()):
                shared[i] += min(count, other)
        candidates = [i for i, n in shared.items()
                      if 2 * n >= SIMILAR * (len(words_old[i]) + len(words_new))]
        if not candidates:
            continue
        matcher.set_seq2(words_new)
        for i in candidates:
            matcher.set_seq1(words_old[i])
            ratio = matcher.ratio()
            if ratio >= SIMILAR:
                scored.append((-ratio, abs(old[i].position - new[j].position), i, j))
    scored.sort()
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for _, _, i, j in scored:
        if i not in taken_old and j not in taken_new:
            taken_old.add(i)
            taken_new.add(j)
            pairs.append((i, j))
    return pairs


def _stayed_in_order(pairs: list[tuple[int, int]], old: list[_Item], new: list[_Item],
                     nested: bool) -> set[tuple[int, int]]:
    """The pairs that kept their relative order in their list: for each list (an outcome's
    priorities when ``nested``, else the one list of the section), a longest increasing
    subsequence of new positions taken in old order. A priority that changed outcome is not
    in the same list, so it moved."""
    by_parent: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
    for i, j in pairs:
        if not nested:
            by_parent[()].append((i, j))
        elif old[i].parent == new[j].parent:
            by_parent[old[i].parent].append((i, j))
    stayed: set[tuple[int, int]] = set()
    for group in by_parent.values():
        group.sort(key=lambda p: old[p[0]].position)
        stayed.update(_longest_increasing(group, [new[j].position for _, j in group]))
    return stayed


def _longest_increasing(items: list[tuple[int, int]], keys: list[int]) -> list[tuple[int, int]]:
    tails: list[int] = []  # keys
    tail_index: list[int] = []  # index into items of each tail
    previous: list[int] = [-1] * len(items)
    for index, key in enumerate(keys):
        at = bisect_left(tails, key)
        if at == len(tails):
            tails.append(key)
            tail_index.append(index)
        else:
            tails[at] = key
            tail_index[at] = index
        previous[index] = tail_index[at - 1] if at else -1
    result: list[tuple[int, int]] = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        result.append(items[index])
        index = previous[index]
    return result


# The changes.


def _field_changes(section: str, old: Mapping[str, Any],
                   new: Mapping[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for field in FIELDS[section]:
        before, after = old.get(field), new.get(field)
        if before == after:
            continue
        diff = (word_diff(before or "", after or "")
                if field in TEXT_FIELDS and isinstance(before or "", str)
                and isinstance(after or "", str) else None)
        changes.append({"field": field, "old": before, "new": after, "diff": diff})
    return changes


def _entry(kinds: list[str], old: _Item | None, new: _Item | None,
           fields: list[dict[str, Any]]) -> dict[str, Any]:
    shown = new if new is not None else old
    assert shown is not None
    return {
        "kinds": kinds,
        "key": shown.data.get("key"),
        "title": shown.data.get("title", ""),
        "old_parent": list(old.parent) if old is not None else None,
        "new_parent": list(new.parent) if new is not None else None,
        "old_position": old.position if old is not None else None,
        "new_position": new.position if new is not None else None,
        "old": _without_children(old.data) if old is not None else None,
        "new": _without_children(new.data) if new is not None else None,
        "fields": fields,
    }


def _without_children(data: Mapping[str, Any]) -> dict[str, Any]:
    # An outcome's priorities are reported in their own section.
    return {k: v for k, v in data.items() if k != "priorities"}


def compare_section(old_content: Mapping[str, Any], new_content: Mapping[str, Any],
                    section: str) -> list[dict[str, Any]]:
    old, new = _items(old_content, section), _items(new_content, section)
    keyed = section in {"outcomes", "priorities", "indicators"}
    pairs = _match_by_key(old, new, section) if keyed else _match_by_title(old, new)
    stayed = _stayed_in_order(pairs, old, new, nested=section == "priorities")
    matched_old = {i: j for i, j in pairs}
    matched_new = {j: i for i, j in pairs}
    entries: list[dict[str, Any]] = []
    for j, item in enumerate(new):
        i = matched_new.get(j)
        if i is None:
            entries.append(_entry(["added"], None, item, []))
            continue
        kinds = []
        if (i, j) not in stayed or old[i].parent != item.parent:
            kinds.append("moved")
        fields = _field_changes(section, old[i].data, item.data)
        if fields:
            kinds.append("changed")
        if kinds:
            entries.append(_entry(kinds, old[i], item, fields))
    entries.extend(_entry(["removed"], item, None, [])
                   for i, item in enumerate(old) if i not in matched_old)
    return entries


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The changes from content ``old`` to content ``new`` (both normalised).

    Returns ``{"vision": None | {"old", "new", "diff"}, "sections": {name: [change, ...]},
    "summary": {name: {"added", "removed", "moved", "changed"}}, "total": n}``. Each change
    is ``{"kinds": [...], "key", "title", "old_parent", "new_parent", "old_position",
    "new_position", "old", "new", "fields": [{"field", "old", "new", "diff"}]}``: ``kinds`` is
    ``["added"]``, ``["removed"]``, or one or both of ``"moved"`` and ``"changed"``; parents
    are lists (a priority's or indicator's outcome key; an action's outcome and priority);
    ``diff`` is ``word_diff``'s runs for free text, else None."""
    old_vision, new_vision = old.get("vision", ""), new.get("vision", "")
    vision = None if old_vision == new_vision else {
        "old": old_vision, "new": new_vision, "diff": word_diff(old_vision, new_vision)}
    sections = {name: compare_section(old, new, name) for name, _, _ in SECTIONS}
    summary = {
        name: {kind: sum(kind in e["kinds"] for e in entries) for kind in KINDS}
        for name, entries in sections.items()
    }
    total = sum(len(entries) for entries in sections.values()) + (vision is not None)
    return {"vision": vision, "sections": sections, "summary": summary, "total": total}


def summary_phrases(result: Mapping[str, Any]) -> list[str]:
    """The summary in words: ["Vision changed", "3 outcomes changed", "12 actions added"]."""
    phrases = ["Vision changed"] if result["vision"] is not None else []
    for name, singular, plural in SECTIONS:
        counts = result["summary"][name]
        for kind in KINDS:
            n = counts[kind]
            if n:
                phrases.append(f"{n} {singular if n == 1 else plural} {kind}")
    return phrases


def apply_counts(old: Mapping[str, Any], result: Mapping[str, Any]) -> dict[str, int]:
    """How many items of each kind the new content must hold, given the old content and the
    reported additions and removals (used to check a comparison accounts for every item)."""
    counts = {}
    for name, _, _ in SECTIONS:
        summary = result["summary"][name]
        counts[name] = len(_items(old, name)) + summary["added"] - summary["removed"]
    return counts


def item_counts(content: Mapping[str, Any]) -> dict[str, int]:
    return {name: len(_items(content, name)) for name, _, _ in SECTIONS}


def describe_parent(section: str, parent: Sequence[str] | None,
                    titles: Mapping[str, str]) -> str:
    """A parent in words, for a page: the outcome's title (and the priority's key)."""
    if not parent:
        return ""
    outcome = titles.get(parent[0], parent[0]) if parent[0] else "no outcome"
    if section == "actions" and len(parent) > 1 and parent[1]:
        return f"{outcome}, priority {parent[1]}"
    return outcome
