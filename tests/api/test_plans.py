"""plans/: create, list and detail, per role."""

from __future__ import annotations

from typing import Any

import pytest

from documents.models import Plan
from documents.services import version_create
from governance.models import DecisionOutcome as O
from governance.models import Role
from tests.conftest import decide, make_plan, publish_summary, submitted_plan
from tests.factories import MembershipFactory, UserFactory, valid_content
from workflows.services import plan_close_consultation, plan_start_consultation

from .conftest import (
    MEMBERS,
    adopted_plan,
    audit_events,
    external_auditor,
    make_lead_deputy,
    other_partnership,
    other_partnership_plan,
    plan_url,
    problem,
    refusal,
)

PLANS = "/api/v1/plans/"


def plan_input(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Children in Care Strategy",
        "kind": "strategy",
        "period_start": "2016-04-01",
        "period_end": "2020-03-31",
        "partnership": "yorok",
        "owning_body": "yorok-board",
        "approving_bodies": ["yorok-board", "safeguarding-board"],
        "executive_body": "executive",
    }
    data.update(overrides)
    return data


# Create


def test_it_creates_a_plan_for_a_lead_officer(world, as_user, frozen_clock):
    response = as_user(world.lead).post(PLANS, plan_input(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    plan = Plan.objects.get()
    assert body["id"] == plan.pk
    assert body["title"] == "Children in Care Strategy"
    assert body["stage"] == "drafting"
    assert body["lead_officer"] == "lead"
    assert body["approving_bodies"] == ["safeguarding-board", "yorok-board"]
    assert body["executive_body"] == "executive"
    assert body["subject_to_call_in"] is True
    assert body["current_version"] is None
    assert body["decisions"] == []
    assert [a["action"] for a in body["available_actions"]] == [
        "start_consultation", "submit", "withdraw",
    ]
    event = plan.audit_events.get()
    assert (event.action, event.actor_label) == ("plan.create", "lead")


def test_it_creates_a_plan_led_by_another_lead_officer(world, as_user):
    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, body=world.board, role=Role.LEAD_OFFICER)
    response = as_user(world.lead).post(
        PLANS, plan_input(lead_officer="colleague", subject_to_call_in=False), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["lead_officer"] == "colleague"
    assert response.json()["subject_to_call_in"] is False


def test_it_names_each_approving_body_once(world, as_user):
    response = as_user(world.lead).post(
        PLANS, plan_input(approving_bodies=["yorok-board", "yorok-board"]), format="json"
    )
    assert response.status_code == 201
    assert response.json()["approving_bodies"] == ["yorok-board"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"owning_body": "nope"}, "owning_body", "YorOK Children's Trust has no body 'nope'."),
        ({"approving_bodies": ["yorok-board", "nope"]}, "approving_bodies",
         "YorOK Children's Trust has no body 'nope'."),
        ({"executive_body": "nope"}, "executive_body",
         "YorOK Children's Trust has no body 'nope'."),
        ({"executive_body": "yorok-board"}, "executive_body", "YorOK Board is not an executive."),
        ({"period_end": "2015-03-31"}, "period_end", "The period must end after it starts."),
        ({"period_end": "2016-04-01"}, "period_end", "The period must end after it starts."),
        ({"approving_bodies": []}, "approving_bodies", "This list may not be empty."),
        ({"approving_bodies": ["executive"]}, "approving_bodies",
         "Executive decides later in the lifecycle, not at partnership approval."),
        ({"approving_bodies": ["scrutiny"]}, "approving_bodies",
         "Learning and Culture Scrutiny Committee decides later in the lifecycle, "
         "not at partnership approval."),
        ({"kind": "manifesto"}, "kind", '"manifesto" is not a valid choice.'),
        ({"title": "  "}, "title", "This field may not be blank."),
        ({"partnership": "leeds"}, "partnership", "Object with slug=leeds does not exist."),
        ({"lead_officer": "nobody"}, "lead_officer", "No user is called 'nobody'."),
        ({"lead_officer": "board_secretary"}, "lead_officer",
         "board_secretary is not a lead officer of YorOK Children's Trust."),
        ({"period_start": "1 April 2016"}, "period_start",
         "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
    ],
)
def test_it_refuses_a_wrong_field_naming_it(world, as_user, overrides, field, message):
    body = problem(as_user(world.lead).post(PLANS, plan_input(**overrides), format="json"), 400)
    assert body["errors"] == {field: [message]}
    assert field in body["detail"]
    assert not Plan.objects.exists()
    assert audit_events() == 0


