"""Rounds belong to a drafting cycle; existing plans and rounds get theirs from the audit
ledger (each ``plan.revise`` starts a new cycle), and existing rounds get times from their
dates (the round opened at the start of its opening day and closes at the end of its closing
day, Europe/London)."""

import datetime

from django.db import migrations, models
from django.utils import timezone


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def fill(apps, schema_editor):
    Plan = apps.get_model("documents", "Plan")
    Round = apps.get_model("governance", "ConsultationRound")
    Event = apps.get_model("governance", "AuditEvent")
    for plan in Plan.objects.all().iterator():
        events = list(
            Event.objects.filter(plan_id=plan.pk, action__in=["plan.revise",
                                                               "plan.start_consultation"])
            .order_by("seq").values("action", "after", "created_at")
        )
        cycle, started_at = 1, plan.created_at
        opened: dict[int, tuple[int, object]] = {}
        for event in events:
            if event["action"] == "plan.revise":
                cycle, started_at = cycle + 1, event["created_at"]
            else:
                number = (event["after"] or {}).get("consultation_round")
                if isinstance(number, int):
                    opened[number] = (cycle, event["created_at"])
        Plan.objects.filter(pk=plan.pk).update(drafting_cycle=cycle,
                                               drafting_cycle_started_at=started_at)
        for round_ in Round.objects.filter(plan_id=plan.pk):
            round_cycle, opened_at = opened.get(round_.number, (1, None))
            if round_.status == "draft":
                round_cycle = None
            round_.drafting_cycle = round_cycle
            if round_.opened_at is None and round_.status != "draft":
                round_.opened_at = opened_at or _start_of(round_.opens_on)
            if round_.opens_at is None:
                round_.opens_at = _start_of(round_.opens_on)
            if round_.closes_at is None and round_.closes_on is not None:
                round_.closes_at = _start_of(round_.closes_on + datetime.timedelta(days=1))
            round_.save(update_fields=["drafting_cycle", "opened_at", "opens_at", "closes_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0007_consultation_substance'),
        ('documents', '0010_plan_drafting_cycle'),
    ]

    operations = [
        migrations.AddField(
            model_name='consultationround',
            name='drafting_cycle',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
