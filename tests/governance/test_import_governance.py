"""manage.py import_governance: a council's partnership, bodies, people and roles from YAML."""

from __future__ import annotations

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from governance.audit import verify_chain
from governance.models import AuditEvent, Body, BodyKind, Membership, Partnership, Role

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]

VALID = """\
partnerships:
  - slug: yorok
    name: YorOK Children's Trust
    area: City of York
    bodies:
      - slug: yorok-board
        name: YorOK Board
        kind: partnership_board
        quorum: 6
        meets_every_weeks: 6
      - slug: safeguarding-board
        name: Children's Safeguarding Board
        kind: safeguarding_board
        quorum: 5
      - slug: early-help-group
        name: YorOK Early Help Group
        kind: sub_group
        quorum: 3
        parent: yorok-board
        reports_to: [yorok-board, safeguarding-board]
      - slug: executive
        name: Executive
        kind: executive
        quorum: 3
people:
  - username: lead
    full_name: Hannah Whitfield
    email: hannah.whitfield@york.example.org
    memberships:
      - {body: yorok-board, role: lead_officer, starts_on: 2008-04-01}
  - username: secretary
    full_name: Priya Raman
    email: priya.raman@york.example.org
    memberships:
      - body: yorok-board
        role: secretary
        starts_on: 2008-04-01
        deputy: deputy
      - body: early-help-group
        role: secretary
        starts_on: 2008-04-01
        ends_on: 2009-03-31
  - username: deputy
    full_name: Sarah Kettlewell
    email: sarah.kettlewell@york.example.org
"""
VALID_RECORDS = 1 + 4 + 3 + 3  # partnership, bodies, people, memberships


def run(tmp_path: Path, text: str, *args: str) -> str:
    path = tmp_path / "council.yaml"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import_governance", str(path), *args, stdout=out)
    return out.getvalue()


def problems(tmp_path: Path, text: str) -> str:
    with pytest.raises(CommandError) as caught:
        run(tmp_path, text)
    return str(caught.value)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle``."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[occurrence - 1]


def counts() -> tuple[int, ...]:
    return (
        Partnership.objects.count(),
        Body.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )


def test_it_loads_partnerships_bodies_people_and_memberships(tmp_path):
    output = run(tmp_path, VALID)

    assert f"{VALID_RECORDS} created, 0 updated, 0 unchanged" in output
    partnership = Partnership.objects.get(slug="yorok")
    assert (partnership.name, partnership.area) == ("YorOK Children's Trust", "City of York")
    board = Body.objects.get(slug="yorok-board")
    assert (board.kind, board.quorum, board.meets_every_weeks) == (
        BodyKind.PARTNERSHIP_BOARD, 6, 6
    )
    early_help = Body.objects.get(slug="early-help-group")
    assert early_help.partnership == partnership
    assert early_help.parent == board
    assert early_help.meets_every_weeks is None
    assert {b.slug for b in early_help.reports_to.all()} == {"yorok-board", "safeguarding-board"}
    secretary = get_user_model().objects.get(username="secretary")
    assert (secretary.first_name, secretary.last_name) == ("Priya", "Raman")
    assert secretary.get_full_name() == "Priya Raman"
    assert secretary.email == "priya.raman@york.example.org"
    assert not secretary.has_usable_password()
    seat = Membership.objects.get(user=secretary, body=board)
    assert (seat.role, seat.starts_on, seat.ends_on) == (
        Role.SECRETARY, datetime.date(2008, 4, 1), None
    )
    assert seat.deputy.username == "deputy"
    ended = Membership.objects.get(user=secretary, body=early_help)
    assert ended.ends_on == datetime.date(2009, 3, 31)
    assert not get_user_model().objects.get(username="deputy").memberships.exists()


def test_it_audits_each_record_it_creates_without_personal_details(tmp_path):
    run(tmp_path, VALID)

    events = list(AuditEvent.objects.order_by("seq"))
    assert len(events) == VALID_RECORDS
    assert [e.action for e in events].count("body.create") == 4
    assert {e.actor_label for e in events} == {"system"}
    assert all(e.reason == "Imported from council.yaml" for e in events)
    early_help = next(e for e in events if e.after.get("slug") == "early-help-group")
    assert early_help.after["parent"] == "yorok-board"
    assert early_help.after["reports_to"] == ["safeguarding-board", "yorok-board"]
    person = next(e for e in events if e.action == "person.create")
    assert person.after == {"username": "lead"}
    assert "Whitfield" not in str([(e.before, e.after) for e in events])
    assert verify_chain().ok