def test_it_refuses_a_body_of_another_partnership(world, as_user):
    other_partnership("leeds")
    body = problem(
        as_user(world.lead).post(PLANS, plan_input(owning_body="leeds-board"), format="json"), 400
    )
    assert body["errors"] == {"owning_body": ["YorOK Children's Trust has no body 'leeds-board'."]}


REQUIRED = {"title", "kind", "period_start", "period_end", "partnership", "owning_body",
            "approving_bodies", "executive_body"}


def test_it_names_every_missing_field(world, as_user):
    body = problem(as_user(world.lead).post(PLANS, {}, format="json"), 400)
    assert set(body["errors"]) == REQUIRED
    assert body["errors"]["title"] == ["This field is required."]
    assert not Plan.objects.exists()


def test_it_names_every_field_of_the_wrong_type(world, as_user):
    data = {
        "title": ["A plan"], "kind": 1, "period_start": [], "period_end": {"y": 2020},
        "partnership": {"slug": "yorok"}, "owning_body": None, "approving_bodies": "yorok-board",
        "executive_body": 3.5, "subject_to_call_in": "perhaps", "lead_officer": ["lead"],
    }
    body = problem(as_user(world.lead).post(PLANS, data, format="json"), 400)
    assert set(body["errors"]) == REQUIRED | {"subject_to_call_in", "lead_officer"}
    assert not Plan.objects.exists()
    assert audit_events() == 0


@pytest.mark.parametrize("raw", ["{\"title\": ", "[]", "42", "null"])
def test_it_answers_a_body_that_is_not_an_object_with_a_problem(world, as_user, raw):
    problem(as_user(world.lead).post(PLANS, data=raw, content_type="application/json"), 400)
    assert not Plan.objects.exists()


@pytest.mark.parametrize("role", [m for m in MEMBERS if m != "lead"] + ["outsider"])
def test_it_lets_only_lead_officers_create_plans(world, as_user, role):
    body = problem(as_user(world.users[role]).post(PLANS, plan_input(), format="json"), 403)
    assert body["detail"] == refusal(
        role, "Only a lead officer of the partnership can create a plan.")
    assert not Plan.objects.exists()
    assert audit_events() == 0


def test_it_refuses_a_lead_officer_of_another_partnership(world, as_user):
    other = other_partnership("leeds")
    body = problem(as_user(other["lead"]).post(PLANS, plan_input(), format="json"), 403)
    assert body["detail"] == "Only a lead officer of the partnership can create a plan."


# List


def test_it_lists_no_plans_to_an_outsider(world, as_user):
    make_plan(world)
    other_partnership_plan()
    response = as_user(world.outsider).get(PLANS)
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert response.json()["results"] == []


def test_it_lists_every_plan_to_an_external_auditor(world, as_user):
    ours = make_plan(world)
    theirs = other_partnership_plan()
    response = as_user(external_auditor(world)).get(PLANS)
    assert sorted(p["id"] for p in response.json()["results"]) == sorted([ours.pk, theirs.pk])


@pytest.mark.parametrize("role", MEMBERS)
def test_it_lists_a_members_partnership_plans_only(world, as_user, role):
    ours = make_plan(world)
    other_partnership_plan()
    response = as_user(world.users[role]).get(PLANS)
    ids = [p["id"] for p in response.json()["results"]]
    assert ids == [ours.pk]


def test_it_lists_a_plan_to_its_lead_officer_in_another_partnership(world, as_user):
    theirs = other_partnership_plan()
    response = as_user(theirs.lead_officer).get(PLANS)
    assert [p["id"] for p in response.json()["results"]] == [theirs.pk]


def test_it_filters_the_list_by_stage(world, as_user):
    drafting = make_plan(world)
    submitted = submitted_plan(world)
    api = as_user(world.board_secretary)
    response = api.get(PLANS, {"stage": "partnership_approval"})
    assert [p["id"] for p in response.json()["results"]] == [submitted.pk]
    response = api.get(PLANS, {"stage": "drafting"})
    assert [p["id"] for p in response.json()["results"]] == [drafting.pk]


