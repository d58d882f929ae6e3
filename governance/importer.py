"""Load a council's governance from YAML: partnerships, their bodies, people and their roles.

The whole file is checked before anything is written, and every problem is reported with the
line it is on, so an officer can fix a file in one pass instead of one error per run. The
import is idempotent and never deletes: records are matched on their natural keys (a
partnership's slug, a body's slug within its partnership, a username, and a membership's
person, body, role and start date) and updated in place. Each entry states its whole record:
an optional field left out takes its default. The format is in docs/governance-yaml.md.

The file is read as a YAML *node tree* (``yaml.compose``), never constructed into Python
objects, for two reasons: every value keeps the line it came from, and a value PyYAML would
mis-type or choke on (``starts_on: 2009-02-30``, ``name: no``) reaches our own checks instead
of aborting the whole load without a line number.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import models, transaction

from plangov import yaml_input
from plangov.calendar import Nation
from plangov.errors import PlangovError
from plangov.txn import service

from .audit import audit_record
from .models import Body, BodyKind, Membership, Partnership, Role

_NULL = "tag:yaml.org,2002:null"
_SMALLINT_MAX = 32767  # PositiveSmallIntegerField's ceiling on every supported database
_WHOLE_NUMBER = re.compile(r"[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

TOP_KEYS = ("partnerships", "people")
PARTNERSHIP_KEYS = ("slug", "name", "area", "nation", "bodies")
BODY_KEYS = ("slug", "name", "kind", "quorum", "meets_every_weeks", "parent", "reports_to")
PERSON_KEYS = ("username", "full_name", "email", "memberships")
MEMBERSHIP_KEYS = ("body", "role", "starts_on", "ends_on", "deputy")

BodyKey = tuple[str, str]  # (partnership slug, body slug): a body's natural key


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class GovernanceFileInvalid(PlangovError):
    """The file has problems; ``problems`` lists every one, in line order. Nothing was written."""

    title = "Invalid governance file"
    status = 400

    def __init__(self, problems: Sequence[Problem]):
        self.problems = sorted(problems, key=lambda p: p.line or 0)
        count = len(self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the governance file; "
            "nothing was written.\n" + "\n".join(str(p) for p in self.problems)
        )


# What the file says, once each value has passed its own checks. Apply runs only on a file
# with no problems, so the placeholders left by a failed check ("" or 0) are never written.


@dataclass(frozen=True)
class BodyRef:
    """A reference to a body: ``slug``, or ``partnership/slug`` to name its partnership."""

    text: str
    line: int
    partnership: str | None
    slug: str


@dataclass
class PartnershipSpec:
    line: int
    slug: str
    name: str = ""
    area: str = ""
    nation: str = Nation.ENGLAND


@dataclass
class BodySpec:
    line: int
    label: str
    partnership: str
    slug: str
    name: str = ""
    kind: str = ""
    quorum: int = 0
    meets_every_weeks: int | None = None
    parent: BodyRef | None = None
    reports_to: list[BodyRef] = field(default_factory=list)

    @property
    def key(self) -> BodyKey:
        return (self.partnership, self.slug)


@dataclass
class MembershipSpec:
    line: int
    label: str
    username: str
    body: BodyRef | None = None
    role: str = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    deputy: str | None = None
    deputy_line: int = 0
    # Filled in by the reference check: the body this membership is on.
    body_key: BodyKey | None = None


@dataclass
class PersonSpec:
    line: int
    label: str
    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    memberships: list[MembershipSpec] = field(default_factory=list)


@dataclass
class GovernanceDocument:
    partnerships: list[PartnershipSpec] = field(default_factory=list)
    bodies: list[BodySpec] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)


@dataclass
class ImportReport:
    """What the import did: per kind of record, how many were created, updated, unchanged."""

    dry_run: bool = False
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)

    def count(self, kind: str, outcome: str, what: str | None = None) -> None:
        per_kind = self.counts.setdefault(kind, {"created": 0, "updated": 0, "unchanged": 0})
        per_kind[outcome] += 1
        if what is not None:
            self.changes.append(f"{outcome} {kind} {what}")

    def _total(self, outcome: str) -> int:
        return sum(per_kind[outcome] for per_kind in self.counts.values())

    @property
    def created(self) -> int:
        return self._total("created")

    @property
    def updated(self) -> int:
        return self._total("updated")

    @property
    def unchanged(self) -> int:
        return self._total("unchanged")

    @property
    def summary(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


# Reading the node tree.


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    return f"{node.value!r}"


def _choices(values: Sequence[str]) -> str:
    return ", ".join(values)


def _naming(what: str, position: int) -> Callable[[str | None], str]:
    """How an entry is named in messages: by its identifying value, else by its position."""
    return lambda ident: f"{what} '{ident}'" if ident else f"{what} #{position}"


def _did_you_mean(word: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Entry:
    """One YAML mapping read as a record: each key once, only known keys, typed values.

    Every check appends to the shared problem list and answers a placeholder, so one pass
    over the file reports every problem in it."""

    def __init__(
        self,
        node: yaml.Node,
        *,
        naming: Callable[[str | None], str],
        ident_key: str,
        allowed: Sequence[str],
        problems: list[Problem],
    ):
        self.problems = problems
        self.line = _line(node)
        self.values: dict[str, yaml.Node] = {}
        self.ok = isinstance(node, yaml.MappingNode)
        self.label = naming(None)
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"expected a mapping of keys to values, found {_describe(node)}")
            return
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                self.values.setdefault(key_node.value, value_node)
        # Named by its slug or username where it has one, so each message says which entry.
        ident = self.values.get(ident_key)
        if isinstance(ident, yaml.ScalarNode) and not _is_null(ident) and ident.value.strip():
            self.label = naming(ident.value.strip())
        seen: set[str] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, "a key must be a plain word")
                continue
            key = key_node.value
            if key in seen:
                # PyYAML would silently keep the last value; two values for a key is a mistake.
                self.problem(key_node, f"key '{key}' is given more than once")
            seen.add(key)
            if key not in allowed:
                self.problem(
                    key_node,
                    f"unknown key '{key}'{_did_you_mean(key, allowed)} "
                    f"(allowed: {_choices(allowed)})",
                )

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = _line(node) if node is not None else self.line
        self.problems.append(Problem(line, f"{self.label}: {message}"))

    def node(self, key: str) -> yaml.Node | None:
        """The value node for ``key``; None when the key is absent or its value is null."""
        value = self.values.get(key)
        return None if value is None or _is_null(value) else value

    def line_of(self, key: str) -> int:
        value = self.values.get(key)
        return _line(value) if value is not None else self.line

    def _scalar(self, key: str, required: bool) -> tuple[yaml.ScalarNode, str] | None:
        value = self.node(key)
        if value is None or (isinstance(value, yaml.ScalarNode) and not value.value.strip()):
            if required:
                self.problem(self.values.get(key), f"'{key}' is required")
            return None
        if not isinstance(value, yaml.ScalarNode):
            self.problem(value, f"'{key}' must be a single value, not {_describe(value)}")
            return None
        # The raw text, whatever YAML would have typed it as: "name: no" is the text "no".
        return value, value.value.strip()

    def text(self, key: str, *, max_length: int, required: bool = True) -> str:
        found = self._scalar(key, required)
        if found is None:
            return ""
        value, text = found
        if len(text) > max_length:
            self.problem(value, f"'{key}' is longer than {max_length} characters")
            return ""
        return text

    def slug(self, key: str) -> str:
        found = self._scalar(key, True)
        if found is None:
            return ""
        value, text = found
        if not _valid_slug(text):
            self.problem(
                value,
                f"{key} '{text}' is not a slug (letters, digits, hyphens and underscores, "
                "at most 80)",
            )
            return ""
        return text

    def choice(self, key: str, choices: Sequence[str]) -> str:
        found = self._scalar(key, True)
        if found is None:
            return ""
        value, text = found
        if text not in choices:
            self.problem(value, f"unknown {key} '{text}' (choose one of: {_choices(choices)})")
            return ""
        return text

    def whole_number(
        self, key: str, *, minimum: int, maximum: int, required: bool
    ) -> int | None:
        found = self._scalar(key, required)
        if found is None:
            return None
        value, text = found
        if not _WHOLE_NUMBER.fullmatch(text):
            self.problem(value, f"{key} '{text}' is not a whole number")
            return None
        number = int(text)
        if not minimum <= number <= maximum:
            self.problem(value, f"{key} must be between {minimum} and {maximum}, not {number}")
            return None
        return number

    def date(self, key: str, *, required: bool) -> datetime.date | None:
        found = self._scalar(key, required)
        if found is None:
            return None
        value, text = found
        if not _ISO_DATE.fullmatch(text):
            self.problem(value, f"{key} '{text}' is not a date; write it as YYYY-MM-DD")
            return None
        try:
            return datetime.date.fromisoformat(text)
        except ValueError as exc:
            self.problem(value, f"{key} '{text}' is not a real date ({exc})")
            return None

    def items(self, key: str) -> list[yaml.Node]:
        """The entries of a list-valued key; an absent or empty key is an empty list."""
        value = self.node(key)
        if value is None:
            return []
        if not isinstance(value, yaml.SequenceNode):
            self.problem(value, f"'{key}' must be a list, not {_describe(value)}")
            return []
        return list(value.value)

    def body_ref(self, node: yaml.Node, key: str) -> BodyRef | None:
        if not isinstance(node, yaml.ScalarNode) or _is_null(node) or not node.value.strip():
            self.problem(node, f"{key}: expected a body's slug, found {_describe(node)}")
            return None
        text = node.value.strip()
        partnership, _, slug = text.rpartition("/")
        if (partnership and not _valid_slug(partnership)) or not _valid_slug(slug):
            self.problem(
                node, f"{key} '{text}' is not a body's slug (or 'partnership-slug/body-slug')"
            )
            return None
        return BodyRef(text=text, line=_line(node), partnership=partnership or None, slug=slug)


def _valid_slug(text: str) -> bool:
    try:
        validate_slug(text)
    except ValidationError:
        return False
    return len(text) <= 80


def _valid_username(text: str) -> bool:
    try:
        UnicodeUsernameValidator()(text)
    except ValidationError:
        return False
    return len(text) <= 150


def split_full_name(full_name: str) -> tuple[str, str]:
    """Django keeps a first and a last name; the file has one full name. The last word is the
    last name, so ``get_full_name()`` gives back exactly what the file says."""
    first, _, last = full_name.rpartition(" ")
    return (first.strip(), last) if first.strip() else (last, "")


def parse_governance(text: str) -> tuple[GovernanceDocument, list[Problem]]:
    """Read the file's structure and values. References are checked later, against the
    database too (``check_references``)."""
    problems: list[Problem] = []
    document = GovernanceDocument()
    try:
        root = yaml_input.compose(text)
    except yaml_input.YamlRefused as exc:
        problems.append(Problem(exc.line, exc.message))
        return document, problems
    # Text the policy refuses is reported by line; the checks below see it without the
    # refused characters, so each says only what else is wrong.
    problems.extend(Problem(r.line, r.message) for r in yaml_input.refused_text(root))
    if root is None or _is_null(root):
        problems.append(Problem(None, "the file is empty"))
        return document, problems
    top = _Entry(
        root, naming=lambda _: "file", ident_key="", allowed=TOP_KEYS, problems=problems
    )
    if not top.ok:
        return document, problems
    if top.node("partnerships") is None and top.node("people") is None:
        top.problem(root, "the file has neither 'partnerships' nor 'people'")

    partnership_lines: dict[str, int] = {}
    body_lines: dict[BodyKey, int] = {}
    for position, node in enumerate(top.items("partnerships"), start=1):
        entry = _Entry(
            node,
            naming=_naming("partnership", position),
            ident_key="slug",
            allowed=PARTNERSHIP_KEYS,
            problems=problems,
        )
        if not entry.ok:
            continue
        spec = PartnershipSpec(
            line=entry.line,
            slug=entry.slug("slug"),
            name=entry.text("name", max_length=200),
            area=entry.text("area", max_length=200, required=False),
            nation=entry.choice("nation", Nation.values) if "nation" in entry.values
            else Nation.ENGLAND,
        )
        if spec.slug in partnership_lines:
            entry.problem(
                entry.values["slug"],
                f"partnership '{spec.slug}' is already described on line "
                f"{partnership_lines[spec.slug]}",
            )
        elif spec.slug:
            partnership_lines[spec.slug] = entry.line
            document.partnerships.append(spec)
        for body_position, body_node in enumerate(entry.items("bodies"), start=1):
            body = _parse_body(body_node, body_position, spec.slug, problems)
            if body is None or not spec.slug:
                continue
            if body.key in body_lines:
                problems.append(
                    Problem(
                        body.line,
                        f"{body.label}: body '{body.slug}' is already described on line "
                        f"{body_lines[body.key]}",
                    )
                )
                continue
            body_lines[body.key] = body.line
            document.bodies.append(body)

    person_lines: dict[str, int] = {}
    for position, node in enumerate(top.items("people"), start=1):
        person = _parse_person(node, position, problems)
        if person is None:
            continue
        if person.username in person_lines:
            problems.append(
                Problem(
                    person.line,
                    f"{person.label}: username '{person.username}' is already described on "
                    f"line {person_lines[person.username]}",
                )
            )
            continue
        person_lines[person.username] = person.line
        document.people.append(person)
    return document, problems


def _parse_body(
    node: yaml.Node, position: int, partnership: str, problems: list[Problem]
) -> BodySpec | None:
    entry = _Entry(
        node, naming=_naming("body", position), ident_key="slug", allowed=BODY_KEYS,
        problems=problems,
    )
    if not entry.ok:
        return None
    slug = entry.slug("slug")
    spec = BodySpec(
        line=entry.line,
        label=entry.label,
        partnership=partnership,
        slug=slug,
        name=entry.text("name", max_length=200),
        kind=entry.choice("kind", BodyKind.values),
        # A quorum is required, not defaulted: a silent quorum of one would let a single
        # member approve a plan on the board's behalf.
        quorum=entry.whole_number("quorum", minimum=1, maximum=_SMALLINT_MAX, required=True)
        or 0,
        meets_every_weeks=entry.whole_number(
            "meets_every_weeks", minimum=1, maximum=_SMALLINT_MAX, required=False
        ),
    )
    parent = entry.node("parent")
    if parent is not None:
        spec.parent = entry.body_ref(parent, "parent")
    seen: set[str] = set()
    for target in entry.items("reports_to"):
        ref = entry.body_ref(target, "reports_to")
        if ref is None:
            continue
        if ref.text in seen:
            entry.problem(target, f"reports_to names '{ref.text}' twice")
            continue
        seen.add(ref.text)
        spec.reports_to.append(ref)
    return spec if slug else None


def _parse_person(node: yaml.Node, position: int, problems: list[Problem]) -> PersonSpec | None:
    entry = _Entry(
        node, naming=_naming("person", position), ident_key="username",
        allowed=PERSON_KEYS, problems=problems,
    )
    if not entry.ok:
        return None
    username = entry.text("username", max_length=150)
    if username and not _valid_username(username):
        entry.problem(
            entry.values["username"],
            f"username '{username}' may hold only letters, digits and @ . + - _",
        )
        username = ""
    full_name = entry.text("full_name", max_length=300)
    first_name, last_name = split_full_name(full_name)
    if len(first_name) > 150 or len(last_name) > 150:
        entry.problem(entry.values["full_name"], "full_name is too long to store")
    email = entry.text("email", max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            entry.problem(entry.values["email"], f"email '{email}' is not an email address")
        email = BaseUserManager.normalize_email(email)
    spec = PersonSpec(
        line=entry.line,
        label=entry.label,
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    who = f"'{username}'" if username else entry.label
    for membership_position, membership_node in enumerate(entry.items("memberships"), start=1):
        membership = _parse_membership(
            membership_node, membership_position, username, who, problems
        )
        if membership is not None:
            spec.memberships.append(membership)
    return spec if username else None


def _parse_membership(
    node: yaml.Node, position: int, username: str, who: str, problems: list[Problem]
) -> MembershipSpec | None:
    entry = _Entry(
        node,
        naming=lambda body: (
            f"membership of {who} on '{body}'" if body else f"membership #{position} of {who}"
        ),
        ident_key="body",
        allowed=MEMBERSHIP_KEYS,
        problems=problems,
    )
    if not entry.ok:
        return None
    body_node = entry.node("body")
    spec = MembershipSpec(line=entry.line, label=entry.label, username=username)
    if body_node is None:
        entry.problem(entry.values.get("body"), "'body' is required")
    else:
        spec.body = entry.body_ref(body_node, "body")
    spec.role = entry.choice("role", Role.values)
    spec.starts_on = entry.date("starts_on", required=True)
    spec.ends_on = entry.date("ends_on", required=False)
    if spec.starts_on and spec.ends_on and spec.ends_on < spec.starts_on:
        entry.problem(
            entry.values["ends_on"],
            f"ends_on {spec.ends_on} is before starts_on {spec.starts_on}",
        )
    deputy = entry.text("deputy", max_length=150, required=False)
    if deputy:
        spec.deputy = deputy
        spec.deputy_line = entry.line_of("deputy")
        if deputy == username and username:
            entry.problem(entry.values["deputy"], "a person cannot be their own deputy")
    return spec


# Checking references, against the file and the database.


@dataclass
class _Known:
    """The bodies and people the file may refer to: its own, and the database's."""

    partnerships: set[str]
    bodies: dict[BodyKey, Body | None]  # None: described in the file only, not yet stored
    parents: dict[BodyKey, BodyKey | None]
    usernames: set[str]


