"""What is measured on an adopted plan. Readings and progress never change a version's
content: they sit beside it, keyed by the indicator's key and the action's number."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class IndicatorReading(models.Model):
    """One reading of one indicator for one period. A correction is a new reading that
    supersedes the old (``superseded_by``); only one current reading per period."""

    plan = models.ForeignKey("documents.Plan", on_delete=models.PROTECT, related_name="readings")
    indicator_key = models.SlugField(max_length=60)
    value = models.FloatField()
    period_label = models.CharField(max_length=40, help_text="As the papers name it, e.g. "
                                    "'2025/26 Q2' or 'Academic year 2024/25'.")
    period_start = models.DateField()
    period_end = models.DateField()
    measured_on = models.DateField(help_text="The date the figure was measured or published.")
    source = models.CharField(max_length=200, blank=True)
    commentary = models.TextField(blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    entered_at = models.DateTimeField()
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes",
        help_text="The correction that replaced this reading.",
    )
    correction_reason = models.TextField(blank=True, help_text="Why this reading corrects "
                                         "the one it supersedes.")

    class Meta:
        ordering = ["plan", "indicator_key", "period_end", "id"]
        indexes = [models.Index(fields=["plan", "indicator_key", "period_end"])]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="reading_period_ordered"),
            models.UniqueConstraint(
                fields=["plan", "indicator_key", "period_start", "period_end"],
                condition=Q(superseded_by__isnull=True),
                name="reading_one_current_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_key} {self.period_label}: {self.value}"


class RagThresholds(models.Model):
    """How a plan turns the latest reading against its target into red, amber or green.
    Green: the target is met, or missed by no more than ``green_within_percent`` of it.
    Amber: missed by no more than ``amber_within_percent``. Red: further away.
    A plan without a row uses the defaults below."""

    plan = models.OneToOneField("documents.Plan", on_delete=models.CASCADE,
                                related_name="rag_thresholds")
    green_within_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    amber_within_percent = models.DecimalField(max_digits=5, decimal_places=2, default=10)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "RAG thresholds"
        constraints = [
            models.CheckConstraint(
                condition=Q(amber_within_percent__gte=models.F("green_within_percent")),
                name="rag_amber_not_below_green",
            )
        ]

    def __str__(self) -> str:
        return f"RAG thresholds of {self.plan_id}"


class LeadLink(models.Model):
    """A lead named in a plan's content (an action's ``lead`` text, e.g. 'Head of Early
    Help') linked to the person in governance who gets that lead's tasks."""

    plan = models.ForeignKey("documents.Plan", on_delete=models.CASCADE,
                             related_name="lead_links")
    name = models.CharField(max_length=200, help_text="Exactly as the content names the lead.")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="lead_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="lead_link_once_per_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.person}"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"
    DROPPED = "dropped", "Dropped"


class ActionProgress(models.Model):
    """Where one action of the adopted version stands. Actions have no key in the content, so
    an action is named by its number (1-based position) in that version, with its title kept
    beside it so a row never points at the wrong action."""

    plan = models.ForeignKey("documents.Plan", on_delete=models.PROTECT,
                             related_name="action_progress")
    version = models.ForeignKey("documents.PlanVersion", on_delete=models.PROTECT,
                                related_name="+")
    action_number = models.PositiveIntegerField()
    action_title = models.CharField(max_length=500)
    status = models.CharField(max_length=20, choices=ActionStatus.choices,
                              default=ActionStatus.NOT_STARTED)
    status_on = models.DateField(null=True, blank=True,
                                 help_text="The date the latest status was given.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "version", "action_number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "version", "action_number"],
                                    name="action_progress_once_per_action")
        ]

    def __str__(self) -> str:
        return f"Action {self.action_number}: {self.get_status_display()}"


class ProgressNote(models.Model):
    """A dated progress note on an action, by its lead (or the lead officer)."""

    progress = models.ForeignKey(ActionProgress, on_delete=models.PROTECT, related_name="notes")
    noted_on = models.DateField(help_text="The date the progress was reported.")
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    text = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["progress", "noted_on", "id"]

    def __str__(self) -> str:
        return f"{self.noted_on}: {self.get_status_display()}"
