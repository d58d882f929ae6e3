"""Analysis of a consultation round: reach in the papers' words, counts, themes, redaction,
"you said, we did" and the rules for publishing the summary."""

from __future__ import annotations

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from governance.audit import verify_chain
from governance.consultation.analysis import (
    AudienceReach,
    Reach,
    reach_sentence,
    round_reach,
    round_summary,
)
from governance.consultation.analysis_services import (
    answer_redact,
    answer_tag,
    note_add,
    publish_problems,
    statement_delete,
    statement_move,
    statement_save,
    summary_publish,
    theme_create,
)
from governance.models import AuditEvent, Response, Statement, Theme
from plangov.errors import Conflict, Forbidden, InvalidInput

from .consultation_helpers import activity, audiences, closed_round, free_text, respond

pytestmark = pytest.mark.django_db


def test_the_reach_sentence_is_built_from_the_figures():
    reach = Reach(activities=45, audiences=[
        AudienceReach("children-and-young-people", "Children and young people",
                      responses=400, activity_reach=3500),
        AudienceReach("parents-and-carers", "Parents and carers", responses=6300),
        AudienceReach("partner-organisations", "Partner organisations", activity_reach=50),
        AudienceReach("schools", "Governors, headteachers and teachers"),
    ])
    assert reach_sentence(reach) == (
        "45 pieces of work reaching 3,900 children and young people; "
        "6,300 parent questionnaires; 50 partners"
    )


def test_people_reached_by_questionnaire_activities_count_as_questionnaires():
    reach = Reach(activities=3, audiences=[
        AudienceReach("children-and-young-people", "Children and young people",
                      activity_reach=900, questionnaire_reach=600),
        AudienceReach("parents-and-carers", "Parents and carers", responses=300,
                      activity_reach=6000, questionnaire_reach=6000),
        AudienceReach("partner-organisations", "Partners", responses=10, activity_reach=40),
    ])
    assert reach_sentence(reach) == (
        "3 pieces of work reaching 900 children and young people; "
        "6,300 parent questionnaires; 50 partners"
    )


def test_the_reach_sentence_counts_in_the_singular_and_names_other_audiences():
    reach = Reach(activities=1, audiences=[
        AudienceReach("youth-workers", "Youth workers", responses=1),
        AudienceReach("parents-and-carers", "Parents and carers", activity_reach=12),
    ], unassigned_responses=2)
    assert reach_sentence(reach) == (
        "1 questionnaire from youth workers; 1 piece of work reaching 12 parents; "
        "2 other responses"
    )
    assert reach_sentence(Reach(activities=0, audiences=[])) == (
        "No responses or activities recorded")


def test_round_reach_adds_responses_and_activities_up_york_like(world):
    rnd = closed_round(world)
    by = audiences(world)
    children, parents, partners = (by["children-and-young-people"],
                                   by["parents-and-carers"], by["partner-organisations"])
    now = timezone.now()
    Response.objects.bulk_create(
        [Response(round=rnd, submitted_at=now, audience=parents, channel="paper")
         for _ in range(6300)]
        + [Response(round=rnd, submitted_at=now, audience=children, channel="school")
           for _ in range(300)]
    )
    for n in range(44):
        activity(rnd, {children: 80}, title=f"School council {n}", channel="school")
    activity(rnd, {children: 80, partners: 50}, title="Partners' event")

    reach = round_reach(rnd)

    assert reach.sentence == (
        "45 pieces of work reaching 3,900 children and young people; "
        "6,300 parent questionnaires; 50 partners"
    )
    assert reach.responses == 6600 and reach.activity_reach == 3650
    channels = {c["channel"]: c for c in reach.channels}
    assert channels["paper"]["responses"] == 6300
    assert channels["school"] == {"channel": "school", "label": "School questionnaire",
                                  "responses": 300, "activities": 44, "activity_reach": 3520}
    assert channels["event"]["activity_reach"] == 130


