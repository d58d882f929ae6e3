"""Who decides: partnerships, bodies, people and roles, meetings, decisions, consultation."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from plangov.calendar import Nation
from plangov.prepared import Prepared


class Partnership(models.Model):
    """A Children's Trust: the local authority and its partners for one area."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    area = models.CharField(max_length=200, blank=True)
    nation = models.CharField(
        max_length=20, choices=Nation.choices, default=Nation.ENGLAND,
        help_text="Whose bank holidays count in its working days.",
    )
    # The council's constitution on call-in (Local Government Act 2000, s9F).
    call_in_members_needed = models.PositiveSmallIntegerField(
        default=3, help_text="Non-executive members who must sign a call-in request."
    )
    call_in_by_scrutiny_chair = models.BooleanField(
        default=True, help_text="The scrutiny committee's chair may call a decision in alone."
    )
    call_in_may_refer_to_full_council = models.BooleanField(
        default=False,
        help_text="The scrutiny committee may refer a called-in decision to full council.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def closure_dates(self) -> frozenset[datetime.date]:
        """The council's own closure days (plangov.calendar counts them as non-working):
        one query per partnership object, none when ``closure_days`` was prefetched."""
        cached = getattr(self, "_closure_dates", None)
        if cached is None:
            if "closure_days" in getattr(self, "_prefetched_objects_cache", {}):
                cached = frozenset(c.date for c in self.closure_days.all())
            else:
                cached = frozenset(_CLOSURE_DATES.all(partnership=self.pk))
            self._closure_dates = cached
        return cached


class ClosureDay(models.Model):
    """A day the council is closed beyond the bank holidays (e.g. between Christmas and New
    Year): not a working day for this partnership's periods and deadlines. Changed through
    governance.closures, which audits each change."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="closure_days"
    )
    date = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["partnership__name", "date"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "date"], name="closure_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.partnership}: closed on {self.date:%d %B %Y}"



# A council's closure days, read for every due date (plangov.prepared: compiled once).
_CLOSURE_DATES = Prepared(lambda partnership: ClosureDay.objects.filter(
    partnership_id=partnership).order_by().values_list("date", flat=True), partnership=int)


class BodyKind(models.TextChoices):
    PARTNERSHIP_BOARD = "partnership_board", "Partnership board"
    SAFEGUARDING_BOARD = "safeguarding_board", "Safeguarding board or partnership"
    HEALTH_AND_WELLBEING_BOARD = "health_and_wellbeing_board", "Health and wellbeing board"
    CORPORATE_PARENTING_BOARD = "corporate_parenting_board", "Corporate parenting board"
    STRATEGIC_PARTNERSHIP = "strategic_partnership", "Strategic partnership"
    SUB_GROUP = "sub_group", "Sub-group"
    EXECUTIVE = "executive", "Executive"
    SCRUTINY_COMMITTEE = "scrutiny_committee", "Scrutiny committee"
    FULL_COUNCIL = "full_council", "Full council"


class Body(models.Model):
    """A board, the executive, a scrutiny committee: anything that takes decisions."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="bodies")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=40, choices=BodyKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # A sub-group may report to one or two boards; a strategic partnership reports annually
    # to another board beside its parent. Reporting is not ownership, hence not `parent`.
    reports_to = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="receives_reports_from"
    )
    quorum = models.PositiveSmallIntegerField(
        default=1, help_text="Members who must be present for a decision to be valid."
    )
    meets_every_weeks = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["partnership__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="body_slug_unique"),
            models.CheckConstraint(condition=Q(quorum__gte=1), name="body_quorum_positive"),
        ]
        verbose_name_plural = "bodies"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice-chair"
    SECRETARY = "secretary", "Secretary"
    MEMBER = "member", "Member"
    EXECUTIVE_MEMBER = "executive_member", "Executive member"
    LEAD_OFFICER = "lead_officer", "Lead officer"
    # An auditor reads one partnership's plans, history and documents (the partnership of
    # the body they hold the role on); an external auditor (a national inspectorate, the
    # external auditor) reads every partnership's. Neither changes or requests anything.
    AUDITOR = "auditor", "Auditor"
    EXTERNAL_AUDITOR = "external_auditor", "External auditor (every partnership)"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: datetime.date | None = None) -> MembershipQuerySet:
        # plangov.clock, not the wall clock: who holds a role is judged on the same day as
        # the decision it authorises, and tests travel in time through the one clock.
        from plangov import clock

        day = on or clock.today()
        return self.filter(Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Membership(models.Model):
    """A person's role on a body for a term. A deputy acts when the holder is away."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputising_for",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["body__name", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "body", "role", "starts_on"], name="membership_unique_term"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="membership_term_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.body}"


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField()
    agenda_published_on = models.DateField(null=True, blank=True)
    attendance = models.PositiveSmallIntegerField(
        default=0, help_text="Voting members present, checked against the body's quorum."
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="meetings_attended"
    )

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["body", "date"], name="meeting_one_per_body_day")
        ]

    def __str__(self) -> str:
        return f"{self.body} — {self.date:%d %B %Y}"


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    APPROVED_WITH_AMENDMENTS = "approved_with_amendments", "Approved with amendments"
    ENDORSED = "endorsed", "Endorsed and recommended to full council"
    DEFERRED = "deferred", "Deferred"
    REFERRED_BACK = "referred_back", "Referred back"
    REJECTED = "rejected", "Rejected"

    @classmethod
    def approving(cls) -> frozenset[str]:
        return frozenset({cls.APPROVED, cls.APPROVED_WITH_AMENDMENTS, cls.ENDORSED})


class Decision(models.Model):
    """A body's decision, taken at a meeting, on one exact plan version or on one review of
    the plan (never both): a review's approval never counts as a version's."""

    plan = models.ForeignKey("documents.Plan", on_delete=models.PROTECT, related_name="decisions")
    version = models.ForeignKey(
        "documents.PlanVersion", null=True, blank=True, on_delete=models.PROTECT,
        related_name="decisions",
    )
    review = models.ForeignKey(
        "documents.Review", null=True, blank=True, on_delete=models.PROTECT,
        related_name="decisions",
    )
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="decisions")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    decided_on = models.DateField()
    outcome = models.CharField(max_length=30, choices=DecisionOutcome.choices)
    minute_reference = models.CharField(max_length=60, blank=True)
    votes_for = models.PositiveSmallIntegerField(default=0)
    votes_against = models.PositiveSmallIntegerField(default=0)
    votes_abstaining = models.PositiveSmallIntegerField(default=0)
    declarations_of_interest = models.TextField(blank=True)
    reasons = models.TextField(blank=True)
    # What the 2012 regulations (reg. 12) ask of a decision record beside the reasons.
    alternatives_considered = models.TextField(
        blank=True, help_text="Alternative options considered and rejected."
    )
    dispensations = models.TextField(
        blank=True, help_text="Dispensations granted to members with an interest."
    )
    published_on = models.DateField(
        null=True, blank=True,
        help_text="The day the decision notice was published (an executive decision's call-in "
        "period may run from it).",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions_recorded"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["plan", "version", "body"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(version__isnull=False, review__isnull=True)
                           | Q(version__isnull=True, review__isnull=False)),
                name="decision_on_version_or_review",
            )
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.get_outcome_display()} ({self.decided_on})"

    @property
    def is_approving(self) -> bool:
        return self.outcome in DecisionOutcome.approving()


class CallInRequest(models.Model):
    """Members' request to call in an executive decision, recorded by the scrutiny
    committee's secretary. Keyed to the decision, so any executive decision can be called in.
    While it has no outcome the decision is suspended."""

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="call_in_requests"
    )
    plan = models.ForeignKey(
        "documents.Plan", on_delete=models.PROTECT, related_name="call_in_requests"
    )
    number = models.PositiveSmallIntegerField(help_text="1, 2, ... within the plan.")
    # Councillors are rarely plangov users: their names, as text, one per entry.
    requesters = models.JSONField(default=list, blank=True)
    by_scrutiny_chair = models.BooleanField(
        default=False, help_text="Requested by the scrutiny committee's chair."
    )
    reasons = models.TextField(blank=True)
    requested_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="call_in_request_number")
        ]

    def __str__(self) -> str:
        return f"Call-in {self.number} of {self.decision}"

    @property
    def member_count(self) -> int:
        return len(self.requesters)


class CallInOutcomeKind(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", "No further action: the decision takes effect"
    REFERRED_TO_EXECUTIVE = "referred_to_executive", "Referred back to the executive"
    REFERRED_TO_FULL_COUNCIL = "referred_to_full_council", "Referred to full council"


class CallInOutcome(models.Model):
    """What the scrutiny committee decided on a call-in request, at its meeting."""

    request = models.OneToOneField(
        CallInRequest, on_delete=models.PROTECT, related_name="outcome"
    )
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="call_in_outcomes")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField()
    outcome = models.CharField(max_length=30, choices=CallInOutcomeKind.choices)
    minute_reference = models.CharField(max_length=60, blank=True)
    votes_for = models.PositiveSmallIntegerField(default=0)
    votes_against = models.PositiveSmallIntegerField(default=0)
    votes_abstaining = models.PositiveSmallIntegerField(default=0)
    declarations_of_interest = models.TextField(blank=True)
    reasons = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.decided_on})"


def latest_per_body(decisions: list[Decision]) -> dict[int, Decision]:
    """The latest decision of each body, by recording order."""
    latest: dict[int, Decision] = {}
    for decision in sorted(decisions, key=lambda d: d.pk):
        latest[decision.body_id] = decision
    return latest


class AuditHead(models.Model):
    """The tip of the audit chain: one row, locked by every append so the chain never forks,
    and the reference that lets verification notice a deleted final event."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="audit_head_singleton")]


class AuditEvent(models.Model):
    """One change, who made it and why. Each event stores its predecessor's hash."""

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    plan = models.ForeignKey(
        "documents.Plan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["plan", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label}"


# Consultation lives in its own module; imported here so Django registers its models.
from governance.consultation.models import (  # noqa: E402,F401
    Activity,
    ActivityReach,
    AnalystNote,
    Answer,
    Audience,
    Channel,
    ConsultationRound,
    ConsultationStatus,
    Question,
    QuestionKind,
    Response,
    ResponseImport,
    ResponseImportStatus,
    ResponseSource,
    Statement,
    Theme,
)

# Single sign-on's identity bindings (governance.sso); imported so Django registers the model.
from governance.sso.models import SignInIdentity  # noqa: E402,F401

# API tokens (governance.tokens, issue 13); imported here so Django registers the model.
from governance.tokens.models import ApiToken  # noqa: E402,F401

