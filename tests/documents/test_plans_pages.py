"""The plans list (filters, search, pagination, constant queries) and "Create a plan"."""

from __future__ import annotations

from typing import Any

import pytest

from documents.models import ApprovalStep, Plan, PlanKind
from governance.models import AuditEvent
from tests.conftest import make_plan
from tests.factories import BodyFactory, MembershipFactory, PartnershipFactory, UserFactory


def text(response: Any) -> str:
    return response.content.decode()


def rename(plan: Plan, title: str, **fields: Any) -> Plan:
    Plan.objects.filter(pk=plan.pk).update(title=title, **fields)
    return Plan.objects.get(pk=plan.pk)


def test_the_list_shows_the_plans_a_person_may_see(world, client):
    make_plan(world)
    other = PartnershipFactory(name="Elsewhere Trust", slug="elsewhere")
    board = BodyFactory(partnership=other, slug="elsewhere-board")
    lead = UserFactory(username="elsewhere-lead")
    MembershipFactory(user=lead, body=board, role="lead_officer")
    Plan.objects.create(title="Elsewhere's plan", kind=PlanKind.CYPP,
                        period_start="2009-04-01", period_end="2012-03-31", partnership=other,
                        owning_body=board, lead_officer=lead, executive_body=board)
    client.force_login(world.board_secretary)
    page = text(client.get("/plans/"))
    assert "Children and Young People&#x27;s Plan" in page
    assert "Elsewhere&#x27;s plan" not in page
    assert "1 plan" in page
    # Not a lead officer: no "Create a plan".
    assert "/plans/new/" not in page


def test_filters_by_stage_kind_body_and_title(world, client):
    first = rename(make_plan(world), "Early Help Strategy", kind=PlanKind.STRATEGY)
    second = rename(make_plan(world), "Children in Care Strategy", stage="withdrawn")
    third = make_plan(world, bodies=[world.board])
    client.force_login(world.lead)

    def titles(query: str) -> set[str]:
        page = text(client.get(f"/plans/?{query}"))
        return {p.title for p in (first, second, third) if p.title.replace("'", "&#x27;") in page}

    assert titles("") == {first.title, second.title, third.title}
    assert titles("q=care") == {second.title}
    assert titles("stage=withdrawn") == {second.title}
    assert titles("kind=strategy") == {first.title}
    assert titles(f"body={world.safeguarding.pk}") == {first.title, second.title}
    assert titles(f"body={world.board.pk}&stage=drafting") == {first.title, third.title}


@pytest.mark.parametrize("query", ["stage=nonsense", "kind=x", "body=abc", "body=99999999",
                                   "q=" + "x" * 201])
