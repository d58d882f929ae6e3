"""A round's activities and imports pages in Chromium: no sideways scrolling at 390 px, the
reach table usable on a phone, and the import's progress updated by import-progress.js (and
a refresh link without JavaScript). PLANGOV_SHOTS=dir saves screenshots there."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import pytest

from governance.consultation.activities import activity_record
from governance.consultation.imports import services
from tests.conftest import build_world
from tests.governance.consultation_import_helpers import (
    consultation_round,
    csv_bytes,
    good_row,
    header,
)

from .test_journey import browser  # noqa: F401 - the fixture
from .test_versions_pages import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page: Any, name: str) -> None:
    if where := os.environ.get("PLANGOV_SHOTS"):
        page.screenshot(path=str(Path(where) / f"{name}.png"), full_page=True)


@pytest.fixture
def import_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_IMPORT_DIR = tmp_path / "imports"
    return settings.PLANGOV_IMPORT_DIR


def test_activities_pages_fit_a_phone(browser, live_server, frozen_clock):  # noqa: F811
    world = build_world()
    round = consultation_round(world)
    activity_record(round=round, actor=world.lead, title="Youth council workshop on the "
                    "priorities of the plan, with the Children in Care Council",
                    channel="youth_group", held_on=datetime.date(2016, 6, 20),
                    reach={"children-and-young-people": 45, "parents-and-carers": 3})
    for width in (1280, 390):
        page = signed_in(browser, live_server, width)
        page.goto(f"{live_server.url}/consultations/{round.pk}/activities/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"activities-{width}")
        page.get_by_role("button", name="Add an activity").click()
        page.get_by_label("Title").fill("School council survey")
        page.get_by_label("Day it was held (or began)").fill("21/06/2016")
        page.get_by_label("Children and young people: people reached").fill("300")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"activity-form-{width}")
        page.get_by_role("button", name="Record the activity").click()
        page.wait_for_load_state()
        assert "School council survey" in page.content()
        page.context.close()


def test_the_import_page_follows_progress_with_and_without_javascript(  # noqa: F811
        browser, live_server, frozen_clock, import_dir, monkeypatch):  # noqa: F811
    world = build_world()
    round = consultation_round(world)
    monkeypatch.setattr(services, "_enqueue", lambda import_id: None)  # no worker yet
    page = signed_in(browser, live_server, 390)
    page.goto(f"{live_server.url}/consultations/{round.pk}/imports/")
    shot(page, "imports-390")
    source = import_dir.parent / "returns.csv"
    source.write_bytes(csv_bytes([header(round), *(good_row(n) for n in range(30))]))
    page.get_by_label("File of responses (CSV or XLSX)").set_input_files(str(source))
    page.get_by_role("button", name="Upload and check the file").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").text_content().strip() == "Waiting for a worker."
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "import-waiting-390")
    import_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    assert services.import_run(import_id=import_id) == "done"  # the worker, meanwhile
    # import-progress.js sees it finished and reloads the page.
    page.get_by_text("30 responses imported").wait_for(timeout=15_000)
    shot(page, "import-done-390")
    page.context.close()
    # Without JavaScript: the refresh link.
    nojs = signed_in(browser, live_server, 1024, javascript=False)
    source.write_bytes(csv_bytes([header(round), ["pensioners", "", "", "", "x", "", "", ""],
                                  good_row(99)]))
    nojs.goto(f"{live_server.url}/consultations/{round.pk}/imports/")
    nojs.get_by_label("File of responses (CSV or XLSX)").set_input_files(str(source))
    nojs.get_by_role("button", name="Upload and check the file").click()
    nojs.wait_for_load_state()
    import_id = int(nojs.url.rstrip("/").rsplit("/", 1)[-1])
    assert services.import_run(import_id=import_id) == "invalid"
    nojs.get_by_role("link", name="Refresh to see the progress").click()
    nojs.wait_for_load_state()
    assert "Nothing was imported" in nojs.content()
    shot(nojs, "import-invalid-1024")
    nojs.context.close()
