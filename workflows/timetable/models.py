"""A plan's timetable: one row per planned milestone, in the order the coordinator gave."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class MilestoneKind(models.TextChoices):
    PRIORITIES_AGREED = "priorities_agreed", "Priorities agreed"
    CONSULTATION_OPENS = "consultation_opens", "Consultation opens"
    CONSULTATION_CLOSES = "consultation_closes", "Consultation closes"
    BOARD_MEETING = "board_meeting", "Board meeting"
    EXECUTIVE_MEETING = "executive_meeting", "Executive meeting"
    FULL_COUNCIL_MEETING = "full_council_meeting", "Full council meeting"
    PUBLICATION = "publication", "Publication"
    OTHER = "other", "Other"


MEETING_KINDS = frozenset({MilestoneKind.BOARD_MEETING, MilestoneKind.EXECUTIVE_MEETING,
                           MilestoneKind.FULL_COUNCIL_MEETING})


class Milestone(models.Model):
    """One planned step of a plan's timetable. Saved only through
    ``workflows.timetable.services.timetable_save``, which replaces the whole timetable."""

    plan = models.ForeignKey("documents.Plan", on_delete=models.CASCADE,
                             related_name="milestones")
    position = models.PositiveSmallIntegerField(help_text="0, 1, 2 ... in the timetable.")
    kind = models.CharField(max_length=30, choices=MilestoneKind.choices)
    label = models.CharField(max_length=200, blank=True,
                             help_text="What an 'other' milestone is; optional otherwise.")
    body = models.ForeignKey(
        "governance.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The body that meets: the board, the executive or full council.",
    )
    meeting = models.ForeignKey(
        "governance.Meeting", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="The diary meeting on the target date, when there is one.",
    )
    target_on = models.DateField()
    # The 2012 regulations (reg. 9): a key decision is announced on the forward plan at least
    # 28 clear days before the executive's meeting.
    key_decision = models.BooleanField(default=False)
    forward_plan_published_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="milestone_position"),
            models.CheckConstraint(
                condition=Q(kind="executive_meeting")
                | (Q(key_decision=False) & Q(forward_plan_published_on__isnull=True)),
                name="milestone_key_decision_executive_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.target_on}"

    @property
    def title(self) -> str:
        """What the timetable calls it: the label, or the kind with the body's name."""
        if self.label:
            return self.label
        body = self.body if self.body_id is not None else None
        if body is not None and self.kind in MEETING_KINDS:
            return f"{body.name}'s meeting"
        return self.get_kind_display()
