"""What is decided: plans and their immutable versions."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from plangov import calendar, clock


class PlanKind(models.TextChoices):
    CYPP = "cypp", "Children and young people's plan"
    STRATEGY = "strategy", "Strategy"
    ACTION_PLAN = "action_plan", "Action plan"
    REVIEW = "review", "Review"

    @classmethod
    def needs_consultation(cls, kind: str) -> bool:
        # An action plan delivers a strategy that was consulted on, and a review reports on
        # a plan that was; neither runs a consultation round of its own before approval.
        return kind in {cls.CYPP, cls.STRATEGY}


class Stage(models.TextChoices):
    DRAFTING = "drafting", "Drafting"
    CONSULTATION = "consultation", "Consultation"
    PARTNERSHIP_APPROVAL = "partnership_approval", "Partnership approval"
    EXECUTIVE_APPROVAL = "executive_approval", "Executive approval"
    CALL_IN = "call_in", "Call-in period"
    FULL_COUNCIL = "full_council", "Full council"
    ADOPTED = "adopted", "Adopted"
    # (No "under review": a review is its own subject, documents.reviews; the plan stays
    # adopted throughout. Migration 0012 moved plans that were under review to adopted.)
    SUPERSEDED = "superseded", "Superseded"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ApprovalRoute(models.TextChoices):
    JOINT = "joint", "Joint: every body at once"
    ORDERED = "ordered", "Ordered: one body after another, in the order given"


class Plan(models.Model):
    title = models.CharField(max_length=250)
    kind = models.CharField(max_length=20, choices=PlanKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    partnership = models.ForeignKey(
        "governance.Partnership", on_delete=models.PROTECT, related_name="plans"
    )
    owning_body = models.ForeignKey(
        "governance.Body", on_delete=models.PROTECT, related_name="owned_plans"
    )
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_plans"
    )
    approving_bodies = models.ManyToManyField(
        "governance.Body",
        related_name="plans_to_approve",
        help_text="Every one of these must approve the submitted version.",
    )
    executive_body = models.ForeignKey(
        "governance.Body", on_delete=models.PROTECT, related_name="plans_for_executive"
    )
    subject_to_call_in = models.BooleanField(default=True)
    approval_route = models.CharField(
        max_length=10, choices=ApprovalRoute.choices, default=ApprovalRoute.JOINT
    )
    # The lifecycle stage. Only workflows.lifecycle changes it, through the services.
    stage = models.CharField(
        max_length=30, choices=Stage.choices, default=Stage.DRAFTING, editable=False
    )
    stage_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    current_version = models.ForeignKey(
        "PlanVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    adopted_version = models.ForeignKey(
        "PlanVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    adopted_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the adoption was recorded."
    )
    adopted_on = models.DateField(
        null=True, blank=True, editable=False,
        help_text="The day the plan took effect, by the rules: the call-in period's last day, "
        "the day scrutiny took no further action, or the deciding meeting's date.",
    )
    call_in_ends_on = models.DateField(
        null=True, blank=True, editable=False, help_text="Last working day of the call-in period."
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    # The plan this one succeeds (set when it is started as a successor); adopting it
    # supersedes the predecessor, whose superseded_by then points here.
    predecessor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="successors"
    )
    review_date = models.DateField(
        null=True, blank=True,
        help_text="When the annual review starts; a year after adoption unless set.",
    )
    successor_prompted_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When the lead officer was prompted to start the successor plan.",
    )
    # The date the plan was started (its effective date), beside the time it was typed in:
    # a plan brought onto plangov part-way through keeps its real dates (workflows.chronology).
    created_on = models.DateField(
        default=clock.today, help_text="The date the plan was started; may be in the past."
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # The drafting cycle: 1 from the first draft, one more each time a review revises the plan
    # (``revise``; a referral back stays within the cycle). A plan that needs consultation is
    # submitted only after a round held in the current cycle closed and its summary was
    # published (workflows.lifecycle's consultation_done).
    drafting_cycle = models.PositiveIntegerField(default=1, editable=False)
    drafting_cycle_started_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["-period_start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="plan_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.period_start:%Y}–{self.period_end:%Y}"

    @property
    def call_in_ends_on_provisional(self) -> bool:
        """The call-in end runs past the years whose bank holidays are confirmed."""
        return not calendar.is_confirmed(self.call_in_ends_on)

    @property
    def needs_consultation(self) -> bool:
        return PlanKind.needs_consultation(self.kind)


class ApprovalStep(models.Model):
    """Where a required body stands in the plan's approval route: bodies sharing a position
    decide in parallel; positions are taken in ascending order."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="approval_steps")
    body = models.ForeignKey("governance.Body", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "body"], name="approval_step_once_per_body")
        ]


