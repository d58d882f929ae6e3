"""The scrutiny feedback and external submission pages: every form works without
JavaScript, refusals get their own answer, and the review page's sections render."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory

from documents.models import ExternalSubmission, FeedbackPoint, ReviewStage
from governance.models import Role
from plangov import clock
from tests.factories import MembershipFactory, UserFactory

from .records_helpers import make_review


def url(review, what=""):  # type: ignore[no-untyped-def]
    return f"/reviews/{review.pk}/{what}"


def test_the_secretary_records_the_feedback_on_the_page(world, frozen_clock, client):
    review = make_review(world)
    client.force_login(world.scrutiny_secretary)
    page = client.get(url(review, "scrutiny/"))
    assert page.status_code == 200
    assert b"Record the committee's feedback" in page.content
    assert b'name="points"' in page.content
    done = client.post(url(review, "scrutiny/"), {
        "meeting_on": clock.today().strftime("%d/%m/%Y"), "attendance": "5",
        "points": "Say how care leavers are reached.\r\n\r\nShow the trend by ward.",
        "summary": ""})
    assert done.status_code == 302 and done["Location"] == url(review, "scrutiny/")
    page = client.get(url(review, "scrutiny/"))
    text = page.content.decode()
    assert "Point 1" in text and "Show the trend by ward." in text
    assert "Not answered yet" in text and 'name="points"' not in text  # recorded once


def test_bad_input_is_a_400_with_an_error_summary_linking_the_field(world, frozen_clock,
                                                                   client):
    review = make_review(world)
    client.force_login(world.scrutiny_secretary)
    page = client.post(url(review, "scrutiny/"), {"meeting_on": "31/02/2016", "points": ""})
    assert page.status_code == 400
    text = page.content.decode()
    assert "There is a problem" in text and 'href="#id_points"' in text
    assert 'href="#id_meeting_on"' in text
    page = client.post(url(review, "scrutiny/"), {
        "meeting_on": clock.today().isoformat(), "points": "One", "attendance": "1"})
    assert page.status_code == 400 and "not quorate" in page.content.decode()
    assert not review.feedback.exists()


def test_a_member_who_is_not_the_secretary_is_refused_with_403(world, frozen_clock, client):
    review = make_review(world)
    member = UserFactory(username="cllr")
    MembershipFactory(user=member, body=world.scrutiny, role=Role.MEMBER)
    client.force_login(member)
    page = client.get(url(review, "scrutiny/"))
    assert page.status_code == 200 and b'name="points"' not in page.content
    refused = client.post(url(review, "scrutiny/"), {
        "meeting_on": clock.today().isoformat(), "points": "One", "attendance": "5"})
    assert refused.status_code == 403
    assert b"secretary" in refused.content and not review.feedback.exists()


def test_someone_outside_the_partnership_sees_no_review(world, frozen_clock, client):
    review = make_review(world)
    client.force_login(world.outsider)
    assert client.get(url(review, "scrutiny/")).status_code == 404
    assert client.get(url(review, "external/")).status_code == 404
    assert client.get("/reviews/99999999999999999999/scrutiny/").status_code == 404


def test_the_lead_answers_each_point_then_records_it_incorporated(world, frozen_clock, client):
    review = make_review(world)
    from workflows.reviews.scrutiny import scrutiny_feedback_record

    scrutiny_feedback_record(review=review, actor=world.scrutiny_secretary,
                             meeting_on=clock.today(), points=["One", "Two"], attendance=5)
    client.force_login(world.lead)
    early = client.post(url(review, "scrutiny/incorporated/"), {"note": "All in."})
    assert early.status_code == 409 and b"points 1, 2 are not answered" in early.content
    blank = client.post(url(review, "scrutiny/points/1/"), {"response": ""})
    assert blank.status_code == 400 and b'href="#id_response"' in blank.content
    for number in (1, 2):
        done = client.post(url(review, f"scrutiny/points/{number}/"),
                           {"response": f"Answer {number}"})
        assert done.status_code == 302 and done["Location"].endswith(f"#point-{number}")
    assert client.post(url(review, "scrutiny/points/9/"), {"response": "x"}).status_code == 404
    page = client.get(url(review, "scrutiny/"))
    assert b"Record that the feedback was incorporated" in page.content
    done = client.post(url(review, "scrutiny/incorporated/"), {"note": "Sections rewritten."})
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.feedback_incorporated
    assert list(FeedbackPoint.objects.values_list("response", flat=True)) == [
        "Answer 1", "Answer 2"]
    review.stage = ReviewStage.BOARD
    review.save()
    late = client.post(url(review, "scrutiny/points/1/"), {"response": "Changed"})
    assert late.status_code == 409


def test_the_scrutiny_page_costs_the_same_for_one_point_or_forty(world, frozen_clock, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workflows.reviews.scrutiny import scrutiny_feedback_record

    counts = []
    plan = make_review(world, stage=ReviewStage.WITHDRAWN, year=2000).plan
    for n, year in ((1, 2016), (40, 2015)):
        review = make_review(world, year=year, plan=plan)
        scrutiny_feedback_record(review=review, actor=world.scrutiny_secretary,
                                 meeting_on=clock.today(), attendance=5,
                                 points=[f"Point {i}" for i in range(n)])
        client.force_login(world.lead)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(review, "scrutiny/")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_lead_sets_and_records_the_external_submission_on_the_page(world, frozen_clock,
                                                                       client):
    review = make_review(world, stage=ReviewStage.DRAFTING)
    client.force_login(world.board_secretary)
    assert client.post(url(review, "external/"), {"recipient": "DfES",
                                                  "deadline": "12/08/2016"}).status_code == 403
    client.force_login(world.lead)
    page = client.get(url(review, "external/"))
    assert page.status_code == 200 and b"Set the submission" in page.content
    bad = client.post(url(review, "external/"), {"recipient": "", "deadline": "01/07/2016"})
    assert bad.status_code == 400 and b'href="#id_recipient"' in bad.content
    done = client.post(url(review, "external/"), {"recipient": "DfES",
                                                  "deadline": "12/08/2016"})
    assert done.status_code == 302
    submission = ExternalSubmission.objects.get(review=review)
    assert submission.deadline == datetime.date(2016, 8, 12)
    page = client.get(url(review, "external/"))
    assert b"Record the submission" in page.content and b"The submission's task" in page.content
    review.stage = ReviewStage.EXECUTIVE
    review.save()
    upload = SimpleUploadedFile("self-assessment.pdf", b"%PDF-1.7 sent", "application/pdf")
    done = client.post(url(review, "external/record/"), {
        "submitted_on": clock.today().isoformat(), "what_was_sent": "The self-assessment.",
        "file": upload})
    assert done.status_code == 302
    submission.refresh_from_db()
    assert submission.submitted_on == clock.today() and len(submission.sent_sha256) == 64
    page = client.get(url(review, "external/"))
    assert submission.sent_sha256.encode() in page.content
    assert b"Record the submission" not in page.content


@pytest.mark.parametrize("who", ["lead", "scrutiny_secretary"])
def test_the_review_pages_sections_render_from_the_template_tags(world, frozen_clock, who):
    review = make_review(world)
    request = RequestFactory().get("/")
    request.user = getattr(world, who)
    html = Template("{% load review_records %}{% review_scrutiny review %}"
                    "{% review_external review %}").render(
        Context({"review": review, "request": request}))
    assert "Scrutiny feedback" in html and "External submission" in html
    assert ("Record the committee" in html) == (who == "scrutiny_secretary")
    assert ("Set an external submission" in html) == (who == "lead")


def test_the_flows_scrutiny_task_leads_to_the_page_that_completes_it(world, frozen_clock,
                                                                     client):
    from viewflow.workflow.status import STATUS

    from workflows.models import TaskKind
    from workflows.reviews.routing import open_review_task
    from workflows.reviews.services import review_fire, review_start

    from .review_helpers import adopted_plan, compile_review, report_all

    plan = adopted_plan(world, frozen_clock)
    review = review_start(plan=plan, actor=world.lead)
    report_all(world, review)
    compile_review(world, review)
    review_fire(review=review, action="send_to_scrutiny", actor=world.lead)
    task = open_review_task(review, TaskKind.SCRUTINY_FEEDBACK)
    assert task is not None and task.info.body == world.scrutiny
    client.force_login(world.scrutiny_secretary)
    page = client.get(f"/tasks/{task.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'href="/reviews/{review.pk}/scrutiny/"' in text and 'name="outcome"' not in text
    assert client.post(f"/tasks/{task.pk}/complete/", {}).status_code == 302
    frozen_clock.advance(days=7)
    done = client.post(f"/reviews/{review.pk}/scrutiny/", {
        "meeting_on": clock.today().isoformat(), "attendance": "5", "points": "One\nTwo"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == STATUS.DONE and task.owner == world.scrutiny_secretary
    assert open_review_task(review, TaskKind.SCRUTINY_FEEDBACK) is None


def test_the_review_page_shows_both_sections(world, frozen_clock, client):
    review = make_review(world)
    client.force_login(world.lead)
    page = client.get(f"/reviews/{review.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="scrutiny-heading"' in text and 'id="external-heading"' in text
    assert f'href="/reviews/{review.pk}/external/"' in text


def test_the_lead_claims_the_submission_task_and_is_sent_to_its_page(world, frozen_clock,
                                                                     client):
    from viewflow.workflow.status import STATUS

    from workflows.models import TaskKind
    from workflows.reviews.external import external_submission_set
    from workflows.reviews.routing import open_review_task

    review = make_review(world, stage=ReviewStage.DRAFTING)
    external_submission_set(review=review, recipient="DfES",
                            deadline=datetime.date(2016, 8, 12), actor=world.lead)
    task = open_review_task(review, TaskKind.EXTERNAL_SUBMISSION)
    client.force_login(world.board_secretary)
    assert client.post(f"/tasks/{task.pk}/claim/").status_code in (403, 404)
    client.force_login(world.lead)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert f'href="/reviews/{review.pk}/external/"' in page and "Record the submission" in page
    assert 'name="outcome"' not in page
    assert client.post(f"/tasks/{task.pk}/claim/").status_code == 302
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED and task.owner == world.lead
    listed = client.get("/tasks/?view=mine").content.decode()
    assert f"/tasks/{task.pk}/" in listed
