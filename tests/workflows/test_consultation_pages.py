"""Staff pages for consultation rounds: list, set up, change, the questions editor without
JavaScript, and the lead officer's open, close, record and publish buttons."""

from __future__ import annotations

from typing import Any

from documents.models import Plan, Stage
from documents.services import version_create
from governance.consultation.models import ConsultationRound
from governance.consultation.services import round_create
from governance.models import AuditEvent
from tests.conftest import World, make_plan
from tests.factories import valid_content


def text(response: Any) -> str:
    return response.content.decode()


def drafted(world: World) -> Plan:
    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    return plan


FORM = {
    "title": "Our priorities", "purpose": "What matters to you.",
    "opens_at": "20/07/2016 09:00", "closes_at": "30/09/2016 23:59", "version": "1",
    "audiences": ["children-and-young-people", "schools"], "channels": ["online", "event"],
    "children_form": "on", "privacy_notice": "York holds your answers.",
    "retention_months": "24",
}


def test_the_lead_sets_up_a_round_from_the_plan_page(world, frozen_clock, client):
    plan = drafted(world)
    client.force_login(world.lead)
    page = text(client.get(f"/plans/{plan.pk}/"))
    assert f'href="/plans/{plan.pk}/consultations/"' in page
    assert "Set up a round" in text(client.get(f"/plans/{plan.pk}/consultations/"))
    form = client.get(f"/plans/{plan.pk}/consultations/new/")
    assert form.status_code == 200 and 'class="govuk-checkboxes__input"' in text(form)
    response = client.post(f"/plans/{plan.pk}/consultations/new/", FORM, follow=True)
    assert response.status_code == 200
    round = ConsultationRound.objects.get(plan=plan)
    assert (round.title, round.status, round.version.number) == ("Our priorities", "draft", 1)
    assert {a.slug for a in round.audiences.all()} == {"children-and-young-people", "schools"}
    page = text(response)
    assert "govuk-notification-banner--success" in page and "is set up" in page
    assert "Open the round now" in page


def test_a_mistake_keeps_what_was_typed_and_links_to_the_field(world, frozen_clock, client):
    plan = drafted(world)
    client.force_login(world.lead)
    response = client.post(f"/plans/{plan.pk}/consultations/new/",
                           {**FORM, "closes_at": "01/07/2016 12:00",
                            "purpose": "<script>alert(1)</script>"})
    assert response.status_code == 400
    page = text(response)
    assert page.count("<title>Error: ") == 1
    assert 'href="#id_closes_at"' in page and "recorded after the event" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    response = client.post(f"/plans/{plan.pk}/consultations/new/",
                           {**FORM, "title": "Bad\x0btitle"})
    assert response.status_code == 400 and "U+000B" in text(response)
    assert not ConsultationRound.objects.exists()


def test_a_2008_round_recorded_after_the_event_is_marked_and_recorded_as_held(
        world, frozen_clock, client):
    plan = make_plan(world)
    plan.created_on = frozen_clock.current.date().replace(year=2008, month=4, day=1)
    plan.save()
    version_create(plan=plan, actor=world.lead, content=valid_content(),
                   effective_on=plan.created_on)
    client.force_login(world.lead)
    client.post(f"/plans/{plan.pk}/consultations/new/", {
        **FORM, "recorded": "on", "opens_at": "02/06/2008 09:00",
        "closes_at": "30/09/2008 17:00"})
    round = ConsultationRound.objects.get(plan=plan)
    page = text(client.get(f"/consultations/{round.pk}/"))
    assert "Recorded, not run on plangov" in page
    assert "Record it as held, with its dates" in page
    response = client.post(f"/consultations/{round.pk}/record/", follow=True)
    assert "is recorded as held" in text(response)
    round.refresh_from_db()
    assert (round.status, str(round.opens_on), str(round.closed_on)) == (
        "closed", "2008-06-02", "2008-09-30")
    assert "Recorded, not run on plangov" in text(client.get(f"/plans/{plan.pk}/consultations/"))