def _known(document: GovernanceDocument) -> _Known:
    stored = Body.objects.select_related("partnership", "parent__partnership")
    bodies: dict[BodyKey, Body | None] = {}
    parents: dict[BodyKey, BodyKey | None] = {}
    for body in stored:
        key = (body.partnership.slug, body.slug)
        bodies[key] = body
        parent = body.parent
        parents[key] = (parent.partnership.slug, parent.slug) if parent is not None else None
    for spec in document.bodies:
        bodies.setdefault(spec.key, None)
    partnerships = set(Partnership.objects.values_list("slug", flat=True))
    partnerships.update(spec.slug for spec in document.partnerships)
    deputies = {m.deputy for p in document.people for m in p.memberships if m.deputy}
    usernames = {p.username for p in document.people}
    usernames.update(
        get_user_model().objects.filter(username__in=deputies - usernames).values_list(
            "username", flat=True
        )
    )
    return _Known(partnerships, bodies, parents, usernames)


def _resolve(ref: BodyRef, known: _Known, home: str | None) -> tuple[BodyKey | None, str]:
    """The body ``ref`` names, or why it names none. ``home`` is the partnership a bare slug
    belongs to (a body's parent and reporting lines), or None to look in every partnership."""
    if ref.partnership is not None or home is not None:
        partnership = ref.partnership or home
        assert partnership is not None
        key = (partnership, ref.slug)
        if key in known.bodies:
            return key, ""
        if partnership not in known.partnerships:
            return None, f"no partnership '{partnership}' in this file or the database"
        siblings = [slug for (p, slug) in known.bodies if p == partnership]
        return None, (
            f"no body '{ref.slug}' in partnership '{partnership}' in this file or the "
            f"database{_did_you_mean(ref.slug, siblings)}"
        )
    matches = sorted(key for key in known.bodies if key[1] == ref.slug)
    if len(matches) == 1:
        return matches[0], ""
    if matches:
        where = ", ".join(p for p, _ in matches)
        return None, (
            f"'{ref.slug}' is a body of more than one partnership ({where}); "
            f"write 'partnership-slug/{ref.slug}'"
        )
    slugs = sorted({slug for _, slug in known.bodies})
    return None, (
        f"no body '{ref.slug}' in this file or the database{_did_you_mean(ref.slug, slugs)}"
    )