def test_a_bad_filter_is_a_400_naming_the_field(world, client, query):
    make_plan(world)
    client.force_login(world.lead)
    response = client.get(f"/plans/?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert f'href="#id_{name}"' in text(response)


def test_a_control_character_in_the_search_is_a_400_naming_it(world, client):
    client.force_login(world.lead)
    response = client.get("/plans/?q=a%0Bb")
    assert response.status_code == 400
    assert "q: " in text(response) and "U+000B" in text(response)


def test_the_list_pages_with_govuk_pagination(world, client):
    from documents import plan_views

    for n in range(plan_views.PAGE_SIZE + 2):
        rename(make_plan(world), f"Plan {n:02d}")
    client.force_login(world.lead)
    page = text(client.get("/plans/?q=Plan"))
    assert 'class="govuk-pagination"' in page
    assert "page=2" in page and "q=Plan" in page
    second = text(client.get("/plans/?q=Plan&page=2"))
    assert second.count('class="govuk-table__row"') == 2 + 1  # the head's row too


def test_the_list_runs_the_same_queries_for_one_or_many(world, client,
                                                         django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_plan(world)
    client.force_login(world.lead)
    with CaptureQueriesContext(connection) as one:
        client.get("/plans/?kind=cypp")
    for _ in range(8):
        make_plan(world)
    with django_assert_num_queries(len(one)):
        response = client.get("/plans/?kind=cypp")
    assert text(response).count("Children and Young People&#x27;s Plan") == 9


def form_data(world: Any, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Children and Young People's Plan 2012-15",
        "kind": "cypp",
        "partnership": str(world.partnership.pk),
        "period_start_day": "1", "period_start_month": "4", "period_start_year": "2012",
        "period_end_day": "31", "period_end_month": "3", "period_end_year": "2015",
        "owning_body": str(world.board.pk),
        "approving_bodies": [str(world.board.pk), str(world.safeguarding.pk)],
        "approval_route": "ordered",
        "executive_body": str(world.executive.pk),
        "subject_to_call_in": "no",
        "created_on_day": "", "created_on_month": "", "created_on_year": "",
    }
    data.update(changes)
    return data


def test_a_lead_officer_creates_a_plan(world, frozen_clock, client):
    client.force_login(world.lead)
    page = text(client.get("/plans/new/"))
    assert "govuk-date-input" in page and "govuk-checkboxes" in page and "govuk-radios" in page
    # Only the partnership's boards can approve; the executive is chosen apart.
    assert "YorOK Board" in page and "Learning and Culture Scrutiny Committee" not in page
    response = client.post("/plans/new/", form_data(world, created_on_day="3",
                                                    created_on_month="2",
                                                    created_on_year="2016"))
    assert response.status_code == 302, text(response)[:3000]
    plan = Plan.objects.get(title="Children and Young People's Plan 2012-15")
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert (plan.lead_officer, plan.approval_route, plan.subject_to_call_in,
            str(plan.period_start), str(plan.created_on)) == (
        world.lead, "ordered", False, "2012-04-01", "2016-02-03")
    assert list(ApprovalStep.objects.filter(plan=plan).values_list("body__slug", "position")) \
        == [("yorok-board", 1), ("safeguarding-board", 2)]
    assert AuditEvent.objects.filter(action="plan.create", object_id=str(plan.pk)).count() == 1
    followed = text(client.get(response["Location"]))
    assert "was created" in followed and "govuk-notification-banner--success" in followed


def test_mistakes_are_summarised_and_linked_to_their_fields(world, frozen_clock, client):
    client.force_login(world.lead)
    response = client.post("/plans/new/", form_data(
        world, title="", approving_bodies=[], period_end_day="31", period_end_month="2",
        period_start_year="", kind="nonsense"))
    assert response.status_code == 400
    page = text(response)
    assert "<title>Error:" in page
    for anchor in ("id_title", "id_approving_bodies_0", "id_period_start_day",
                   "id_period_end_day", "id_kind_0"):
        assert f'href="#{anchor}"' in page, anchor
        assert f'id="{anchor}"' in page, anchor
    assert "Enter the plan&#x27;s title." in page
    assert "must be a real date" in page
    assert "must include a day, month and year" in page
    assert not Plan.objects.exists()


def test_the_service_refusals_come_back_on_the_form(world, frozen_clock, client):
    client.force_login(world.lead)
    response = client.post("/plans/new/", form_data(
        world, period_end_year="2011", created_on_year="2030", created_on_day="1",
        created_on_month="1"))
    assert response.status_code == 400
    page = text(response)
    assert 'href="#id_period_end_day"' in page
    assert "The period must end after it starts." in page
    # Text typed in comes back as text.
    response = client.post("/plans/new/", form_data(world, title="<script>x</script>",
                                                    period_end_year="2011"))
    assert "&lt;script&gt;x&lt;/script&gt;" in text(response)
    assert "<script>x</script>" not in text(response)


def test_a_control_character_in_the_title_is_refused_beside_the_field(world, frozen_clock,
                                                                       client):
    client.force_login(world.lead)
    response = client.post("/plans/new/", form_data(world, title="Plan\x0b2012"))
    assert response.status_code == 400
    assert "U+000B" in text(response)


@pytest.mark.parametrize("who", ["board_secretary", "auditor", "outsider"])
def test_only_lead_officers_may_create_a_plan(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get("/plans/new/").status_code == 403
    assert client.post("/plans/new/", form_data(world)).status_code == 403
    assert not Plan.objects.exists()


def test_the_home_page_links_all_plans_and_create(world, client):
    make_plan(world)
    client.force_login(world.lead)
    page = text(client.get("/"))
    assert 'href="/plans/"' in page and 'href="/plans/new/"' in page
    client.force_login(world.board_secretary)
    page = text(client.get("/"))
    assert 'href="/plans/"' in page and 'href="/plans/new/"' not in page
