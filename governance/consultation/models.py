"""What a consultation round holds. Responses are personal data, never audit events: the audit
chain records a round's opening, closing, imports and publication with a hash over its
responses, so a response can be anonymised or deleted when its retention ends."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

DEFAULT_AUDIENCES = [
    ("children-and-young-people", "Children and young people"),
    ("parents-and-carers", "Parents and carers"),
    ("partner-organisations", "Partner organisations and their workforce"),
    ("schools", "Governors, headteachers and teachers"),
    ("voluntary-community-faith", "Voluntary, community and faith sector"),
]


class Channel(models.TextChoices):
    ONLINE = "online", "Online form"
    EVENT = "event", "Event"
    SCHOOL = "school", "School questionnaire"
    PAPER = "paper", "Paper"
    YOUTH_GROUP = "youth_group", "Youth group"


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", "Not yet open"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Audience(models.Model):
    """A respondent group, configurable per partnership (defaults: DEFAULT_AUDIENCES)."""

    partnership = models.ForeignKey(
        "governance.Partnership", on_delete=models.CASCADE, related_name="audiences"
    )
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["partnership", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="audience_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ConsultationRound(models.Model):
    """One round of consultation on a plan: first on priorities, later on the draft."""

    plan = models.ForeignKey(
        "documents.Plan", on_delete=models.PROTECT, related_name="consultation_rounds"
    )
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    # Dates for the record and the lifecycle's order of events; the times below open and
    # close the round by itself (a beat scan).
    opens_on = models.DateField()
    closes_on = models.DateField(null=True, blank=True)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ConsultationStatus.choices, default=ConsultationStatus.OPEN
    )
    # Recorded after the event (past dates, by the lead officer), not run on plangov.
    recorded = models.BooleanField(default=False)
    version = models.ForeignKey(
        "documents.PlanVersion", null=True, blank=True, on_delete=models.PROTECT,
        related_name="consultation_rounds", help_text="The version consulted on, if any.",
    )
    audiences = models.ManyToManyField(Audience, blank=True, related_name="rounds")
    channels = models.JSONField(default=list, blank=True, help_text="Channel values.")
    children_form = models.BooleanField(
        default=True, help_text="Offer the children's version of the form."
    )
    privacy_notice = models.TextField(blank=True)
    retention_months = models.PositiveSmallIntegerField(
        default=24, help_text="Responses are anonymised this long after the round closes."
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The date the round closed; closed_at is when that was recorded.
    closed_on = models.DateField(null=True, blank=True)
    summary_published_at = models.DateTimeField(null=True, blank=True)
    summary_published_on = models.DateField(null=True, blank=True)
    summary_introduction = models.TextField(blank=True)
    responses_anonymised_at = models.DateTimeField(null=True, blank=True)
    # The plan's drafting cycle (Plan.drafting_cycle) when the round opened: only a round of
    # the current cycle lets the plan be submitted.
    drafting_cycle = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        app_label = "governance"
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="consultation_round_number"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status="open"),
                name="consultation_one_open_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} — {self.title}"


class QuestionKind(models.TextChoices):
    FREE_TEXT = "free_text", "Free text"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    AGREEMENT = "agreement", "Agreement scale"


AGREEMENT_SCALE = [
    ("strongly_agree", "Strongly agree"),
    ("agree", "Agree"),
    ("neither", "Neither agree nor disagree"),
    ("disagree", "Disagree"),
    ("strongly_disagree", "Strongly disagree"),
]


class Question(models.Model):
    round = models.ForeignKey(ConsultationRound, on_delete=models.CASCADE,
                              related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    # Grouped by an outcome or theme of the plan: its key (if any) and the heading shown.
    group = models.CharField(max_length=200, blank=True)
    outcome_key = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    text = models.CharField(max_length=1000)
    children_text = models.CharField(
        max_length=1000, blank=True, help_text="The same question in plain words for children."
    )
    required = models.BooleanField(default=False)
    # [{"value": "yes", "label": "Yes"}, ...] for single and multiple choice.
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        app_label = "governance"
        ordering = ["round", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class ResponseSource(models.TextChoices):
    ONLINE = "online", "Online form"
    IMPORTED = "imported", "Imported"


class ResponseImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    VALIDATING = "validating", "Checking"
    INVALID = "invalid", "Has problems"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"


class ResponseImport(models.Model):
    """A CSV or XLSX file of offline responses (paper returns, event notes)."""

    round = models.ForeignKey(ConsultationRound, on_delete=models.PROTECT,
                              related_name="imports")
    file_sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255, blank=True)
    stored_path = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=12, choices=ResponseImportStatus.choices,
                              default=ResponseImportStatus.PENDING)
    only_valid_rows = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    skipped_rows = models.PositiveIntegerField(default=0)
    # Rows with at least one problem, and the problems found (the report keeps the first
    # PLANGOV_IMPORT_REPORT_LIMIT of them).
    invalid_rows = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    # [{"row": 3, "column": "audience", "problem": "..."}]
    report = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "governance"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["round", "file_sha256"], name="response_import_file"),
            models.Index(fields=["status", "claimed_at"], name="response_import_claim"),
        ]


class Response(models.Model):
    round = models.ForeignKey(ConsultationRound, on_delete=models.CASCADE,
                              related_name="responses")
    submitted_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=ResponseSource.choices,
                              default=ResponseSource.ONLINE)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    audience = models.ForeignKey(Audience, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="responses")
    children_form = models.BooleanField(default=False)
    consent_to_quote = models.BooleanField(default=False)
    response_import = models.ForeignKey(ResponseImport, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="responses")
    # SHA-256 of an imported row's normalised cells: a re-imported row is recognised.
    fingerprint = models.CharField(max_length=64, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "governance"
        ordering = ["round", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "fingerprint"], condition=~Q(fingerprint=""),
                name="response_fingerprint_once",
            )
        ]


class Theme(models.Model):
    """A theme the analysts tag free-text answers with."""

    round = models.ForeignKey(ConsultationRound, on_delete=models.CASCADE,
                              related_name="themes")
    name = models.CharField(max_length=200)

    class Meta:
        app_label = "governance"
        ordering = ["round", "name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="theme_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    # Choice values for single, multiple choice and agreement questions.
    choices = models.JSONField(default=list, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="answers")
    # A quote redacted before publication: the original stays in ``text``, seen only by
    # analysts and auditors; the public sees ``redacted_text``.
    redacted_text = models.TextField(blank=True)
    redaction_reason = models.CharField(max_length=500, blank=True)
    redacted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "governance"
        ordering = ["response", "question__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once")
        ]


class AnalystNote(models.Model):
    round = models.ForeignKey(ConsultationRound, on_delete=models.CASCADE,
                              related_name="analyst_notes")
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="notes")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        app_label = "governance"
        ordering = ["round", "created_at", "pk"]


class Activity(models.Model):
    """An engagement activity: an event or a piece of work, with its reach by audience."""

    round = models.ForeignKey(ConsultationRound, on_delete=models.CASCADE,
                              related_name="activities")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    held_on = models.DateField()
    held_until = models.DateField(null=True, blank=True)

    class Meta:
        app_label = "governance"
        ordering = ["round", "held_on", "pk"]


class ActivityReach(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reach")
    audience = models.ForeignKey(Audience, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField()

    class Meta:
        app_label = "governance"
        constraints = [
            models.UniqueConstraint(fields=["activity", "audience"], name="reach_once")
        ]


class Statement(models.Model):
    """"You said, we did": what was heard, linked to a priority and the change it made in the
    next version, or why no change was made."""

    round = models.ForeignKey(ConsultationRound, on_delete=models.CASCADE,
                              related_name="statements")
    order = models.PositiveSmallIntegerField(default=0)
    you_said = models.TextField()
    we_did = models.TextField(blank=True)
    no_change_reason = models.TextField(blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="statements")
    quotes = models.ManyToManyField(Answer, blank=True, related_name="statements")
    outcome_key = models.CharField(max_length=60, blank=True)
    priority_key = models.CharField(max_length=60, blank=True)
    changed_in_version = models.ForeignKey(
        "documents.PlanVersion", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        app_label = "governance"
        ordering = ["round", "order", "pk"]
