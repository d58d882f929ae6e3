"""A review of an adopted plan: its own subject with its own lifecycle (workflows.reviews).
Decisions can be on a review (governance.Decision.review) as well as on a plan version; a
review's approval never counts as approval of a version, nor its withdrawal as the plan's."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReviewKind(models.TextChoices):
    ANNUAL = "annual", "Annual review"
    SIX_MONTH = "six_month", "Six-month progress review"


class ReviewStage(models.TextChoices):
    DRAFTING = "drafting", "Drafting"
    SCRUTINY = "scrutiny", "Scrutiny"
    BOARD = "board", "Board approval"
    EXECUTIVE = "executive", "Executive approval"
    CALL_IN = "call_in", "Call-in period"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Review(models.Model):
    """One review of one plan for one review year (the year it is due). An annual review goes
    through scrutiny, the owning board and the executive; a six-month review goes to the
    owning board only."""

    plan = models.ForeignKey("documents.Plan", on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=20, choices=ReviewKind.choices, default=ReviewKind.ANNUAL)
    year = models.PositiveSmallIntegerField(help_text="The calendar year the review is due in.")
    title = models.CharField(max_length=250)
    # Only workflows.reviews changes it, through the services.
    stage = models.CharField(max_length=20, choices=ReviewStage.choices,
                             default=ReviewStage.DRAFTING, editable=False)
    stage_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The adopted version under review when it started.
    version = models.ForeignKey("documents.PlanVersion", on_delete=models.PROTECT,
                                related_name="reviews")
    started_on = models.DateField()
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   help_text="Empty when the beat scan started it.")
    # Period the review covers.
    covers_from = models.DateField()
    covers_to = models.DateField()
    # What the lead officer compiles.
    strengths = models.TextField(blank=True, help_text="Strengths and achievements.")
    areas_for_development = models.TextField(blank=True)
    next_year_priorities = models.TextField(blank=True, help_text="Priorities for next year.")
    consultation_heard = models.TextField(blank=True,
                                          help_text="What consultation heard during the year.")
    # The indicator trends from the readings, fixed when the review is compiled
    # (documents.monitoring's scorecard as plain data), so the approved text never moves.
    trends = models.JSONField(default=dict, blank=True)
    compiled_at = models.DateTimeField(null=True, blank=True)
    changes_priorities = models.BooleanField(
        default=False, help_text="The review changes the plan's priorities: a revision follows.")
    feedback_incorporated = models.BooleanField(default=False)
    feedback_incorporated_note = models.TextField(blank=True)
    call_in_ends_on = models.DateField(null=True, blank=True, editable=False)
    approved_on = models.DateField(null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(blank=True)
    # The plan version a review that changes priorities sent through approval.
    revision = models.ForeignKey("documents.PlanVersion", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="revising_reviews")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "-year", "kind", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "year"],
                condition=~Q(stage="withdrawn"),
                name="review_once_per_plan_kind_year",
            ),
            models.CheckConstraint(condition=Q(covers_to__gte=models.F("covers_from")),
                                   name="review_covers_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} of {self.plan_id}"


class ProgressReport(models.Model):
    """A priority lead's progress report for a review (one per priority)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="progress_reports")
    outcome_key = models.SlugField(max_length=60)
    priority_key = models.SlugField(max_length=60)
    priority_title = models.CharField(max_length=500)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+")
    due_on = models.DateField()
    text = models.TextField(blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["review", "outcome_key", "priority_key"]
        constraints = [
            models.UniqueConstraint(fields=["review", "outcome_key", "priority_key"],
                                    name="progress_report_once_per_priority")
        ]

    def __str__(self) -> str:
        return f"Progress on {self.priority_title}"


class ScrutinyFeedback(models.Model):
    """The scrutiny committee's feedback on a review, taken at its meeting and recorded by its
    secretary (or deputy); the lead officer answers it point by point."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="feedback")
    body = models.ForeignKey("governance.Body", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey("governance.Meeting", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    meeting_on = models.DateField()
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["review", "meeting_on", "id"]

    def __str__(self) -> str:
        return f"Scrutiny feedback of {self.meeting_on}"


class FeedbackPoint(models.Model):
    feedback = models.ForeignKey(ScrutinyFeedback, on_delete=models.CASCADE,
                                 related_name="points")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["feedback", "number"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "number"], name="feedback_point_number")
        ]

    def __str__(self) -> str:
        return f"Point {self.number}"


class ExternalSubmission(models.Model):
    """A review sent to an outside body by a fixed date (e.g. "DfES, 14 June"). It may be sent
    before the executive approves the review."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT,
                                  related_name="external_submission")
    recipient = models.CharField(max_length=200)
    deadline = models.DateField()
    submitted_on = models.DateField(null=True, blank=True)
    what_was_sent = models.TextField(blank=True)
    sent_sha256 = models.CharField(max_length=64, blank=True,
                                   help_text="Hash of the file sent, when one was uploaded.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.recipient} by {self.deadline}"