def check_references(document: GovernanceDocument) -> list[Problem]:
    """Every parent, reporting line, membership body and deputy must name something in the
    file or the database, and parents must not form a cycle."""
    problems: list[Problem] = []
    known = _known(document)
    parents = dict(known.parents)
    parent_lines: dict[BodyKey, int] = {}
    labels: dict[BodyKey, str] = {}
    for spec in document.bodies:
        labels[spec.key] = spec.label
        parents[spec.key] = None  # the file's word replaces the stored parent
        if spec.parent is not None:
            target, why = _resolve(spec.parent, known, spec.partnership)
            if target is None:
                problems.append(Problem(spec.parent.line, f"{spec.label}: parent: {why}"))
            elif target[0] != spec.partnership:
                problems.append(
                    Problem(
                        spec.parent.line,
                        f"{spec.label}: parent '{spec.parent.text}' belongs to another "
                        "partnership; a body's parent must be in its own partnership",
                    )
                )
            else:
                parents[spec.key] = target
                parent_lines[spec.key] = spec.parent.line
        for ref in spec.reports_to:
            target, why = _resolve(ref, known, spec.partnership)
            if target is None:
                problems.append(Problem(ref.line, f"{spec.label}: reports_to: {why}"))
            elif target == spec.key:
                problems.append(Problem(ref.line, f"{spec.label}: a body cannot report to itself"))
    problems.extend(_parent_cycles(document, parents, parent_lines, labels))

    for person in document.people:
        # Memberships match stored ones on (person, body, role, start), so the file may hold
        # each term once; compared after resolving, as 'b' and 'p/b' can name one body.
        terms: dict[tuple[BodyKey, str, datetime.date], int] = {}
        for membership in person.memberships:
            if membership.body is not None:
                target, why = _resolve(membership.body, known, None)
                if target is None:
                    problems.append(Problem(membership.body.line, f"{membership.label}: {why}"))
                membership.body_key = target
            if membership.body_key and membership.role and membership.starts_on:
                term = (membership.body_key, membership.role, membership.starts_on)
                if term in terms:
                    problems.append(
                        Problem(
                            membership.line,
                            f"{membership.label}: the same role from the same date is "
                            f"already described on line {terms[term]}",
                        )
                    )
                terms.setdefault(term, membership.line)
            if membership.deputy and membership.deputy not in known.usernames:
                candidates = sorted(p.username for p in document.people)
                problems.append(
                    Problem(
                        membership.deputy_line,
                        f"{membership.label}: deputy '{membership.deputy}' is not a person in "
                        f"this file or the database{_did_you_mean(membership.deputy, candidates)}",
                    )
                )
    return problems


