"""The public site (no sign-in): a partnership's plans, signed documents and consultations;
the response form (adult and children's), its anti-automation, 410 after closing, results,
privacy notice and the accessibility statement."""

from __future__ import annotations

import datetime
import re
import threading
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from documents.models import DocumentKind, DocumentStatus, SignedDocument, Stage
from documents.publishing import storage
from governance.consultation.limits import SALT, form_token_issue
from governance.consultation.models import (
    Answer,
    ConsultationStatus,
    Response,
    Statement,
)
from governance.consultation.responses import response_submit

from ..conftest import make_plan
from ..consultation_helpers import open_round, questions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def document_dir(settings: Any, tmp_path: Any) -> Any:
    settings.PLANGOV_DOCUMENT_DIR = tmp_path / "documents"
    return settings.PLANGOV_DOCUMENT_DIR


@pytest.fixture
def round(world, frozen_clock):  # noqa: A001
    return open_round(world)


def url(round, part: str = "") -> str:  # noqa: A002
    return f"/p/{round.plan.partnership.slug}/consultations/{round.pk}/{part}"


def token_of(page: Any) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page.content.decode()).group(1)


def filled(round, token: str, **extra: Any) -> dict[str, Any]:  # noqa: A002
    free, single, multi, agree = questions(round)
    data = {"form_token": token, f"q{free.pk}": "More youth clubs", f"q{single.pk}": "yes",
            f"q{multi.pk}": ["home", "park"], f"q{agree.pk}": "agree",
            "audience": "parents-and-carers"}
    data.update(extra)
    return data


def fresh(client: Client, round, **extra: Any) -> dict[str, Any]:  # noqa: A002
    return filled(round, token_of(client.get(url(round))), **extra)


def publish_document(plan: Any, kind: str = DocumentKind.PLAN, **fields: Any) -> SignedDocument:
    document = SignedDocument.objects.filter(plan=plan, kind=kind).first()
    if document is None:
        document = SignedDocument.objects.create(
            key=f"{kind}/{plan.pk}/{SignedDocument.objects.count()}", kind=kind, plan=plan,
            version=plan.current_version, requested_at=plan.created_at, **fields)
    data = f"%PDF-1.7 {document.key}".encode()
    digest = storage.store(data, document_id=document.pk, attempt=1)
    SignedDocument.objects.filter(pk=document.pk).update(
        status=DocumentStatus.DONE, file_sha256=digest, file_size=len(data))
    return SignedDocument.objects.get(pk=document.pk)


def adopted_plan(world: Any, frozen_clock: Any) -> Any:
    from .test_signed_documents import adopt

    return adopt(world, frozen_clock)


# The partnership's home page.