def test_it_changes_nothing_on_a_second_run(tmp_path):
    run(tmp_path, VALID)
    before = counts()
    stored = list(Body.objects.values_list("pk", "quorum", "parent_id"))

    output = run(tmp_path, VALID)

    assert f"0 created, 0 updated, {VALID_RECORDS} unchanged" in output
    assert counts() == before
    assert list(Body.objects.values_list("pk", "quorum", "parent_id")) == stored


def test_it_updates_a_changed_quorum_in_place(tmp_path):
    run(tmp_path, VALID)
    board = Body.objects.get(slug="yorok-board")

    output = run(tmp_path, VALID.replace("quorum: 6", "quorum: 7"))

    assert f"0 created, 1 updated, {VALID_RECORDS - 1} unchanged" in output
    assert "updated body 'yorok/yorok-board'" in output
    board.refresh_from_db()
    assert board.quorum == 7
    assert Body.objects.filter(slug="yorok-board").count() == 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_id) == ("body.update", str(board.pk))
    assert (event.before["quorum"], event.after["quorum"]) == (6, 7)


def test_it_updates_a_membership_matched_on_person_body_role_and_start(tmp_path):
    run(tmp_path, VALID)
    seat = Membership.objects.get(user__username="lead")

    changed = VALID.replace(
        "{body: yorok-board, role: lead_officer, starts_on: 2008-04-01}",
        "{body: yorok-board, role: lead_officer, starts_on: 2008-04-01, ends_on: 2012-03-31,"
        " deputy: deputy}",
    )
    output = run(tmp_path, changed)

    assert "0 created, 1 updated" in output
    seat.refresh_from_db()
    assert seat.ends_on == datetime.date(2012, 3, 31)
    assert seat.deputy.username == "deputy"
    assert Membership.objects.filter(user__username="lead").count() == 1


def test_it_updates_people_and_reporting_lines_and_never_deletes(tmp_path):
    run(tmp_path, VALID)

    changed = (
        VALID.replace("Priya Raman", "Priya Raman-Hall")
        .replace("reports_to: [yorok-board, safeguarding-board]", "reports_to: [yorok-board]")
        .split("  - username: deputy")[0]  # the deputy and the executive are left out
        .replace(
            "      - slug: executive\n        name: Executive\n        kind: executive\n"
            "        quorum: 3\n",
            "",
        )
    )
    output = run(tmp_path, changed)

    assert "0 created, 2 updated" in output
    secretary = get_user_model().objects.get(username="secretary")
    assert secretary.get_full_name() == "Priya Raman-Hall"
    event = AuditEvent.objects.filter(action="person.update").get()
    assert event.after == {"username": "secretary", "changed": ["full_name"]}
    early_help = Body.objects.get(slug="early-help-group")
    assert [b.slug for b in early_help.reports_to.all()] == ["yorok-board"]
    assert Body.objects.filter(slug="executive").exists()
    assert get_user_model().objects.filter(username="deputy").exists()


def test_it_leaves_an_existing_password_alone(tmp_path):
    user = get_user_model().objects.create_user("lead", password="council-sso-bridge")

    run(tmp_path, VALID)

    user.refresh_from_db()
    assert user.check_password("council-sso-bridge")
    assert user.email == "hannah.whitfield@york.example.org"


def test_it_reports_every_bad_entry_with_its_line_and_writes_nothing(tmp_path):
    bad = (
        VALID.replace("kind: partnership_board", "kind: boardd")
        .replace("quorum: 5", "quorum: none")
        .replace("starts_on: 2008-04-01}", "starts_on: 2008-02-30}", 1)
        .replace("role: secretary\n        starts_on: 2008-04-01\n        deputy",
                 "role: secretry\n        starts_on: 2008-04-01\n        deputy")
    )

    message = problems(tmp_path, bad)

    assert "4 problems; nothing was written." in message
    kinds = ", ".join(BodyKind.values)
    assert (
        f"line {line_of(bad, 'boardd')}: body 'yorok-board': unknown kind 'boardd' "
        f"(choose one of: {kinds})"
    ) in message
    assert (
        f"line {line_of(bad, 'quorum: none')}: body 'safeguarding-board': "
        "quorum 'none' is not a whole number"
    ) in message
    assert (
        f"line {line_of(bad, '2008-02-30')}: membership of 'lead' on 'yorok-board': "
        "starts_on '2008-02-30' is not a real date"
    ) in message
    assert (
        f"line {line_of(bad, 'secretry')}: membership of 'secretary' on 'yorok-board': "
        "unknown role 'secretry'"
    ) in message
    assert counts() == (0, 0, 0, 0, 0)