def test_the_questions_editor_adds_moves_and_removes_without_javascript(
        world, frozen_clock, client):
    plan = drafted(world)
    round = round_create(plan=plan, title="Priorities", version=plan.versions.get(),
                         actor=world.lead)
    client.force_login(world.lead)
    url = f"/consultations/{round.pk}/questions/"
    page = client.post(url, {"count": "0", "op": "add"})
    assert page.status_code == 200 and 'name="q0-text"' in text(page)
    typed = {
        "count": "2",
        "q0-kind": "free_text", "q0-text": "What would make York better?",
        "q1-kind": "single_choice", "q1-text": "Where do you live?",
        "q1-choices": "North\nSouth", "q1-required": "on", "q1-outcome_key": "healthy",
    }
    moved = text(client.post(url, {**typed, "op": "down:0"}))
    assert moved.index("Where do you live?") < moved.index("What would make York better?")
    removed = text(client.post(url, {**typed, "op": "remove:0"}))
    assert "What would make York better?" not in removed and 'value="1"' in removed
    assert not round.questions.exists()  # nothing saved yet
    response = client.post(url, {**typed, "op": "save"}, follow=True)
    assert response.status_code == 200 and "2 questions saved" in text(response)
    questions = list(round.questions.all())
    assert [q.text for q in questions] == ["What would make York better?", "Where do you live?"]
    assert questions[1].choices == [{"value": "north", "label": "North"},
                                    {"value": "south", "label": "South"}]
    assert questions[1].group == "Being healthy" and questions[1].required


def test_a_wrong_question_is_shown_beside_its_field(world, frozen_clock, client):
    plan = drafted(world)
    round = round_create(plan=plan, title="Priorities", actor=world.lead)
    client.force_login(world.lead)
    response = client.post(f"/consultations/{round.pk}/questions/", {
        "count": "1", "op": "save", "q0-kind": "single_choice", "q0-text": "Pick one",
        "q0-choices": "Only one"})
    assert response.status_code == 400
    page = text(response)
    assert "<title>Error: " in page and 'href="#id_q0-choices"' in page
    assert "at least two choices" in page and "Pick one" in page


def test_the_lead_opens_closes_and_publishes_with_banners(world, frozen_clock, client):
    plan = drafted(world)
    round = round_create(plan=plan, title="Priorities", actor=world.lead)
    client.force_login(world.lead)
    response = client.post(f"/consultations/{round.pk}/open/", follow=True)
    assert "is open" in text(response) and "Close the round now" in text(response)
    assert Plan.objects.get(pk=plan.pk).stage == Stage.CONSULTATION
    # Questions are fixed once open.
    assert client.post(f"/consultations/{round.pk}/questions/",
                       {"count": "0", "op": "save"}).status_code == 409
    response = client.post(f"/consultations/{round.pk}/close/", follow=True)
    assert "is closed" in text(response) and "Publish the summary" in text(response)
    response = client.post(f"/consultations/{round.pk}/publish/", follow=True)
    assert "summary of consultation round 1 is published" in text(response)
    assert list(AuditEvent.objects.filter(plan=plan).values_list("action", flat=True))[-3:] == [
        "plan.start_consultation", "plan.close_consultation", "consultation.summary_publish"]


def test_others_may_read_but_not_change_and_outsiders_get_404(world, frozen_clock, client):
    plan = drafted(world)
    round = round_create(plan=plan, title="Priorities", actor=world.lead)
    client.force_login(world.board_secretary)
    page = text(client.get(f"/consultations/{round.pk}/"))
    assert "Priorities" in page and "Open the round now" not in page
    assert client.post(f"/consultations/{round.pk}/open/").status_code == 403
    assert client.get(f"/consultations/{round.pk}/edit/").status_code == 403
    assert client.get(f"/plans/{plan.pk}/consultations/new/").status_code == 403
    client.force_login(world.outsider)
    assert client.get(f"/consultations/{round.pk}/").status_code == 404
    assert client.get(f"/plans/{plan.pk}/consultations/").status_code == 404


def test_the_rounds_list_takes_the_same_queries_for_one_round_and_many(
        world, frozen_clock, client, django_assert_num_queries):
    plan = drafted(world)
    round_create(plan=plan, title="One", actor=world.lead)
    client.force_login(world.lead)
    client.get(f"/plans/{plan.pk}/consultations/")  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(f"/plans/{plan.pk}/consultations/")
    for n in range(5):
        round_create(plan=plan, title=f"Round {n}", actor=world.lead)
    with django_assert_num_queries(len(one)):
        client.get(f"/plans/{plan.pk}/consultations/")