def test_it_refuses_an_unknown_stage_filter(world, as_user):
    body = problem(as_user(world.board_secretary).get(PLANS, {"stage": "limbo"}), 400)
    assert list(body["errors"]) == ["stage"]


def test_it_refuses_an_absurd_page_size(world, as_user):
    make_plan(world)
    body = problem(as_user(world.lead).get(PLANS, {"limit": 10**30, "offset": 10**30}), 400)
    assert set(body["errors"]) == {"limit", "offset"}


def test_it_answers_an_empty_page_past_the_end(world, as_user):
    make_plan(world)
    response = as_user(world.lead).get(PLANS, {"limit": 500, "offset": 2**63 - 1})
    assert response.status_code == 200
    assert response.json()["count"] == 1 and response.json()["results"] == []


def _plans_in_every_state(world, frozen_clock) -> None:
    """Plans with and without versions, decisions, an adopted version."""
    make_plan(world)
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    submitted = submitted_plan(world)
    decide(world, submitted, world.board, O.APPROVED)
    adopted_plan(world, frozen_clock)
    other_partnership_plan()


@pytest.mark.parametrize("role", ["board_secretary", "auditor", "lead"])
def test_it_lists_one_plan_or_many_in_the_same_number_of_queries(
    world, as_user, frozen_clock, count_queries, role
):
    api = as_user(world.users[role])
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    one = count_queries(lambda: api.get(PLANS))
    assert api.get(PLANS).json()["count"] == 1
    _plans_in_every_state(world, frozen_clock)
    many = count_queries(lambda: api.get(PLANS))
    assert api.get(PLANS).json()["count"] >= 5
    assert many == one


# Detail


def test_it_shows_a_plan_with_its_stage_and_current_version(world, as_user):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content(), note="First draft")
    body = as_user(world.board_secretary).get(plan_url(plan)).json()
    assert body["stage"] == "drafting"
    assert body["stage_label"] == "Drafting"
    assert body["current_version"]["number"] == 1
    assert body["current_version"]["note"] == "First draft"
    assert body["current_version"]["created_by"] == "lead"
    assert body["current_version"]["submitted"] is False
    assert body["adopted_version"] is None


def test_it_shows_the_lead_what_blocks_submission(world, as_user):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    body = as_user(world.lead).get(plan_url(plan)).json()
    assert body["available_actions"] == [
        {"action": "start_consultation", "label": "Start consultation", "ready": True,
         "blocked_by": None},
        {"action": "submit", "label": "Submit for approval", "ready": False,
         "blocked_by": "A children and young people's plan needs a closed consultation round, "
                       "held since it was first drafted and with its summary published, before "
                       "it is submitted for approval."},
        {"action": "withdraw", "label": "Withdraw", "ready": True, "blocked_by": None},
    ]


def test_it_shows_the_lead_that_a_plan_without_a_version_cannot_be_submitted(world, as_user):
    body = as_user(world.lead).get(plan_url(make_plan(world))).json()
    submit = next(a for a in body["available_actions"] if a["action"] == "submit")
    assert submit["ready"] is False
    assert submit["blocked_by"] == "The plan has no version yet; write one before submitting."


def test_it_shows_submit_ready_once_consultation_has_closed(world, as_user):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    plan_start_consultation(plan=plan, actor=world.lead)
    plan_close_consultation(plan=plan, actor=world.lead)
    body = as_user(world.lead).get(plan_url(plan)).json()
    submit = next(a for a in body["available_actions"] if a["action"] == "submit")
    assert not submit["ready"] and "publish the summary" in submit["blocked_by"]
    publish_summary(plan, world.lead)
    body = as_user(world.lead).get(plan_url(plan)).json()
    submit = next(a for a in body["available_actions"] if a["action"] == "submit")
    assert submit == {"action": "submit", "label": "Submit for approval", "ready": True,
                      "blocked_by": None}


@pytest.mark.parametrize("role", [m for m in MEMBERS if m != "lead"])
def test_it_shows_no_actions_to_anyone_but_the_lead(world, as_user, role):
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    response = as_user(world.users[role]).get(plan_url(plan))
    assert response.status_code == 200
    assert response.json()["available_actions"] == []