def _parent_cycles(
    document: GovernanceDocument,
    parents: dict[BodyKey, BodyKey | None],
    parent_lines: dict[BodyKey, int],
    labels: dict[BodyKey, str],
) -> list[Problem]:
    """One problem per cycle through a body of the file, on the line of the first such body's
    parent: a reporting hierarchy must end at a body with no parent."""
    problems: list[Problem] = []
    reported: set[frozenset[BodyKey]] = set()
    for spec in document.bodies:
        path: list[BodyKey] = []
        node: BodyKey | None = spec.key
        while node is not None and node not in path:
            path.append(node)
            node = parents.get(node)
        if node is None:
            continue
        cycle = path[path.index(node):]
        members = frozenset(cycle)
        if members in reported or not any(key in labels for key in cycle):
            continue
        reported.add(members)
        first = next(s.key for s in document.bodies if s.key in members)
        start = cycle.index(first)
        ordered = cycle[start:] + cycle[:start] + [first]
        line = parent_lines.get(first)
        if len(cycle) == 1:
            message = "a body cannot be its own parent"
        else:
            message = "parent makes a cycle: " + " → ".join(slug for _, slug in ordered)
        problems.append(Problem(line, f"{labels[first]}: {message}"))
    return problems


# Writing.


def _label(body: Body, home_partnership_id: int) -> str:
    """A body as the ledger names it: its slug, qualified when in another partnership."""
    if body.partnership_id == home_partnership_id:
        return body.slug
    return f"{body.partnership.slug}/{body.slug}"


