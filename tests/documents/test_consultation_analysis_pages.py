"""The analysis pages: who may read and change them, what they show (escaped), the CSV export
and "you said, we did" edited without JavaScript."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.consultation.analysis_services import answer_redact, statement_save
from governance.models import AnalystNote, Answer, Statement, Theme
from tests.factories import PartnershipFactory, UserFactory

from ..governance.consultation_helpers import activity, audiences, closed_round, free_text, respond

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def rnd(world):
    rnd = closed_round(world)
    by = audiences(world)
    respond(rnd, audience=by["parents-and-carers"], channel="paper")
    respond(rnd, audience=by["children-and-young-people"], consent=True,
            text=f"Jo at Fishergate says {SCRIPT}")
    respond(rnd, audience=by["children-and-young-people"], text="=HYPERLINK(\"http://x\")")
    activity(rnd, {by["children-and-young-people"]: 40})
    return rnd


def base(rnd) -> str:
    return f"/consultations/{rnd.pk}/analysis/"


def test_analysts_and_auditors_read_others_get_403_or_404(client, world, rnd):
    pages = ["", "answers/", "statements/", "responses.csv"]
    for who in (world.lead, world.auditor):
        client.force_login(who)
        for page in pages:
            assert client.get(base(rnd) + page).status_code == 200, (who, page)
    client.force_login(world.board_secretary)  # sees the plan, not the responses
    for page in pages:
        assert client.get(base(rnd) + page).status_code == 403
    stranger = UserFactory(username="stranger")
    PartnershipFactory(slug="other")
    client.force_login(stranger)
    for page in pages:
        assert client.get(base(rnd) + page).status_code == 404
    client.logout()
    assert client.get(base(rnd)).status_code == 302  # to sign in
    client.force_login(world.lead)
    assert client.get(f"/consultations/{2**63}/analysis/").status_code == 404


def test_the_overview_shows_counts_charts_and_tables(client, world, rnd):
    client.force_login(world.lead)
    html = client.get(base(rnd)).content.decode()
    assert "1 piece of work reaching 42 children and young people; 1 parent questionnaire" in html
    assert html.count('role="img"') == 3  # reach, and two choice questions
    assert "<title id=" in html and "<desc id=" in html
    assert "style=" not in html
    assert "Reach by audience: responses and people reached by activities" in html


def test_answers_are_escaped_and_filtered_by_question_theme_and_untagged(client, world, rnd):
    client.force_login(world.lead)
    html = client.get(base(rnd) + "answers/").content.decode()
    assert SCRIPT not in html and "&lt;script&gt;" in html
    answer = Answer.objects.get(text__startswith="Jo at")
    theme = Theme.objects.create(round=rnd, name="Schools")
    answer.themes.add(theme)
    tagged = client.get(base(rnd) + f"answers/?theme={theme.pk}").content.decode()
    assert "Jo at Fishergate" in tagged and "HYPERLINK" not in tagged
    untagged = client.get(base(rnd) + "answers/?theme=untagged").content.decode()
    assert "Jo at Fishergate" not in untagged and "HYPERLINK" in untagged
    nonsense = client.get(base(rnd) + "answers/?theme=zzz&question=-1")
    assert nonsense.status_code == 200 and "2 answers" in nonsense.content.decode()


def test_the_answers_list_takes_the_same_queries_for_one_and_many(client, world, rnd,
                                                                   django_assert_max_num_queries):
    client.force_login(world.lead)
    theme = Theme.objects.create(round=rnd, name="Parks")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(base(rnd) + "answers/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(20):
        a = free_text(rnd, respond(rnd, text=f"Answer {n}"))
        a.themes.add(theme)
    assert count() == few


def test_tagging_notes_and_redaction_from_the_answer_page(client, world, rnd):
    answer = Answer.objects.get(text__startswith="Jo at")
    url = base(rnd) + f"answers/{answer.pk}/"
    client.force_login(world.auditor)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "note", "text": "no"}).status_code == 403
    client.force_login(world.lead)
    response = client.post(url, {"action": "tag", "new_theme": "Safety"})
    assert response.status_code == 302
    assert list(answer.themes.values_list("name", flat=True)) == ["Safety"]
    client.post(url, {"action": "note", "text": "Follow up"})
    assert AnalystNote.objects.get(answer=answer).text == "Follow up"
    refused = client.post(url, {"action": "redact", "redacted_text": "[name] says hi",
                                "reason": ""})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "<title>Error: " in html and 'href="#id_reason"' in html
    assert "[name] says hi" in html  # what was typed is kept
    client.post(url, {"action": "redact", "redacted_text": "[name] says hi",
                      "reason": "Names a pupil"})
    answer.refresh_from_db()
    assert answer.redacted_text == "[name] says hi"
    client.force_login(world.auditor)  # the original, for analysts and auditors
    html = client.get(url).content.decode()
    assert "Jo at Fishergate" in html and "[name] says hi" in html and "Names a pupil" in html


def test_the_csv_export_escapes_formulas_and_keeps_numbers(client, world, rnd):
    client.force_login(world.lead)
    response = client.get(base(rnd) + "responses.csv")
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    header, *data = rows
    assert header[:3] == ["response", "submitted_at", "source"]
    assert len(data) == 3
    cells = [cell for row in data for cell in row]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(re.match(r"[=+\-@]", c) for c in cells)
    assert all(row[0].isdigit() for row in data)  # ids stay numbers


def test_statements_are_added_reordered_removed_and_publish_refused_when_unfinished(
        client, world, rnd):
    client.force_login(world.lead)
    new = base(rnd) + "statements/new/"
    both = client.post(new, {"you_said": "Parks", "we_did": "Built",
                             "no_change_reason": "No money"})
    assert both.status_code == 400 and 'href="#id_no_change_reason"' in both.content.decode()
    assert client.post(new, {"you_said": "More parks"}).status_code == 302
    assert client.post(new, {"you_said": "Safer roads", "we_did": "Added a priority",
                             "priority": "healthy:active",
                             "changed_in_version": "1"}).status_code == 302
    first, second = Statement.objects.filter(round=rnd).order_by("order")
    assert second.priority_key == "active" and second.changed_in_version.number == 1
    client.post(base(rnd) + f"statements/{second.pk}/change/", {"action": "up"})
    assert list(Statement.objects.filter(round=rnd).order_by("order")
                .values_list("you_said", flat=True)) == ["Safer roads", "More parks"]
    refused = client.post(base(rnd) + "publish/")
    assert refused.status_code == 400
    assert "says neither what was done nor why nothing changed" in refused.content.decode()
    client.post(base(rnd) + f"statements/{first.pk}/change/", {"action": "remove"})
    assert Statement.objects.filter(round=rnd).count() == 1
    client.force_login(world.auditor)
    assert client.post(new, {"you_said": "x", "we_did": "y"}).status_code == 403
    assert client.post(base(rnd) + "publish/").status_code == 403


def test_the_statement_form_offers_only_consented_tagged_quotes_redacted(client, world, rnd):
    quoted = Answer.objects.get(text__startswith="Jo at")
    other = Answer.objects.get(text__startswith="=HYP")
    theme = Theme.objects.create(round=rnd, name="Schools")
    quoted.themes.add(theme)
    other.themes.add(theme)  # tagged, but no consent
    answer_redact(answer=quoted, redacted_text="[name] says <b>hi</b>", reason="Names",
                  actor=world.lead)
    client.force_login(world.lead)
    html = client.get(base(rnd) + "statements/new/").content.decode()
    assert "[name] says &lt;b&gt;hi&lt;/b&gt;" in html
    assert "Jo at Fishergate" not in html and "HYPERLINK" not in html


def test_the_publish_button_publishes(client, world, rnd):
    statement_save(round=rnd, you_said="x", we_did="y", actor=world.lead)
    client.force_login(world.lead)
    assert client.post(base(rnd) + "publish/").status_code == 302
    rnd.refresh_from_db()
    assert rnd.summary_published_at is not None


def test_the_plan_page_links_analysts_and_auditors_to_the_analysis(client, world, rnd):
    link = f'href="/consultations/{rnd.pk}/analysis/"'
    for who, shown in ((world.lead, True), (world.auditor, True),
                       (world.board_secretary, False)):
        client.force_login(who)
        html = client.get(f"/plans/{rnd.plan_id}/").content.decode()
        assert (link in html) is shown, who


def test_a_round_note_with_an_error_keeps_the_page_and_links_the_field(client, world, rnd):
    client.force_login(world.lead)
    response = client.post(base(rnd) + "notes/", {"text": "bad \x0b note"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: " in html and 'href="#id_text"' in html
    assert html.count('role="img"') == 3  # the charts are still there
    assert not AnalystNote.objects.exists()
    client.post(base(rnd) + "notes/", {"text": "Check the paper returns"})
    assert "Check the paper returns" in client.get(base(rnd)).content.decode()


def test_the_statements_page_names_the_priority(client, world, rnd):
    statement_save(round=rnd, you_said="Healthier food", we_did="Added it",
                   outcome_key="healthy", priority_key="active", actor=world.lead)
    client.force_login(world.auditor)
    html = client.get(base(rnd) + "statements/").content.decode()
    assert "All children are active and eat healthily" in html
    assert "Publish the summary" not in html and "Move up" not in html  # auditors read
