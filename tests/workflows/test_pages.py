"""The inbox pages: tabs per role, claim, the decision form (quorum, votes, dates), reassign
with a reason, refusals as 403/409, the plan page's chart and timeline, and constant queries."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.status import STATUS

from documents.models import Stage
from governance.models import AuditEvent, Decision
from tests.bulk import open_task_copies
from tests.conftest import open_task, publish_summary, submitted_plan
from workflows import routing
from workflows.models import TaskKind

FORM = {"outcome": "approved", "decided_on": "2016-07-14", "attendance": "8",
        "minute_reference": "YB/2016/12", "votes_for": "7", "votes_against": "0",
        "votes_abstaining": "1", "declarations_of_interest": "", "reasons": "Agreed."}




def text(response: Any) -> str:
    return response.content.decode()


def test_it_asks_for_sign_in(world, client):
    response = client.get("/tasks/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("role", "sees"), [
    ("board_secretary", ["YorOK Board"]), ("board_deputy", ["YorOK Board"]),
    ("safeguarding_secretary", ["Children's Safeguarding Board"]), ("outsider", []),
    ("executive_member", []),
])
def test_it_shows_each_role_its_bodies_queue(world, frozen_clock, client, role, sees):
    submitted_plan(world)
    client.force_login(getattr(world, role))
    page = text(client.get("/tasks/?view=queue"))
    for name in ("YorOK Board", "Children's Safeguarding Board"):
        cell = f'<td class="govuk-table__cell">{name}</td>'.replace("'", "&#x27;")
        assert (cell in page) == (name in sees)


def test_it_claims_from_the_queue_and_lists_it_as_mine(world, frozen_clock, client):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    client.force_login(world.board_secretary)
    assert client.post(f"/tasks/{task.pk}/claim/").status_code == 302
    assert f"/tasks/{task.pk}/" in text(client.get("/tasks/?view=mine"))
    assert AuditEvent.objects.filter(action="task.claim").count() == 1
    client.force_login(world.board_deputy)
    response = client.post(f"/tasks/{task.pk}/claim/")
    assert response.status_code == 409
    assert "board_secretary" in text(response)


def test_it_records_a_decision_through_the_form_to_executive_approval(world, frozen_clock,
                                                                     client):
    plan = submitted_plan(world)
    for body, user in ((world.board, world.board_secretary),
                       (world.safeguarding, world.safeguarding_secretary)):
        client.force_login(user)
        response = client.post(f"/tasks/{open_task(plan, body).pk}/complete/", FORM)
        assert response.status_code == 302, text(response)[:2000]
    decision = Decision.objects.get(body=world.board)
    assert (decision.minute_reference, decision.votes_for, decision.votes_abstaining,
            decision.reasons) == ("YB/2016/12", 7, 1, "Agreed.")
    plan.refresh_from_db()
    assert plan.stage == Stage.EXECUTIVE_APPROVAL
    client.force_login(world.executive_member)
    executive = open_task(plan, kind=TaskKind.EXECUTIVE_DECISION)
    page = text(client.get(f"/tasks/{executive.pk}/"))
    assert "Endorsed and recommended to full council" in page
    # The meeting the boards recorded is not the executive's: it gives a new one.
    assert client.post(f"/tasks/{executive.pk}/complete/", FORM).status_code == 302
    plan.refresh_from_db()
    assert plan.stage == Stage.CALL_IN


def test_it_chooses_a_meeting_already_recorded(world, frozen_clock, client):
    from governance.models import Meeting

    meeting = Meeting.objects.create(body=world.board, date="2016-07-12", attendance=9)
    # Submitted the week before that meeting, recorded on 14 July: the decision follows it.
    frozen_clock.set(datetime.date(2016, 7, 4))
    plan = submitted_plan(world)
    frozen_clock.set(datetime.date(2016, 7, 14))
    client.force_login(world.board_secretary)
    form = {**FORM, "meeting": str(meeting.pk), "decided_on": "", "attendance": ""}
    assert client.post(f"/tasks/{open_task(plan, world.board).pk}/complete/", form
                       ).status_code == 302
    assert Decision.objects.get().meeting == meeting


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"attendance": "2", "votes_for": "2", "votes_abstaining": "0"}, "attendance", "quorum"),
    ({"votes_for": "9"}, "votes_for", "present"),
    ({"decided_on": "2016-07-15"}, "decided_on", "future"),
    ({"outcome": "rubber-stamped"}, "outcome", "valid choice"),
    ({"decided_on": ""}, "decided_on", "date of the meeting"),
])
def test_it_refuses_a_bad_decision_keeping_what_was_typed(world, frozen_clock, client, change,
                                                         field, words):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    client.force_login(world.board_secretary)
    response = client.post(f"/tasks/{task.pk}/complete/", {**FORM, **change})
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert f'href="#id_{field}"' in page
    assert words in page.lower() or words in page
    assert 'value="YB/2016/12"' in page  # nothing typed is lost
    task.refresh_from_db()
    assert task.status == STATUS.NEW
    assert not Decision.objects.exists()


def test_it_answers_403_to_another_bodys_secretary(world, frozen_clock, client):
    plan = submitted_plan(world)
    client.force_login(world.safeguarding_secretary)
    response = client.post(f"/tasks/{open_task(plan, world.board).pk}/complete/", FORM)
    assert response.status_code == 403
    assert "YorOK Board" in text(response)


def test_it_answers_409_to_completing_a_task_someone_else_claimed(world, frozen_clock, client):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    routing.task_claim(task_id=task.pk, actor=world.board_secretary)
    client.force_login(world.board_deputy)
    assert client.post(f"/tasks/{task.pk}/complete/", FORM).status_code == 409


def test_it_needs_a_reason_to_reassign_and_audits_it(world, frozen_clock, client):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    routing.task_claim(task_id=task.pk, actor=world.board_secretary)
    client.force_login(world.board_secretary)
    response = client.post(f"/tasks/{task.pk}/reassign/",
                           {"to": world.board_deputy.pk, "reason": ""})
    assert response.status_code == 400
    assert "This field is required" in text(response)
    task.refresh_from_db()
    assert task.owner == world.board_secretary
    response = client.post(f"/tasks/{task.pk}/reassign/",
                           {"to": world.board_deputy.pk, "reason": "On leave."})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == world.board_deputy
    assert AuditEvent.objects.get(action="task.reassign").reason == "On leave."


def test_it_offers_reassignment_only_to_people_who_can_take_the_task(world, frozen_clock,
                                                                    client):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    client.force_login(world.board_secretary)
    response = client.post(f"/tasks/{task.pk}/reassign/",
                           {"to": world.safeguarding_secretary.pk, "reason": "Help"})
    assert response.status_code == 400
    assert "valid choice" in text(response)


def test_it_shows_the_plan_with_its_chart_tasks_and_timeline(world, frozen_clock, client):
    plan = submitted_plan(world)
    client.force_login(world.lead)
    page = text(client.get(f"/plans/{plan.pk}/"))
    assert "<svg" in page
    assert "Record the board&#x27;s decision" in page
    assert "submitted the plan for approval" in page
    client.force_login(world.outsider)
    assert client.get(f"/plans/{plan.pk}/").status_code == 404


def test_it_submits_the_plan_from_its_page(world, frozen_clock, client):
    from documents.services import version_create
    from tests.conftest import make_plan
    from tests.factories import valid_content
    from workflows.services import plan_close_consultation, plan_start_consultation

    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    client.force_login(world.lead)
    response = client.post(f"/plans/{plan.pk}/actions/submit/")
    assert response.status_code == 409  # no consultation yet
    assert "consultation" in text(response).lower()
    plan_start_consultation(plan=plan, actor=world.lead)
    plan_close_consultation(plan=plan, actor=world.lead)
    publish_summary(plan, world.lead)
    assert client.post(f"/plans/{plan.pk}/actions/submit/").status_code == 302
    plan.refresh_from_db()
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    client.force_login(world.board_secretary)
    response = client.post(f"/plans/{plan.pk}/actions/withdraw/", {"reason": "Not needed."})
    assert response.status_code == 403


@pytest.mark.parametrize("view", ["queue", "mine", "archive"])
def test_it_renders_the_inbox_with_the_same_queries_for_one_task_and_a_thousand(
        world, frozen_clock, client, view):
    plan = submitted_plan(world)
    template = open_task(plan, world.board)
    client.force_login(world.board_secretary)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/tasks/?view={view}").status_code == 200
        return len(queries)

    def file_under_view() -> None:
        from viewflow.workflow.models import Task

        status = {"mine": STATUS.ASSIGNED, "archive": STATUS.DONE}.get(view)
        if status:
            Task.objects.filter(info__body=world.board).update(status=status,
                                                               owner=world.board_secretary)

    file_under_view()
    one = count()
    open_task_copies(template, 999, bodies=[world.board])
    file_under_view()
    assert count() == one


def test_the_inbox_counts_each_tab_once_and_reads_a_page_by_its_ids(  # type: ignore[no-untyped-def]
        world, frozen_clock, client):
    """The tab counts are made once a request (the tabs, the navigation and the paginator
    share them), and a page's tasks are the ones the full sort puts there, in that order,
    each linked to its task, its claim and its plan."""
    import re

    from workflows.inbox import View, inbox

    plan = submitted_plan(world)
    template = open_task(plan, world.board)
    days = [frozen_clock().date() + datetime.timedelta(days=d) for d in (9, -3, 4, 0, 12)]
    open_task_copies(template, 119, bodies=[world.board], due_on=days)
    client.force_login(world.board_secretary)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/tasks/?view=queue&page=2")
    assert response.status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT")]
    assert len(counts) == 2  # "assigned to me" and the queue, once each
    expected = list(inbox(world.board_secretary, view=View.QUEUE)
                    .values_list("pk", flat=True)[50:100])
    html = response.content.decode()
    shown = [int(pk) for pk in re.findall(r'href="/tasks/(\d+)/"', html)]
    assert shown == expected
    assert [int(pk) for pk in re.findall(r'action="/tasks/(\d+)/claim/"', html)] == expected
    from workflows.models import TaskInfo

    plan_of = dict(TaskInfo.objects.filter(pk__in=expected).values_list("pk", "plan_id"))
    linked = [int(pk) for pk in re.findall(r'<td class="govuk-table__cell"><a class="govuk-link" '
                                           r'href="/plans/(\d+)/"', html)]
    assert linked == [plan_of[pk] for pk in expected]
    assert "Queue (120)" in html


# Call-in and full council pages.


def _call_in_plan(world):  # type: ignore[no-untyped-def]
    from governance.models import DecisionOutcome as O
    from tests.conftest import decide

    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    decide(world, plan, world.executive, O.APPROVED)
    plan.refresh_from_db()
    assert plan.stage == Stage.CALL_IN
    return plan


CALL_IN_FORM = {"requesters": "Cllr Ann Reid\nCllr Ian Cuthbertson\nCllr Sian Wiseman",
                "requested_on": "14/07/2016", "reasons": "The costs are not in the report."}
OUTCOME_FORM = {"outcome": "referred_to_executive", "decided_on": "2016-07-14",
                "attendance": "6", "minute_reference": "LCS/2016/3", "votes_for": "4",
                "votes_against": "2", "votes_abstaining": "0", "reasons": "Reconsider."}


def test_it_records_a_call_in_request_and_then_the_committees_outcome(world, frozen_clock,
                                                                      client):
    from governance.models import CallInRequest

    plan = _call_in_plan(world)
    task = open_task(plan)
    client.force_login(world.scrutiny_secretary)
    page = text(client.get(f"/tasks/{task.pk}/"))
    assert "Record a call-in request" in page
    assert "A call-in is optional" in page
    assert "Thursday 21 July 2016" in page
    assert 'name="requesters"' in page and 'name="outcome"' not in page

    response = client.post(f"/tasks/{task.pk}/complete/", {**CALL_IN_FORM,
                                                            "requesters": "Cllr Ann Reid"})
    assert response.status_code == 400
    assert 'href="#id_requesters"' in text(response)
    assert "needs 3 members" in text(response)
    assert not CallInRequest.objects.exists()

    assert client.post(f"/tasks/{task.pk}/complete/", CALL_IN_FORM).status_code == 302
    request = CallInRequest.objects.get()
    assert request.requesters == ["Cllr Ann Reid", "Cllr Ian Cuthbertson", "Cllr Sian Wiseman"]

    outcome = open_task(plan)
    assert outcome.info.kind == TaskKind.CALL_IN_OUTCOME
    page = text(client.get(f"/tasks/{outcome.pk}/"))
    assert "The call-in request" in page and "Cllr Sian Wiseman" in page
    assert "No further action: the decision takes effect" in page
    assert "Referred to full council" in page
    assert 'name="alternatives_considered"' not in page
    assert client.post(f"/tasks/{outcome.pk}/complete/", OUTCOME_FORM).status_code == 302
    plan.refresh_from_db()
    assert plan.stage == Stage.EXECUTIVE_APPROVAL
    page = text(client.get(f"/plans/{plan.pk}/"))
    assert "recorded a call-in request" in page
    assert "recorded the scrutiny committee&#x27;s call-in outcome" in page


def test_it_offers_the_2012_record_fields_and_full_councils_decision(world, frozen_clock,
                                                                   client):
    from governance.models import DecisionOutcome as O
    from tests.conftest import add_full_council, decide

    add_full_council(world)
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    executive = open_task(plan, kind=TaskKind.EXECUTIVE_DECISION)
    client.force_login(world.executive_member)
    page = text(client.get(f"/tasks/{executive.pk}/"))
    assert "Alternative options considered and rejected" in page
    assert "Dispensations granted" in page
    form = {**FORM, "outcome": "endorsed", "alternatives_considered": "Do nothing.",
            "dispensations": "Cllr Reid, for the vote on item 4."}
    assert client.post(f"/tasks/{executive.pk}/complete/", form).status_code == 302
    decision = Decision.objects.get(body=world.executive)
    assert (decision.alternatives_considered, decision.dispensations) == (
        "Do nothing.", "Cllr Reid, for the vote on item 4.")
    plan.refresh_from_db()
    assert plan.stage == Stage.FULL_COUNCIL

    council = open_task(plan)
    client.force_login(world.council_secretary)
    page = text(client.get(f"/tasks/{council.pk}/"))
    assert "Record full council&#x27;s decision" in page
    assert "Endorsed" not in page
    assert client.post(f"/tasks/{council.pk}/complete/", FORM).status_code == 302
    plan.refresh_from_db()
    assert plan.stage == Stage.ADOPTED


def test_it_records_a_notices_publication_from_the_plan_page(world, frozen_clock, client,
                                                            settings):
    import datetime

    from governance.models import CallInRequest

    settings.PLANGOV_CALL_IN_STARTS = "publication"
    plan = _call_in_plan(world)
    assert plan.call_in_ends_on is None
    decision = Decision.objects.get(body=world.executive)
    client.force_login(world.executive_secretary)
    page = text(client.get(f"/plans/{plan.pk}/"))
    assert "The call-in period starts when the executive" in page
    url = f"/plans/{plan.pk}/decisions/{decision.pk}/publication/"
    assert url in page
    response = client.post(url, {"published_on": "13/07/2016"})
    assert response.status_code == 400
    assert "cannot come before the decision" in text(response)
    client.force_login(world.scrutiny_secretary)
    assert url not in text(client.get(f"/plans/{plan.pk}/"))
    assert client.post(url, {"published_on": "14/07/2016"}).status_code == 403
    client.force_login(world.executive_secretary)
    assert client.post(url, {"published_on": "14/07/2016"}).status_code == 302
    plan.refresh_from_db()
    assert plan.call_in_ends_on == datetime.date(2016, 7, 21)
    assert not CallInRequest.objects.exists()