class PlanVersion(models.Model):
    """One version of a plan's structured content. Append-only: editing a plan means writing
    a new version, and a submitted version can never change, so a decision always refers to
    exactly the text that was decided."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    note = models.CharField(max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The date the version was written (its effective date), beside the time it was typed in.
    effective_on = models.DateField(
        default=clock.today, help_text="The date the version was written; may be in the past."
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The date it was submitted for approval; submitted_at is when that was recorded.
    submitted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan.title} v{self.number}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            stored = PlanVersion.objects.filter(pk=self.pk).values("content", "content_hash").get()
            if stored["content"] != self.content or stored["content_hash"] != self.content_hash:
                raise ValidationError("A plan version's content never changes; write a new one.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class DocumentKind(models.TextChoices):
    PLAN = "plan", "Adopted plan"
    EXECUTIVE_REPORT = "executive_report", "Executive report"
    DECISION_NOTICE = "decision_notice", "Decision notice"
    REVIEW = "review", "Approved review"
    SCORECARD = "scorecard", "Scorecard"


class DocumentStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be rendered"
    RENDERING = "rendering", "Rendering"
    DONE = "done", "Signed"
    FAILED = "failed", "Failed"


class SignedDocument(models.Model):
    """One signed PDF of one exact thing: a plan version, a decision, a revision of an
    executive report. Rendered once by a worker; the file is stored under its own SHA-256 and
    never overwritten, so asking again returns the same bytes.

    ``status`` moves by compare-and-set (pending → rendering → done or failed); a render
    whose worker died goes back to pending when its lease (``claimed_at``) runs out."""

    key = models.CharField(
        max_length=120, unique=True, help_text="What was signed, e.g. plan/3/v2."
    )
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="documents")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="documents")
    decision = models.ForeignKey(
        "governance.Decision", null=True, blank=True, on_delete=models.PROTECT,
        related_name="documents",
    )
    report_revision = models.PositiveIntegerField(null=True, blank=True)
    # A review's PDF: ``version`` is then the adopted version the review is about.
    review = models.ForeignKey(
        "documents.Review", null=True, blank=True, on_delete=models.PROTECT,
        related_name="documents",
    )
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    progress_label = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    content_sha256 = models.CharField(max_length=64, help_text="The plan version's content hash.")
    file_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    signer = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)
    # The audit ledger's head when it was signed (also in the PDF's colophon and signed
    # reason): a later rewrite of the ledger shows against any PDF signed before it.
    audit_head_seq = models.PositiveBigIntegerField(null=True, blank=True)
    audit_head_hash = models.CharField(max_length=64, blank=True)
    incident_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When a render failed for a fault of ours (not the document's) and the "
        "administrators were told; they are told once per document.",
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"

    @property
    def filename(self) -> str:
        stem = {
            DocumentKind.PLAN: f"plan-{self.plan_id}-v{self.version.number}",
            DocumentKind.EXECUTIVE_REPORT: (
                f"executive-report-{self.plan_id}-v{self.version.number}-r{self.report_revision}"
            ),
            DocumentKind.DECISION_NOTICE: f"decision-notice-{self.decision_id}",
            DocumentKind.REVIEW: f"review-{self.plan_id}-{self.review_id}",
            DocumentKind.SCORECARD: f"scorecard-{self.plan_id}-{self.key.rsplit('/', 1)[-1]}",
        }[DocumentKind(self.kind)]
        return f"{stem}.pdf"


class ExecutiveReport(models.Model):
    """The coordinator's text for the report to the Executive, in the council's format. The
    plan's own data (title, outcomes, decisions) fills the rest when it is rendered. Each save
    is a new revision, so a signed report always names the text it was made from."""

    plan = models.OneToOneField(Plan, on_delete=models.PROTECT, related_name="executive_report")
    revision = models.PositiveIntegerField(default=1)
    meeting_date = models.DateField(null=True, blank=True)
    report_of = models.CharField(max_length=200, blank=True, help_text="e.g. Director of …")
    portfolio_of = models.CharField(max_length=200, blank=True, help_text="Executive Member")
    summary = models.TextField(blank=True)
    # [{"recommendation": "...", "reason": "..."}]
    recommendations = models.JSONField(default=list, blank=True)
    background = models.TextField(blank=True)
    consultation = models.TextField(blank=True)
    options = models.TextField(blank=True)
    analysis = models.TextField(blank=True)
    council_plan = models.TextField(blank=True)
    implications_financial = models.TextField(blank=True)
    implications_human_resources = models.TextField(blank=True)
    implications_equalities = models.TextField(blank=True)
    implications_legal = models.TextField(blank=True)
    implications_crime_and_disorder = models.TextField(blank=True)
    implications_information_technology = models.TextField(blank=True)
    implications_property = models.TextField(blank=True)
    risk_management = models.TextField(blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_job_title = models.CharField(max_length=200, blank=True)
    contact_department = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=60, blank=True)
    contact_email = models.EmailField(blank=True)
    # [{"term": "...", "meaning": "..."}]
    glossary = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    IMPLICATIONS = (
        ("implications_financial", "Financial"),
        ("implications_human_resources", "Human resources (HR)"),
        ("implications_equalities", "Equalities"),
        ("implications_legal", "Legal"),
        ("implications_crime_and_disorder", "Crime and disorder"),
        ("implications_information_technology", "Information technology (IT)"),
        ("implications_property", "Property"),
    )

    def __str__(self) -> str:
        return f"Executive report on {self.plan} (revision {self.revision})"


class PlanDraft(models.Model):
    """The plan's working copy: what the coordinator is writing, kept apart from the
    append-only versions. Its content may be unfinished (it need not pass the content
    validators); ``revision`` goes up on every save and is the API's ETag, so two people
    saving the same draft never overwrite each other silently. Saving a draft is not an act
    of record and writes no audit event: the version written from it is."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="draft")
    content = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=1)
    based_on = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The version the draft started from (or was last saved as).",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"Draft of {self.plan.title} (revision {self.revision})"

    @property
    def etag(self) -> str:
        return f'"{self.revision}"'


class ContentImport(models.Model):
    """A content file read and previewed, waiting for its coordinator to confirm it into the
    plan's draft (documents.content_io). Short-lived: it expires, and confirming it deletes
    it. It keeps the content read from the file, never the file."""

    token = models.CharField(max_length=64, unique=True)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    filename = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=10)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveIntegerField()
    content = models.JSONField()
    preview = models.JSONField()
    draft_revision = models.PositiveIntegerField(
        null=True, blank=True, help_text="The draft's revision the preview was made against.")

    def __str__(self) -> str:
        return f"Import of {self.filename or 'a file'} into {self.plan}"


# Monitoring and reviews live in their own packages; imported here so Django registers them.
from documents.monitoring.models import (  # noqa: E402,F401
    ActionProgress,
    ActionStatus,
    IndicatorReading,
    LeadLink,
    ProgressNote,
    RagThresholds,
)
from documents.reviews.models import (  # noqa: E402,F401
    ExternalSubmission,
    FeedbackPoint,
    ProgressReport,
    Review,
    ReviewKind,
    ReviewStage,
    ScrutinyFeedback,
)
