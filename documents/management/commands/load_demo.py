"""Load the York demo: its governance, demo sign-ins, the CYPP 2009-12 in drafting, and an
Early Help Strategy waiting for its boards, with deadlines that send reminders at once, and a
Children in Care Strategy adopted in 2024, with two years of readings and its annual review
under way (workflows.demo).

DEMO ONLY. Every demo person gets a fixed, printed password (``demo-<username>-2009``) and a
superuser ``admin`` is created, so this must never run against a council's real database: it
refuses to unless DEBUG is on, or it is told explicitly that the passwords are understood.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

import documents
import governance
from documents.models import Plan, PlanKind
from documents.services import plan_create, version_create
from governance.importer import GovernanceFileInvalid, ImportReport, import_governance
from governance.models import Body, Membership, Partnership, Role
from plangov.errors import PlangovError

GOVERNANCE_FILE = Path(governance.__file__).resolve().parent / "demo" / "york.yaml"
CONTENT_FILE = Path(documents.__file__).resolve().parent / "demo" / "cypp-2009-12.json"

PARTNERSHIP = "yorok"
PLAN_TITLE = "Children and Young People's Plan"
PLAN_PERIOD = (datetime.date(2009, 4, 1), datetime.date(2012, 3, 31))
# The CYPP was started in spring 2008, its draft written before the summer's consultation.
PLAN_STARTED = datetime.date(2008, 5, 1)
DRAFT_WRITTEN = datetime.date(2008, 5, 20)
APPROVING_BODIES = ("yorok-board", "safeguarding-board")
EXECUTIVE = "executive"
ADMIN_USERNAME = "admin"
AUDITORS_GROUP = "Auditors (read-only)"
# The auditor reads everything plangov records, in the admin, and changes nothing.
AUDITED_APPS = ("governance", "documents", "workflows")
EARLY_HELP_TITLE = "Early Help Strategy"
EARLY_HELP_PERIOD = (datetime.date(2026, 4, 1), datetime.date(2029, 3, 31))
EARLY_HELP_BODIES = ("yorok-board", "safeguarding-board")
VERSION_NOTE = (
    "Demo draft for consultation, from York's CYPP 2009-12 consultation document (2008). "
    "Figures not quoted in that document are illustrative."
)


def demo_password(username: str) -> str:
    """Readable on purpose: these accounts exist to be signed into by anyone trying plangov."""
    return f"demo-{username}-2009"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    passwords: int = 0

    @property
    def nothing(self) -> bool:
        return self.created == 0 and self.updated == 0 and self.passwords == 0


class Command(BaseCommand):
    help = (
        "Load the York demo (DEMO ONLY: sets well-known passwords and creates a superuser "
        "'admin'): the YorOK Children's Trust from governance/demo/york.yaml, a password for "
        "each demo person, a read-only admin sign-in for the auditor, and the Children and "
        "Young People's Plan 2009-12 in drafting. Running it again creates nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--i-understand-demo-passwords",
            action="store_true",
            dest="understood",
            help="Run even though DEBUG is off (a throwaway demo server, never a real one).",
        )

    def handle(self, *args: Any, understood: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not understood:
            raise CommandError(
                "load_demo gives demo people fixed, published passwords and creates a "
                "superuser 'admin', so it runs only with DEBUG on. On a throwaway demo server, "
                "pass --i-understand-demo-passwords."
            )
        counts = Counts()
        self._signing_credentials()
        # One transaction: a demo is loaded whole or not at all.
        with transaction.atomic():
            report = self._governance()
            counts.created += report.created
            counts.updated += report.updated
            self._passwords(report.usernames, counts)
            self._auditors(counts)
            self._admin(counts)
            self._plan(counts)
            self._plan_awaiting_boards(counts)
            self._plan_adopted(counts)
        self._table(report.usernames)
        if counts.nothing:
            self.stdout.write("Nothing new: the demo was already loaded.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo loaded: {counts.created} created, {counts.updated} updated, "
                    f"{counts.passwords} demo password{'s' if counts.passwords != 1 else ''} "
                    "set."
                )
            )

    def _governance(self) -> ImportReport:
        try:
            report = import_governance(
                text=GOVERNANCE_FILE.read_text(encoding="utf-8"),
                source=f"{GOVERNANCE_FILE.name} (load_demo)",
            )
        except GovernanceFileInvalid as exc:  # a broken demo file is a bug in plangov itself
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Governance from {GOVERNANCE_FILE.name}: {report.summary}.")
        return report

    def _passwords(self, usernames: list[str], counts: Counts) -> None:
        # Checked before set: setting an equal password still writes a new salted hash, and a
        # second run must change nothing. It also resets a demo password someone changed, so
        # the printed table is always true.
        for user in get_user_model().objects.filter(username__in=usernames):
            password = demo_password(user.get_username())
            # A freshly imported person has an unusable password: no need to hash to know.
            if not user.has_usable_password() or not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
                counts.passwords += 1

    def _auditors(self, counts: Counts) -> None:
        group, created = Group.objects.get_or_create(name=AUDITORS_GROUP)
        counts.created += int(created)
        view_only = set(
            Permission.objects.filter(
                content_type__app_label__in=AUDITED_APPS, codename__startswith="view_"
            )
        )
        if set(group.permissions.all()) != view_only:
            group.permissions.set(view_only)
            counts.updated += int(not created)
        auditors = get_user_model().objects.filter(
            pk__in=Membership.objects.current()
            .filter(role=Role.AUDITOR, body__partnership__slug=PARTNERSHIP)
            .values("user")
        )
        for auditor in auditors:
            # Staff so they can sign in to the admin; the group gives them view permissions and
            # nothing else, so every admin page they can open is read-only to them.
            changed = not auditor.is_staff or auditor.is_superuser
            auditor.is_staff, auditor.is_superuser = True, False
            if changed:
                auditor.save(update_fields=["is_staff", "is_superuser"])
                counts.updated += 1
            if not auditor.groups.filter(pk=group.pk).exists():
                auditor.groups.add(group)
                counts.updated += 1

    def _admin(self, counts: Counts) -> None:
        user_model = get_user_model()
        password = demo_password(ADMIN_USERNAME)
        admin = user_model.objects.filter(username=ADMIN_USERNAME).first()
        if admin is None:
            user_model.objects.create_superuser(
                username=ADMIN_USERNAME, email="admin@example.org", password=password
            )
            counts.created += 1
            return
        changed = not (admin.is_staff and admin.is_superuser and admin.is_active)
        if not admin.check_password(password):
            admin.set_password(password)
            changed = True
        if changed:
            admin.is_staff = admin.is_superuser = admin.is_active = True
            admin.save()
            counts.updated += 1

    def _signing_credentials(self) -> None:
        """The demo's own CA and signing certificate, at the configured paths, so adopted
        plans can be signed. A council installs its own (PLANGOV_SIGNING_P12)."""
        from pathlib import Path

        from documents.publishing.signing import make_demo_credentials

        p12 = Path(settings.PLANGOV_SIGNING_P12)
        roots = [Path(p) for p in settings.PLANGOV_SIGNING_TRUST_ROOTS]
        if p12.exists():
            return
        if p12.name != "demo-signer.p12" or [r.name for r in roots] != ["demo-ca.pem"] or \
                roots[0].parent != p12.parent:
            raise CommandError(
                f"No signing certificate at {p12}, and it is not the demo's path, so the demo "
                "will not make one there. Install the organisation's certificate."
            )
        make_demo_credentials(p12.parent)
        self.stdout.write(f"Made a demo CA and signing certificate in {p12.parent}.")

    def _plan(self, counts: Counts) -> None:
        partnership = Partnership.objects.get(slug=PARTNERSHIP)
        existing = Plan.objects.filter(
            partnership=partnership,
            kind=PlanKind.CYPP,
            title=PLAN_TITLE,
            period_start=PLAN_PERIOD[0],
        ).first()
        if existing is not None:
            # Left as it is: people may have taken the demo plan further since the last run.
            self.stdout.write(
                f"{existing} is already there ({existing.get_stage_display().lower()})."
            )
            return
        bodies = {b.slug: b for b in Body.objects.filter(partnership=partnership)}
        lead = (
            Membership.objects.current()
            .filter(role=Role.LEAD_OFFICER, body=bodies["yorok-board"])
            .select_related("user")
            .order_by("starts_on", "pk")
            .first()
        )
        if lead is None:
            raise CommandError("The demo governance has no current lead officer of YorOK Board.")
        content = json.loads(CONTENT_FILE.read_text(encoding="utf-8"))
        try:
            plan = plan_create(
                actor=lead.user,
                partnership=partnership,
                title=PLAN_TITLE,
                kind=PlanKind.CYPP,
                period_start=PLAN_PERIOD[0],
                period_end=PLAN_PERIOD[1],
                owning_body=bodies["yorok-board"],
                lead_officer=lead.user,
                approving_bodies=[bodies[slug] for slug in APPROVING_BODIES],
                executive_body=bodies[EXECUTIVE],
                subject_to_call_in=True,
                created_on=PLAN_STARTED,
            )
            version_create(plan=plan, actor=lead.user, content=content, note=VERSION_NOTE,
                           effective_on=DRAFT_WRITTEN)
            consulted = self._consultation(plan, lead.user)
        except PlangovError as exc:
            raise CommandError(f"The demo plan could not be created: {exc}") from exc
        counts.created += 3
        self.stdout.write(f"Created {plan} in drafting, with version 1. {consulted}")

    def _consultation(self, plan: Plan, lead: Any) -> str:
        """The CYPP's 2008 consultation: opened and closed through the lifecycle, then its
        responses, activities, analysis and published you-said-we-did."""
        from documents.demo import consultation
        from workflows.services import plan_close_consultation, plan_start_consultation

        plan_start_consultation(plan=plan, actor=lead, title=consultation.TITLE,
                                opens_on=consultation.OPENS_ON,
                                closes_on=consultation.CLOSES_ON)
        plan_close_consultation(plan=plan, actor=lead, closed_on=consultation.CLOSES_ON)
        return consultation.load_consultation(plan=plan, lead=lead)

    def _plan_awaiting_boards(self, counts: Counts) -> None:
        """An Early Help Strategy consulted on and submitted, so each board has a task in its
        queue: one due tomorrow (a reminder goes at the first beat scan) and one overdue (an
        escalation goes to the board's chair and the lead officer)."""
        from governance.consultation.services import round_publish_summary
        from plangov import calendar, clock
        from workflows import routing
        from workflows.services import (
            plan_close_consultation,
            plan_start_consultation,
            plan_submit,
        )

        partnership = Partnership.objects.get(slug=PARTNERSHIP)
        if Plan.objects.filter(partnership=partnership, title=EARLY_HELP_TITLE,
                               period_start=EARLY_HELP_PERIOD[0]).exists():
            return
        bodies = {b.slug: b for b in Body.objects.filter(partnership=partnership)}
        lead = Membership.objects.current().filter(
            role=Role.LEAD_OFFICER, body=bodies["yorok-board"]).select_related("user").first()
        if lead is None:
            raise CommandError("The demo governance has no current lead officer of YorOK Board.")
        content = json.loads(CONTENT_FILE.read_text(encoding="utf-8"))
        content["vision"] = (
            "Children, young people and families in York get the right help at the right "
            "time, as early as possible, from services that work together."
        )
        try:
            plan = plan_create(
                actor=lead.user, partnership=partnership, title=EARLY_HELP_TITLE,
                kind=PlanKind.STRATEGY, period_start=EARLY_HELP_PERIOD[0],
                period_end=EARLY_HELP_PERIOD[1], owning_body=bodies["yorok-board"],
                lead_officer=lead.user,
                approving_bodies=[bodies[slug] for slug in EARLY_HELP_BODIES],
                executive_body=bodies[EXECUTIVE], subject_to_call_in=True,
            )
            version_create(plan=plan, actor=lead.user, content=content,
                           note="Demo draft of an Early Help Strategy.")
            plan_start_consultation(plan=plan, actor=lead.user, title="Early help survey")
            plan = plan_close_consultation(plan=plan, actor=lead.user)
            round_publish_summary(round=plan.consultation_rounds.get(), actor=lead.user)
            plan_submit(plan=plan, actor=lead.user, reason="For the boards' approval.")
        except PlangovError as exc:
            raise CommandError(f"The demo Early Help Strategy could not be created: {exc}") \
                from exc
        # Demo only: the tasks' due dates are moved so the deadlines show at once, as if the
        # strategy had been submitted some weeks ago; nothing else of the record is changed.
        today = clock.today()
        tasks = {t.info.body.slug: t.info for t in routing.open_tasks(plan).select_related(
            "info__body")}
        tasks["yorok-board"].due_on = calendar.add_working_days(today, 1)
        overdue = today - datetime.timedelta(days=7)
        while not calendar.is_working_day(overdue):  # a meeting day, not a weekend
            overdue -= datetime.timedelta(days=1)
        tasks["safeguarding-board"].due_on = overdue
        for info in tasks.values():
            info.save(update_fields=["due_on"])
        counts.created += 5
        self.stdout.write(f"Created {plan}, submitted to its boards: one task due "
                          f"{tasks['yorok-board'].due_on}, one overdue.")

    def _plan_adopted(self, counts: Counts) -> None:
        """A Children in Care Strategy adopted in 2024, with two years of readings, action
        progress and its 2026 annual review under way (workflows.demo)."""
        from workflows import demo

        partnership = Partnership.objects.get(slug=PARTNERSHIP)
        if (plan := demo.existing(partnership)) is not None:
            self.stdout.write(f"{plan} is already there ({plan.get_stage_display().lower()}).")
            return
        lead = Membership.objects.current().filter(
            role=Role.LEAD_OFFICER, body__slug=demo.OWNING_BODY,
            body__partnership=partnership).select_related("user").first()
        if lead is None:
            raise CommandError("The demo governance has no current lead officer of YorOK Board.")
        people = {u.get_username(): u for u in get_user_model().objects.filter(
            pk__in=Membership.objects.current().filter(
                body__partnership=partnership).values("user"))}
        try:
            loaded = demo.load_children_in_care(partnership=partnership, lead=lead.user,
                                                people=people)
        except PlangovError as exc:
            raise CommandError(f"The demo {demo.TITLE} could not be created: {exc}") from exc
        counts.created += loaded.created
        for line in loaded.lines:
            self.stdout.write(line)

    def _table(self, usernames: list[str]) -> None:
        """Who to sign in as: username, role, body and password (demo passwords only)."""
        rows: list[tuple[str, str, str, str]] = []
        memberships = (
            Membership.objects.current()
            .filter(body__partnership__slug=PARTNERSHIP)
            .select_related("user", "body", "deputy")
        )
        held: dict[str, list[tuple[str, str]]] = {name: [] for name in usernames}
        for membership in memberships:
            body = membership.body.name
            if membership.user.get_username() in held:
                held[membership.user.get_username()].append(
                    (membership.get_role_display(), body)
                )
            if membership.deputy and membership.deputy.get_username() in held:
                held[membership.deputy.get_username()].append(
                    (f"Deputy {membership.get_role_display().lower()}", body)
                )
        for username in usernames:
            for role, body in held[username] or [("(no role)", "")]:
                rows.append((username, role, body, demo_password(username)))
        rows.append((ADMIN_USERNAME, "Superuser", "(Django admin)", demo_password(ADMIN_USERNAME)))
        header = ("username", "role", "body", "password")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
        self.stdout.write("")
        self.stdout.write("Demo sign-ins (demo passwords: never use these on a real council):")
        for row in [header, tuple("-" * w for w in widths), *rows]:
            cells = (cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
        self.stdout.write("")
