"""Call-in as councils run it: call-in requests and the scrutiny committee's outcomes, the
constitution's call-in rules on the partnership, and the 2012 regulations' fields on decision
records. Today's "called in" decisions become call-in requests with a referral back to the
executive, which is what they meant."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MIGRATED_REASONS = (
    "Recorded as a \"called in\" decision before plangov kept call-in requests; the members "
    "who asked were not recorded."
)


def convert_called_in(apps, schema_editor):
    """Each "called_in" Decision becomes a CallInRequest on the executive decision it called
    in, with a CallInOutcome referring it back to the executive, and the Decision row goes
    (unless a signed notice of it exists, which keeps it as it was signed)."""
    Decision = apps.get_model("governance", "Decision")
    CallInRequest = apps.get_model("governance", "CallInRequest")
    CallInOutcome = apps.get_model("governance", "CallInOutcome")
    Plan = apps.get_model("documents", "Plan")
    SignedDocument = apps.get_model("documents", "SignedDocument")
    for called in Decision.objects.filter(outcome="called_in").order_by("pk"):
        plan = Plan.objects.get(pk=called.plan_id)
        executive = (
            Decision.objects.filter(
                plan_id=called.plan_id,
                version_id=called.version_id,
                body_id=plan.executive_body_id,
                pk__lt=called.pk,
            )
            .order_by("-pk")
            .first()
        )
        if executive is None:
            continue  # nothing it could have called in: left as recorded
        request = CallInRequest.objects.create(
            decision_id=executive.pk,
            plan_id=called.plan_id,
            number=CallInRequest.objects.filter(plan_id=called.plan_id).count() + 1,
            requesters=[],
            by_scrutiny_chair=False,
            reasons=called.reasons or MIGRATED_REASONS,
            requested_on=called.decided_on,
            recorded_by_id=called.recorded_by_id,
            recorded_at=called.recorded_at,
        )
        CallInOutcome.objects.create(
            request=request,
            body_id=called.body_id,
            meeting_id=called.meeting_id,
            decided_on=called.decided_on,
            outcome="referred_to_executive",
            minute_reference=called.minute_reference,
            votes_for=called.votes_for,
            votes_against=called.votes_against,
            votes_abstaining=called.votes_abstaining,
            declarations_of_interest=called.declarations_of_interest,
            reasons=called.reasons,
            recorded_by_id=called.recorded_by_id,
            recorded_at=called.recorded_at,
        )
        if not SignedDocument.objects.filter(decision_id=called.pk).exists():
            called.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0004_signed_documents'),
        ('governance', '0002_audit_head'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='decision',
            name='alternatives_considered',
            field=models.TextField(blank=True, help_text='Alternative options considered and rejected.'),
        ),
        migrations.AddField(
            model_name='decision',
            name='dispensations',
            field=models.TextField(blank=True, help_text='Dispensations granted to members with an interest.'),
        ),
        migrations.AddField(
            model_name='decision',
            name='published_on',
            field=models.DateField(blank=True, help_text="The day the decision notice was published (an executive decision's call-in period may run from it).", null=True),
        ),
        migrations.AddField(
            model_name='partnership',
            name='call_in_by_scrutiny_chair',
            field=models.BooleanField(default=True, help_text="The scrutiny committee's chair may call a decision in alone."),
        ),
        migrations.AddField(
            model_name='partnership',
            name='call_in_may_refer_to_full_council',
            field=models.BooleanField(default=False, help_text='The scrutiny committee may refer a called-in decision to full council.'),
        ),
        migrations.AddField(
            model_name='partnership',
            name='call_in_members_needed',
            field=models.PositiveSmallIntegerField(default=3, help_text='Non-executive members who must sign a call-in request.'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='outcome',
            field=models.CharField(choices=[('approved', 'Approved'), ('approved_with_amendments', 'Approved with amendments'), ('endorsed', 'Endorsed and recommended to full council'), ('deferred', 'Deferred'), ('referred_back', 'Referred back'), ('rejected', 'Rejected')], max_length=30),
        ),
        migrations.CreateModel(
            name='CallInRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(help_text='1, 2, ... within the plan.')),
                ('requesters', models.JSONField(blank=True, default=list)),
                ('by_scrutiny_chair', models.BooleanField(default=False, help_text="Requested by the scrutiny committee's chair.")),
                ('reasons', models.TextField(blank=True)),
                ('requested_on', models.DateField()),
                ('recorded_at', models.DateTimeField()),
                ('decision', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='call_in_requests', to='governance.decision')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='call_in_requests', to='documents.plan')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['plan', 'number'],
            },
        ),
        migrations.CreateModel(
            name='CallInOutcome',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_on', models.DateField()),
                ('outcome', models.CharField(choices=[('no_further_action', 'No further action: the decision takes effect'), ('referred_to_executive', 'Referred back to the executive'), ('referred_to_full_council', 'Referred to full council')], max_length=30)),
                ('minute_reference', models.CharField(blank=True, max_length=60)),
                ('votes_for', models.PositiveSmallIntegerField(default=0)),
                ('votes_against', models.PositiveSmallIntegerField(default=0)),
                ('votes_abstaining', models.PositiveSmallIntegerField(default=0)),
                ('declarations_of_interest', models.TextField(blank=True)),
                ('reasons', models.TextField(blank=True)),
                ('recorded_at', models.DateTimeField()),
                ('body', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='call_in_outcomes', to='governance.body')),
                ('meeting', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='governance.meeting')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('request', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='outcome', to='governance.callinrequest')),
            ],
        ),
        migrations.AddConstraint(
            model_name='callinrequest',
            constraint=models.UniqueConstraint(fields=('plan', 'number'), name='call_in_request_number'),
        ),
        migrations.RunPython(convert_called_in, migrations.RunPython.noop),
    ]
