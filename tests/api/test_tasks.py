"""The tasks API: the inbox as JSON (filters, permissions, constant queries), claim, complete
(decisions and redrafts), reassign, and every refusal as a problem document."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from viewflow.workflow.status import STATUS

from documents.models import Plan, Stage
from documents.services import version_create
from governance.models import AuditEvent, Decision
from governance.models import DecisionOutcome as O
from tests.bulk import open_task_copies
from tests.conftest import World, decide, open_task, publish_summary, submitted_plan
from tests.factories import valid_content
from workflows import routing
from workflows.models import Notification, NotificationKind, TaskKind

from .conftest import problem

DECISION = {"outcome": "approved", "decided_on": "2016-07-14", "attendance": 8,
            "votes_for": 7, "minute_reference": "YB/2016/12"}




def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content[:500]
    return [item["id"] for item in response.json()["results"]]


# Listing.


def test_it_lists_a_secretarys_queue_with_what_a_list_needs(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    response = as_user(world.board_secretary).get("/api/v1/tasks/")
    [item] = response.json()["results"]
    assert item["id"] == task.pk
    assert item["kind"] == TaskKind.BOARD_DECISION
    assert item["label"] == "Record the board's decision"
    assert item["status"] == STATUS.NEW
    assert item["plan"] == {"id": plan.pk, "title": plan.title, "stage": Stage.PARTNERSHIP_APPROVAL}
    assert item["body"] == {"slug": "yorok-board", "name": "YorOK Board"}
    assert item["owner"] is None
    assert item["overdue"] is False
    assert item["actions"] == ["claim", "complete", "reassign"]
    assert item["notifications"] == []


@pytest.mark.parametrize(
    ("role", "bodies"),
    [
        ("board_secretary", {"yorok-board"}),
        ("board_deputy", {"yorok-board"}),
        ("safeguarding_secretary", {"safeguarding-board"}),
        ("executive_member", set()),
        ("scrutiny_secretary", set()),
        ("board_chair", set()),
        ("lead", set()),
        ("auditor", set()),
        ("outsider", set()),
    ],
)
def test_it_offers_each_role_only_its_own_bodies_tasks(world, frozen_clock, as_user, role,
                                                       bodies):
    submitted_plan(world)
    response = as_user(getattr(world, role)).get("/api/v1/tasks/?view=queue")
    assert {item["body"]["slug"] for item in response.json()["results"]} == bodies


def test_it_moves_a_claimed_task_from_the_queue_to_mine(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    api = as_user(world.board_secretary)
    assert api.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
    assert ids(api.get("/api/v1/tasks/?view=queue")) == []
    assert ids(api.get("/api/v1/tasks/?view=mine")) == [task.pk]
    assert ids(api.get("/api/v1/tasks/?mine=true")) == [task.pk]
    assert ids(api.get("/api/v1/tasks/")) == [task.pk]
    # The deputy no longer sees it in the queue, and cannot claim it.
    deputy = APIClient()
    deputy.force_authenticate(world.board_deputy)
    assert ids(deputy.get("/api/v1/tasks/?view=queue")) == []
    item = deputy.get(f"/api/v1/tasks/{task.pk}/").json()
    assert item["owner"] == "board_secretary"
    assert item["actions"] == ["reassign"]


def test_it_files_completed_tasks_in_the_archive(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    api = as_user(world.board_secretary)
    assert api.post(f"/api/v1/tasks/{task.pk}/complete/", DECISION, format="json").status_code \
        == 201
    assert ids(api.get("/api/v1/tasks/")) == []
    archive = api.get("/api/v1/tasks/?view=archive").json()["results"]
    assert [(item["id"], item["status"], item["actions"]) for item in archive] == [
        (task.pk, STATUS.DONE, [])
    ]


def test_it_filters_by_plan_and_body(world, frozen_clock, as_user):
    first, second = submitted_plan(world), submitted_plan(world)
    api = as_user(world.auditor)
    assert set(ids(api.get(f"/api/v1/tasks/?view=all&plan={first.pk}"))) == {
        t.pk for t in routing.open_tasks(first)
    }
    assert set(ids(api.get("/api/v1/tasks/?view=all&body=safeguarding-board"))) == {
        open_task(first, world.safeguarding).pk, open_task(second, world.safeguarding).pk
    }
    assert set(ids(api.get(f"/api/v1/tasks/?view=all&body={world.board.pk}"))) == {
        open_task(first, world.board).pk, open_task(second, world.board).pk
    }


def test_it_shows_overdue_tasks_once_their_due_date_has_passed(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    api = as_user(world.board_secretary)
    assert ids(api.get("/api/v1/tasks/?overdue=true")) == []
    frozen_clock.set(task.info.due_on)
    assert ids(api.get("/api/v1/tasks/?overdue=true")) == []
    frozen_clock.set(task.info.due_on + datetime.timedelta(days=1))
    assert ids(api.get("/api/v1/tasks/?overdue=true")) == [task.pk]
    assert ids(api.get("/api/v1/tasks/?overdue=false")) == []
    assert api.get(f"/api/v1/tasks/{task.pk}/").json()["overdue"] is True


def test_it_lets_the_auditor_see_every_task_but_work_none(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    api = as_user(world.auditor)
    response = api.get("/api/v1/tasks/?view=all")
    assert len(ids(response)) == 2
    assert all(item["actions"] == [] for item in response.json()["results"])
    body = problem(api.post(f"/api/v1/tasks/{open_task(plan, world.board).pk}/claim/"), 403)
    assert "secretary" in body["detail"]


def test_it_hides_tasks_from_people_outside_the_partnership(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    api = as_user(world.outsider)
    assert ids(api.get("/api/v1/tasks/?view=all")) == []
    problem(api.get(f"/api/v1/tasks/{task.pk}/"), 404)
    problem(api.post(f"/api/v1/tasks/{task.pk}/claim/"), 404)
    problem(api.get("/api/v1/tasks/nope/"), 404)


def test_it_refuses_anonymous_callers(world, frozen_clock, api):
    submitted_plan(world)
    assert api.get("/api/v1/tasks/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("view=everything", "view"),
        ("mine=perhaps", "mine"),
        ("overdue=soon", "overdue"),
        ("body=no-such-board", "body"),
        ("plan=abc", "plan"),
        ("plan=999999", "plan"),
    ],
)
def test_it_names_the_bad_filter(world, frozen_clock, as_user, query, field):
    body = problem(as_user(world.board_secretary).get(f"/api/v1/tasks/?{query}"), 400)
    assert field in body["errors"]


def test_it_issues_the_same_queries_for_one_task_and_a_thousand(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    template = open_task(plan, world.board)
    api = as_user(world.board_secretary)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url)
        assert response.status_code == 200
        return len(queries)

    urls = ["/api/v1/tasks/", "/api/v1/tasks/?view=queue&overdue=false",
            "/api/v1/tasks/?view=all&limit=500"]
    one = [count(url) for url in urls]
    copies = open_task_copies(template, 999, bodies=[world.board, world.safeguarding])
    Notification.objects.create(task_id=copies[0], kind=NotificationKind.REMINDER,
                                due_on=template.info.due_on, subject="s", body="b",
                                created_at=frozen_clock())
    assert api.get("/api/v1/tasks/").json()["count"] == 501
    assert [count(url) for url in urls] == one


# Claim.


def test_it_records_who_claimed_a_task_in_the_audit_ledger(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    response = as_user(world.board_deputy).post(f"/api/v1/tasks/{task.pk}/claim/")
    assert response.json()["owner"] == "board_deputy"
    assert response.json()["status"] == STATUS.ASSIGNED
    event = AuditEvent.objects.get(action="task.claim")
    assert event.actor == world.board_deputy
    assert event.after["owner"] == "board_deputy"


def test_it_refuses_a_second_claim_with_409(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    routing.task_claim(task_id=task.pk, actor=world.board_secretary)
    body = problem(as_user(world.board_deputy).post(f"/api/v1/tasks/{task.pk}/claim/"), 409)
    assert "board_secretary" in body["detail"]


@pytest.mark.parametrize("role", ["safeguarding_secretary", "executive_member", "lead",
                                  "board_chair", "scrutiny_secretary"])
def test_it_refuses_claims_on_another_bodys_task_with_403(world, frozen_clock, as_user, role):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    problem(as_user(getattr(world, role)).post(f"/api/v1/tasks/{task.pk}/claim/"), 403)
    task.refresh_from_db()
    assert task.status == STATUS.NEW


# Complete.


def test_it_takes_a_plan_from_submission_to_call_in_through_the_tasks_api(world, frozen_clock,
                                                                        as_user):
    plan = submitted_plan(world)
    for body, user in ((world.board, world.board_secretary),
                       (world.safeguarding, world.safeguarding_secretary)):
        task = open_task(plan, body)
        api = as_user(user)
        response = api.post(f"/api/v1/tasks/{task.pk}/complete/", DECISION, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["body"] == body.slug
        assert response.json()["minute_reference"] == "YB/2016/12"
    plan.refresh_from_db()
    assert plan.stage == Stage.EXECUTIVE_APPROVAL
    task = open_task(plan, kind=TaskKind.EXECUTIVE_DECISION)
    api = as_user(world.executive_member)
    assert ids(api.get("/api/v1/tasks/")) == [task.pk]
    response = api.post(f"/api/v1/tasks/{task.pk}/complete/", DECISION, format="json")
    assert response.status_code == 201
    plan.refresh_from_db()
    assert plan.stage == Stage.CALL_IN
    call_in = open_task(plan, kind=TaskKind.CALL_IN)
    assert ids(as_user(world.scrutiny_secretary).get("/api/v1/tasks/")) == [call_in.pk]


def test_it_gives_a_redraft_to_the_lead_officer_and_completes_it_with_a_new_version(
        world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    referral = {**DECISION, "outcome": "referred_back", "reasons": "Add the CAMHS priority."}
    response = as_user(world.board_secretary).post(f"/api/v1/tasks/{task.pk}/complete/",
                                                   referral, format="json")
    assert response.status_code == 201
    redraft = open_task(plan, kind=TaskKind.REDRAFT)
    api = as_user(world.lead)
    [item] = api.get("/api/v1/tasks/").json()["results"]
    assert item["id"] == redraft.pk
    assert "Add the CAMHS priority." in item["comments"]
    # The referred version cannot go back unchanged.
    problem(api.post(f"/api/v1/tasks/{redraft.pk}/complete/", {}, format="json"), 409)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    response = api.post(f"/api/v1/tasks/{redraft.pk}/complete/",
                        {"reasons": "CAMHS priority added."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == Stage.PARTNERSHIP_APPROVAL
    assert response.json()["current_version"]["number"] == 2
    redraft.refresh_from_db()
    assert redraft.status == STATUS.DONE
    assert {t.info.body for t in routing.open_tasks(plan)} == {world.board, world.safeguarding}


def test_it_refuses_another_bodys_secretary_completing_a_task(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    body = problem(as_user(world.safeguarding_secretary).post(
        f"/api/v1/tasks/{task.pk}/complete/", DECISION, format="json"), 403)
    assert "YorOK Board" in body["detail"]
    assert not Decision.objects.exists()


def test_it_refuses_an_executive_member_recording_a_board_decision(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    problem(as_user(world.executive_member).post(
        f"/api/v1/tasks/{task.pk}/complete/", DECISION, format="json"), 403)


def submitted_by_deputy(world: World) -> Plan:
    """A plan submitted by the board's deputy secretary, deputising for its lead officer."""
    from governance.models import Membership, Role
    from tests.conftest import make_plan
    from workflows.services import plan_close_consultation, plan_start_consultation, plan_submit

    Membership.objects.filter(user=world.lead, role=Role.LEAD_OFFICER).update(
        deputy=world.board_deputy)
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    plan_start_consultation(plan=plan, actor=world.lead)
    plan_close_consultation(plan=plan, actor=world.lead)
    publish_summary(plan, world.lead)
    return plan_submit(plan=plan, actor=world.board_deputy)