def _partnership_state(partnership: Partnership) -> dict[str, Any]:
    return {"slug": partnership.slug, "name": partnership.name, "area": partnership.area,
            "nation": partnership.nation}


def _body_state(body: Body, parent: Body | None, reports_to: list[Body]) -> dict[str, Any]:
    return {
        "partnership": body.partnership.slug,
        "slug": body.slug,
        "name": body.name,
        "kind": body.kind,
        "quorum": body.quorum,
        "meets_every_weeks": body.meets_every_weeks,
        "parent": _label(parent, body.partnership_id) if parent is not None else None,
        "reports_to": sorted(_label(b, body.partnership_id) for b in reports_to),
    }


def _membership_state(membership: Membership) -> dict[str, Any]:
    return {
        "user": membership.user.get_username(),
        "body": f"{membership.body.partnership.slug}/{membership.body.slug}",
        "role": membership.role,
        "starts_on": membership.starts_on.isoformat(),
        "ends_on": membership.ends_on.isoformat() if membership.ends_on else None,
        "deputy": membership.deputy.get_username() if membership.deputy else None,
    }


def _assign(obj: models.Model, **values: Any) -> list[str]:
    """Set the fields whose values differ; answer their names, for ``update_fields``."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


class _Writer:
    def __init__(self, *, actor: AbstractBaseUser | None, reason: str, report: ImportReport):
        self.actor = actor
        self.reason = reason
        self.report = report

    def record(
        self,
        kind: str,
        obj: models.Model,
        name: str,
        before: dict[str, Any] | None,
        after: dict[str, Any],
    ) -> None:
        """Count the record, and audit it when it was created or changed."""
        if before == after:
            self.report.count(kind, "unchanged")
            return
        outcome = "created" if before is None else "updated"
        self.report.count(kind, outcome, name)
        audit_record(
            actor=self.actor,
            action=f"{kind}.{'create' if before is None else 'update'}",
            obj=obj,
            before=before or {},
            after=after,
            reason=self.reason,
        )

    def partnerships(self, document: GovernanceDocument) -> dict[str, Partnership]:
        stored = {p.slug: p for p in Partnership.objects.all()}
        for spec in document.partnerships:
            partnership = stored.get(spec.slug)
            if partnership is None:
                partnership = Partnership.objects.create(
                    slug=spec.slug, name=spec.name, area=spec.area, nation=spec.nation
                )
                stored[spec.slug] = partnership
                self.record("partnership", partnership, f"'{spec.slug}'", None,
                            _partnership_state(partnership))
                continue
            before = _partnership_state(partnership)
            changed = _assign(partnership, name=spec.name, area=spec.area,
                              nation=spec.nation)
            if changed:
                partnership.save(update_fields=changed)
            self.record("partnership", partnership, f"'{spec.slug}'", before,
                        _partnership_state(partnership))
        return stored

    def bodies(
        self, document: GovernanceDocument, partnerships: dict[str, Partnership]
    ) -> dict[BodyKey, Body]:
        stored = {
            (b.partnership.slug, b.slug): b
            for b in Body.objects.select_related("partnership", "parent__partnership")
            .prefetch_related("reports_to__partnership")
        }
        before: dict[BodyKey, dict[str, Any] | None] = {}
        # First every body exists with its own fields, then parents and reporting lines are
        # linked: a body may name one described further down the file.
        for spec in document.bodies:
            body = stored.get(spec.key)
            values = {
                "name": spec.name,
                "kind": spec.kind,
                "quorum": spec.quorum,
                "meets_every_weeks": spec.meets_every_weeks,
            }
            if body is None:
                body = Body.objects.create(
                    partnership=partnerships[spec.partnership], slug=spec.slug, **values
                )
                stored[spec.key] = body
                before[spec.key] = None
                continue
            before[spec.key] = _body_state(body, body.parent, list(body.reports_to.all()))
            changed = _assign(body, **values)
            if changed:
                body.save(update_fields=changed)
        known = _Known(set(partnerships), dict(stored), {}, set())
        for spec in document.bodies:
            body = stored[spec.key]
            parent = None
            if spec.parent is not None:
                parent_key, _ = _resolve(spec.parent, known, spec.partnership)
                assert parent_key is not None  # check_references has passed
                parent = stored[parent_key]
            if body.parent_id != (parent.pk if parent else None):
                body.parent = parent
                body.save(update_fields=["parent"])
            targets = []
            for ref in spec.reports_to:
                target_key, _ = _resolve(ref, known, spec.partnership)
                assert target_key is not None
                targets.append(stored[target_key])
            current = set() if before[spec.key] is None else {
                b.pk for b in body.reports_to.all()
            }
            if current != {b.pk for b in targets}:
                body.reports_to.set(targets)
            self.record("body", body, f"'{spec.partnership}/{spec.slug}'", before[spec.key],
                        _body_state(body, parent, targets))
        return stored

    def people(self, document: GovernanceDocument) -> dict[str, Any]:
        user_model = get_user_model()
        wanted = {p.username for p in document.people}
        wanted.update(m.deputy for p in document.people for m in p.memberships if m.deputy)
        stored = {u.get_username(): u for u in user_model.objects.filter(username__in=wanted)}
        for spec in document.people:
            values = {
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": spec.email,
            }
            user = stored.get(spec.username)
            # Names and email addresses stay out of the ledger: it is append-only, so anything
            # personal written there could never be erased. It records which fields changed.
            if user is None:
                user = user_model(username=spec.username, **values)
                # Councils sign in through their own systems; an imported person has no
                # password here until an administrator (or load_demo) gives them one.
                user.set_unusable_password()
                user.save()
                stored[spec.username] = user
                self.record("person", user, f"'{spec.username}'", None,
                            {"username": spec.username})
                continue
            changed = _assign(user, **values)
            if changed:
                user.save(update_fields=changed)
            fields = sorted({"full_name" if f.endswith("_name") else f for f in changed})
            self.record(
                "person", user, f"'{spec.username}'", {"username": spec.username},
                {"username": spec.username, **({"changed": fields} if fields else {})},
            )
        self.report.usernames = [p.username for p in document.people]
        return stored

    def memberships(
        self, document: GovernanceDocument, bodies: dict[BodyKey, Body], users: dict[str, Any]
    ) -> None:
        people = [users[p.username] for p in document.people]
        stored = {
            (m.user_id, m.body_id, m.role, m.starts_on): m
            for m in Membership.objects.filter(user__in=people).select_related(
                "user", "body__partnership", "deputy"
            )
        }
        for person in document.people:
            user = users[person.username]
            for spec in person.memberships:
                assert spec.body_key is not None and spec.starts_on is not None
                body = bodies[spec.body_key]
                deputy = users[spec.deputy] if spec.deputy else None
                name = (
                    f"'{person.username}' as {spec.role} of '{spec.body_key[0]}/"
                    f"{spec.body_key[1]}' from {spec.starts_on}"
                )
                membership = stored.get((user.pk, body.pk, spec.role, spec.starts_on))
                if membership is None:
                    membership = Membership.objects.create(
                        user=user,
                        body=body,
                        role=spec.role,
                        starts_on=spec.starts_on,
                        ends_on=spec.ends_on,
                        deputy=deputy,
                    )
                    self.record("membership", membership, name, None,
                                _membership_state(membership))
                    continue
                before = _membership_state(membership)
                changed = _assign(membership, ends_on=spec.ends_on, deputy=deputy)
                if changed:
                    membership.save(update_fields=changed)
                self.record("membership", membership, name, before,
                            _membership_state(membership))


@service
def import_governance(
    *,
    text: str,
    source: str,
    actor: AbstractBaseUser | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Check the whole file, then create or update everything it describes in this one
    transaction, writing an audit event for each record created or changed.

    Raises GovernanceFileInvalid listing every problem when the file has any; nothing is
    written then. With ``dry_run`` the changes are made, counted and rolled back."""
    document, problems = parse_governance(text)
    problems.extend(check_references(document))
    if problems:
        raise GovernanceFileInvalid(problems)
    report = ImportReport(dry_run=dry_run)
    writer = _Writer(actor=actor, reason=f"Imported from {source}", report=report)
    partnerships = writer.partnerships(document)
    bodies = writer.bodies(document, partnerships)
    users = writer.people(document)
    writer.memberships(document, bodies, users)
    if dry_run:
        transaction.set_rollback(True)
    return report
