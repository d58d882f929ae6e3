"""Auditors read and never write (issue 12, item 7).

An AUDITOR membership lets its holder read the plans, history and documents of that body's
partnership, and nothing of any other; an EXTERNAL_AUDITOR reads every partnership's. Neither
changes or asks for anything: every write door answers 403 saying so, and reading writes no
audit event."""

from __future__ import annotations

import pytest

from documents.models import DocumentKind, SignedDocument, Stage
from governance.models import AuditEvent
from governance.policy import READS_ONLY
from tests.conftest import open_task
from tests.factories import BodyFactory, valid_content

from .conftest import (
    adopted_plan,
    external_auditor,
    other_partnership_plan,
    plan_in_stage,
    plan_url,
    problem,
)

DECISION = {"body": "yorok-board", "outcome": "approved", "decided_on": "2016-07-14",
            "attendance": 8, "votes_for": 7}
FORM = {"outcome": "approved", "decided_on": "2016-07-14", "attendance": "8",
        "minute_reference": "YB/2016/12", "votes_for": "7", "votes_against": "0",
        "votes_abstaining": "1", "declarations_of_interest": "", "reasons": "Agreed."}


# Reading: one partnership for an auditor, every partnership for an external auditor.


def test_it_shows_an_auditor_their_partnerships_plan_history_and_documents(
    world, frozen_clock, as_user
):
    plan = adopted_plan(world, frozen_clock)
    api = as_user(world.auditor)
    events = AuditEvent.objects.count()
    assert api.get(plan_url(plan)).status_code == 200
    assert api.get(plan_url(plan, "history/")).json()["count"] == events
    assert api.get(plan_url(plan, "decisions/")).status_code == 200
    assert api.get(plan_url(plan, "versions/")).status_code == 200
    document = SignedDocument.objects.get(plan=plan, kind=DocumentKind.PLAN)
    listed = api.get(f"/api/v1/documents/?plan={plan.pk}").json()["results"]
    assert [d["id"] for d in listed] == [document.pk]
    assert api.get(f"/api/v1/documents/{document.pk}/").status_code == 200
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("tail", ["", "history/", "decisions/", "versions/"])
def test_it_hides_another_partnerships_plan_from_an_auditor(world, as_user, tail):
    theirs = other_partnership_plan()
    problem(as_user(world.auditor).get(plan_url(theirs, tail)), 404)


def test_it_hides_another_partnerships_documents_from_an_auditor(world, frozen_clock, as_user):
    ours = adopted_plan(world, frozen_clock)
    theirs = other_partnership_plan()
    hidden = SignedDocument.objects.create(
        key=f"decision-notice/elsewhere-{theirs.pk}", kind=DocumentKind.DECISION_NOTICE,
        plan=theirs, version=ours.adopted_version, content_sha256="0" * 64,
        requested_at=frozen_clock(),
    )
    api = as_user(world.auditor)
    listed = {d["id"] for d in api.get("/api/v1/documents/").json()["results"]}
    assert hidden.pk not in listed and listed
    assert api.get(f"/api/v1/documents/?plan={theirs.pk}").json()["results"] == []
    problem(api.get(f"/api/v1/documents/{hidden.pk}/"), 404)
    problem(api.get(f"/api/v1/documents/{hidden.pk}/file/"), 404)


def test_it_refuses_the_auditor_a_document_on_another_partnerships_plan(world, as_user):
    """The reported case: an auditor asked for a decision notice on another partnership's
    plan and wrote an event into its history."""
    theirs = other_partnership_plan()
    events = AuditEvent.objects.count()
    problem(as_user(world.auditor).post(
        "/api/v1/documents/", {"plan": theirs.pk, "kind": "decision_notice", "decision": 1},
        format="json"), 404)
    assert AuditEvent.objects.count() == events
    assert not SignedDocument.objects.exists()


def test_it_shows_an_external_auditor_every_partnership_but_lets_them_ask_for_nothing(
    world, frozen_clock, as_user
):
    ours = adopted_plan(world, frozen_clock)
    theirs = other_partnership_plan()
    api = as_user(external_auditor(world))
    assert {p["id"] for p in api.get("/api/v1/plans/").json()["results"]} == {ours.pk, theirs.pk}
    assert api.get(plan_url(theirs, "history/")).json()["count"] == 1
    events = AuditEvent.objects.count()
    documents = SignedDocument.objects.count()
    for plan in (ours, theirs):
        body = problem(api.post("/api/v1/documents/", {"plan": plan.pk, "kind": "plan"},
                                format="json"), 403)
        assert body["detail"].startswith(READS_ONLY)
        body = problem(api.post(plan_url(plan, "actions/withdraw/"), {"reason": "x"},
                                format="json"), 409 if plan is ours else 403)
    body = problem(api.post("/api/v1/plans/", {}, format="json"), 403)
    assert body["detail"].startswith(READS_ONLY)
    assert AuditEvent.objects.count() == events
    assert SignedDocument.objects.count() == documents


# Writing: every door answers 403 to an auditor of the plan's own partnership.


def test_it_refuses_an_auditor_a_signed_document(world, frozen_clock, as_user, client):
    plan = adopted_plan(world, frozen_clock)
    decision = plan.decisions.first()
    events, documents = AuditEvent.objects.count(), SignedDocument.objects.count()
    api = as_user(world.auditor)
    for data in ({"plan": plan.pk, "kind": "plan"},
                 {"plan": plan.pk, "kind": "decision_notice", "decision": decision.pk},
                 {"plan": plan.pk, "kind": "executive_report"}):
        body = problem(api.post("/api/v1/documents/", data, format="json"), 403)
        assert body["detail"].startswith(READS_ONLY)
    client.force_login(world.auditor)
    page = client.post(f"/plans/{plan.pk}/documents/",
                       {"kind": "decision_notice", "decision": decision.pk})
    assert page.status_code == 403
    assert READS_ONLY in page.content.decode()
    assert (AuditEvent.objects.count(), SignedDocument.objects.count()) == (events, documents)