def test_the_summary_counts_by_audience_channel_and_answer(world):
    rnd = closed_round(world)
    by = audiences(world)
    respond(rnd, audience=by["parents-and-carers"], agreement="agree", where="online")
    respond(rnd, audience=by["parents-and-carers"], agreement="agree", channel="paper")
    respond(rnd, audience=by["children-and-young-people"], agreement="disagree",
            text="More parks")

    summary = round_summary(rnd)

    audience_counts = {a["audience"]: a["responses"] for a in summary["counts"]["by_audience"]}
    assert audience_counts["parents-and-carers"] == 2
    assert audience_counts["children-and-young-people"] == 1
    assert audience_counts["schools"] == 0
    assert {c["channel"]: c["responses"] for c in summary["counts"]["by_channel"]} == {
        "online": 2, "paper": 1}
    safe, where, better = summary["counts"]["questions"]
    assert [(c["value"], c["count"]) for c in safe["choices"]] == [
        ("strongly_agree", 0), ("agree", 2), ("neither", 0), ("disagree", 1),
        ("strongly_disagree", 0)]
    assert [(c["label"], c["count"]) for c in where["choices"]] == [
        ("At school", 2), ("Online", 1)]
    assert (better["answered"], better["choices"]) == (1, [])
    assert summary["round"]["opens_on"].isoformat() == "2008-06-09"
    assert summary["round"]["closes_on"].isoformat() == "2008-09-30"
    assert summary["published"] is False


def test_themes_are_tagged_by_hand_many_per_answer_and_counted(world):
    rnd = closed_round(world)
    one = free_text(rnd, respond(rnd, text="More parks and safer roads"))
    two = free_text(rnd, respond(rnd, text="Parks"))
    parks = theme_create(round=rnd, name="Parks and play", actor=world.lead)
    assert theme_create(round=rnd, name="parks and play", actor=world.lead) == parks

    answer_tag(answer=one, themes=[parks], new_theme="Road safety", actor=world.lead)
    answer_tag(answer=two, themes=[parks], actor=world.lead)

    assert {t.name for t in one.themes.all()} == {"Parks and play", "Road safety"}
    counts = {t["name"]: t["count"] for t in round_summary(rnd)["themes"]}
    assert counts == {"Parks and play": 2, "Road safety": 1}
    answer_tag(answer=one, themes=[], actor=world.lead)  # untagged again
    assert not one.themes.exists()


def test_tags_and_notes_are_for_analysts_and_leave_the_chain_alone(world):
    rnd = closed_round(world)
    answer = free_text(rnd, respond(rnd, text="More parks"))
    events = AuditEvent.objects.count()
    note = note_add(round=rnd, answer=answer, text="Ask the parks team", actor=world.lead)
    assert note.author == world.lead and note.answer == answer
    assert AuditEvent.objects.count() == events
    for who in (world.auditor, world.board_secretary, world.outsider):
        with pytest.raises(Forbidden):
            answer_tag(answer=answer, themes=[], new_theme="X", actor=who)
        with pytest.raises(Forbidden):
            note_add(round=rnd, text="no", actor=who)
    with pytest.raises(InvalidInput) as refused:
        note_add(round=rnd, text="bad\x00", actor=world.lead)
    assert "text" in refused.value.errors
    assert not Theme.objects.filter(name="X").exists()


def test_a_redaction_keeps_the_original_for_analysts_and_publishes_the_redacted_text(world):
    rnd = closed_round(world)
    answer = free_text(rnd, respond(rnd, consent=True,
                                    text="My son Tom at Fishergate needs help"))
    with pytest.raises(InvalidInput) as refused:
        answer_redact(answer=answer, redacted_text="My son [name] needs help", reason="",
                      actor=world.lead)
    assert set(refused.value.errors) == {"reason"}
    with pytest.raises(Forbidden):
        answer_redact(answer=answer, redacted_text="x", reason="y", actor=world.auditor)

    answer_redact(answer=answer, redacted_text="My son [name] at [school] needs help",
                  reason="Names a child and his school", actor=world.lead)

    answer.refresh_from_db()
    assert answer.text == "My son Tom at Fishergate needs help"  # the original kept
    statement_save(round=rnd, you_said="Families want help sooner", we_did="Added it",
                   quotes=[answer], actor=world.lead)
    summary = round_summary(rnd)
    assert summary["quotes"][0]["text"] == "My son [name] at [school] needs help"
    assert summary["statements"][0]["quotes"] == ["My son [name] at [school] needs help"]
    assert "Tom" not in str(summary)
    event = AuditEvent.objects.get(action="answer.redact")
    assert "Tom" not in str(event.after) and "Names a child" not in str(event.after)
    assert len(event.after["original_sha256"]) == 64 and event.reason == ""
    assert verify_chain().ok