def test_it_refuses_the_submitter_approving_their_own_version(world, frozen_clock, as_user):
    plan = submitted_by_deputy(world)
    task = open_task(plan, world.board)
    body = problem(as_user(world.board_deputy).post(
        f"/api/v1/tasks/{task.pk}/complete/", DECISION, format="json"), 403)
    assert "submitted" in body["detail"]


def test_it_refuses_the_lead_officer_recording_the_executive_decision(world, frozen_clock,
                                                                     as_user):
    from governance.models import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.lead, body=world.executive, role=Role.EXECUTIVE_MEMBER)
    plan = submitted_by_deputy(world)  # so only the lead-officer rule can refuse the lead
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    task = open_task(plan, kind=TaskKind.EXECUTIVE_DECISION)
    body = problem(as_user(world.lead).post(
        f"/api/v1/tasks/{task.pk}/complete/", DECISION, format="json"), 403)
    assert "lead officer" in body["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"votes_for": 9}, "votes_for"),
        ({"decided_on": "2016-07-15"}, "decided_on"),
        ({"outcome": "rubber-stamped"}, "outcome"),
        ({"attendance": -1}, "attendance"),
    ],
)
def test_it_names_the_field_of_a_bad_decision(world, frozen_clock, as_user, change, field):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    body = problem(as_user(world.board_secretary).post(
        f"/api/v1/tasks/{task.pk}/complete/", {**DECISION, **change}, format="json"), 400)
    assert any(key.startswith(field) for key in body["errors"]), body
    task.refresh_from_db()
    assert task.status == STATUS.NEW


