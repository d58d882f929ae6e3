"""The admin is one more door onto the same services: it cannot bypass guards or the audit."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from documents.models import Plan, Stage
from governance.models import AuditEvent
from tests.conftest import make_plan, publish_summary, submitted_plan
from tests.factories import valid_content


@pytest.fixture
def staff_lead(world):
    world.lead.is_staff = True
    world.lead.is_superuser = True
    world.lead.save()
    return world.lead


def test_it_registers_every_model_of_the_domain():
    from django.apps import apps

    for label in ("governance", "documents", "workflows"):
        for model in apps.get_app_config(label).get_models():
            assert admin.site.is_registered(model), model


def test_it_shows_every_changelist_to_staff(client, world, staff_lead, frozen_clock):
    submitted_plan(world)
    client.force_login(staff_lead)
    for model in admin.site._registry:
        if model._meta.app_label not in {"governance", "documents", "workflows"}:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_it_keeps_audit_events_read_only(client, world, staff_lead):
    make_plan(world)
    event = AuditEvent.objects.get()
    client.force_login(staff_lead)
    change = reverse("admin:governance_auditevent_change", args=[event.pk])
    response = client.post(change, {"reason": "rewritten"})
    assert response.status_code == 403
    delete = reverse("admin:governance_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.reason == ""
    assert client.get(reverse("admin:governance_auditevent_add")).status_code == 403


def test_it_moves_a_plan_only_through_the_guarded_service(client, world, staff_lead):
    from documents.services import version_create

    plan = make_plan(world)
    version_create(plan=plan, actor=world.lead, content=valid_content())
    client.force_login(staff_lead)
    url = reverse("admin:documents_plan_changelist")
    events = AuditEvent.objects.count()
    response = client.post(
        url, {"action": "action_submit", "_selected_action": [plan.pk]}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("needs a closed consultation round" in m for m in messages), messages
    assert Plan.objects.get(pk=plan.pk).stage == Stage.DRAFTING
    assert AuditEvent.objects.count() == events

    for action in ("action_start_consultation", "action_close_consultation"):
        client.post(url, {"action": action, "_selected_action": [plan.pk]})
    publish_summary(plan, world.lead)  # what was heard is published before submitting
    client.post(url, {"action": "action_submit", "_selected_action": [plan.pk]})
    plan.refresh_from_db()
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    assert AuditEvent.objects.filter(plan=plan, action="plan.submit", actor=staff_lead).count() == 1


def test_it_refuses_an_admin_superuser_who_is_not_the_lead_officer(client, world):
    from django.contrib.auth import get_user_model

    plan = make_plan(world)
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw-boss-123")
    client.force_login(boss)
    response = client.post(
        reverse("admin:documents_plan_changelist"),
        {"action": "action_start_consultation", "_selected_action": [plan.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("Only the plan's lead officer" in m for m in messages), messages
    assert Plan.objects.get(pk=plan.pk).stage == Stage.DRAFTING
