"""The staff pages of a round: engagement activities and offline-response imports."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from governance.consultation.activities import activity_record
from governance.models import Activity, Audience, Response, ResponseImport

from .consultation_import_helpers import consultation_round, csv_bytes, good_row, header


@pytest.fixture(autouse=True)
def import_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_IMPORT_DIR = tmp_path / "imports"
    return settings.PLANGOV_IMPORT_DIR


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add(round: Any, world: Any, n: int) -> Activity:
    return activity_record(round=round, actor=world.lead, title=f"Workshop {n}", channel="event",
                           held_on=datetime.date(2016, 6, 20),
                           reach={"children-and-young-people": 10 + n, "schools": 2})


def test_the_activities_page_lists_each_with_its_reach_in_the_same_queries(
        world: Any, django_assert_max_num_queries: Any) -> None:
    round = consultation_round(world)
    client = signed_in(world.lead)
    add(round, world, 1)
    url = f"/consultations/{round.pk}/activities/"
    client.get(url)  # warm up (sessions, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        page = client.get(url)
    assert page.status_code == 200
    for n in range(2, 8):
        add(round, world, n)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)
    html = page.content.decode()
    assert "Workshop 7" in html and "17 children and young people" in html
    assert "Add an activity" in html
    assert ">14<" in html  # schools: 2 x 7 in the totals


def test_adding_an_activity_with_its_reach_table(world: Any) -> None:
    round = consultation_round(world)
    client = signed_in(world.lead)
    form = client.get(f"/consultations/{round.pk}/activities/new/")
    assert form.status_code == 200
    children = Audience.objects.get(partnership=world.partnership,
                                    slug="children-and-young-people")
    html = form.content.decode()
    assert f'id="id_reach_{children.pk}"' in html and 'class="govuk-table"' in html
    posted = client.post(f"/consultations/{round.pk}/activities/new/", {
        "title": "Youth council <b>workshop</b>", "channel": "youth_group",
        "held_on": "20/06/2016", f"reach_{children.pk}": "45"})
    assert posted.status_code == 302
    activity = Activity.objects.get()
    assert activity.title == "Youth council <b>workshop</b>"
    listing = client.get(posted["Location"]).content.decode()
    assert "Youth council &lt;b&gt;workshop&lt;/b&gt;" in listing
    assert "<b>workshop</b>" not in listing


def test_errors_are_summarised_linking_to_their_fields_and_keep_what_was_typed(
        world: Any) -> None:
    round = consultation_round(world)
    client = signed_in(world.lead)
    schools = Audience.objects.get(partnership=world.partnership, slug="schools")
    page = client.post(f"/consultations/{round.pk}/activities/new/", {
        "title": "Assembly\x0b", "channel": "event", "held_on": "01/01/2099",
        f"reach_{schools.pk}": "-4"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "<title>Error: " in html and "govuk-error-summary" in html
    assert 'href="#id_title"' in html and f'href="#id_reach_{schools.pk}"' in html
    assert 'value="-4"' in html
    page = client.post(f"/consultations/{round.pk}/activities/new/", {
        "title": "Assembly", "channel": "event", "held_on": "01/01/2099"})
    html = page.content.decode()
    assert page.status_code == 400 and 'href="#id_held_on"' in html
    assert "at least one" in html  # no reach given
    assert Activity.objects.count() == 0


def test_changing_and_deleting_an_activity(world: Any) -> None:
    round = consultation_round(world)
    activity = add(round, world, 1)
    client = signed_in(world.lead)
    url = f"/consultations/{round.pk}/activities/{activity.pk}/"
    assert 'value="Workshop 1"' in client.get(url).content.decode()
    schools = Audience.objects.get(partnership=world.partnership, slug="schools")
    assert client.post(url, {"title": "Workshop one", "channel": "event",
                             "held_on": "2016-06-20", f"reach_{schools.pk}": "9"}
                       ).status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Workshop one"
    assert list(activity.reach.values_list("count", flat=True)) == [9]
    assert client.post(f"{url}delete/").status_code == 302
    assert not Activity.objects.exists()


def test_who_sees_and_who_changes_activities(world: Any) -> None:
    round = consultation_round(world)
    activity = add(round, world, 1)
    assert signed_in(world.outsider).get(
        f"/consultations/{round.pk}/activities/").status_code == 404
    secretary = signed_in(world.board_secretary)
    listing = secretary.get(f"/consultations/{round.pk}/activities/")
    assert listing.status_code == 200 and "Add an activity" not in listing.content.decode()
    assert secretary.get(f"/consultations/{round.pk}/activities/new/").status_code == 403
    assert secretary.post(f"/consultations/{round.pk}/activities/{activity.pk}/delete/"
                          ).status_code == 403
    assert Activity.objects.count() == 1


def upload(client: Client, round: Any, data: bytes, **extra: Any) -> Any:
    return client.post(f"/consultations/{round.pk}/imports/",
                       {"file": SimpleUploadedFile("returns.csv", data), **extra})


def test_uploading_a_file_on_the_page_imports_it_and_shows_the_outcome(
        world: Any, django_capture_on_commit_callbacks: Any) -> None:
    round = consultation_round(world)
    client = signed_in(world.lead)
    page = client.get(f"/consultations/{round.pk}/imports/")
    assert 'enctype="multipart/form-data"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        posted = upload(client, round, csv_bytes([header(round), good_row(1), good_row(2)]))
    assert posted.status_code == 302
    detail = client.get(posted["Location"]).content.decode()
    assert "2 responses imported" in detail
    assert "import-progress.js" not in detail  # finished: nothing to poll
    # The same file again: told so, and nothing more is imported.
    again = upload(client, round, csv_bytes([header(round), good_row(1), good_row(2)]))
    assert again["Location"] == posted["Location"]
    assert "nothing was imported again" in client.get(again["Location"]).content.decode()
    assert Response.objects.count() == 2 and ResponseImport.objects.count() == 1


def test_a_waiting_import_shows_progress_in_a_live_region_with_a_refresh_link(
        world: Any) -> None:
    round = consultation_round(world)
    client = signed_in(world.lead)
    posted = upload(client, round, csv_bytes([header(round), good_row(1)]))  # not run
    html = client.get(posted["Location"]).content.decode()
    assert 'aria-live="polite"' in html and "<progress" in html
    assert "Refresh to see the progress" in html
    assert "plangov/import-progress.js" in html and "<script>" not in html


def test_a_file_with_problems_shows_the_row_report_and_imports_the_valid_rows_on_request(
        world: Any, django_capture_on_commit_callbacks: Any) -> None:
    round = consultation_round(world)
    client = signed_in(world.lead)
    rows = [header(round), good_row(1),
            ["=cmd|' /C calc'!A0", "", "", "", "<script>alert(1)</script>", "", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        posted = upload(client, round, csv_bytes(rows))
    html = client.get(posted["Location"]).content.decode()
    assert "Nothing was imported" in html and "formula" in html
    assert "<script>alert(1)</script>" not in html
    report = client.get(posted["Location"] + "report.csv")
    assert report["Content-Type"].startswith("text/csv")
    cells = [c for row in csv.reader(io.StringIO(report.content.decode("utf-8-sig")))
             for c in row]
    assert ["row", "column", "problem"] == cells[:3]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(posted["Location"] + "only-valid-rows/")
    assert "1 response imported" in client.get(posted["Location"]).content.decode()
    assert Response.objects.count() == 1


def test_a_file_over_the_limit_is_refused_on_the_page(world: Any, settings: Any) -> None:
    round = consultation_round(world)
    settings.PLANGOV_IMPORT_MAX_BYTES = 1024
    page = upload(signed_in(world.lead), round, b"audience\n" + b"schools\n" * 1000)
    assert page.status_code == 400
    html = page.content.decode()
    assert "<title>Error: " in html and 'href="#id_file"' in html and "MB" in html
    assert ResponseImport.objects.count() == 0


def test_who_may_import_on_the_page(world: Any) -> None:
    round = consultation_round(world)
    data = csv_bytes([header(round), good_row(1)])
    assert signed_in(world.outsider).get(f"/consultations/{round.pk}/imports/"
                                         ).status_code == 404
    secretary = signed_in(world.board_secretary)
    page = secretary.get(f"/consultations/{round.pk}/imports/").content.decode()
    assert "Upload and check the file" not in page
    assert upload(secretary, round, data).status_code == 403
    assert ResponseImport.objects.count() == 0


def test_the_imports_list_takes_the_same_queries_for_one_import_or_many(
        world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from governance.consultation.imports import services

    monkeypatch.setattr(services, "_enqueue", lambda import_id: None)
    round = consultation_round(world)
    client = signed_in(world.lead)
    url = f"/consultations/{round.pk}/imports/"

    def add_import(n: int) -> None:
        services.import_create(round=round, actor=world.lead, upload=SimpleUploadedFile(
            f"returns-{n}.csv", csv_bytes([header(round), good_row(n)])), filename=f"r{n}.csv")

    add_import(0)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(1, 6):
        add_import(n)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)
    assert "r5.csv" in page.content.decode()
