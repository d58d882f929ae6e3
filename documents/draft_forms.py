"""The draft editor's forms: one per kind of item (an outcome, a priority, an indicator...),
each through the text policy (plangov.forms), and the translation between a section of the
draft's content and a list of such forms.

The forms refuse only what no draft may hold (a control character, a choice that was never
offered): everything else is kept as typed, and what the content validators would refuse is
shown beside each field as a warning (documents.drafts.draft_warnings)."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms

from plangov.forms import Form
from plangov.ids import to_int

from .content import ActionKind, DirectionOfGood

MAX_ITEMS = 1000  # more items than any plan has: a count past it is a tampered form
_INDEX = re.compile(r"(\w+)\[(\d+)\]")


def _text(label: str, hint: str = "", *, long: bool = False, width: str = "") -> forms.CharField:
    widget = (forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}) if long
              else forms.TextInput(attrs={"class": f"govuk-input {width}".strip()}))
    return forms.CharField(label=label, help_text=hint, required=False, strip=True,
                           widget=widget)


def _choice(label: str, hint: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, help_text=hint, required=False, choices=[],
                             widget=forms.Select(attrs={"class": "govuk-select"}))


KEY_HINT = "A short name, unique in its list, used to refer to it: lower case, digits, hyphens."


@dataclass
class Choices:
    """What the selects and checkboxes offer: the draft's outcomes (with their priorities)
    and the partnership's bodies."""

    outcomes: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)
    bodies: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, content: Mapping[str, Any], bodies: Sequence[tuple[str, str]]) -> Choices:
        outcomes = []
        for outcome in _dicts(content.get("outcomes")):
            priorities = [(str(p.get("key") or ""), str(p.get("title") or ""))
                          for p in _dicts(outcome.get("priorities"))]
            outcomes.append((str(outcome.get("key") or ""), str(outcome.get("title") or ""),
                             [p for p in priorities if p[0]]))
        return cls([o for o in outcomes if o[0]], list(bodies))


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [dict(v) for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _keep(choices: list[tuple[str, str]], value: Any,
          note: str = "not in this draft") -> list[tuple[str, str]]:
    """The choices, with the saved value added when it is not one of them (so a reference
    to an outcome since renamed is shown, warned about, and not lost)."""
    if value and value not in {c[0] for c in choices}:
        return [*choices, (str(value), f"{value} ({note})")]
    return choices


def _number(value: str) -> Any:
    """A number as typed: an int or a float when it reads as one, the text otherwise (the
    validators then warn), None when blank."""
    text = value.strip().replace(",", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return value.strip()
    if not math.isfinite(number):  # "inf", "nan", "1e999": kept as typed, warned about
        return value.strip()
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() \
        else number


def _date(value: str) -> Any:
    """ISO text for a date given as 2010-03-31 or 31/03/2010; the text otherwise."""
    text = value.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


class ItemForm(Form):
    """A form for one item of a list section. ``from_item`` gives its initial values,
    ``to_item`` the item its cleaned data makes. ``WARNED`` maps a content key to the form
    field its warnings are shown beside."""

    WARNED: dict[str, str] = {}

    def __init__(self, *args: Any, choices: Choices | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.choices = choices or Choices()

    def _held(self, name: str) -> Any:
        """The value the draft holds (or the page sent back) for a select."""
        return self.initial.get(name) or self.data.get(self.add_prefix(name))

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> dict[str, Any]:
        return {name: _shown(item.get(name)) for name in cls.base_fields}

    def to_item(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name, "") for name in self.base_fields}

    @classmethod
    def field_for(cls, key: str) -> str | None:
        name = cls.WARNED.get(key, key)
        return name if name in cls.base_fields else None


class SaveVersionForm(Form):
    note = forms.CharField(
        label="Note on the version (optional)", required=False, max_length=250,
        help_text="For example, what changed. Kept in the plan's history.",
        widget=forms.TextInput(attrs={"class": "govuk-input"}))


class VisionForm(Form):
    vision = forms.CharField(
        label="Vision", required=False, strip=True,
        help_text="What the partnership wants for its children and young people, in a few "
        "paragraphs.", widget=forms.Textarea(attrs={"rows": 12, "class": "govuk-textarea"}))


class OutcomeForm(ItemForm):
    title = _text("Title", "For example, Being healthy.")
    key = _text("Key", KEY_HINT, width="govuk-input--width-20")
    description = _text("Description (optional)", long=True)


class PriorityForm(ItemForm):
    title = _text("Title", "For example, All children are active and eat healthily.")
    key = _text("Key", KEY_HINT, width="govuk-input--width-20")
    description = _text("Description (optional)", long=True)


class IndicatorForm(ItemForm):
    title = _text("Title", "For example, Children in low-income households.")
    key = _text("Key", KEY_HINT, width="govuk-input--width-20")
    outcome = _choice("Outcome it measures")
    unit = _text("Unit (optional)", "For example, %.", width="govuk-input--width-5")
    baseline = _text("Baseline (optional)", "A number.", width="govuk-input--width-10")
    baseline_period = _text("Baseline period (optional)", "For example, 2008.",
                            width="govuk-input--width-10")
    latest = _text("Latest (optional)", "A number.", width="govuk-input--width-10")
    latest_period = _text("Latest period (optional)", "For example, 2009/10.",
                          width="govuk-input--width-10")
    target = _text("Target (optional)", "A number.", width="govuk-input--width-10")
    direction_of_good = _choice("Direction of good")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        outcomes = [(key, f"{title or key}") for key, title, _ in self.choices.outcomes]
        self.fields["outcome"].choices = [("", "Choose an outcome"), *_keep(
            outcomes, self._held("outcome"))]
        self.fields["direction_of_good"].choices = [("", "Choose"), *_keep(
            list(DirectionOfGood.choices), self._held("direction_of_good"), "not a choice")]

    def to_item(self) -> dict[str, Any]:
        item = super().to_item()
        for name in ("baseline", "latest", "target"):
            item[name] = _number(item[name])
        return item


class ActionForm(ItemForm):
    title = _text("Title", "What will be done.")
    kind = _choice("Kind")
    place = _choice("Outcome or priority (optional)",
                    "The outcome, or the priority under an outcome, that the action serves.")
    lead = _text("Lead", "Who leads it: a post, not a person's name, e.g. Head of Public Health.")
    delivery_group = _text("Delivery group (optional)")
    due_date = _text("Due date (optional)", "For example, 31/03/2010 or 2010-03-31.",
                     width="govuk-input--width-10")
    WARNED = {"outcome": "place", "priority": "place"}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose a kind"), *_keep(
            list(ActionKind.choices), self._held("kind"), "not a choice")]
        places: list[tuple[str, str]] = []
        for key, title, priorities in self.choices.outcomes:
            places.append((key, title or key))
            places += [(f"{key}/{p_key}", f"{title or key}: {p_title or p_key}")
                       for p_key, p_title in priorities]
        self.fields["place"].choices = [("", "None"), *_keep(places, self._held("place"))]

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> dict[str, Any]:
        initial = {name: _shown(item.get(name)) for name in cls.base_fields if name != "place"}
        outcome, priority = _shown(item.get("outcome")), _shown(item.get("priority"))
        initial["place"] = f"{outcome}/{priority}" if priority else outcome
        return initial

    def to_item(self) -> dict[str, Any]:
        data = self.cleaned_data
        outcome, _, priority = (data.get("place") or "").partition("/")
        return {"title": data.get("title", ""), "kind": data.get("kind", ""),
                "outcome": outcome, "priority": priority, "lead": data.get("lead", ""),
                "delivery_group": data.get("delivery_group", ""),
                "due_date": _date(data.get("due_date", ""))}


