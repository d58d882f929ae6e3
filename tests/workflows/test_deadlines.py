"""Reminders and escalation under time travel: when each is sent, to whom, exactly once per
task, kind and due date, whichever way the scan and the sender are repeated."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from governance.models import AuditEvent, Meeting, Role
from governance.models import DecisionOutcome as O
from plangov import calendar
from tests.conftest import decide, submitted_plan
from tests.factories import MembershipFactory, UserFactory
from workflows import deadlines, routing
from workflows.models import Notification, NotificationKind, NotificationStatus, TaskKind
from workflows.tasks import scan_deadlines, send_notification

SUBMITTED = datetime.date(2016, 7, 14)  # a Thursday; tasks fall due ten working days on
DUE = datetime.date(2016, 7, 28)


def board_task(plan):  # type: ignore[no-untyped-def]
    return routing.open_tasks(plan).get(info__body__slug="yorok-board")


def scan_on(frozen_clock, day: datetime.date) -> int:  # type: ignore[no-untyped-def]
    frozen_clock.set(day)
    return scan_deadlines()


def to_whom() -> list[tuple[str, set[str]]]:
    sent = [(m.subject.split(":")[0], set(m.to)) for m in mail.outbox]
    return sorted(sent, key=lambda item: (item[0], sorted(item[1])))


def test_it_gives_board_tasks_a_due_date_ten_working_days_on(world, frozen_clock):
    plan = submitted_plan(world)
    assert board_task(plan).info.due_on == DUE == calendar.add_working_days(SUBMITTED, 10)


def test_it_reminds_two_working_days_before_the_due_date_and_not_sooner(world, frozen_clock):
    submitted_plan(world)
    scan_on(frozen_clock, datetime.date(2016, 7, 25))  # Monday: three working days before
    assert mail.outbox == []
    scan_on(frozen_clock, datetime.date(2016, 7, 26))  # Tuesday: two working days before
    assert to_whom() == [
        ("Reminder", {"board_secretary@example.org", "board_deputy@example.org"}),
        ("Reminder", {"safeguarding_secretary@example.org"}),
    ]
    message = next(m for m in mail.outbox if "YorOK Board" in m.subject)
    assert message.subject == ("Reminder: YorOK Board's decision on Children and Young "
                               "People's Plan is due on Thursday 28 July 2016")
    task_id = Notification.objects.get(subject=message.subject).task_id
    assert f"http://127.0.0.1:8000/tasks/{task_id}/" in message.body
    assert "Nobody has claimed it yet." in message.body


def test_it_never_sends_the_same_reminder_twice_however_often_it_scans(world, frozen_clock):
    submitted_plan(world)
    for day in (26, 26, 27, 28):
        scan_on(frozen_clock, datetime.date(2016, 7, day))
        scan_on(frozen_clock, datetime.date(2016, 7, day))
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).count() == 2
    assert set(Notification.objects.values_list("status", flat=True)) == {
        NotificationStatus.SENT}


def test_it_escalates_to_the_chair_and_the_lead_officer_the_day_after_it_was_due(
        world, frozen_clock):
    plan = submitted_plan(world)
    scan_on(frozen_clock, DUE)
    mail.outbox.clear()
    scan_on(frozen_clock, DUE)  # still due today, not overdue
    assert mail.outbox == []
    scan_on(frozen_clock, datetime.date(2016, 7, 29))
    assert to_whom() == [
        ("Overdue", {"board_secretary@example.org", "board_deputy@example.org",
                     "board_chair@example.org", "lead@example.org"}),
        ("Overdue", {"safeguarding_secretary@example.org", "lead@example.org"}),
    ]
    board = next(m for m in mail.outbox if "YorOK Board" in m.subject)
    assert "is 1 working day overdue" in board.body
    escalation = Notification.objects.get(task=board_task(plan),
                                          kind=NotificationKind.ESCALATION)
    assert {r["username"] for r in escalation.recipients} == {
        "board_secretary", "board_deputy", "board_chair", "lead"}
    assert escalation.due_on == DUE
    assert escalation.sent_at == frozen_clock()
    # Escalated once, not every day it stays overdue.
    mail.outbox.clear()
    for day in (1, 2, 3):
        scan_on(frozen_clock, datetime.date(2016, 8, day))
    assert mail.outbox == []


def test_it_counts_lateness_in_working_days_across_a_bank_holiday(world, frozen_clock):
    # Due on Friday 26 August 2016; Monday 29 August is the summer bank holiday.
    frozen_clock.set(datetime.date(2016, 8, 12))
    plan = submitted_plan(world)
    assert board_task(plan).info.due_on == datetime.date(2016, 8, 26)
    scan_on(frozen_clock, datetime.date(2016, 8, 24))  # two working days before
    assert len(mail.outbox) == 2
    scan_on(frozen_clock, datetime.date(2016, 8, 30))  # Tuesday: one working day late
    [late, _] = sorted((m for m in mail.outbox if m.subject.startswith("Overdue")),
                       key=lambda m: "Safeguarding" in m.subject)
    assert "is 1 working day overdue" in late.body


def test_it_reminds_only_the_person_who_claimed_the_task(world, frozen_clock):
    plan = submitted_plan(world)
    routing.task_claim(task_id=board_task(plan).pk, actor=world.board_deputy)
    scan_on(frozen_clock, datetime.date(2016, 7, 26))
    board = next(m for m in mail.outbox if "YorOK Board" in m.subject)
    assert board.to == ["board_deputy@example.org"]
    assert "It is claimed by board_deputy." in board.body


def test_it_never_reminds_about_completed_or_cancelled_tasks(world, frozen_clock):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)
    scan_on(frozen_clock, datetime.date(2016, 7, 29))
    assert [m.subject.split(" on ")[0] for m in mail.outbox] == [
        "Overdue: Children's Safeguarding Board's decision"]
    other = submitted_plan(world)
    from workflows.services import plan_withdraw

    plan_withdraw(plan=other, actor=world.lead, reason="Replaced by a joint strategy.")
    mail.outbox.clear()
    scan_on(frozen_clock, datetime.date(2016, 8, 30))
    assert mail.outbox == []


def test_it_reminds_again_for_a_deferred_decisions_new_due_date(world, frozen_clock):
    Meeting.objects.create(body=world.board, date=DUE, attendance=8)
    Meeting.objects.create(body=world.board, date=datetime.date(2016, 9, 15))
    plan = submitted_plan(world)
    assert board_task(plan).info.due_on == DUE  # the board's next meeting
    scan_on(frozen_clock, datetime.date(2016, 7, 26))
    assert len(mail.outbox) == 2
    frozen_clock.set(DUE)  # the meeting defers its decision
    decide(world, plan, world.board, O.DEFERRED)
    task = board_task(plan)
    assert task.info.due_on == datetime.date(2016, 9, 15)
    mail.outbox.clear()
    scan_on(frozen_clock, datetime.date(2016, 9, 13))
    assert [m.subject for m in mail.outbox if "YorOK" in m.subject] == [
        "Reminder: YorOK Board's decision on Children and Young People's Plan is due on "
        "Thursday 15 September 2016"]
    assert Notification.objects.filter(task=task).count() == 1


def test_it_reminds_the_lead_officer_of_a_redraft(world, frozen_clock):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.REFERRED_BACK, reasons="Add the CAMHS priority.")
    redraft = routing.open_tasks(plan).get(info__kind=TaskKind.REDRAFT)
    mail.outbox.clear()
    before = calendar.add_working_days(SUBMITTED, 18)
    scan_on(frozen_clock, before)
    assert to_whom() == [("Reminder", {"lead@example.org"})]
    assert "the redraft of Children and Young People's Plan" in mail.outbox[0].subject
    assert redraft.info.due_on == calendar.add_working_days(SUBMITTED, 20)


def test_it_reminds_the_executive_secretary_and_members(world, frozen_clock):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)
    decide(world, plan, world.safeguarding, O.APPROVED)
    task = routing.open_tasks(plan).get(info__kind=TaskKind.EXECUTIVE_DECISION)
    scan_on(frozen_clock, task.info.due_on)
    assert to_whom() == [("Reminder", {"executive_member@example.org",
                                       "executive_secretary@example.org"})]


def test_it_records_people_without_an_email_address_but_mails_the_rest(world, frozen_clock):
    world.board_deputy.email = ""
    world.board_deputy.save()
    plan = submitted_plan(world)
    scan_on(frozen_clock, datetime.date(2016, 7, 26))
    board = next(m for m in mail.outbox if "YorOK Board" in m.subject)
    assert board.to == ["board_secretary@example.org"]
    note = Notification.objects.get(task=board_task(plan))
    assert {r["username"] for r in note.recipients} == {"board_secretary", "board_deputy"}


def test_it_records_a_notification_with_nobody_to_mail_as_sent(world, frozen_clock):
    world.safeguarding_secretary.email = ""
    world.safeguarding_secretary.save()
    submitted_plan(world)
    scan_on(frozen_clock, datetime.date(2016, 7, 26))
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 2


def test_it_sends_once_when_the_same_message_is_delivered_twice(world, frozen_clock):
    submitted_plan(world)
    frozen_clock.set(datetime.date(2016, 7, 26))
    pending = deadlines.deadlines_scan()
    assert len(pending) == 2
    assert [send_notification(pending[0]) for _ in range(3)] == [
        "sent", "nothing to do", "nothing to do"]
    assert len(mail.outbox) == 1
    events = AuditEvent.objects.filter(action="task.remind")
    assert events.count() == 1
    assert events.get().actor is None


def test_it_writes_one_row_when_two_scans_race(world, frozen_clock):
    plan = submitted_plan(world)
    frozen_clock.set(datetime.date(2016, 7, 26))
    task = board_task(plan)
    # The other scan got there first, between this scan's query and its insert.
    Notification.objects.create(task=task, kind=NotificationKind.REMINDER, due_on=DUE,
                                subject="first", body="first", created_at=frozen_clock())
    deadlines.Notification.objects.bulk_create(
        [Notification(task=task, kind=NotificationKind.REMINDER, due_on=DUE, subject="second",
                      body="second", created_at=frozen_clock())], ignore_conflicts=True)
    assert Notification.objects.filter(task=task).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(task=task, kind=NotificationKind.REMINDER, due_on=DUE,
                                    subject="third", body="third", created_at=frozen_clock())
    scan_deadlines()
    assert Notification.objects.filter(task=task).values_list("subject", flat=True).get() \
        == "first"


def test_it_requeues_a_notification_whose_worker_died_once_the_lease_runs_out(
        world, frozen_clock, settings):
    submitted_plan(world)
    frozen_clock.set(datetime.date(2016, 7, 26))
    [first, second] = deadlines.deadlines_scan()
    # A worker claimed the first and died before sending it.
    assert deadlines._claim(first) is not None
    assert send_notification(first) == "nothing to do"  # the redelivered message
    assert sorted(deadlines.deadlines_scan()) == [second]
    send_notification(second)
    assert len(mail.outbox) == 1
    frozen_clock.advance(seconds=settings.PLANGOV_NOTIFICATION_LEASE_SECONDS + 1)
    assert deadlines.deadlines_scan() == [first]
    assert send_notification(first) == "sent"
    assert len(mail.outbox) == 2
    assert deadlines.deadlines_scan() == []


def test_it_gives_the_claim_back_when_the_mail_server_fails(world, frozen_clock, monkeypatch):
    import smtplib

    from celery.exceptions import Retry

    submitted_plan(world)
    frozen_clock.set(datetime.date(2016, 7, 26))
    [first, _] = deadlines.deadlines_scan()

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises((Retry, smtplib.SMTPException)):
        send_notification.apply(args=[first], throw=True)
    assert Notification.objects.get(pk=first).status == NotificationStatus.PENDING
    monkeypatch.undo()
    assert send_notification(first) == "sent"
    assert len(mail.outbox) == 1


def test_it_escalates_to_every_chair_of_the_body(world, frozen_clock):
    MembershipFactory(user=UserFactory(username="vice"), body=world.board, role=Role.CHAIR)
    submitted_plan(world)
    scan_on(frozen_clock, datetime.date(2016, 7, 29))
    board = next(m for m in mail.outbox if "YorOK Board" in m.subject
                 and m.subject.startswith("Overdue"))
    assert {"board_chair@example.org", "vice@example.org"} <= set(board.to)


def test_it_scans_with_a_fixed_number_of_queries_for_many_tasks(world, frozen_clock,
                                                               django_assert_max_num_queries):
    from tests.bulk import open_task_copies

    plan = submitted_plan(world)
    open_task_copies(board_task(plan), 300, bodies=[world.board, world.safeguarding])
    frozen_clock.set(datetime.date(2016, 7, 26))
    with django_assert_max_num_queries(12):
        pending = deadlines.deadlines_scan()
    assert len(pending) == 302
    assert Notification.objects.values("task").distinct().count() == 302