def test_it_shows_the_leads_deputy_the_leads_actions(world, as_user):
    make_lead_deputy(world, world.board_chair)
    body = as_user(world.board_chair).get(plan_url(make_plan(world))).json()
    assert [a["action"] for a in body["available_actions"]] == [
        "start_consultation", "submit", "withdraw",
    ]


def test_it_shows_the_decisions_so_far(world, as_user, frozen_clock):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED, votes_for=6, votes_against=1,
           reasons="A clear plan.")
    body = as_user(world.auditor).get(plan_url(plan)).json()
    assert body["stage"] == "partnership_approval"
    assert body["current_version"]["submitted"] is True
    [decision] = body["decisions"]
    assert decision["body"] == "yorok-board"
    assert decision["body_name"] == "YorOK Board"
    assert decision["outcome"] == "approved"
    assert decision["version"] == 1
    assert decision["decided_on"] == "2016-07-14"
    assert decision["attendance"] == 8
    assert (decision["votes_for"], decision["votes_against"]) == (6, 1)
    assert decision["recorded_by"] == "board_secretary"
    assert decision["reasons"] == "A clear plan."
    assert body["available_actions"] == []


def test_it_shows_the_adopted_version(world, as_user, frozen_clock):
    plan = adopted_plan(world, frozen_clock)
    body = as_user(world.lead).get(plan_url(plan)).json()
    assert body["stage"] == "adopted"
    assert body["adopted_version"] == 1
    assert body["call_in_ends_on"] == "2016-07-21"
    assert [d["outcome"] for d in body["decisions"]] == ["approved", "approved", "approved"]
    assert [a["action"] for a in body["available_actions"]] == ["revise", "supersede"]


def test_it_hides_a_plan_from_an_outsider_as_if_it_did_not_exist(world, as_user):
    plan = make_plan(world)
    api = as_user(world.outsider)
    hidden = problem(api.get(plan_url(plan)), 404)
    missing = problem(api.get(f"{PLANS}{plan.pk + 1}/"), 404)
    assert hidden["detail"] == missing["detail"]


def test_it_hides_another_partnerships_plan_from_a_member(world, as_user):
    problem(as_user(world.board_secretary).get(plan_url(other_partnership_plan())), 404)


def test_it_hides_another_partnerships_plan_from_an_auditor(world, as_user):
    problem(as_user(world.auditor).get(plan_url(other_partnership_plan())), 404)


def test_it_shows_another_partnerships_plan_to_an_external_auditor(world, as_user):
    response = as_user(external_auditor(world)).get(plan_url(other_partnership_plan()))
    assert response.status_code == 200


@pytest.mark.parametrize("pk", ["999", "abc", "99999999999999999999999"])
def test_it_answers_404_for_a_plan_that_does_not_exist(world, as_user, pk):
    problem(as_user(world.lead).get(f"{PLANS}{pk}/"), 404)


@pytest.mark.parametrize("method", ["put", "delete"])  # PATCH renames: tests/api/test_text.py
def test_it_refuses_to_edit_or_delete_a_plan_directly(world, as_user, method):
    plan = make_plan(world)
    response = getattr(as_user(world.lead), method)(plan_url(plan), {"title": "x"}, format="json")
    problem(response, 405)
    plan.refresh_from_db()
    assert plan.title == "Children and Young People's Plan"
    assert audit_events() == 1


def test_it_refuses_an_outsider_before_reading_their_input(world, as_user):
    # Field errors would tell an outsider which users and bodies exist; 403 comes first.
    body = problem(
        as_user(world.outsider).post(
            PLANS, {**plan_input(), "lead_officer": "nobody-here", "owning_body": "x"},
            format="json",
        ),
        403,
    )
    assert "errors" not in body


def test_it_creates_a_plan_with_an_ordered_route(world, as_user):
    from documents.models import ApprovalStep

    response = as_user(world.lead).post(
        PLANS, {**plan_input(), "approval_route": "ordered"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["approval_route"] == "ordered"
    steps = ApprovalStep.objects.filter(plan_id=response.json()["id"]).order_by("position")
    assert [s.position for s in steps] == list(range(1, steps.count() + 1))