class ThemeForm(ItemForm):
    title = _text("Title", "For example, Narrowing the gap.")
    description = _text("Description (optional)", long=True)


class JointPriorityForm(ItemForm):
    title = _text("Title", "For example, Early help.")
    description = _text("Description (optional)", long=True)
    bodies = forms.MultipleChoiceField(
        label="Bodies that own it together", help_text="Choose two or more.", required=False,
        choices=[], widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = list(self.choices.bodies)
        held = list(self.initial.get("bodies") or []) + (
            self.data.getlist(self.add_prefix("bodies")) if hasattr(self.data, "getlist") else [])
        for slug in held:
            choices = _keep(choices, slug)
        self.fields["bodies"].choices = choices

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> dict[str, Any]:
        bodies = item.get("bodies")
        return {"title": _shown(item.get("title")),
                "description": _shown(item.get("description")),
                "bodies": [str(b) for b in bodies] if isinstance(bodies, list) else []}

    def to_item(self) -> dict[str, Any]:
        return {"title": self.cleaned_data.get("title", ""),
                "description": self.cleaned_data.get("description", ""),
                "bodies": list(self.cleaned_data.get("bodies") or [])}


@dataclass(frozen=True)
class Section:
    slug: str
    key: str
    title: str
    item: str
    hint: str
    form: type[ItemForm] | None = None
    optional: bool = True

    @property
    def items(self) -> str:
        return f"{self.item[:-1]}ies" if self.item.endswith("y") else f"{self.item}s"


SECTIONS = [
    Section("vision", "vision", "Vision", "vision",
            "What the plan sets out to achieve.", optional=False),
    Section("outcomes", "outcomes", "Outcomes and priorities", "outcome",
            "The outcomes the plan works towards, and the priorities under each.",
            OutcomeForm, optional=False),
    Section("indicators", "indicators", "Indicators", "indicator",
            "How progress towards each outcome is measured.", IndicatorForm),
    Section("actions", "actions", "Actions", "action",
            "What will be done, by whom and when.", ActionForm),
    Section("themes", "cross_cutting_themes", "Cross-cutting themes", "theme",
            "Themes that run through every outcome.", ThemeForm),
    Section("joint-priorities", "joint_priorities", "Joint priorities", "joint priority",
            "Priorities two or more bodies own together.", JointPriorityForm),
]
BY_SLUG = {s.slug: s for s in SECTIONS}
BY_KEY = {s.key: s for s in SECTIONS}


def parse_path(path: str) -> list[tuple[str, int | None]]:
    """``outcomes[1].priorities[0].title`` → [("outcomes", 1), ("priorities", 0), ("title",
    None)]."""
    parts: list[tuple[str, int | None]] = []
    for segment in path.split("."):
        match = _INDEX.fullmatch(segment)
        parts.append((match.group(1), int(match.group(2))) if match else (segment, None))
    return parts


@dataclass
class Place:
    """Where a warning belongs in the editor: its section, the id of the field (or item) to
    link to, and words for it (``Outcome 2, title``)."""

    section: Section | None
    anchor: str
    label: str
    prefix: str = ""
    field_name: str | None = None


def place_of(path: str) -> Place:
    parts = parse_path(path)
    section = BY_KEY.get(parts[0][0])
    if section is None:
        return Place(None, "", "The draft")
    if section.form is None:
        return Place(section, "id_vision", "Vision", "", "vision")
    name, index = parts[0]
    if index is None:
        return Place(section, section.slug, section.title)
    form: type[ItemForm] = section.form
    prefix = f"{name}-{index}"
    label = f"{section.item.capitalize()} {index + 1}"
    rest = parts[1:]
    if section.key == "outcomes" and rest and rest[0][0] == "priorities" and rest[0][1] is not None:
        prefix = f"{prefix}-priorities-{rest[0][1]}"
        label = f"{label}, priority {rest[0][1] + 1}"
        form, rest = PriorityForm, rest[1:]
    field_name = form.field_for(rest[0][0]) if len(rest) == 1 else None
    if field_name is None:
        return Place(section, prefix, label, prefix)
    words = str(form.base_fields[field_name].label).removesuffix(" (optional)").lower()
    return Place(section, f"id_{prefix}-{field_name}", f"{label}, {words}", prefix, field_name)


def read_count(data: Mapping[str, Any], name: str) -> int | None:
    return to_int(data.get(f"{name}-count"), minimum=0, maximum=MAX_ITEMS)


_PLAIN = [
    (re.compile(r"This field may not be (blank|null)\.|This field is required\."),
     "Enter {what}."),
    (re.compile(r'"(.*)" is not a valid choice\.'), "Choose {what}."),
    (re.compile(r"A valid number is required\."), "Enter a number, for example 12.5."),
    (re.compile(r"Date has wrong format\..*"), "Enter a date, for example 31/03/2010."),
    (re.compile(r"Ensure this field has at least (\d+) elements\."), "Choose at least {0}."),
    (re.compile(r"Ensure this field has no more than (\d+) characters\."),
     "Keep it to {0} characters or fewer."),
    (re.compile(r'Enter a valid "slug".*'),
     "Use only letters, digits, hyphens and underscores, with no spaces."),
    (re.compile(r"This list may not be empty\."), "Add at least one."),
]


def plain(message: str, what: str) -> str:
    """A validator's message as the editor words it: "Enter the title." for "This field may
    not be blank." (the API keeps the validators' own words)."""
    for pattern, words in _PLAIN:
        match = pattern.fullmatch(message)
        if match:
            return words.format(*match.groups(), what=what)
    return message


def what_of(label: str) -> str:
    """``the title`` from the label "Title", "the due date" from "Due date (optional)"."""
    return "the " + label.removesuffix(" (optional)").lower()
