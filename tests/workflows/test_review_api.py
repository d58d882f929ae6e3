"""The reviews API: start (201, 409 on a duplicate year, 403), the review's detail, compile
with PUT, the lead officer's actions, and review tasks in /api/v1/tasks/."""

from __future__ import annotations

from typing import Any

import pytest

from documents.models import Review, ReviewStage, Stage
from plangov import clock
from tests.conftest import World
from tests.workflows.review_helpers import adopted_plan
from workflows.models import TaskKind

pytestmark = pytest.mark.django_db

COMPILE = {"strengths": "Fewer obese children.", "areas_for_development": "Bullying.",
           "next_year_priorities": "Bullying.", "changes_priorities": False}


def test_start_read_compile_and_send_a_review(world: World, frozen_clock: Any,
                                              as_user: Any) -> None:
    plan = adopted_plan(world, frozen_clock)
    api = as_user(world.lead)
    answer = api.post(f"/api/v1/plans/{plan.pk}/reviews/", {"kind": "annual"}, format="json")
    assert answer.status_code == 201, answer.content
    review = answer.json()
    assert review["stage"] == "drafting" and review["year"] == 2016
    assert review["title"] == "Annual review 2016 of Children and Young People's Plan"
    assert {r["priority_key"] for r in review["progress_reports"]} == {"active", "bullying"}
    assert {t["kind"] for t in review["tasks"]} == {TaskKind.PROGRESS_REPORT}
    again = api.post(f"/api/v1/plans/{plan.pk}/reviews/", {"kind": "annual"}, format="json")
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    listed = api.get(f"/api/v1/plans/{plan.pk}/reviews/").json()
    assert [r["id"] for r in listed] == [review["id"]]

    # The progress reports through the tasks API, which shows review tasks by name.
    tasks = api.get("/api/v1/tasks/?view=mine").json()["results"]
    mine = [t for t in tasks if t["kind"] == TaskKind.PROGRESS_REPORT]
    assert len(mine) == 1 and mine[0]["review"]["id"] == review["id"]
    assert mine[0]["title"] == ("Report progress on a priority (Less bullying in schools): "
                                "Annual review 2016 of Children and Young People's Plan")
    assert mine[0]["actions"] == ["complete", "reassign"]
    done = api.post(f"/api/v1/tasks/{mine[0]['id']}/complete/", {"text": "Less."},
                    format="json")
    assert done.status_code == 200, done.content
    health = as_user(world.health_lead)
    theirs = health.get("/api/v1/tasks/").json()["results"]
    assert [t["kind"] for t in theirs] == [TaskKind.PROGRESS_REPORT]
    assert health.get(f"/api/v1/tasks/{theirs[0]['id']}/").status_code == 200
    done = health.post(f"/api/v1/tasks/{theirs[0]['id']}/complete/", {"text": "Active."},
                       format="json")
    assert done.status_code == 200, done.content
    assert {t["kind"] for t in done.json()["tasks"]} == {TaskKind.COMPILE_REVIEW}

    api = as_user(world.lead)
    url = f"/api/v1/reviews/{review['id']}/"
    early = api.post(f"{url}actions/send_to_scrutiny/", {}, format="json")
    assert early.status_code == 409  # not compiled yet
    assert as_user(world.board_secretary).put(url, COMPILE, format="json").status_code == 403
    api = as_user(world.lead)
    bad = api.put(url, {**COMPILE, "strengths": ""}, format="json")
    assert bad.status_code == 400 and "strengths" in str(bad.json())
    compiled = api.put(url, COMPILE, format="json")
    assert compiled.status_code == 200, compiled.content
    body = compiled.json()
    assert body["content"]["strengths"] == "Fewer obese children."
    assert body["trends"]["indicators"][0]["key"] == "obesity-reception"
    assert {a["action"] for a in body["available_actions"]} >= {"send_to_scrutiny", "withdraw"}
    sent = api.post(f"{url}actions/send_to_scrutiny/", {}, format="json")
    assert sent.status_code == 200, sent.content
    assert sent.json()["stage"] == ReviewStage.SCRUTINY
    assert [t["kind"] for t in sent.json()["tasks"]] == [TaskKind.SCRUTINY_FEEDBACK]
    scrutiny_tasks = as_user(world.scrutiny_secretary).get("/api/v1/tasks/?view=queue").json()
    assert [t["kind"] for t in scrutiny_tasks["results"]] == [TaskKind.SCRUTINY_FEEDBACK]
    assert as_user(world.lead).post(f"{url}actions/publish/", {},
                                    format="json").status_code == 404