def test_it_writes_nothing_when_only_a_reference_is_bad(tmp_path):
    bad = VALID.replace("deputy: deputy", "deputy: deptuy")

    message = problems(tmp_path, bad)

    assert (
        f"line {line_of(bad, 'deptuy')}: membership of 'secretary' on 'yorok-board': "
        "deputy 'deptuy' is not a person in this file or the database (did you mean 'deputy'?)"
    ) in message
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("original", "typo", "what"),
    [
        ("people:", "peeple:", "file"),
        ("area: City of York", "areaa: City of York", "partnership 'yorok'"),
        ("reports_to: [yorok-board", "reports-to: [yorok-board", "body 'early-help-group'"),
        ("email: hannah", "e-mail: hannah", "person 'lead'"),
        ("ends_on: 2009-03-31", "end_on: 2009-03-31", "membership of 'secretary' on "
         "'early-help-group'"),
    ],
)
def test_it_refuses_unknown_keys(tmp_path, original, typo, what):
    bad = VALID.replace(original, typo)
    key = typo.split(":")[0]

    message = problems(tmp_path, bad)

    assert f"line {line_of(bad, typo)}: {what}: unknown key '{key}'" in message
    assert counts() == (0, 0, 0, 0, 0)


def test_it_suggests_the_key_that_was_meant(tmp_path):
    message = problems(tmp_path, VALID.replace("reports_to:", "reports-to:"))

    assert "unknown key 'reports-to' (did you mean 'reports_to'?)" in message


def test_it_refuses_a_key_given_twice(tmp_path):
    bad = VALID.replace("quorum: 6\n", "quorum: 6\n        quorum: 1\n")

    message = problems(tmp_path, bad)

    assert (
        f"line {line_of(bad, 'quorum: 1')}: body 'yorok-board': key 'quorum' is given more "
        "than once"
    ) in message


def test_it_refuses_missing_required_values(tmp_path):
    bad = VALID.replace("        quorum: 3\n        parent", "        parent").replace(
        "    email: sarah.kettlewell@york.example.org\n", ""
    )

    message = problems(tmp_path, bad)

    assert (
        f"line {line_of(bad, 'slug: early-help-group')}: body 'early-help-group': "
        "'quorum' is required"
    ) in message
    assert f"line {line_of(bad, 'username: deputy')}: person 'deputy': 'email' is required" in (
        message
    )


@pytest.mark.parametrize(
    ("original", "bad_ref", "expected"),
    [
        ("parent: yorok-board", "parent: yorok-bord",
         "body 'early-help-group': parent: no body 'yorok-bord' in partnership 'yorok' in this "
         "file or the database (did you mean 'yorok-board'?)"),
        ("[yorok-board, safeguarding-board]", "[yorok-board, safeguarding]",
         "body 'early-help-group': reports_to: no body 'safeguarding' in partnership 'yorok'"),
        ("{body: yorok-board, role: lead", "{body: yorok-bard, role: lead",
         "membership of 'lead' on 'yorok-bard': no body 'yorok-bard' in this file or the "
         "database (did you mean 'yorok-board'?)"),
        ("{body: yorok-board, role: lead", "{body: elsewhere/yorok-board, role: lead",
         "membership of 'lead' on 'elsewhere/yorok-board': no partnership 'elsewhere'"),
    ],
)
def test_it_refuses_unknown_body_references(tmp_path, original, bad_ref, expected):
    bad = VALID.replace(original, bad_ref)

    message = problems(tmp_path, bad)

    assert f"line {line_of(bad, bad_ref)}: {expected}" in message
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("bad_date", "expected"),
    [
        ("starts_on: 2008-13-01", "starts_on '2008-13-01' is not a real date (month must be in "
         "1..12)"),
        ("starts_on: 01/04/2008", "starts_on '01/04/2008' is not a date; write it as YYYY-MM-DD"),
        ("starts_on: April 2008", "starts_on 'April 2008' is not a date; write it as YYYY-MM-DD"),
        ("starts_on: 2009-04-01\n        ends_on: 2009-03-31",
         "ends_on 2009-03-31 is before starts_on 2009-04-01"),
    ],
)
def test_it_refuses_bad_dates(tmp_path, bad_date, expected):
    bad = VALID.replace("starts_on: 2008-04-01\n        ends_on: 2009-03-31", bad_date)
    needle = bad_date.splitlines()[-1].strip()

    message = problems(tmp_path, bad)

    assert (
        f"line {line_of(bad, needle)}: membership of 'secretary' on 'early-help-group': "
        f"{expected}"
    ) in message


