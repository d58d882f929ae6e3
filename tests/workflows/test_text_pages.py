"""The pages' door of the text policy: every form refuses what plangov.text refuses, with the
error beside the field (and linked from the summary); query strings too; titles and names
are corrected through audited services until adoption."""

from __future__ import annotations

import html
from typing import Any

import pytest

from documents.models import ExecutiveReport, Stage
from governance.models import AuditEvent, Decision, Partnership
from tests.api.conftest import plan_in_stage
from tests.conftest import make_plan, open_task, submitted_plan
from tests.plangov.test_text import SAMPLES

pytestmark = pytest.mark.django_db

# Forms travel as UTF-8: a lone surrogate cannot be sent by a browser.
PAGE_SAMPLES = [c for c in SAMPLES if not 0xD800 <= ord(c) <= 0xDFFF]
FORM = {"outcome": "approved", "decided_on": "2016-07-14", "attendance": "8",
        "minute_reference": "YB/2016/12", "votes_for": "7", "votes_against": "0",
        "votes_abstaining": "1", "declarations_of_interest": "", "reasons": "Agreed."}


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def beside(response: Any, field_id: str, char: str) -> None:
    """The error is on the field (its own message element) and linked from the summary."""
    content = page(response)
    assert f'id="{field_id}-error"' in content
    error = content.split(f'id="{field_id}-error"')[1].split("</")[1]
    assert f"U+{ord(char):04X}" in content.split(f'id="{field_id}-error"')[1][:300], error


@pytest.mark.parametrize("char", PAGE_SAMPLES)
def test_the_decision_form_refuses_each_class_beside_the_field(world, frozen_clock, client,
                                                               char):
    plan = submitted_plan(world)
    task = open_task(plan, world.board)
    client.force_login(world.board_secretary)
    response = client.post(f"/tasks/{task.pk}/complete/",
                           {**FORM, "reasons": f"Agreed{char} unanimously"})
    assert response.status_code == 400
    beside(response, "id_reasons", char)
    assert 'href="#id_reasons"' in page(response)
    assert not Decision.objects.exists()


def test_the_decision_form_normalises_line_separators(world, frozen_clock, client):
    plan = submitted_plan(world)
    client.force_login(world.board_secretary)
    response = client.post(f"/tasks/{open_task(plan, world.board).pk}/complete/",
                           {**FORM, "reasons": "One\r\nTwo\u2028Three"})
    assert response.status_code == 302
    assert Decision.objects.get().reasons == "One\nTwo\nThree"


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x85"])
def test_the_sign_in_form_refuses_before_any_query(world, client, char):
    response = client.post("/accounts/login/", {"username": f"lead{char}", "password": "x"})
    assert response.status_code == 200
    beside(response, "id_username", char)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("char", PAGE_SAMPLES)
def test_the_report_form_refuses_each_class_beside_the_field(world, frozen_clock, client,
                                                             char):
    plan = submitted_plan(world)
    client.force_login(world.lead)
    response = client.post(f"/plans/{plan.pk}/report/", {
        "summary": "Fine", "background": f"Back{char}ground", "recommendation_0": "Endorse",
        "reason_0": f"Because{char}", "contact_name": f"Ann{char}"})
    assert response.status_code == 400
    for field in ("id_background", "id_reason_0", "id_contact_name"):
        beside(response, field, char)
    assert 'href="#id_background"' in page(response)
    assert not ExecutiveReport.objects.exists()


def test_a_plan_action_reason_is_refused_on_the_page(world, client):
    plan = make_plan(world)
    client.force_login(world.lead)
    response = client.post(f"/plans/{plan.pk}/actions/withdraw/", {"reason": "Gone\x0b"})
    assert response.status_code == 400
    assert "Reason for withdrawing the plan: Contains U+000B (LINE TABULATION)" in page(response)
    plan.refresh_from_db()
    assert plan.stage == Stage.DRAFTING


@pytest.mark.parametrize("url", ["/tasks/?view=mine%0B", "/plans/1/?x=%00",
                                 "/verify/?q=%C2%85"])
def test_query_strings_are_refused_on_pages(world, client, url):
    client.force_login(world.lead)
    response = client.get(url)
    assert response.status_code == 400
    assert "Check the address" in page(response)


# Renaming a plan on its page.


def test_the_lead_officer_renames_the_plan_on_its_page(world, client):
    plan = make_plan(world)
    client.force_login(world.lead)
    assert "Change the title" in page(client.get(f"/plans/{plan.pk}/"))
    response = client.post(f"/plans/{plan.pk}/title/",
                           {"title": "CYPP 2009-12", "reason": "Shorter\r\nand clearer"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "CYPP 2009-12"
    event = AuditEvent.objects.get(action="plan.rename")
    assert event.reason == "Shorter\nand clearer"
    assert "changed the plan's title" in page(client.get(f"/plans/{plan.pk}/"))


@pytest.mark.parametrize("char", PAGE_SAMPLES)
def test_a_refused_title_is_an_error_beside_the_field(world, client, char):
    plan = make_plan(world)
    client.force_login(world.lead)
    response = client.post(f"/plans/{plan.pk}/title/", {"title": f"CYPP{char}"})
    assert response.status_code == 400
    beside(response, "id_title", char)
    assert not AuditEvent.objects.filter(action="plan.rename").exists()


def test_no_rename_form_for_others_or_after_adoption(world, frozen_clock, client):
    plan = make_plan(world)
    client.force_login(world.board_secretary)
    assert "Change the title" not in page(client.get(f"/plans/{plan.pk}/"))
    assert client.post(f"/plans/{plan.pk}/title/", {"title": "Mine"}).status_code == 403
    adopted = plan_in_stage(world, frozen_clock, Stage.ADOPTED)
    client.force_login(world.lead)
    assert "Change the title" not in page(client.get(f"/plans/{adopted.pk}/"))
    assert client.post(f"/plans/{adopted.pk}/title/", {"title": "Later"}).status_code == 409


# The admin: names through the services.


@pytest.fixture
def staff(world):
    from tests.factories import UserFactory

    return UserFactory(username="admin", is_staff=True, is_superuser=True)


def test_the_admin_renames_a_partnership_through_the_service(world, client, staff):
    client.force_login(staff)
    url = f"/admin/governance/partnership/{world.partnership.pk}/change/"
    response = client.post(url, {"name": "York Children's Trust", "slug": "yorok",
                                 "area": "City of York", "nation": "england",
                                 "call_in_members_needed": 3,
                                 "call_in_by_scrutiny_chair": "on"})
    assert response.status_code == 302, page(response)[:2000]
    world.partnership.refresh_from_db()
    assert world.partnership.name == "York Children's Trust"
    event = AuditEvent.objects.get(action="partnership.rename")
    assert event.actor == staff and event.before == {"name": "YorOK Children's Trust"}


def test_the_admin_refuses_a_name_with_a_control_character(world, client, staff):
    client.force_login(staff)
    url = f"/admin/governance/partnership/{world.partnership.pk}/change/"
    response = client.post(url, {"name": "York\x0b Trust", "slug": "yorok", "area": ""})
    assert response.status_code == 200
    assert "U+000B (LINE TABULATION)" in page(response)
    assert Partnership.objects.get().name == "YorOK Children's Trust"


def test_the_admin_sign_in_form_is_under_the_policy_too(world, client):
    response = client.post("/admin/login/", {"username": "lead\x0b", "password": "x"})
    assert response.status_code == 200
    assert "U+000B (LINE TABULATION)" in page(response)