def test_it_refuses_an_approval_below_quorum_with_a_clear_message(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    body = problem(as_user(world.board_secretary).post(
        f"/api/v1/tasks/{task.pk}/complete/",
        {**DECISION, "attendance": 2, "votes_for": 2}, format="json"), 400)
    assert "quorum" in str(body["errors"]).lower()


def test_it_refuses_completing_a_task_someone_else_claimed(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    routing.task_claim(task_id=task.pk, actor=world.board_secretary)
    body = problem(as_user(world.board_deputy).post(
        f"/api/v1/tasks/{task.pk}/complete/", DECISION, format="json"), 409)
    assert "board_secretary" in body["detail"]


def test_it_refuses_completing_a_task_twice(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    api = as_user(world.board_secretary)
    assert api.post(f"/api/v1/tasks/{task.pk}/complete/", DECISION, format="json").status_code \
        == 201
    problem(api.post(f"/api/v1/tasks/{task.pk}/complete/", DECISION, format="json"), 409)
    assert Decision.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_answers_one_201_and_one_409_to_two_secretaries_completing_at_once():
    from plangov import clock
    from tests.conftest import build_world

    world: World = build_world()
    original = clock.source
    clock.source = lambda: datetime.datetime(2016, 7, 14, 10, tzinfo=datetime.UTC)
    try:
        plan = submitted_plan(world)
        task = open_task(plan, world.board)
        barrier = threading.Barrier(2, timeout=30)
        statuses: dict[int, tuple[int, str]] = {}

        def post(index: int, user: Any) -> None:
            client = APIClient()
            client.raise_request_exception = False
            client.force_authenticate(user)
            try:
                barrier.wait()
                response = client.post(f"/api/v1/tasks/{task.pk}/complete/", DECISION,
                                       format="json")
                statuses[index] = (response.status_code, response["Content-Type"])
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(i, user)) for i, user in
                   enumerate([world.board_secretary, world.board_deputy])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(statuses.values()) == [(201, "application/json"),
                                             (409, "application/problem+json")]
        assert Decision.objects.filter(plan=plan).count() == 1
    finally:
        clock.source = original


# Reassign.


def test_it_reassigns_with_a_reason_and_audits_it(world, frozen_clock, as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    routing.task_claim(task_id=task.pk, actor=world.board_secretary)
    response = as_user(world.board_secretary).post(
        f"/api/v1/tasks/{task.pk}/reassign/",
        {"to": "board_deputy", "reason": "On leave until the 28th."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == "board_deputy"
    event = AuditEvent.objects.get(action="task.reassign")
    assert event.reason == "On leave until the 28th."
    assert event.before["owner"] == "board_secretary"
    assert event.after["owner"] == "board_deputy"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"to": "board_deputy", "reason": "  "}, "reason"),
        ({"to": "board_deputy"}, "reason"),
        ({"to": "nobody-at-all", "reason": "Leave"}, "to"),
        ({"to": "safeguarding_secretary", "reason": "Leave"}, "to"),
    ],
)
def test_it_names_what_is_wrong_with_a_reassignment(world, frozen_clock, as_user, payload,
                                                   field):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    routing.task_claim(task_id=task.pk, actor=world.board_secretary)
    body = problem(as_user(world.board_secretary).post(
        f"/api/v1/tasks/{task.pk}/reassign/", payload, format="json"), 400)
    assert field in body["errors"]
    task.refresh_from_db()
    assert task.owner == world.board_secretary
    assert not AuditEvent.objects.filter(action="task.reassign").exists()


def test_it_refuses_reassignment_by_someone_who_cannot_take_the_task(world, frozen_clock,
                                                                    as_user):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    problem(as_user(world.safeguarding_secretary).post(
        f"/api/v1/tasks/{task.pk}/reassign/", {"to": "board_deputy", "reason": "Leave"},
        format="json"), 403)


def test_it_documents_the_tasks_api_in_the_schema(world, as_user):
    schema = as_user(world.auditor).get("/api/schema/?format=json").json()
    for path in ("/api/v1/tasks/", "/api/v1/tasks/{id}/", "/api/v1/tasks/{id}/claim/",
                 "/api/v1/tasks/{id}/complete/", "/api/v1/tasks/{id}/reassign/"):
        assert path in schema["paths"], path
    names = {p["name"] for p in schema["paths"]["/api/v1/tasks/"]["get"]["parameters"]}
    assert {"view", "mine", "body", "plan", "overdue", "limit", "offset"} <= names