def test_it_refuses_bad_roles(tmp_path):
    bad = VALID.replace("role: lead_officer", "role: Lead officer")

    message = problems(tmp_path, bad)

    roles = ", ".join(Role.values)
    assert (
        f"line {line_of(bad, 'Lead officer')}: membership of 'lead' on 'yorok-board': "
        f"unknown role 'Lead officer' (choose one of: {roles})"
    ) in message


def test_it_refuses_the_same_role_twice_from_the_same_date(tmp_path):
    bad = VALID.replace(
        "      - {body: yorok-board, role: lead_officer, starts_on: 2008-04-01}\n",
        "      - {body: yorok-board, role: lead_officer, starts_on: 2008-04-01}\n"
        "      - {body: yorok/yorok-board, role: lead_officer, starts_on: 2008-04-01}\n",
    )

    message = problems(tmp_path, bad)

    first = line_of(bad, "role: lead_officer")
    assert (
        f"line {first + 1}: membership of 'lead' on 'yorok/yorok-board': the same role from the "
        f"same date is already described on line {first}"
    ) in message


def test_it_refuses_a_parent_cycle_in_the_file(tmp_path):
    bad = VALID.replace(
        "        quorum: 6\n", "        quorum: 6\n        parent: early-help-group\n"
    )

    message = problems(tmp_path, bad)

    assert (
        f"line {line_of(bad, 'parent: early-help-group')}: body 'yorok-board': parent makes a "
        "cycle: yorok-board → early-help-group → yorok-board"
    ) in message
    assert "1 problem;" in message  # one cycle, reported once
    assert counts() == (0, 0, 0, 0, 0)


def test_it_refuses_a_body_that_is_its_own_parent(tmp_path):
    bad = VALID.replace(
        "        quorum: 5\n", "        quorum: 5\n        parent: safeguarding-board\n"
    )

    message = problems(tmp_path, bad)

    assert (
        f"line {line_of(bad, 'parent: safeguarding-board')}: body 'safeguarding-board': "
        "a body cannot be its own parent"
    ) in message


def test_it_refuses_a_parent_cycle_through_the_database(tmp_path):
    run(tmp_path, VALID)  # stored: early-help-group's parent is yorok-board
    only_the_board = (
        "partnerships:\n"
        "  - slug: yorok\n"
        "    name: YorOK Children's Trust\n"
        "    bodies:\n"
        "      - slug: yorok-board\n"
        "        name: YorOK Board\n"
        "        kind: partnership_board\n"
        "        quorum: 6\n"
        "        parent: early-help-group\n"
    )

    message = problems(tmp_path, only_the_board)

    assert (
        "line 9: body 'yorok-board': parent makes a cycle: "
        "yorok-board → early-help-group → yorok-board"
    ) in message
    assert Body.objects.get(slug="yorok-board").parent is None


def test_it_refuses_a_parent_in_another_partnership(tmp_path):
    bad = VALID.replace("parent: yorok-board", "parent: other/board").replace(
        "people:\n",
        "  - slug: other\n    name: Other Trust\n    bodies:\n      - slug: board\n"
        "        name: Board\n        kind: partnership_board\n        quorum: 3\npeople:\n",
    )

    message = problems(tmp_path, bad)

    assert (
        f"line {line_of(bad, 'parent: other/board')}: body 'early-help-group': parent "
        "'other/board' belongs to another partnership"
    ) in message


