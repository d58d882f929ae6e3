"""The import pages in Chromium: upload a Word file made by the test, read the preview, at a
desktop width and at 390 px (no sideways scrolling), with axe-core finding nothing serious.
Screenshots go to $PLANGOV_SCREENSHOTS when it is set (never committed)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.a11y import inject_axe
from tests.browser.test_journey import browser, sign_in  # noqa: F401  (fixture)
from tests.conftest import build_world, make_plan
from tests.documents import content_files as files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def check(page: Any, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} scrolls sideways"
    inject_axe(page)
    result = page.evaluate("axe.run().then(r => r.violations.map(v => [v.id, v.impact]))")
    serious = [v for v in result if v[1] in {"serious", "critical"}]
    assert not serious, (name, serious)
    if shots := os.environ.get("PLANGOV_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/{name}-{page.viewport_size['width']}.png", full_page=True)


def test_upload_a_word_file_and_read_its_preview(browser: Any, live_server: Any,  # noqa: F811
                                                 tmp_path: Path) -> None:
    world = build_world()
    plan = make_plan(world)
    docx_file = tmp_path / "plan.docx"
    docx_file.write_bytes(files.hand_written_docx())
    bad_file = tmp_path / "locked.docx"
    bad_file.write_bytes(files.encrypted_docx())
    page = sign_in(browser, live_server, "lead")
    for width in (1024, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/plans/{plan.pk}/draft/import/")
        check(page, "import-upload")
        page.get_by_label("File to import").set_input_files(str(bad_file))
        page.get_by_role("button", name="Upload and preview").click()
        assert page.title().startswith("Error: ")
        check(page, "import-error")
        page.get_by_label("File to import").set_input_files(str(docx_file))
        page.get_by_role("button", name="Upload and preview").click()
        page.get_by_role("heading", name="Not understood (4)").wait_for()
        check(page, "import-preview")
        page.get_by_role("button", name="Cancel").click()
