"""manage.py load_demo: the York demo partnership, its sign-ins and the CYPP 2009-12."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from documents.content import ActionKind, content_hash, normalise
from documents.models import Plan, PlanKind, PlanVersion, Stage
from governance.audit import verify_chain
from governance.models import AuditEvent, Body, Membership, Partnership, Role

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
FIVE_OUTCOMES = [
    "Being healthy",
    "Staying safe",
    "Enjoying and achieving",
    "Making a positive contribution",
    "Achieving economic well-being",
]


def load_demo() -> str:
    out = StringIO()
    # Tests run with DEBUG off, as a production server would: the flag says we mean it.
    call_command("load_demo", i_understand_demo_passwords=True, stdout=out)
    return out.getvalue()


def sign_ins(output: str) -> list[tuple[str, str, str, str]]:
    """The printed table's rows: (username, role, body, password)."""
    lines = output.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("username")) + 2
    widths = [len(dashes) for dashes in lines[start - 1].split("  ")]
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        cells, offset = [], 0
        for width in widths:
            cells.append(line[offset:offset + width].strip())
            offset += width + 2
        rows.append((cells[0], cells[1], cells[2], cells[3]))
    return rows


def tallies() -> dict[str, int]:
    return {
        "partnerships": Partnership.objects.count(),
        "bodies": Body.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "groups": Group.objects.count(),
        "plans": Plan.objects.count(),
        "versions": PlanVersion.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


@pytest.fixture
def output() -> str:
    return load_demo()


def test_it_creates_the_partnership_and_its_bodies(output):
    yorok = Partnership.objects.get(slug="yorok")
    assert yorok.name == "YorOK Children's Trust"
    assert set(yorok.bodies.values_list("slug", flat=True)) == {
        "yorok-board",
        "safeguarding-board",
        "health-and-wellbeing-board",
        "corporate-parenting-board",
        "children-in-care-partnership",
        "early-help-group",
        "executive",
        "learning-and-culture-scrutiny",
        "full-council",
    }


def test_it_creates_a_user_per_role_who_signs_in_with_the_printed_password(output):
    rows = sign_ins(output)

    roles = {role for _, role, _, _ in rows}
    assert {
        "Lead officer", "Chair", "Secretary", "Deputy secretary", "Member", "Executive member",
        "Auditor", "Superuser",
    } <= roles
    secretaries = {body for _, role, body, _ in rows if role == "Secretary"}
    assert {
        "YorOK Board", "Children's Safeguarding Board", "Health and Wellbeing Board",
        "Corporate Parenting Board", "Children in Care Strategic Partnership",
        "YorOK Early Help Group", "Executive",
        "Learning and Culture Policy and Scrutiny Committee",
    } <= secretaries
    assert ("lead", "Lead officer", "YorOK Board", "demo-lead-2009") in rows
    for username, _, _, password in rows:
        assert password.startswith("demo-"), username
        assert authenticate(username=username, password=password) is not None, username
        assert authenticate(username=username, password="wrong") is None


def test_it_makes_the_auditor_a_read_only_admin_user(output, client):
    auditor = get_user_model().objects.get(username="auditor")
    assert auditor.is_staff and not auditor.is_superuser
    assert auditor.has_perm("documents.view_plan")
    assert auditor.has_perm("governance.view_auditevent")
    assert not [p for p in auditor.get_all_permissions() if ".view_" not in p]

    assert client.login(username="auditor", password="demo-auditor-2009")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/governance/body/").status_code == 200
    board = Body.objects.get(slug="yorok-board")
    assert client.get(f"/admin/governance/body/{board.pk}/change/").status_code == 200
    assert client.get("/admin/governance/body/add/").status_code == 403
    response = client.post(
        f"/admin/governance/body/{board.pk}/change/", {"name": "Renamed", "quorum": 1}
    )
    assert response.status_code == 403
    board.refresh_from_db()
    assert board.name == "YorOK Board"


def test_it_creates_a_superuser_for_the_demo(output):
    admin = authenticate(username="admin", password="demo-admin-2009")
    assert admin is not None and admin.is_superuser and admin.is_staff


def test_it_creates_the_cypp_in_drafting_with_five_outcomes(output):
    plan = Plan.objects.get(kind=PlanKind.CYPP)
    assert (plan.kind, plan.stage, plan.title) == (
        PlanKind.CYPP, Stage.DRAFTING, "Children and Young People's Plan"
    )
    assert (plan.period_start.isoformat(), plan.period_end.isoformat()) == (
        "2009-04-01", "2012-03-31"
    )
    assert plan.owning_body.slug == "yorok-board"
    assert plan.lead_officer.username == "lead"
    assert {b.slug for b in plan.approving_bodies.all()} == {"yorok-board", "safeguarding-board"}
    assert plan.executive_body.slug == "executive"
    assert plan.subject_to_call_in

    version = plan.current_version
    assert version.number == 1
    content = version.content
    assert normalise(content) == content
    assert content_hash(content) == version.content_hash
    assert content == json.loads(
        (REPO / "documents" / "demo" / "cypp-2009-12.json").read_text(encoding="utf-8")
    )
    assert [o["title"] for o in content["outcomes"]] == FIVE_OUTCOMES
    assert all(2 <= len(o["priorities"]) <= 4 for o in content["outcomes"])
    assert content["vision"].startswith("In York we recognise that our children are our future.")


def test_its_plan_content_carries_the_seed_figures_actions_themes_and_a_joint_priority(output):
    content = Plan.objects.get(kind=PlanKind.CYPP).current_version.content

    indicators = {i["key"]: i for i in content["indicators"]}
    assert indicators["low-income-households"]["baseline"] == 14
    assert indicators["neet"]["baseline"] == 200
    assert indicators["homeless-16-17"]["latest"] == 29
    assert all(
        i["baseline"] is not None and i["target"] is not None and i["direction_of_good"]
        for i in indicators.values()
    )
    assert {a["kind"] for a in content["actions"]} == set(ActionKind.values)
    assert all(a["lead"] and a["delivery_group"] and a["due_date"] for a in content["actions"])
    assert {t["title"] for t in content["cross_cutting_themes"]} == {
        "Narrowing the gap", "Integrated commissioning", "Workforce development", "Diversity",
    }
    (joint,) = content["joint_priorities"]
    assert sorted(joint["bodies"]) == ["safeguarding-board", "yorok-board"]
    assert Body.objects.filter(partnership__slug="yorok", slug__in=joint["bodies"]).count() == 2


def test_it_records_the_plan_in_the_audit_ledger(output):
    plan = Plan.objects.get(kind=PlanKind.CYPP)
    actions = list(
        AuditEvent.objects.filter(plan=plan).order_by("seq").values_list("action", "actor_label")
    )
    assert actions[:2] == [("plan.create", "lead"), ("version.create", "lead")]
    # Its 2008 consultation: opened and closed, one quote redacted, the summary published.
    names = [action for action, _ in actions]
    assert names.index("plan.start_consultation") < names.index("plan.close_consultation") \
        < names.index("answer.redact") < names.index("consultation.summary_publish")
    assert {actor for _, actor in actions} == {"lead"}
    assert AuditEvent.objects.filter(action="body.create").count() == 9
    report = verify_chain()
    assert report.ok
    assert report.checked == AuditEvent.objects.count()


def test_the_cypp_has_a_closed_round_analysed_and_published(output):
    from governance.consultation.analysis import round_summary
    from governance.models import Answer, ConsultationRound

    plan = Plan.objects.get(kind=PlanKind.CYPP)
    (rnd,) = plan.consultation_rounds.all()
    assert (rnd.status, rnd.opens_on.isoformat(), rnd.closed_on.isoformat()) == (
        "closed", "2008-06-09", "2008-09-30")
    assert rnd.summary_published_on.isoformat() == "2008-11-14"
    summary = round_summary(rnd)
    reach = summary["reach"]
    assert reach["sentence"].startswith(
        "45 pieces of work reaching 3,900 children and young people; "
        "6,300 parent questionnaires; 50 partners")
    assert 200 <= reach["responses"] <= 500
    assert len([a for a in reach["by_audience"] if a["responses"]]) == 5
    assert len(summary["counts"]["by_channel"]) >= 4
    assert all(t["count"] > 0 for t in summary["themes"]) and len(summary["themes"]) == 5
    statements = summary["statements"]
    assert len(statements) == 4 and all(s["we_did"] or s["no_change_reason"]
                                        for s in statements)
    assert any("[name]" in q for s in statements for q in s["quotes"])
    assert "Sophie" not in str(summary)
    assert Answer.objects.filter(response__round=rnd, redacted_at__isnull=False).count() == 1
    assert ConsultationRound.objects.get(pk=rnd.pk).summary_published_at is not None
    assert "Recorded its 2008 consultation" in output


def test_it_creates_nothing_on_a_second_run(output):
    before = tallies()
    hashes = list(get_user_model().objects.order_by("pk").values_list("password", flat=True))

    again = load_demo()

    assert tallies() == before
    assert list(get_user_model().objects.order_by("pk").values_list("password", flat=True)) == (
        hashes
    )
    assert "0 created, 0 updated" in again
    assert "is already there (drafting)" in again
    assert "Children in Care Strategy 2024–2027 is already there (adopted)" in again
    assert "Nothing new: the demo was already loaded." in again
    assert sign_ins(again) == sign_ins(output)
    assert verify_chain().ok


def test_it_restores_a_demo_password_that_was_changed(output):
    lead = get_user_model().objects.get(username="lead")
    lead.set_password("something-else")
    lead.save()

    again = load_demo()

    assert "1 demo password set" in again
    assert authenticate(username="lead", password="demo-lead-2009") is not None


def test_it_refuses_to_run_with_debug_off_unless_told(db):
    with pytest.raises(CommandError, match="runs only with DEBUG on"):
        call_command("load_demo", stdout=StringIO())
    assert not Partnership.objects.exists()
    assert not get_user_model().objects.exists()


@override_settings(DEBUG=True)
def test_it_runs_without_the_flag_when_debug_is_on(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert Plan.objects.get(kind=PlanKind.CYPP).stage == Stage.DRAFTING
    assert Membership.objects.filter(role=Role.AUDITOR).exists()


def test_it_leaves_an_early_help_strategy_whose_deadlines_send_at_the_first_scan(output):
    from django.core import mail

    from workflows.models import Notification
    from workflows.tasks import scan_deadlines

    plan = Plan.objects.get(kind=PlanKind.STRATEGY, title="Early Help Strategy")
    assert plan.stage == Stage.PARTNERSHIP_APPROVAL
    assert "submitted to its boards" in output
    scan_deadlines()
    subjects = sorted(m.subject.split(":")[0] for m in mail.outbox)
    assert subjects == ["Overdue", "Reminder"]
    overdue = next(m for m in mail.outbox if m.subject.startswith("Overdue"))
    assert "hannah.whitfield@york.example.org" in overdue.to  # the lead officer
    assert Notification.objects.filter(status="sent").count() == 2
    scan_deadlines()
    assert len(mail.outbox) == 2


# The Children in Care Strategy: adopted, monitored, and in its annual review.


def children_in_care() -> Plan:
    return Plan.objects.get(title="Children in Care Strategy")


def test_it_adopts_a_children_in_care_strategy_through_the_services_with_past_dates(output):
    from documents.models import DocumentKind, SignedDocument
    from governance.models import Decision

    plan = children_in_care()
    assert (plan.kind, plan.stage) == (PlanKind.STRATEGY, Stage.ADOPTED)
    assert (plan.period_start.isoformat(), plan.period_end.isoformat()) == (
        "2024-04-01", "2027-03-31")
    assert plan.adopted_version == plan.current_version
    content = plan.adopted_version.content
    assert content == json.loads(
        (REPO / "documents" / "demo" / "children-in-care-2024-27.json").read_text("utf-8"))
    assert 2 <= len(content["outcomes"]) <= 3
    assert 8 <= len(content["indicators"]) <= 12
    assert all(a["lead"] for a in content["actions"])
    # Approved by both boards, then the Executive, at 2024 meetings; adopted when the
    # call-in period ended, and reviewed a year later.
    decisions = list(Decision.objects.filter(version__plan=plan).order_by("decided_on")
                     .values_list("body__slug", "outcome", "decided_on"))
    assert [(slug, outcome) for slug, outcome, _ in decisions] == [
        ("yorok-board", "approved"), ("corporate-parenting-board", "approved"),
        ("executive", "approved")]
    assert all(day.year == 2024 for _, _, day in decisions)
    assert plan.adopted_on == plan.call_in_ends_on > decisions[-1][2]
    (rnd,) = plan.consultation_rounds.all()
    assert rnd.closed_on < rnd.summary_published_on < decisions[0][2]
    assert SignedDocument.objects.filter(plan=plan, kind=DocumentKind.PLAN,
                                         version=plan.adopted_version).exists()
    names = list(AuditEvent.objects.filter(plan=plan).order_by("seq")
                 .values_list("action", flat=True))
    assert names.index("plan.submit") < names.index("plan.adopt") \
        < names.index("reading.record") < names.index("review.start")
    assert verify_chain().ok
    assert "Children in Care Strategy 2024–2027, adopted on 21 March 2024" in output


def test_its_leads_are_linked_to_demo_people_who_note_their_actions_progress(output):
    from documents.models import ActionProgress, LeadLink, ProgressNote

    plan = children_in_care()
    links = dict(LeadLink.objects.filter(plan=plan).values_list("name", "person__username"))
    assert links["Virtual School Head"] == "cic-secretary"
    assert len(links) == 4
    statuses = set(ActionProgress.objects.filter(plan=plan).values_list("status", flat=True))
    assert {"complete", "on_track", "off_track", "not_started"} <= statuses
    notes = ProgressNote.objects.filter(progress__plan=plan)
    assert notes.count() == 12
    assert all(plan.adopted_on <= note.noted_on <= datetime.date.today() for note in notes)
    # A linked lead notes their own actions' progress.
    assert notes.filter(author__username="hwb-secretary").count() == 2


def test_it_has_ten_quarters_of_readings_so_the_scorecard_has_a_trend(output, client):
    from documents.models import IndicatorReading
    from documents.monitoring.scorecard import scorecard_build

    plan = children_in_care()
    readings = IndicatorReading.objects.filter(plan=plan)
    assert readings.count() == 10 * 10 + 1
    assert set(readings.filter(indicator_key="cic-rate").values_list(
        "period_label", flat=True)) >= {"2024/25 Q1", "2025/26 Q4", "2026/27 Q2"}
    assert not readings.filter(measured_on__gt=datetime.date.today()).exists()
    assert all(r.measured_on > r.period_end for r in readings)
    summary = scorecard_build(plan).summary
    assert (summary.total, summary.comparable, summary.improved, summary.worse,
            summary.no_change) == (11, 10, 7, 2, 1)
    sentence = "Of 10 indicators where a trend can be identified, 7 have improved (70%)."
    assert summary.sentence == sentence

    assert client.login(username="lead", password="demo-lead-2009")
    response = client.get(f"/plans/{plan.pk}/scorecard/")
    assert response.status_code == 200
    page = response.content.decode()
    assert sentence in page
    assert "Care leavers aged 19 to 21 in education, employment or training" in page
    rags = [row.rag for row in scorecard_build(plan).rows]
    assert (rags.count("green"), rags.count("amber"), rags.count("red")) == (6, 3, 2)
    client.logout()
    public = client.get(f"/p/yorok/plans/{plan.pk}/scorecard/")
    assert public.status_code == 200
    assert sentence in public.content.decode()


def test_its_annual_review_is_under_way_with_one_progress_report_outstanding(output, client):
    from documents.models import Review, ReviewStage
    from workflows.models import TaskKind
    from workflows.reviews.routing import open_review_tasks

    plan = children_in_care()
    (review,) = Review.objects.filter(plan=plan)
    assert (review.kind, review.year, review.stage) == ("annual", 2026, ReviewStage.DRAFTING)
    assert review.started_on.isoformat() == "2026-11-16"
    reports = review.progress_reports.select_related("lead")
    assert reports.count() == 6
    outstanding = [r for r in reports if r.submitted_on is None]
    assert [(r.priority_key, r.lead.username) for r in outstanding] == [
        ("placement-stability", "lead")]
    assert all(review.started_on <= r.submitted_on <= datetime.date.today()
               for r in reports if r.submitted_on)
    (task,) = open_review_tasks(review)
    assert (task.info.kind, task.owner.username) == (TaskKind.PROGRESS_REPORT, "lead")
    assert "2026 annual review started 16 November 2026, 5 of 6 progress reports in" in \
        output.replace("Annual review 2026 of Children in Care Strategy: started",
                       "2026 annual review started")

    assert client.login(username="lead", password="demo-lead-2009")
    inbox = client.get("/tasks/")
    assert inbox.status_code == 200
    assert "Children in Care Strategy" in inbox.content.decode()
    assert client.get(f"/tasks/{task.pk}/").status_code in (200, 302)