def test_it_resolves_references_to_what_is_already_in_the_database(tmp_path):
    run(tmp_path, VALID)
    people_only = (
        "people:\n"
        "  - username: chair\n"
        "    full_name: Richard Alderson\n"
        "    email: richard.alderson@york.example.org\n"
        "    memberships:\n"
        "      - {body: executive, role: chair, starts_on: 2009-05-20, deputy: deputy}\n"
    )

    output = run(tmp_path, people_only)

    assert "2 created, 0 updated, 0 unchanged" in output
    seat = Membership.objects.get(user__username="chair")
    assert (seat.body.slug, seat.deputy.username) == ("executive", "deputy")


def test_it_asks_which_partnership_when_a_slug_is_in_two(tmp_path):
    two = VALID.replace(
        "people:\n",
        "  - slug: selby\n    name: Selby Children's Trust\n    bodies:\n"
        "      - slug: executive\n        name: Executive\n        kind: executive\n"
        "        quorum: 3\npeople:\n",
    ).replace("deputy: deputy", "deputy: deputy\n      - {body: executive, role: secretary, "
              "starts_on: 2008-04-01}")

    message = problems(tmp_path, two)

    assert (
        "'executive' is a body of more than one partnership (selby, yorok); write "
        "'partnership-slug/executive'"
    ) in message
    run(tmp_path, two.replace("{body: executive,", "{body: selby/executive,"))
    seat = Membership.objects.get(role=Role.SECRETARY, body__slug="executive")
    assert seat.body.partnership.slug == "selby"


def test_it_reports_yaml_syntax_errors_with_their_line(tmp_path):
    message = problems(tmp_path, VALID.replace("quorum: 6", "quorum: [6"))

    assert re.search(r"line \d+: not valid YAML", message)
    assert counts() == (0, 0, 0, 0, 0)


def test_it_refuses_an_empty_file(tmp_path):
    assert "the file is empty" in problems(tmp_path, "# nothing yet\n")


def test_it_says_what_a_dry_run_would_do_and_writes_nothing(tmp_path):
    output = run(tmp_path, VALID, "--dry-run")

    assert f"Dry run, nothing written; would be: {VALID_RECORDS} created" in output
    assert counts() == (0, 0, 0, 0, 0)


def test_it_imports_the_demo_file_cleanly(tmp_path):
    text = (REPO / "governance" / "demo" / "york.yaml").read_text(encoding="utf-8")

    output = run(tmp_path, text)

    assert "0 updated, 0 unchanged" in output
    yorok = Partnership.objects.get(slug="yorok")
    bodies = {b.slug: b for b in yorok.bodies.all()}
    assert {b.kind for b in bodies.values()} == set(BodyKind.values)
    cic = bodies["children-in-care-partnership"]
    assert cic.name == "Children in Care Strategic Partnership"
    assert (cic.kind, cic.meets_every_weeks) == (BodyKind.STRATEGIC_PARTNERSHIP, 8)
    assert cic.parent == bodies["yorok-board"]
    assert [b.slug for b in cic.reports_to.all()] == ["health-and-wellbeing-board"]
    early_help = bodies["early-help-group"]
    assert {b.slug for b in early_help.reports_to.all()} == {"yorok-board", "safeguarding-board"}
    held = set(Membership.objects.values_list("role", flat=True))
    assert held == set(Role.values) - {Role.VICE_CHAIR, Role.EXTERNAL_AUDITOR}
    for body in bodies.values():  # every body but full council has a secretary to record
        if body.kind == BodyKind.FULL_COUNCIL:
            continue
        assert body.memberships.filter(role=Role.SECRETARY).exists(), body.slug
    assert Membership.objects.filter(deputy__isnull=False, role=Role.SECRETARY).exists()
    assert Membership.objects.get(role=Role.EXECUTIVE_MEMBER).body == bodies["executive"]
    assert "0 created, 0 updated" in run(tmp_path, text)


def test_it_imports_the_documented_example(tmp_path):
    guide = (REPO / "docs" / "governance-yaml.md").read_text(encoding="utf-8")
    example = re.search(r"## A complete example\n\n```yaml\n(.*?)```", guide, re.S)
    assert example is not None

    output = run(tmp_path, example.group(1))

    promised = re.search(r"reports `(\d+ created, 0 updated, 0 unchanged)`", guide)
    assert promised is not None and promised.group(1) in output