def test_withdraw_by_api_and_refusals(world: World, frozen_clock: Any, as_user: Any) -> None:
    plan = adopted_plan(world, frozen_clock)
    outsider = as_user(world.outsider)
    assert outsider.post(f"/api/v1/plans/{plan.pk}/reviews/", {},
                         format="json").status_code == 404
    secretary = as_user(world.board_secretary)
    assert secretary.post(f"/api/v1/plans/{plan.pk}/reviews/", {},
                          format="json").status_code == 403
    api = as_user(world.lead)
    future = api.post(f"/api/v1/plans/{plan.pk}/reviews/", {"started_on": "2030-01-01"},
                      format="json")
    assert future.status_code == 400 and "started_on" in str(future.json())
    review = api.post(f"/api/v1/plans/{plan.pk}/reviews/", {}, format="json").json()
    url = f"/api/v1/reviews/{review['id']}/"
    assert as_user(world.outsider).get(url).status_code == 404
    api = as_user(world.lead)
    gone = api.post(f"{url}actions/withdraw/", {"reason": "Started by mistake."},
                    format="json")
    assert gone.status_code == 200 and gone.json()["stage"] == "withdrawn"
    assert gone.json()["tasks"] == []
    plan.refresh_from_db()
    assert plan.stage == Stage.ADOPTED
    assert api.post(f"/api/v1/plans/{plan.pk}/reviews/", {}, format="json").status_code == 201
    assert Review.objects.filter(plan=plan).count() == 2


def test_the_reviews_api_is_in_the_schema(client: Any) -> None:
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert "/api/v1/plans/{id}/reviews/" in paths
    assert {"/api/v1/reviews/{id}/", "/api/v1/reviews/{id}/actions/{action_name}/"} <= set(paths)
    assert "put" in paths["/api/v1/reviews/{id}/"]


def test_the_scrutiny_secretary_records_feedback_through_the_tasks_api(
        world: World, frozen_clock: Any, as_user: Any) -> None:
    from tests.workflows.review_helpers import compile_review, report_all
    from workflows.reviews.services import review_fire, review_start

    plan = adopted_plan(world, frozen_clock)
    review = review_start(plan=plan, actor=world.lead)
    report_all(world, review)
    compile_review(world, review)
    review_fire(review=review, action="send_to_scrutiny", actor=world.lead)
    api = as_user(world.scrutiny_secretary)
    task = api.get("/api/v1/tasks/?view=queue").json()["results"][0]
    assert task["actions"] == ["claim", "complete", "reassign"]
    assert as_user(world.board_secretary).post(
        f"/api/v1/tasks/{task['id']}/claim/").status_code == 403
    api = as_user(world.scrutiny_secretary)
    claimed = api.post(f"/api/v1/tasks/{task['id']}/claim/")
    assert claimed.status_code == 200 and claimed.json()["owner"] == "scrutiny_secretary"
    feedback = {"meeting_on": str(clock.today()), "attendance": 6,
                "points": ["Say more about bullying.", "Name the leads."]}
    # The feedback's own fields, named: a decision's fields are not what this task takes.
    refused = api.post(f"/api/v1/tasks/{task['id']}/complete/", {"outcome": "approved"},
                       format="json")
    assert refused.status_code == 400
    assert {"meeting_on", "points"} <= set(refused.json()["errors"])
    board = as_user(world.board_secretary).post(f"/api/v1/tasks/{task['id']}/complete/",
                                                feedback, format="json")
    assert board.status_code in (403, 409)  # not theirs: claimed by scrutiny's secretary
    done = as_user(world.scrutiny_secretary).post(f"/api/v1/tasks/{task['id']}/complete/",
                                                  feedback, format="json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["stage"] == ReviewStage.SCRUTINY  # the lead officer answers next
    assert [p["text"] for p in body["feedback"][0]["points"]] == feedback["points"]
    assert {t["kind"] for t in body["tasks"]} == {TaskKind.COMPILE_REVIEW}


def test_the_lead_records_an_external_submission_through_the_tasks_api(
        world: World, frozen_clock: Any, as_user: Any) -> None:
    import datetime

    from workflows.reviews.external import external_submission_set
    from workflows.reviews.services import review_start

    plan = adopted_plan(world, frozen_clock)
    review = review_start(plan=plan, actor=world.lead)
    external_submission_set(review=review, recipient="DfES", actor=world.lead,
                            deadline=clock.today() + datetime.timedelta(days=30))
    api = as_user(world.lead)
    tasks = [t for view in ("mine", "queue")
             for t in api.get(f"/api/v1/tasks/?view={view}").json()["results"]]
    task = next(t for t in tasks if t["kind"] == TaskKind.EXTERNAL_SUBMISSION)
    future = api.post(f"/api/v1/tasks/{task['id']}/complete/",
                      {"submitted_on": "2099-01-01", "what_was_sent": "The self-assessment."},
                      format="json")
    assert future.status_code == 400 and "submitted_on" in future.json()["errors"]
    done = api.post(f"/api/v1/tasks/{task['id']}/complete/",
                    {"submitted_on": str(clock.today()),
                     "what_was_sent": "The self-assessment."}, format="json")
    assert done.status_code == 200, done.content
    sent = done.json()["external_submission"]
    assert sent["submitted_on"] == str(clock.today())
    assert TaskKind.EXTERNAL_SUBMISSION not in {t["kind"] for t in done.json()["tasks"]}
