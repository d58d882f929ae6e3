"""The auditors' pages: the audit record searched by plan, actor, action and dates, a page
per plan, and the signed export download; who may see what; constant query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from governance.audit import audit_record
from governance.audit_export import load_roots, verify_export
from governance.models import AuditEvent, Role
from tests.conftest import World, make_plan
from tests.factories import BodyFactory, MembershipFactory, PartnershipFactory, UserFactory

SEARCH = reverse("audit:search")


def record(plan, n: int = 1, *, action: str = "plan.submit", actor=None) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(actor=actor, action=action, obj=plan, plan_id=plan.pk,
                         before={"stage": "draft"}, after={"stage": "submitted", "i": i})


@pytest.fixture
def plan(world: World):
    return make_plan(world)


def test_an_auditor_sees_the_events_of_their_partnership_plans(client, world, plan):
    record(plan, actor=world.lead)
    client.force_login(world.auditor)
    page = client.get(SEARCH)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Audit record" in body and "plan.submit" in body
    assert "lead submitted the plan" in body
    assert "Before and after" in body and "submitted" in body and "draft" in body
    assert reverse("audit:plan", args=[plan.pk]) in body
    # The whole record is not theirs to download; their plan's is.
    assert f'href="{reverse("audit:export")}"' not in body


@pytest.mark.parametrize("who", ["outsider", "lead", "board_secretary"])
def test_people_who_do_not_audit_are_refused(client, world, plan, who):
    client.force_login(getattr(world, who))
    assert client.get(SEARCH).status_code == 403
    assert client.get(reverse("audit:plan", args=[plan.pk])).status_code == 403
    assert client.get(reverse("audit:export") + f"?plan={plan.pk}").status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, plan):
    assert client.get(SEARCH).status_code == 302


def test_an_auditor_of_another_partnership_sees_nothing_of_this_plan(client, world, plan):
    record(plan)
    stranger = UserFactory(username="other_auditor")
    MembershipFactory(user=stranger, body=BodyFactory(partnership=PartnershipFactory()),
                      role=Role.AUDITOR)
    client.force_login(stranger)
    page = client.get(SEARCH)
    assert page.status_code == 200
    assert "Event 1:" not in page.content.decode() and "No events yet" in page.content.decode()
    assert page.context["page"].paginator.count == 0
    assert client.get(reverse("audit:plan", args=[plan.pk])).status_code == 404
    assert client.get(reverse("audit:export") + f"?plan={plan.pk}").status_code == 404


def test_staff_and_external_auditors_see_everything(client, world, plan):
    record(plan)
    with transaction.atomic():
        audit_record(actor=None, action="partnership.update", obj=world.partnership,
                     before={}, after={"name": "x"})
    staff = UserFactory(username="staff", is_staff=True)
    external = UserFactory(username="external")
    MembershipFactory(user=external, body=world.board, role=Role.EXTERNAL_AUDITOR)
    for user in (staff, external):
        client.force_login(user)
        page = client.get(SEARCH)
        assert page.context["page"].paginator.count == AuditEvent.objects.count()
        assert f'href="{reverse("audit:export")}"' in page.content.decode()


def test_the_search_filters_by_plan_actor_action_and_dates(client, world, plan, frozen_clock):
    frozen_clock.set(datetime.date(2026, 5, 1))
    record(plan, 2, action="plan.submit", actor=world.lead)
    frozen_clock.set(datetime.date(2026, 6, 10))
    record(plan, 3, action="decision.record", actor=world.board_secretary)
    client.force_login(world.auditor)

    def count(**query: str) -> int:
        page = client.get(SEARCH, query)
        assert page.status_code == 200, page.content.decode()[:2000]
        return page.context["page"].paginator.count

    everything = AuditEvent.objects.filter(plan=plan).count()
    assert count(plan=str(plan.pk)) == everything
    assert count(action="decision.record") == 3
    assert count(actor="lead", action="plan.submit") == 2
    assert count(since_day="1", since_month="6", since_year="2026",
                 until_day="30", until_month="6", until_year="2026") == 3
    assert count(since_day="1", since_month="5", since_year="2026",
                 until_day="31", until_month="5", until_year="2026") == 2
    assert count(plan="999999") == 0


def test_a_bad_search_is_answered_with_an_error_summary(client, world, plan):
    client.force_login(world.auditor)
    page = client.get(SEARCH, {"since_day": "31", "since_month": "2", "since_year": "2026"})
    assert page.status_code == 400
    body = page.content.decode()
    assert "There is a problem" in body and "must be a real date" in body
    page = client.get(SEARCH, {"since_day": "2", "since_month": "2", "since_year": "2026",
                               "until_day": "1", "until_month": "2", "until_year": "2026"})
    assert page.status_code == 400 and "on or after the first day" in page.content.decode()
    page = client.get(SEARCH, {"actor": "a\x00b"})
    assert page.status_code == 400


def test_the_plan_page_pages_its_events(client, world, plan):
    record(plan, 120)
    client.force_login(world.auditor)
    url = reverse("audit:plan", args=[plan.pk])
    first = client.get(url)
    assert first.status_code == 200
    total = AuditEvent.objects.filter(plan=plan).count()
    assert first.context["page"].paginator.count == total
    assert len(first.context["rows"]) == 50
    newest = AuditEvent.objects.filter(plan=plan).latest("seq").seq
    assert first.context["rows"][0]["event"].seq == newest
    last = client.get(url, {"page": "3"})
    assert len(last.context["rows"]) == total - 100
    assert 'aria-label="Pages of events"' in first.content.decode()


def test_query_counts_do_not_grow_with_the_events(client, world, plan,
                                                  django_assert_num_queries):
    client.force_login(world.auditor)
    record(plan, 1)
    client.get(SEARCH)  # warm the session and the template cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(SEARCH).status_code == 200
        assert client.get(reverse("audit:plan", args=[plan.pk])).status_code == 200
    record(plan, 60)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(SEARCH).status_code == 200
        assert client.get(reverse("audit:plan", args=[plan.pk])).status_code == 200


def test_an_auditor_downloads_a_signed_export_of_a_plan(client, world, plan, tmp_path,
                                                        settings):
    record(plan, 3)
    client.force_login(world.auditor)
    response = client.get(reverse("audit:export"), {"plan": plan.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    path = tmp_path / "plan.jsonl"
    path.write_bytes(b"".join(response.streaming_content))
    report = verify_export(path, trust_roots=load_roots(settings.PLANGOV_SIGNING_TRUST_ROOTS))
    assert report.ok, report.problem
    assert report.scope == "plan"
    assert report.events == AuditEvent.objects.filter(plan=plan).count()
    # The whole record is for those who see every event.
    assert client.get(reverse("audit:export")).status_code == 403


def test_staff_download_the_whole_record(client, world, plan, tmp_path, settings):
    record(plan, 2)
    client.force_login(UserFactory(username="staff", is_staff=True))
    response = client.get(reverse("audit:export"))
    assert response.status_code == 200
    path = tmp_path / "all.jsonl"
    path.write_bytes(b"".join(response.streaming_content))
    report = verify_export(path, trust_roots=load_roots(settings.PLANGOV_SIGNING_TRUST_ROOTS))
    assert report.ok and report.scope == "chain"
    assert report.events == AuditEvent.objects.count()


def test_the_plan_page_links_auditors_to_the_audit_record(client, world, plan):
    link = reverse("audit:plan", args=[plan.pk])
    client.force_login(world.auditor)
    assert link in client.get(reverse("workflows:plan", args=[plan.pk])).content.decode()
    client.force_login(world.lead)
    assert link not in client.get(reverse("workflows:plan", args=[plan.pk])).content.decode()