def test_a_quote_needs_the_respondents_consent(world):
    rnd = closed_round(world)
    unconsented = free_text(rnd, respond(rnd, consent=False, text="Quote me not"))
    with pytest.raises(InvalidInput) as refused:
        statement_save(round=rnd, you_said="x", we_did="y", quotes=[unconsented],
                       actor=world.lead)
    assert set(refused.value.errors) == {"quotes"}
    # A quote whose consent went away (e.g. withdrawn) stops publication.
    consented = free_text(rnd, respond(rnd, consent=True, text="Quote me"))
    statement_save(round=rnd, you_said="x", we_did="y", quotes=[consented], actor=world.lead)
    Response.objects.filter(pk=consented.response_id).update(consent_to_quote=False)
    assert "did not consent" in " ".join(publish_problems(rnd)["statements"])
    assert round_summary(rnd)["quotes"] == []


def test_a_statement_says_what_was_done_or_why_not_never_both(world):
    rnd = closed_round(world)
    with pytest.raises(InvalidInput) as both:
        statement_save(round=rnd, you_said="More parks", we_did="Built one",
                       no_change_reason="No money", actor=world.lead)
    assert set(both.value.errors) == {"no_change_reason"}
    with pytest.raises(InvalidInput) as empty:
        statement_save(round=rnd, you_said="  ", actor=world.lead)
    assert set(empty.value.errors) == {"you_said"}
    with pytest.raises(InvalidInput) as wrong_key:
        statement_save(round=rnd, you_said="x", we_did="y", outcome_key="healthy",
                       priority_key="nope", actor=world.lead)
    assert set(wrong_key.value.errors) == {"priority_key"}

    first = statement_save(round=rnd, you_said="More parks", actor=world.lead)  # a draft
    second = statement_save(round=rnd, you_said="Safer roads", no_change_reason="County's",
                            outcome_key="healthy", priority_key="active",
                            changed_in_version=rnd.plan.current_version, actor=world.lead)
    assert (first.order, second.order) == (0, 1)
    problems = publish_problems(rnd)
    assert problems["statements"] == [
        "Statement 1 says neither what was done nor why nothing changed."]
    with pytest.raises(InvalidInput):
        summary_publish(round=rnd, actor=world.lead)
    rnd.refresh_from_db()
    assert rnd.summary_published_at is None

    statement_move(statement=second, up=True, actor=world.lead)
    assert list(Statement.objects.filter(round=rnd).values_list("you_said", flat=True)) == [
        "Safer roads", "More parks"]
    summary = round_summary(rnd)
    assert summary["statements"][0]["priority_title"] == (
        "All children are active and eat healthily")
    assert summary["statements"][0]["changed_in_version"] == 1
    statement_delete(statement=first, actor=world.lead)
    assert publish_problems(rnd) == {}
    with pytest.raises(Forbidden):
        statement_save(round=rnd, you_said="x", we_did="y", actor=world.auditor)


def test_publishing_goes_through_consultcores_service(world):
    rnd = closed_round(world)
    statement_save(round=rnd, you_said="More parks", we_did="Built one", actor=world.lead)
    summary_publish(round=rnd, actor=world.lead)
    rnd.refresh_from_db()
    assert rnd.summary_published_at is not None
    with pytest.raises(Conflict):
        statement_save(round=rnd, you_said="late", we_did="no", actor=world.lead)


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.booleans(),
                 st.none()))
def test_safe_cell_never_leaves_a_formula_and_keeps_numbers(value):
    from governance.consultation.analysis_export import safe_cell

    cell = safe_cell(value)
    if isinstance(value, str):
        assert isinstance(cell, str) and not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert cell in (value, "'" + value)
    else:
        assert cell is value