def test_the_home_page_lists_adopted_and_superseded_plans_and_consultations(
        world, frozen_clock, client):
    plan = adopted_plan(world, frozen_clock)
    document = publish_document(plan)
    draft_plan = make_plan(world)  # drafting: not public
    open_ = open_round(world, plan=draft_plan, title="Have your say on priorities")
    open_round(world, plan=draft_plan, title="Still a draft", status=ConsultationStatus.DRAFT,
               number=5)
    page = client.get("/p/yorok/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Adopted plans" in html and escape(plan.title) in html
    assert f"/p/yorok/documents/{document.pk}/" in html
    assert "Have your say on priorities" in html and f"{url(open_)}" in html
    assert "Still a draft" not in html
    assert "Sign in" not in html and "Tasks" not in html  # no staff navigation
    assert escape(plan.consultation_rounds.get().title) in html  # its closed round
    plan.stage = Stage.SUPERSEDED
    plan.save(update_fields=["stage"])
    html = client.get("/p/yorok/").content.decode()
    assert "Superseded plans" in html and "govuk-tag--grey\">Superseded" in html


def test_an_unknown_partnership_is_404(client, db):
    assert client.get("/p/nowhere/").status_code == 404


def test_the_home_page_makes_the_same_queries_for_one_and_many(world, frozen_clock, client):
    plan = make_plan(world)
    open_round(world, plan=plan)
    client.get("/p/yorok/")
    with CaptureQueriesContext(connection) as one:
        client.get("/p/yorok/")
    for number in range(2, 6):
        open_round(world, plan=make_plan(world), number=number)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/p/yorok/").status_code == 200
    assert len(one) == len(many)


def test_only_published_documents_of_public_plans_download(world, frozen_clock, client):
    plan = adopted_plan(world, frozen_clock)
    document = publish_document(plan)
    got = client.get(f"/p/yorok/documents/{document.pk}/")
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert b"".join(got.streaming_content).startswith(b"%PDF")
    report = publish_document(plan, DocumentKind.EXECUTIVE_REPORT, report_revision=1)
    assert client.get(f"/p/yorok/documents/{report.pk}/").status_code == 404
    drafting = make_plan(world)
    from documents.services import version_create
    from tests.factories import valid_content

    version_create(plan=drafting, actor=world.lead, content=valid_content())
    drafting.refresh_from_db()
    unadopted = publish_document(drafting)
    assert client.get(f"/p/yorok/documents/{unadopted.pk}/").status_code == 404
    SignedDocument.objects.filter(pk=document.pk).update(status=DocumentStatus.PENDING)
    assert client.get(f"/p/yorok/documents/{document.pk}/").status_code == 404
    assert client.get(f"/p/elsewhere/documents/{document.pk}/").status_code == 404
    assert client.get(f"/p/yorok/documents/{2**64}/").status_code == 404


# The response form.


def test_the_form_groups_its_questions_and_asks_nothing_personal(round, client):
    html = client.get(url(round)).content.decode()
    free, single, multi, agree = questions(round)
    assert html.index("Being healthy") < html.index(free.text) < html.index("Staying safe")
    assert 'type="radio"' in html and 'type="checkbox"' in html and "<textarea" in html
    assert "Strongly agree" in html and "Which of these best describes you?" in html
    consent = re.search(r'<input[^>]*name="consent_to_quote"[^>]*>', html).group(0)
    assert "checked" not in consent
    honeypot = re.search(r'<input[^>]*name="website"[^>]*>', html).group(0)
    assert 'autocomplete="off"' in honeypot and "Leave this field blank" in html
    assert "privacy" in html and "?version=children" in html
    for personal in ("email", "postcode", "name=\"name\"", "date of birth"):
        assert personal not in html.lower()


def test_a_response_is_stored_and_confirmed(round, client):
    sent = client.post(url(round), fresh(client, round, consent_to_quote="on"))
    assert sent.status_code == 302 and sent["Location"] == url(round, "thanks/")
    response = Response.objects.get()
    assert response.audience.slug == "parents-and-carers" and response.consent_to_quote
    assert not response.children_form
    multi = questions(round)[2]
    assert Answer.objects.get(question=multi).choices == ["home", "park"]
    assert Answer.objects.get(question=questions(round)[0]).text == "More youth clubs"
    assert "Response sent" in client.get(sent["Location"]).content.decode()


def test_the_childrens_version_uses_plain_words_and_no_audience(round, client):
    page = client.get(url(round) + "?version=children")
    html = page.content.decode()
    free = questions(round)[0]
    assert "What helps you feel healthy?" in html and free.text not in html
    assert 'name="audience"' not in html and "(for children and young people)" in html
    data = filled(round, token_of(page))
    data.pop("audience")
    sent = client.post(url(round) + "?version=children", data)
    assert sent.status_code == 302 and sent["Location"].endswith("?version=children")
    response = Response.objects.get()
    assert response.children_form and response.audience is None
    assert "Thank you!" in client.get(sent["Location"]).content.decode()


def test_bad_answers_come_back_with_everything_typed_and_linked_errors(round, client):
    free, single, multi, agree = questions(round)
    data = fresh(client, round)
    data[f"q{free.pk}"] = "<script>alert(1)</script>" + "x" * 10_000
    page = client.post(url(round), data)
    html = page.content.decode()
    assert page.status_code == 400
    assert re.search(r"<title>\s*Error: ", html)
    assert f'href="#id_q{free.pk}"' in html and "10,000 characters or fewer" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert re.search(rf'id="id_q{multi.pk}_2"[^>]*checked|checked[^>]*id="id_q{multi.pk}_2"',
                     html) or 'value="park" checked' in html
    assert not Response.objects.exists()
    # Corrected with the same page, it is taken.
    data[f"q{free.pk}"] = "Shorter."
    data["form_token"] = token_of(page)
    assert client.post(url(round), data).status_code == 302
    assert Response.objects.count() == 1


def test_a_missing_required_answer_is_named(round, client):
    free = questions(round)[0]
    page = client.post(url(round), fresh(client, round, **{f"q{free.pk}": ""}))
    assert page.status_code == 400
    assert f'href="#id_q{free.pk}"' in page.content.decode()
    assert "Answer this question" in page.content.decode()


def test_a_choice_not_offered_is_named(round, client):
    single = questions(round)[1]
    page = client.post(url(round), fresh(client, round, **{f"q{single.pk}": "maybe"}))
    assert page.status_code == 400 and f'href="#id_q{single.pk}"' in page.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize("state", ["closed", "past_closing_time", "draft"])
def test_a_post_after_closing_is_410_and_stores_nothing(round, client, frozen_clock, state):
    data = fresh(client, round)
    if state == "past_closing_time":
        frozen_clock.advance(days=31)
    else:
        round.status = ConsultationStatus.CLOSED if state == "closed" else \
            ConsultationStatus.DRAFT
        round.closed_on = frozen_clock().date()
        round.save()
    page = client.post(url(round), data)
    assert page.status_code == 410
    assert ("has closed" in page.content.decode()) or ("not open yet" in page.content.decode())
    assert not Response.objects.exists()


def test_a_closed_round_page_says_so(round, client):
    round.status = ConsultationStatus.CLOSED
    round.save()
    page = client.get(url(round))
    assert page.status_code == 200 and "This consultation has closed" in page.content.decode()
    assert "<form" not in page.content.decode().split("<main")[1]


def test_a_filled_honeypot_looks_accepted_but_stores_nothing(round, client):
    sent = client.post(url(round), fresh(client, round, website="http://spam.example"))
    assert sent.status_code == 302 and sent["Location"] == url(round, "thanks/")
    assert not Response.objects.exists()


@pytest.mark.parametrize("token", ["", "forged", "expired", "other-round"])
def test_a_post_without_a_good_token_keeps_the_answers_and_stores_nothing(
        round, client, token, settings, world):
    from django.core import signing

    if token == "expired":
        settings.PLANGOV_FORM_TOKEN_MAX_AGE = 60
        token = signing.dumps({"r": round.pk, "n": "abc"}, salt=SALT)
        import time

        real = time.time
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(time, "time", lambda: real() + 120)
            page = client.post(url(round), filled(round, token))
    else:
        if token == "other-round":
            token = form_token_issue(round.pk + 1000)
        page = client.post(url(round), filled(round, token))
    assert page.status_code == 400
    html = page.content.decode()
    assert "open too long" in html and "More youth clubs" in html
    assert not Response.objects.exists()


def test_the_same_page_sent_twice_is_stored_once(round, client):
    data = fresh(client, round)
    assert client.post(url(round), data).status_code == 302
    assert client.post(url(round), data).status_code == 302
    assert Response.objects.count() == 1


def test_a_thousand_posts_from_one_token_are_limited_and_a_real_respondent_gets_through(
        round, settings, monkeypatch):
    cache.clear()
    # The thousand posts fall in one rate window however long they take on a loaded machine
    # (a window boundary crossed half-way would rightly let another 20 through).
    import types

    import plangov.ratelimit

    start = 1_800_000_000 - 1_800_000_000 % settings.PLANGOV_RESPONSES_TOKEN_WINDOW + 5
    monkeypatch.setattr(plangov.ratelimit, "time", types.SimpleNamespace(time=lambda: start))
    robot, person = Client(), Client()
    data = fresh(robot, round)
    statuses = [robot.post(url(round), data).status_code for _ in range(1000)]
    assert statuses[0] == 302
    limited = [s for s in statuses if s == 429]
    assert len(limited) == 1000 - settings.PLANGOV_RESPONSES_PER_TOKEN
    page = robot.post(url(round), data)
    assert page.status_code == 429 and 0 < int(page["Retry-After"]) <= 600
    assert "send them again in" in page.content.decode()
    assert Response.objects.count() == 1
    # A real second respondent with a fresh page is taken.
    assert person.post(url(round), fresh(person, round)).status_code == 302
    assert Response.objects.count() == 2


def test_thirty_pupils_behind_one_school_address_all_respond(round):
    cache.clear()
    for _ in range(30):
        pupil = Client(REMOTE_ADDR="192.0.2.10")
        assert pupil.post(url(round), fresh(pupil, round)).status_code == 302
    assert Response.objects.count() == 30


def test_one_address_has_a_ceiling(round, settings):
    cache.clear()
    settings.PLANGOV_RESPONSES_PER_ADDRESS_HOUR = 5
    codes = []
    for _ in range(6):
        visitor = Client(REMOTE_ADDR="198.51.100.7")
        codes.append(visitor.post(url(round), fresh(visitor, round)).status_code)
    assert codes == [302] * 5 + [429]
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.post(url(round), fresh(other, round)).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_the_counters_are_atomic_across_connections():
    """Two workers (threads with their own database connections) share one counter and
    lose no hit."""
    from django.core.cache import caches
    from django.db import connections

    from plangov.cache import DatabaseCache

    assert isinstance(caches["default"], DatabaseCache)
    cache.delete("shared-counter")
    cache.add("shared-counter", 0, timeout=600)

    def count() -> None:
        for _ in range(40):
            cache.incr("shared-counter")
        connections.close_all()

    workers = [threading.Thread(target=count) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert cache.get("shared-counter") == 80


# Results, privacy, accessibility.


def test_results_appear_once_published_with_consented_quotes_only(round, client, frozen_clock):
    free = questions(round)[0]
    quoted = response_submit(round=round, answers={str(free.pk): "Open the youth club later"},
                             audience="children-and-young-people", consent_to_quote=True)
    unquoted = response_submit(round=round, answers={str(free.pk): "Secret worry"},
                               consent_to_quote=False)
    round.status = ConsultationStatus.CLOSED
    round.closed_on = frozen_clock().date()
    round.save()
    assert "not published yet" in client.get(url(round, "results/")).content.decode()
    statement = Statement.objects.create(round=round, you_said="Youth clubs close too early.",
                                         we_did="Priority 2 now funds evening sessions.")
    statement.quotes.set([quoted.answers.get(), unquoted.answers.get()])
    round.summary_published_at = frozen_clock()
    round.summary_published_on = frozen_clock().date()
    round.save()
    html = client.get(url(round, "results/")).content.decode()
    assert "We asked, you said, we did" in html and "Youth clubs close too early." in html
    assert "Priority 2 now funds evening sessions." in html
    assert "Open the youth club later" in html and "Secret worry" not in html
    assert "2 responses" in html and "Children and young people" in html
    assert "We heard from:" in html


def test_published_results_show_the_round_summary(world, frozen_clock, client):
    from django.utils import timezone

    from governance.models import ConsultationRound

    from ..governance.consultation_helpers import (
        activity,
        audiences,
        closed_round,
        free_text,
        respond,
    )

    rnd = closed_round(world)
    groups = audiences(world)
    for _ in range(3):
        activity(rnd, {groups["children-and-young-people"]: 1300})
    respond(rnd, audience=groups["parents-and-carers"], where="online")
    redacted = respond(rnd, audience=groups["parents-and-carers"], consent=True,
                       text="My son Tom Smith at Park School needs a youth club")
    shown = respond(rnd, audience=groups["schools"], consent=True, text="More buses at night")
    Answer.objects.filter(pk=free_text(rnd, redacted).pk).update(
        redacted_text="My son [name] at [school] needs a youth club",
        redacted_at=timezone.now())
    statement = Statement.objects.create(round=rnd, you_said="Evenings are empty.",
                                         no_change_reason="The budget is fixed until 2010.")
    statement.quotes.set([free_text(rnd, redacted), free_text(rnd, shown)])
    ConsultationRound.objects.filter(pk=rnd.pk).update(
        summary_published_at=frozen_clock(), summary_published_on=frozen_clock().date())

    html = client.get(url(rnd, "results/")).content.decode()
    assert "3 pieces of work reaching 3,900 children and young people" in html
    assert "9 June 2008" in html and "30 September 2008" in html
    # Answers per choice, as a table: two said "At school", one "Online".
    assert re.search(r'<th scope="row" class="govuk-table__header">At school</th>'
                     r'<td class="govuk-table__cell govuk-table__cell--numeric">2</td>', html)
    assert re.search(r'>Online</th><td class="govuk-table__cell govuk-table__cell--numeric">1<',
                     html)
    assert "My son [name] at [school] needs a youth club" in html
    assert "Tom Smith" not in html and "Park School" not in html
    assert "More buses at night" in html
    assert "Evenings are empty." in html and "Why we made no change" in html
    assert "The budget is fixed until 2010." in html


def test_the_privacy_notice_says_what_is_kept_and_for_how_long(round, client):
    round.privacy_notice = "The data controller is the council."
    round.save()
    html = client.get(url(round, "privacy/")).content.decode()
    assert "The data controller is the council." in html
    assert "24 months after the consultation closes" in html


def test_the_accessibility_statement_is_a_real_one(client, db):
    html = client.get("/accessibility/").content.decode()
    for needed in ("WCAG", "2.2", "Enforcement procedure", "Equality Advisory",
                   "How we tested", "axe-core", "Reporting accessibility problems"):
        assert needed in html
    assert "placeholder" not in html


def test_a_huge_round_id_is_404(client, db):
    assert client.get(f"/p/yorok/consultations/{2**64}/").status_code == 404
    assert client.post(f"/p/yorok/consultations/{2**64}/").status_code == 404


def test_retention_date_shown(round, client, frozen_clock):
    round.status = ConsultationStatus.CLOSED
    round.closed_on = datetime.date(2016, 7, 14)
    round.save()
    assert "14 July 2018" in client.get(url(round, "privacy/")).content.decode()


def test_a_round_before_its_opening_time_says_it_is_not_open_yet(round, client, frozen_clock):
    data = fresh(client, round)
    frozen_clock.advance(days=-2)
    page = client.get(url(round))
    assert "This consultation is not open yet" in page.content.decode()
    sent = client.post(url(round), data)
    assert sent.status_code == 410 and "not open yet" in sent.content.decode()
    assert not Response.objects.exists()
