"""Issue 11, items 5 and 6: a revision goes through approval while the plan stays adopted;
the end of a plan's period prompts its successor, whose adoption supersedes it."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.utils.html import escape
from viewflow.workflow.status import STATUS

from documents.drafts import draft_get, draft_save_version
from documents.models import (
    DocumentKind,
    DocumentStatus,
    Plan,
    PlanDraft,
    PlanKind,
    Review,
    ReviewKind,
    SignedDocument,
    Stage,
)
from documents.services import plan_create, version_create
from governance.audit import verify_chain
from governance.models import AuditEvent
from governance.models import DecisionOutcome as O
from plangov import clock
from plangov.errors import Conflict, Forbidden, InvalidInput, WrongStage
from tests.conftest import consult, decide, make_plan, open_task
from tests.factories import valid_content
from tests.workflows.test_guards import plan_in, reload, to_adopted, to_call_in
from workflows import routing
from workflows.lifecycle import PlanLifecycle
from workflows.models import Notification, NotificationKind, NotificationStatus, TaskKind
from workflows.services import plan_adopt, plan_revise, plan_submit, plan_withdraw
from workflows.successor import (
    next_period,
    plan_start_successor,
    plans_due_successor_prompt,
    successor_prompt_if_due,
)
from workflows.successor_flow import SuccessorPromptFlow
from workflows.tasks import scan_deadlines, scan_successor_prompts

pytestmark = pytest.mark.django_db


def a_review(plan: Plan, *, changes_priorities: bool = True) -> Review:
    """A review of the adopted version (workflows.reviews starts them; made here directly)."""
    return Review.objects.create(
        plan=plan, kind=ReviewKind.ANNUAL, year=clock.today().year, title="Annual review",
        version=plan.adopted_version, started_on=clock.today(), started_at=clock.now(),
        covers_from=plan.adopted_on or clock.today(), covers_to=clock.today(),
        changes_priorities=changes_priorities,
    )


def revised(world: Any, plan: Plan, vision: str = "Revised.", **kwargs: Any) -> Plan:
    plan = plan_revise(plan=plan, actor=world.lead, **kwargs)
    version_create(plan=plan, actor=world.lead, content=valid_content(vision=vision))
    return consult(world, reload(plan))


# Revision


def test_a_revision_goes_through_approval_while_the_adopted_version_stays_in_force(
        world, frozen_clock):
    plan = plan_in(world, frozen_clock, Stage.ADOPTED)
    first = plan.adopted_version
    review = a_review(plan)
    plan = revised(world, plan, review=review)
    assert plan.stage == Stage.DRAFTING and plan.drafting_cycle == 2
    plan = plan_submit(plan=plan, actor=world.lead)
    review.refresh_from_db()
    assert review.revision == plan.current_version and plan.current_version.number == 2
    assert reload(plan).adopted_version_id == first.pk

    plan = to_call_in(world, plan)
    assert plan.adopted_version_id == first.pk  # still in force during call-in
    frozen_clock.set(plan.call_in_ends_on + datetime.timedelta(days=1))
    plan = reload(plan_adopt(plan=plan, actor=None))
    assert plan.stage == Stage.ADOPTED
    assert plan.adopted_version.number == 2 and plan.adopted_on == plan.call_in_ends_on
    # The review date moves a year on from the revision's adoption.
    assert plan.review_date == plan.adopted_on.replace(year=plan.adopted_on.year + 1)
    review.refresh_from_db()
    assert review.revision_id == plan.adopted_version_id
    changes = [e.after["adopted_version"] for e in AuditEvent.objects.filter(
        plan_id=plan.pk, action="plan.adopt").order_by("seq")]
    assert changes == [1, 2]
    assert verify_chain().ok


def test_a_referral_back_of_the_revision_links_the_review_to_the_next_version(
        world, frozen_clock):
    plan = plan_in(world, frozen_clock, Stage.ADOPTED)
    review = a_review(plan)
    plan = plan_submit(plan=revised(world, plan, review=review), actor=world.lead)
    decide(world, plan, world.board, O.REFERRED_BACK)
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Third."))
    plan = plan_submit(plan=reload(plan), actor=world.lead)
    review.refresh_from_db()
    assert review.revision.number == 3
    assert reload(plan).adopted_version.number == 1


def test_withdrawing_the_revision_leaves_the_adopted_plan_untouched(world, frozen_clock):
    plan = plan_in(world, frozen_clock, Stage.ADOPTED)
    before = (plan.adopted_version_id, plan.adopted_at, plan.adopted_on, plan.review_date)
    plan = plan_submit(plan=revised(world, plan), actor=world.lead)
    decide(world, plan, world.board, O.APPROVED)
    assert routing.active_process(plan) is not None
    actions = {a["action"]: a["label"] for a in
               PlanLifecycle(reload(plan)).available_actions(world.lead)}
    assert actions["withdraw"] == "Withdraw the revision"

    plan = plan_withdraw(plan=reload(plan), actor=world.lead, reason="Priorities unchanged.")
    assert plan.stage == Stage.ADOPTED  # never withdrawn
    plan = reload(plan)
    assert (plan.adopted_version_id, plan.adopted_at, plan.adopted_on,
            plan.review_date) == before
    assert plan.current_version_id == plan.adopted_version_id
    assert routing.active_process(plan) is None and not routing.open_tasks(plan).exists()
    event = AuditEvent.objects.filter(plan_id=plan.pk).order_by("-seq").first()
    assert (event.action, event.before["stage"], event.after["stage"]) == (
        "plan.withdraw", "partnership_approval", "adopted")
    assert (event.before["current_version"], event.after["current_version"],
            event.after["adopted_version"]) == (2, 1, 1)
    # It can be revised again later, in a new cycle.
    assert plan_revise(plan=plan, actor=world.lead).drafting_cycle == 3


def test_a_plan_never_adopted_still_withdraws(world, frozen_clock):
    plan = plan_in(world, frozen_clock, Stage.PARTNERSHIP_APPROVAL)
    assert plan_withdraw(plan=plan, actor=world.lead, reason="Merged.").stage == Stage.WITHDRAWN


def test_revise_refuses_a_review_that_does_not_fit(world, frozen_clock):
    plan = plan_in(world, frozen_clock, Stage.ADOPTED)
    unchanged = a_review(plan, changes_priorities=False)
    with pytest.raises(InvalidInput) as error:
        plan_revise(plan=plan, actor=world.lead, review=unchanged)
    assert "does not change" in error.value.errors["review"][0]
    other = make_plan(world)
    with pytest.raises(WrongStage):  # a drafting plan is not revised
        plan_revise(plan=other, actor=world.lead)
    with pytest.raises(Forbidden):
        plan_revise(plan=plan, actor=world.board_secretary)
    assert reload(plan).stage == Stage.ADOPTED


def test_the_revision_is_shown_in_progress_and_the_adopted_version_in_force(
        world, frozen_clock, client):
    plan = plan_in(world, frozen_clock, Stage.ADOPTED)
    plan = plan_submit(plan=revised(world, plan), actor=world.lead)
    client.force_login(world.lead)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "In force" in html and "Adopted version 1" in html
    assert "Revision in progress" in html and "version 2" in html
    assert "Withdraw the revision" in html
    listed = client.get("/plans/").content.decode()  # the plans list says so too
    assert "Revision in progress" in listed
    page = client.get(f"/plans/{plan.pk}/actions/withdraw/confirm/")
    assert "The plan stays adopted" in page.content.decode()
    # The public site shows the adopted version as in force, with the revision in progress.
    html = client.get("/p/yorok/").content.decode()
    assert escape(plan.title) in html and "Adopted: in force" in html
    assert "Revision in progress" in html and "(version 1)" in html


def test_the_public_site_downloads_only_the_adopted_versions_pdf_during_a_revision(
        world, frozen_clock, client, settings, tmp_path):
    from tests.documents.test_public_site import publish_document

    settings.PLANGOV_DOCUMENT_DIR = tmp_path / "documents"
    plan = plan_in(world, frozen_clock, Stage.ADOPTED)
    adopted_pdf = publish_document(plan)
    plan = reload(plan_submit(plan=revised(world, plan), actor=world.lead))
    revision_pdf = SignedDocument.objects.create(
        key=f"plan/{plan.pk}/revision", kind=DocumentKind.PLAN, plan=plan,
        version=plan.current_version, requested_at=clock.now(), status=DocumentStatus.DONE)
    assert adopted_pdf.version_id == plan.adopted_version_id
    assert client.get(f"/p/yorok/documents/{adopted_pdf.pk}/").status_code == 200
    assert client.get(f"/p/yorok/documents/{revision_pdf.pk}/").status_code == 404


# The migration of plans under review


def test_the_migration_moves_plans_under_review_to_adopted(world, frozen_clock):
    migration = importlib.import_module("documents.migrations.0012_plans_under_review_adopted")
    plan = plan_in(world, frozen_clock, Stage.ADOPTED)
    drafting = make_plan(world)
    Plan.objects.filter(pk=plan.pk).update(stage="under_review")
    migration.under_review_to_adopted(apps, None)
    assert reload(plan).stage == Stage.ADOPTED
    assert reload(drafting).stage == Stage.DRAFTING
    assert "revise" in PlanLifecycle(reload(plan)).possible_actions()


# End of period: the prompt


def current_plan(world: Any, frozen_clock: Any) -> Plan:
    """A CYPP for April 2016 to March 2019, adopted in July 2016."""
    plan = plan_create(
        actor=world.lead, partnership=world.partnership, title="Children and Young People's Plan",
        kind=PlanKind.CYPP, period_start=datetime.date(2016, 4, 1),
        period_end=datetime.date(2019, 3, 31), owning_body=world.board,
        lead_officer=world.lead, approving_bodies=[world.board, world.safeguarding],
        executive_body=world.executive,
    )
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="First plan."))
    consult(world, plan)
    return to_adopted(world, frozen_clock, plan_submit(plan=plan, actor=world.lead))


def test_it_prompts_the_lead_officer_once_six_months_before_the_period_ends(
        world, frozen_clock, django_capture_on_commit_callbacks):
    plan = current_plan(world, frozen_clock)
    world.lead.email = "lead@example.org"
    world.lead.save()
    mail.outbox.clear()
    frozen_clock.set(datetime.date(2018, 9, 29))
    assert scan_successor_prompts() == 0
    assert not routing.open_tasks(plan).exists() and mail.outbox == []

    frozen_clock.set(datetime.date(2018, 9, 30))  # six months before 31 March 2019
    with django_capture_on_commit_callbacks(execute=True):  # the email goes once committed
        assert scan_successor_prompts() == 1
    task = open_task(plan, kind=TaskKind.START_SUCCESSOR)
    assert task.owner == world.lead and task.info.body is None
    assert task.flow_task == SuccessorPromptFlow.start_successor
    assert task.info.due_on == datetime.date(2018, 10, 30)
    [message] = mail.outbox
    assert message.to == ["lead@example.org"]
    assert message.subject == (f"Start the successor to {plan.title}: its period ends on "
                               "31 March 2019")
    assert f"/tasks/{task.pk}/" in message.body
    notification = Notification.objects.get(task=task)
    assert (notification.kind, notification.status) == (
        NotificationKind.PROMPT, NotificationStatus.SENT)
    assert reload(plan).successor_prompted_at == clock.now()
    [event] = AuditEvent.objects.filter(action="plan.successor_prompt")
    assert event.after["recipients"] == ["lead"] and event.actor is None

    # Once only: a later scan, a redelivered message and the deadline scan add nothing.
    frozen_clock.advance(days=1)
    assert scan_successor_prompts() == 0
    assert successor_prompt_if_due(plan_id=plan.pk) is False
    scan_deadlines()
    assert len(mail.outbox) == 1
    assert routing.open_tasks(plan).filter(info__kind=TaskKind.START_SUCCESSOR).count() == 1
    assert verify_chain().ok


def test_the_prompt_months_are_configurable(world, frozen_clock, settings):
    settings.PLANGOV_SUCCESSOR_PROMPT_MONTHS = 9
    plan = current_plan(world, frozen_clock)
    assert plans_due_successor_prompt(datetime.date(2018, 6, 29)) == []
    assert plans_due_successor_prompt(datetime.date(2018, 6, 30)) == [plan.pk]


def test_no_prompt_for_a_plan_not_in_force_or_with_a_successor(world, frozen_clock):
    plan = current_plan(world, frozen_clock)
    make_plan(world)  # drafting: never prompted
    plan_start_successor(plan=plan, actor=world.lead)
    assert plans_due_successor_prompt(datetime.date(2018, 12, 1)) == []


def test_the_prompt_task_is_the_lead_officers_and_overdue_goes_to_them(world, frozen_clock):
    plan = current_plan(world, frozen_clock)
    frozen_clock.set(datetime.date(2018, 9, 30))
    scan_successor_prompts()
    mail.outbox.clear()
    task = open_task(plan, kind=TaskKind.START_SUCCESSOR)
    frozen_clock.set(datetime.date(2018, 10, 31))
    scan_deadlines()
    overdue = [m for m in mail.outbox if m.subject.startswith("Overdue")]
    assert len(overdue) == 1
    assert Notification.objects.filter(task=task, kind=NotificationKind.ESCALATION).exists()
    with pytest.raises(Forbidden):
        routing.task_claim(task_id=task.pk, actor=world.board_secretary)


# The successor


def test_starting_the_successor_copies_the_plan_and_completes_the_task(world, frozen_clock):
    plan = current_plan(world, frozen_clock)
    frozen_clock.set(datetime.date(2018, 9, 30))
    scan_successor_prompts()
    task = open_task(plan, kind=TaskKind.START_SUCCESSOR)

    successor = routing.task_complete(task_id=task.pk, actor=world.lead,
                                      title="Children and Young People's Plan 2019-22")
    assert successor.predecessor == plan
    assert (successor.period_start, successor.period_end) == (
        datetime.date(2019, 4, 1), datetime.date(2022, 3, 31))
    assert successor.title == "Children and Young People's Plan 2019-22"
    assert (successor.partnership, successor.owning_body, successor.executive_body,
            successor.kind, successor.lead_officer) == (
        plan.partnership, plan.owning_body, plan.executive_body, plan.kind, plan.lead_officer)
    assert set(successor.approving_bodies.all()) == {world.board, world.safeguarding}
    assert successor.stage == Stage.DRAFTING and successor.current_version is None
    draft = PlanDraft.objects.get(plan=successor)
    assert draft.content == plan.adopted_version.content
    task.refresh_from_db()
    assert task.status == STATUS.DONE
    assert not routing.open_tasks(plan).exists()
    assert AuditEvent.objects.filter(action="plan.start_successor", plan_id=plan.pk).count() == 1

    with pytest.raises(Conflict, match="already been started"):
        plan_start_successor(plan=plan, actor=world.lead)


def test_only_the_lead_starts_a_successor_of_an_adopted_plan(world, frozen_clock):
    plan = current_plan(world, frozen_clock)
    with pytest.raises(Forbidden):
        plan_start_successor(plan=plan, actor=world.board_secretary)
    with pytest.raises(WrongStage):
        plan_start_successor(plan=make_plan(world), actor=world.lead)
    with pytest.raises(InvalidInput):
        plan_start_successor(plan=plan, actor=world.lead, title="Bad\x00title")
    assert not plan.successors.exists()


def test_next_period_keeps_whole_months_or_days():
    plan = Plan(period_start=datetime.date(2016, 4, 1), period_end=datetime.date(2019, 3, 31))
    assert next_period(plan) == (datetime.date(2019, 4, 1), datetime.date(2022, 3, 31))
    plan = Plan(period_start=datetime.date(2016, 4, 5), period_end=datetime.date(2016, 4, 14))
    assert next_period(plan) == (datetime.date(2016, 4, 15), datetime.date(2016, 4, 24))


def test_adopting_the_successor_supersedes_the_plan_and_both_link(world, frozen_clock, client):
    plan = current_plan(world, frozen_clock)
    successor = plan_start_successor(plan=plan, actor=world.lead)
    draft = draft_get(plan=successor, actor=world.lead)
    draft_save_version(plan=successor, expected_revision=draft.revision, actor=world.lead)
    successor = reload(successor)
    assert successor.current_version.content == plan.adopted_version.content
    consult(world, successor)
    successor = plan_submit(plan=reload(successor), actor=world.lead)
    assert reload(plan).stage == Stage.ADOPTED  # still in force while the successor is approved
    successor = to_call_in(world, successor)
    frozen_clock.set(successor.call_in_ends_on + datetime.timedelta(days=1))
    plan_adopt(plan=successor, actor=world.lead)

    plan, successor = reload(plan), reload(successor)
    assert successor.stage == Stage.ADOPTED
    assert plan.stage == Stage.SUPERSEDED and plan.superseded_by == successor
    assert successor.predecessor == plan and list(plan.successors.all()) == [successor]
    event = AuditEvent.objects.filter(plan_id=plan.pk).order_by("-seq").first()
    assert (event.action, event.after["superseded_by"], event.actor) == (
        "plan.supersede", successor.pk, world.lead)
    assert verify_chain().ok

    client.force_login(world.lead)
    old_page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Superseded by" in old_page and f'href="/plans/{successor.pk}/"' in old_page
    new_page = client.get(f"/plans/{successor.pk}/").content.decode()
    assert "Succeeds" in new_page and f'href="/plans/{plan.pk}/"' in new_page
    client.logout()
    public = client.get("/p/yorok/").content.decode()
    assert f'id="plan-{plan.pk}"' in public and f'id="plan-{successor.pk}"' in public
    assert f'href="#plan-{successor.pk}"' in public and f'href="#plan-{plan.pk}"' in public


def test_adopting_the_successor_by_a_decision_supersedes_too(world, frozen_clock):
    plan = current_plan(world, frozen_clock)
    successor = plan_create(
        actor=world.lead, partnership=world.partnership, title="Next plan", kind=PlanKind.CYPP,
        period_start=datetime.date(2019, 4, 1), period_end=datetime.date(2022, 3, 31),
        owning_body=world.board, lead_officer=world.lead,
        approving_bodies=[world.board, world.safeguarding], executive_body=world.executive,
        subject_to_call_in=False,
    )
    Plan.objects.filter(pk=successor.pk).update(predecessor=plan)
    version_create(plan=successor, actor=world.lead, content=valid_content())
    consult(world, reload(successor))
    successor = plan_submit(plan=reload(successor), actor=world.lead)
    decide(world, successor, world.board, O.APPROVED)
    decide(world, successor, world.safeguarding, O.APPROVED)
    decide(world, successor, world.executive, O.APPROVED)  # not subject to call-in: adopts
    assert reload(successor).stage == Stage.ADOPTED
    plan = reload(plan)
    assert plan.stage == Stage.SUPERSEDED and plan.superseded_by_id == successor.pk


def test_the_plan_page_offers_the_successor_and_the_task_page_leads_there(
        world, frozen_clock, client):
    plan = current_plan(world, frozen_clock)
    frozen_clock.set(datetime.date(2018, 9, 30))
    scan_successor_prompts()
    task = open_task(plan, kind=TaskKind.START_SUCCESSOR)
    client.force_login(world.lead)
    assert f'href="/plans/{plan.pk}/successor/"' in client.get(
        f"/plans/{plan.pk}/").content.decode()
    assert f'href="/plans/{plan.pk}/successor/"' in client.get(
        f"/tasks/{task.pk}/").content.decode()
    page = client.get(f"/plans/{plan.pk}/successor/")
    assert page.status_code == 200 and "1 April 2019 to 31 March 2022" in page.content.decode()
    bad = client.post(f"/plans/{plan.pk}/successor/", {"title": "x" * 300})
    assert bad.status_code == 400 and "govuk-error-summary" in bad.content.decode()
    response = client.post(f"/plans/{plan.pk}/successor/", {"title": ""})
    successor = plan.successors.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/{successor.pk}/"
    assert successor.title == plan.title
    task.refresh_from_db()
    assert task.status == STATUS.DONE
    again = client.get(f"/plans/{plan.pk}/successor/").content.decode()
    assert "already been started" in again
    client.force_login(world.board_secretary)
    assert client.post(f"/plans/{plan.pk}/successor/", {"title": ""}).status_code in {403, 404}


def test_the_api_completes_the_prompt_task_by_starting_the_successor(
        world, frozen_clock, as_user):
    plan = current_plan(world, frozen_clock)
    frozen_clock.set(datetime.date(2018, 9, 30))
    scan_successor_prompts()
    task = open_task(plan, kind=TaskKind.START_SUCCESSOR)
    listed = as_user(world.lead).get("/api/v1/tasks/").json()
    assert task.pk in [t["id"] for t in listed["results"]]
    refused = as_user(world.board_secretary).post(f"/api/v1/tasks/{task.pk}/complete/", {},
                                                  format="json")
    # The task is the lead officer's (assigned when made): not for a board's secretary.
    assert refused.status_code == 409 and "lead has claimed this task" in refused.json()["detail"]
    assert not plan.successors.exists()
    response = as_user(world.lead).post(f"/api/v1/tasks/{task.pk}/complete/",
                                        {"title": "Next CYPP"}, format="json")
    assert response.status_code == 200, response.content
    successor = plan.successors.get()
    assert response.json()["id"] == successor.pk and successor.title == "Next CYPP"


def test_the_api_revises_naming_the_review(world, frozen_clock, as_user):
    plan = plan_in(world, frozen_clock, Stage.ADOPTED)
    review = a_review(plan)
    response = as_user(world.lead).post(f"/api/v1/plans/{plan.pk}/actions/revise/",
                                        {"review": review.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "drafting"
    event = AuditEvent.objects.filter(plan_id=plan.pk).order_by("-seq").first()
    assert (event.action, event.after["review"]) == ("plan.revise", review.pk)
    other = a_review(plan_in(world, frozen_clock, Stage.ADOPTED))
    wrong = as_user(world.lead).post(f"/api/v1/plans/{plan.pk}/actions/revise/",
                                     {"review": other.pk}, format="json")
    assert wrong.status_code in {400, 409}


def test_superseding_a_plan_by_hand_cancels_its_prompt(world, frozen_clock):
    plan = current_plan(world, frozen_clock)
    frozen_clock.set(datetime.date(2018, 9, 30))
    scan_successor_prompts()
    task = open_task(plan, kind=TaskKind.START_SUCCESSOR)
    from workflows.services import plan_supersede

    plan_supersede(plan=plan, actor=world.lead, reason="Replaced by the county plan.")
    task.refresh_from_db()
    assert task.status == STATUS.CANCELED
    assert not routing.open_tasks(plan).exists()
