"""Routing records: the approval process, what plangov knows about each viewflow task, and the
notifications sent about it."""

from __future__ import annotations

from django.db import models
from viewflow.workflow.models import Process, Task

from plangov import calendar


class PlanApprovalProcess(Process):
    """A viewflow process whose artifact is the Plan it routes."""

    class Meta:
        proxy = True
        verbose_name = "plan approval process"


class AnnualReviewProcess(Process):
    """A viewflow process whose artifact is the Review it routes (annual or six-month)."""

    class Meta:
        proxy = True
        verbose_name = "review process"


class TaskKind(models.TextChoices):
    BOARD_DECISION = "board_decision", "Record the board's decision"
    EXECUTIVE_DECISION = "executive_decision", "Record the executive's decision"
    CALL_IN = "call_in", "Record a call-in request, if any"
    CALL_IN_OUTCOME = "call_in_outcome", "Record the scrutiny committee's call-in outcome"
    FULL_COUNCIL_DECISION = "full_council_decision", "Record full council's decision"
    REDRAFT = "redraft", "Redraft the plan"
    # The review process (workflows.reviews).
    PROGRESS_REPORT = "progress_report", "Report progress on a priority"
    COMPILE_REVIEW = "compile_review", "Compile the review"
    SCRUTINY_FEEDBACK = "scrutiny_feedback", "Record the scrutiny committee's feedback"
    EXTERNAL_SUBMISSION = "external_submission", "Submit the review externally"
    REVIEW_BOARD_DECISION = "review_board_decision", "Record the board's decision on the review"
    REVIEW_EXECUTIVE_DECISION = "review_executive_decision", (
        "Record the executive's decision on the review"
    )
    REVIEW_CALL_IN = "review_call_in", "Record a call-in request on the review, if any"
    REVIEW_CALL_IN_OUTCOME = "review_call_in_outcome", (
        "Record the scrutiny committee's call-in outcome on the review"
    )
    START_SUCCESSOR = "start_successor", "Start the successor plan"


class TaskInfo(models.Model):
    """plangov's facts about one viewflow task, in columns an inbox or a deadline scan can
    filter and index (viewflow keeps its own in a JSON field and a generic relation)."""

    task = models.OneToOneField(Task, primary_key=True, on_delete=models.CASCADE,
                                related_name="info")
    plan = models.ForeignKey("documents.Plan", on_delete=models.CASCADE, related_name="tasks")
    body = models.ForeignKey("governance.Body", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="tasks")
    review = models.ForeignKey("documents.Review", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=30, choices=TaskKind.choices)
    due_on = models.DateField()
    comments = models.TextField(blank=True, help_text="For a redraft: what the body said.")

    class Meta:
        indexes = [
            models.Index(fields=["body", "due_on"]),
            models.Index(fields=["plan", "kind"]),
            models.Index(fields=["due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.plan_id} due {self.due_on}"

    @property
    def due_on_provisional(self) -> bool:
        """The due date runs past the years whose bank holidays are confirmed."""
        return not calendar.is_confirmed(self.due_on)


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", "Reminder"
    ESCALATION = "escalation", "Escalation"
    # A prompt to act, sent when its task is made (the successor prompt: workflows.successor).
    PROMPT = "prompt", "Prompt"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Being sent"  # claimed by one worker; see workflows.deadlines
    SENT = "sent", "Sent"


class Notification(models.Model):
    """One reminder or escalation about one task for one due date. The unique constraint is
    what makes a duplicated scan or a redelivered message unable to send twice."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    due_on = models.DateField()
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=NotificationStatus.choices,
                              default=NotificationStatus.PENDING)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "claimed_at"])]
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "due_on"],
                                    name="notification_once_per_task_kind_due")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for task {self.task_id} due {self.due_on}"


# The plan timetable's model lives with the rest of the timetable (workflows.timetable).
from .timetable.models import Milestone, MilestoneKind  # noqa: E402, F401
