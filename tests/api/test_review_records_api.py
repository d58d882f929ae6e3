"""The API for a review's scrutiny feedback and external submission: the same services and
answers as the pages (400 naming fields, 403, 404, 409), in the OpenAPI schema."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import ReviewStage
from governance.models import Role
from plangov import clock
from tests.factories import MembershipFactory, UserFactory
from tests.workflows.records_helpers import make_review


def test_scrutiny_feedback_through_the_api(world, frozen_clock, as_user):
    review = make_review(world)
    base = f"/api/v1/reviews/{review.pk}/scrutiny-feedback/"
    body = {"meeting_on": clock.today().isoformat(), "attendance": 5,
            "points": ["Reach care leavers.", "Show wards."]}
    member = UserFactory(username="cllr")
    MembershipFactory(user=member, body=world.scrutiny, role=Role.MEMBER)
    refused = as_user(member).post(base, body, format="json")
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/problem+json")
    bad = as_user(world.scrutiny_secretary).post(base, {**body, "points": ["ok", "x\u0000"]},
                                                 format="json")
    assert bad.status_code == 400 and "points[1]" in bad.json()["errors"]
    made = as_user(world.scrutiny_secretary).post(base, body, format="json")
    assert made.status_code == 201, made.json()
    points = made.json()["feedback"][0]["points"]
    assert [p["number"] for p in points] == [1, 2]
    assert as_user(world.scrutiny_secretary).post(base, body, format="json").status_code == 409
    lead = as_user(world.lead)
    early = lead.post(base + "incorporated/", {"note": "All in."}, format="json")
    assert early.status_code == 409 and "points 1, 2" in early.json()["detail"]
    for n in (1, 2):
        answered = lead.post(base + f"points/{n}/", {"response": f"Done {n}."}, format="json")
        assert answered.status_code == 200
    assert lead.post(base + "points/3/", {"response": "x"}, format="json").status_code == 404
    assert lead.post(base + "points/99999999/", {"response": "x"},
                     format="json").status_code == 404
    done = lead.post(base + "incorporated/", {"note": "All in."}, format="json")
    assert done.status_code == 200 and done.json()["content"]["feedback_incorporated"] is True


def test_a_review_in_another_stage_is_a_409_and_an_unseen_one_a_404(world, frozen_clock,
                                                                    as_user):
    review = make_review(world, stage=ReviewStage.DRAFTING)
    body = {"meeting_on": clock.today().isoformat(), "attendance": 5, "points": ["x"]}
    url = f"/api/v1/reviews/{review.pk}/scrutiny-feedback/"
    assert as_user(world.scrutiny_secretary).post(url, body, format="json").status_code == 409
    assert as_user(world.outsider).post(url, body, format="json").status_code == 404


def test_external_submission_through_the_api(world, frozen_clock, as_user):
    review = make_review(world, stage=ReviewStage.DRAFTING)
    url = f"/api/v1/reviews/{review.pk}/external-submission/"
    assert as_user(world.board_secretary).put(
        url, {"recipient": "DfES", "deadline": "2016-08-12"}, format="json").status_code == 403
    bad = as_user(world.lead).put(url, {"recipient": "", "deadline": "12 Aug"}, format="json")
    assert bad.status_code == 400 and "deadline" in bad.json()["errors"]
    made = as_user(world.lead).put(url, {"recipient": "DfES", "deadline": "2016-08-12"},
                                   format="json")
    assert made.status_code == 200
    assert made.json()["external_submission"]["deadline"] == "2016-08-12"
    review.stage = ReviewStage.EXECUTIVE
    review.save()
    sent = b"%PDF-1.7 self-assessment"
    recorded = as_user(world.lead).post(url + "submitted/", {
        "submitted_on": clock.today().isoformat(), "what_was_sent": "The self-assessment.",
        "file": SimpleUploadedFile("sa.pdf", sent, "application/pdf")}, format="multipart")
    assert recorded.status_code == 200, recorded.json()
    submission = review.external_submission
    submission.refresh_from_db()
    assert submission.sent_sha256 == hashlib.sha256(sent).hexdigest()
    again = as_user(world.lead).post(url + "submitted/", {
        "submitted_on": clock.today().isoformat(), "what_was_sent": "Again"},
        format="multipart")
    assert again.status_code == 409
    json_body = as_user(world.lead).post(url + "submitted/", {
        "submitted_on": clock.today().isoformat(), "what_was_sent": "Again"}, format="json")
    assert json_body.status_code == 415


def test_the_schema_lists_the_review_records_paths(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/v1/reviews/{id}/scrutiny-feedback/",
                 "/api/v1/reviews/{id}/scrutiny-feedback/points/{number}/",
                 "/api/v1/reviews/{id}/scrutiny-feedback/incorporated/",
                 "/api/v1/reviews/{id}/external-submission/",
                 "/api/v1/reviews/{id}/external-submission/submitted/"):
        assert path in schema["paths"], sorted(schema["paths"])