def test_it_refuses_an_auditor_every_task_door(world, frozen_clock, as_user, client):
    plan = plan_in_stage(world, frozen_clock, Stage.PARTNERSHIP_APPROVAL)
    task = open_task(plan, world.board)
    events = AuditEvent.objects.count()
    api = as_user(world.auditor)
    for tail, data in (("claim/", {}), ("complete/", {k: v for k, v in DECISION.items()
                                                      if k != "body"}),
                       ("reassign/", {"to": "board_secretary", "reason": "Away."})):
        body = problem(api.post(f"/api/v1/tasks/{task.pk}/{tail}", data, format="json"), 403)
        assert body["detail"].startswith(READS_ONLY), tail
    client.force_login(world.auditor)
    for tail, data in (("claim/", {}), ("complete/", FORM),
                       ("reassign/", {"to": world.board_secretary.pk, "reason": "Away."})):
        page = client.post(f"/tasks/{task.pk}/{tail}", data)
        assert page.status_code == 403, (tail, page.content[:300])
        assert READS_ONLY in page.content.decode()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("stage", "action"), [
    (Stage.DRAFTING, "start_consultation"), (Stage.DRAFTING, "withdraw"),
    (Stage.CALL_IN, "adopt"), (Stage.ADOPTED, "revise"),
])
def test_it_refuses_an_auditor_every_plan_action(world, frozen_clock, as_user, client, stage,
                                                 action):
    plan = plan_in_stage(world, frozen_clock, stage)
    events = AuditEvent.objects.count()
    body = problem(as_user(world.auditor).post(plan_url(plan, f"actions/{action}/"),
                                               {"reason": "Mine."}, format="json"), 403)
    assert body["detail"].startswith(READS_ONLY)
    client.force_login(world.auditor)
    page = client.post(f"/plans/{plan.pk}/actions/{action}/", {"reason": "Mine."})
    assert page.status_code == 403
    assert READS_ONLY in page.content.decode()
    assert AuditEvent.objects.count() == events


def test_it_refuses_an_auditor_versions_decisions_plans_and_the_report(
    world, frozen_clock, as_user, client
):
    drafting = plan_in_stage(world, frozen_clock, Stage.DRAFTING)
    approving = plan_in_stage(world, frozen_clock, Stage.PARTNERSHIP_APPROVAL)
    events = AuditEvent.objects.count()
    api = as_user(world.auditor)
    for response in (
        api.post(plan_url(drafting, "versions/"), {"content": valid_content()}, format="json"),
        api.post(plan_url(approving, "decisions/"), DECISION, format="json"),
        api.post("/api/v1/plans/", {"title": "Mine"}, format="json"),
    ):
        assert problem(response, 403)["detail"].startswith(READS_ONLY)
    client.force_login(world.auditor)
    page = client.post(f"/plans/{drafting.pk}/report/", {"summary": "Mine."})
    assert page.status_code == 403
    assert READS_ONLY in page.content.decode()
    assert AuditEvent.objects.count() == events


def test_it_writes_no_audit_event_when_an_auditor_reads_every_page(
    world, frozen_clock, client
):
    plan = adopted_plan(world, frozen_clock)
    document = SignedDocument.objects.get(plan=plan)
    events = AuditEvent.objects.count()
    client.force_login(world.auditor)
    for url in ("/", "/tasks/", "/tasks/?view=queue", f"/plans/{plan.pk}/",
                f"/documents/{document.pk}/", f"/plans/{plan.pk}/report/"):
        assert client.get(url).status_code == 200, url
    assert AuditEvent.objects.count() == events
    # The plan page offers an auditor no form to ask for a document; the lead officer has one.
    assert "Make a signed decision notice" not in client.get(f"/plans/{plan.pk}/").content.decode()
    client.force_login(world.lead)
    assert "Make a signed decision notice" in client.get(f"/plans/{plan.pk}/").content.decode()


def test_it_keeps_plan_list_queries_constant_for_auditors(world, as_user, count_queries):
    from tests.conftest import make_plan

    auditor = as_user(world.auditor)
    make_plan(world)
    one = count_queries(lambda: auditor.get("/api/v1/plans/"))
    for _ in range(4):
        make_plan(world)
    other_partnership_plan()
    assert auditor.get("/api/v1/plans/").json()["count"] == 5
    assert count_queries(lambda: auditor.get("/api/v1/plans/")) == one
    outside = as_user(external_auditor(world))
    many = count_queries(lambda: outside.get("/api/v1/plans/"))
    assert outside.get("/api/v1/plans/").json()["count"] == 6
    make_plan(world)
    assert count_queries(lambda: outside.get("/api/v1/plans/")) == many


def test_it_lets_an_auditor_of_a_sub_group_read_its_partnership(world, as_user):
    """The role is per partnership, whichever of its bodies it is held on."""
    from tests.conftest import make_plan
    from tests.factories import MembershipFactory, UserFactory

    sub_group = BodyFactory(partnership=world.partnership, slug="cic", parent=world.board)
    auditor = UserFactory(username="cic-auditor")
    MembershipFactory(user=auditor, body=sub_group, role="auditor")
    plan = make_plan(world)
    api = as_user(auditor)
    assert [p["id"] for p in api.get("/api/v1/plans/").json()["results"]] == [plan.pk]
    problem(api.get(plan_url(other_partnership_plan())), 404)
