from django.db import migrations, models
from django.utils import timezone

import plangov.clock


def from_recording_times(apps, schema_editor):
    """Records made before effective dates existed: the date each was typed in is the best
    date there is."""
    Plan = apps.get_model("documents", "Plan")
    PlanVersion = apps.get_model("documents", "PlanVersion")
    for plan in Plan.objects.all().only("pk", "created_at"):
        Plan.objects.filter(pk=plan.pk).update(created_on=timezone.localdate(plan.created_at))
    for version in PlanVersion.objects.all().only("pk", "created_at", "submitted_at"):
        PlanVersion.objects.filter(pk=version.pk).update(
            effective_on=timezone.localdate(version.created_at),
            submitted_on=(
                timezone.localdate(version.submitted_at) if version.submitted_at else None
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_signed_documents")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="created_on",
            field=models.DateField(
                default=plangov.clock.today,
                help_text="The date the plan was started; may be in the past.",
            ),
        ),
        migrations.AddField(
            model_name="planversion",
            name="effective_on",
            field=models.DateField(
                default=plangov.clock.today,
                help_text="The date the version was written; may be in the past.",
            ),
        ),
        migrations.AddField(
            model_name="planversion",
            name="submitted_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(from_recording_times, migrations.RunPython.noop),
        # The time a record was typed in comes from plangov's clock, as every other time does.
        migrations.AlterField(
            model_name="plan",
            name="created_at",
            field=models.DateTimeField(default=plangov.clock.now, editable=False),
        ),
        migrations.AlterField(
            model_name="planversion",
            name="created_at",
            field=models.DateTimeField(default=plangov.clock.now, editable=False),
        ),
    ]
