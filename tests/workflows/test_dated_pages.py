"""The page forms that fire dated acts: the plan page's consultation and submission buttons
take the date it happened, the redraft task's resubmission too, and the decision form; a date
out of order is a 400 whose error summary links to the field and names both dates."""

from __future__ import annotations

import datetime
from typing import Any

from documents.models import Stage
from documents.services import version_create
from governance.models import AuditEvent, Decision
from governance.models import DecisionOutcome as O
from tests.conftest import decide, open_task
from tests.factories import valid_content
from tests.workflows.test_chronology import replayed
from workflows.models import TaskKind

D = datetime.date


def text(response: Any) -> str:
    return response.content.decode()


def test_the_plan_page_submits_with_the_date_it_happened(world, frozen_clock, client):
    plan = replayed(world, submit=False)
    client.force_login(world.lead)
    page = text(client.get(f"/plans/{plan.pk}/"))
    assert 'id="on-submit"' in page and 'id="on-start_consultation"' in page
    events = AuditEvent.objects.count()
    response = client.post(f"/plans/{plan.pk}/actions/submit/", {"on": "18/12/2008"})
    assert response.status_code == 400
    page = text(response)
    assert 'class="govuk-error-summary"' in page and 'href="#on-submit"' in page
    assert "18 December 2008" in page and "19 December 2008" in page
    assert 'value="18/12/2008"' in page  # what was typed is kept
    assert AuditEvent.objects.count() == events
    response = client.post(f"/plans/{plan.pk}/actions/submit/", {"on": "not a date"})
    assert response.status_code == 400 and 'href="#on-submit"' in text(response)
    response = client.post(f"/plans/{plan.pk}/actions/submit/", {"on": "06/03/2009"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    assert plan.current_version.submitted_on == D(2009, 3, 6)


def test_the_plan_page_opens_and_closes_a_round_on_its_dates(world, frozen_clock, client):
    plan = replayed(world, submit=False)
    client.force_login(world.lead)
    assert client.post(f"/plans/{plan.pk}/actions/start_consultation/",
                       {"on": "2009-01-05"}).status_code == 302
    response = client.post(f"/plans/{plan.pk}/actions/close_consultation/", {"on": "2009-01-04"})
    assert response.status_code == 400 and 'href="#on-close_consultation"' in text(response)
    assert client.post(f"/plans/{plan.pk}/actions/close_consultation/",
                       {"on": ""}).status_code == 302  # blank: today
    rounds = plan.consultation_rounds.order_by("number")
    assert [(r.opens_on, r.closed_on) for r in rounds] == [
        (D(2008, 10, 1), D(2008, 12, 19)), (D(2009, 1, 5), D(2016, 7, 14))
    ]


def test_the_decision_form_refuses_a_date_before_the_submission(world, frozen_clock, client):
    plan = replayed(world)
    client.force_login(world.board_secretary)
    task = open_task(plan, world.board)
    form = {"outcome": "approved", "decided_on": "03/03/2009", "attendance": "8",
            "votes_for": "7", "votes_against": "0", "votes_abstaining": "0"}
    response = client.post(f"/tasks/{task.pk}/complete/", form)
    assert response.status_code == 400
    page = text(response)
    assert 'href="#id_decided_on"' in page
    assert "3 March 2009" in page and "6 March 2009" in page
    assert not Decision.objects.exists()
    response = client.post(f"/tasks/{task.pk}/complete/", {**form, "decided_on": "10/03/2009"})
    assert response.status_code == 302


def test_the_redraft_task_resubmits_on_the_date_it_happened(world, frozen_clock, client):
    plan = replayed(world)
    decide(world, plan, world.board, O.REFERRED_BACK, decided_on=D(2009, 3, 10))
    version_create(plan=plan, actor=world.lead, content=valid_content(vision="Redrafted."),
                   effective_on=D(2009, 3, 20))
    task = open_task(plan, kind=TaskKind.REDRAFT)
    client.force_login(world.lead)
    assert 'name="submitted_on"' in text(client.get(f"/tasks/{task.pk}/"))
    response = client.post(f"/tasks/{task.pk}/complete/", {"reasons": "Redrafted.",
                                                           "submitted_on": "19/03/2009"})
    assert response.status_code == 400
    assert "19 March 2009" in text(response) and "20 March 2009" in text(response)
    response = client.post(f"/tasks/{task.pk}/complete/", {"reasons": "Redrafted.",
                                                           "submitted_on": "01/04/2009"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.current_version.submitted_on == D(2009, 4, 1)


def test_the_timeline_shows_when_each_act_happened_beside_when_it_was_recorded(world,
                                                                              frozen_clock,
                                                                              client):
    plan = replayed(world)
    client.force_login(world.lead)
    page = text(client.get(f"/plans/{plan.pk}/"))
    assert "submitted the plan for approval, dated <time datetime=\"2009-03-06\">" in page
    assert "opened the consultation, dated <time datetime=\"2008-10-01\">" in page
    assert page.count('<time datetime="2016-07-14') >= 5  # each recorded in July 2016
