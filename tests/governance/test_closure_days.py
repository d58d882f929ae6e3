"""A council's own closure days and its nation: kept by staff through one service (and the
admin and the import that call it), one audit event per change (issue 12, item 8)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from governance.closures import closure_day_add, closure_day_change, closure_day_remove
from governance.models import AuditEvent, ClosureDay, Partnership
from governance.policy import READS_ONLY
from plangov import calendar
from plangov.errors import Forbidden, InvalidInput
from tests.factories import UserFactory

from .test_import_governance import VALID, problems, run

XMAS = datetime.date(2026, 12, 29)


@pytest.fixture
def keeper(world):
    """Staff allowed to keep closure days (the model permissions), and nothing else."""
    user = UserFactory(username="keeper", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__endswith="_closureday"))
    return user


def test_it_adds_changes_and_removes_a_closure_day_with_one_event_each(world, keeper):
    events = AuditEvent.objects.count()
    closure = closure_day_add(partnership=world.partnership, date=XMAS, reason=" Christmas ",
                              actor=keeper)
    assert (closure.date, closure.reason) == (XMAS, "Christmas")
    assert world.partnership.closure_dates() == {XMAS}
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor, event.before) == ("closure_day.add", keeper, {})
    assert event.after == {"partnership": "yorok", "date": "2026-12-29", "reason": "Christmas"}

    moved = XMAS + datetime.timedelta(days=1)
    closure_day_change(closure_id=closure.pk, date=moved, reason="Christmas", actor=keeper)
    event = AuditEvent.objects.latest("seq")
    assert event.action == "closure_day.change"
    assert (event.before["date"], event.after["date"]) == ("2026-12-29", "2026-12-30")
    closure_day_change(closure_id=closure.pk, date=moved, reason="Christmas", actor=keeper)
    assert AuditEvent.objects.count() == events + 2  # saving no change records nothing

    closure_day_remove(closure_id=closure.pk, actor=keeper)
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.before["date"], event.after) == (
        "closure_day.remove", "2026-12-30", {})
    assert not ClosureDay.objects.exists()
    assert AuditEvent.objects.count() == events + 3
    assert Partnership.objects.get(pk=world.partnership.pk).closure_dates() == frozenset()


@pytest.mark.parametrize("who", ["lead", "board_secretary", "auditor", "outsider"])
def test_it_refuses_anyone_but_staff_who_keep_closure_days(world, who):
    user = world.users[who]
    user.is_staff = True  # staff without the permission are refused too
    user.save()
    with pytest.raises(Forbidden) as caught:
        closure_day_add(partnership=world.partnership, date=XMAS, reason="Mine", actor=user)
    assert "closure days" in caught.value.detail
    assert caught.value.detail.startswith(READS_ONLY) == (who == "auditor")
    assert not ClosureDay.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="closure_day").exists()


def test_it_refuses_a_duplicate_day_or_a_missing_reason(world, keeper):
    closure_day_add(partnership=world.partnership, date=XMAS, reason="Christmas", actor=keeper)
    with pytest.raises(InvalidInput) as caught:
        closure_day_add(partnership=world.partnership, date=XMAS, reason="Again", actor=keeper)
    assert "already closed on 29 December 2026" in caught.value.errors["date"][0]
    with pytest.raises(InvalidInput) as caught:
        closure_day_add(partnership=world.partnership, date=XMAS + datetime.timedelta(1),
                        reason="  ", actor=keeper)
    assert set(caught.value.errors) == {"reason"}
    assert ClosureDay.objects.count() == 1


def test_it_keeps_closure_days_in_the_admin_through_the_service(world, keeper, client):
    client.force_login(keeper)
    add = reverse("admin:governance_closureday_add")
    response = client.post(add, {"partnership": world.partnership.pk, "date": "2026-12-29",
                                 "reason": "Christmas"})
    assert response.status_code == 302, response.content[:500]
    closure = ClosureDay.objects.get()
    change = reverse("admin:governance_closureday_change", args=[closure.pk])
    assert client.post(change, {"date": "2026-12-31", "reason": "New Year's Eve"}
                       ).status_code == 302
    delete = reverse("admin:governance_closureday_delete", args=[closure.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert [e.action for e in AuditEvent.objects.order_by("seq")] == [
        "closure_day.add", "closure_day.change", "closure_day.remove"]
    assert AuditEvent.objects.filter(action="closure_day.change").get().after["date"] == (
        "2026-12-31")


def test_it_refuses_the_admin_to_read_only_staff(world, client):
    auditor = world.auditor
    auditor.is_staff = True
    auditor.save()
    auditor.user_permissions.set(Permission.objects.filter(codename="view_closureday"))
    client.force_login(auditor)
    response = client.post(reverse("admin:governance_closureday_add"), {
        "partnership": world.partnership.pk, "date": "2026-12-29", "reason": "Christmas"})
    assert response.status_code == 403
    assert not ClosureDay.objects.exists()


def test_it_sets_the_nation_in_the_admin(world, client):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    change = reverse("admin:governance_partnership_change", args=[world.partnership.pk])
    response = client.post(change, {"name": world.partnership.name, "slug": "yorok",
                                    "area": "", "nation": "wales",
                                    "call_in_members_needed": 3,
                                    "call_in_by_scrutiny_chair": "on"})
    assert response.status_code == 302, response.content[:800]
    world.partnership.refresh_from_db()
    assert world.partnership.nation == calendar.Nation.WALES


def test_it_imports_a_partnerships_nation(db, tmp_path: Path):
    run(tmp_path, VALID)
    assert Partnership.objects.get(slug="yorok").nation == "england"  # the default
    scottish = VALID.replace("    area: City of York\n",
                             "    area: City of York\n    nation: scotland\n")
    assert "updated partnership 'yorok'" in run(tmp_path, scottish)
    assert Partnership.objects.get(slug="yorok").nation == "scotland"
    event = AuditEvent.objects.filter(action="partnership.update").latest("seq")
    assert (event.before["nation"], event.after["nation"]) == ("england", "scotland")


def test_it_names_an_unknown_nation_with_its_line(db, tmp_path: Path):
    text = VALID.replace("    area: City of York\n", "    area: City of York\n    nation: york\n")
    message = problems(tmp_path, text)
    assert "line 5" in message and "unknown nation 'york'" in message
    assert "northern_ireland" in message
