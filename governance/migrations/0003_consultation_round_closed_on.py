from django.db import migrations, models
from django.utils import timezone


def from_recording_times(apps, schema_editor):
    ConsultationRound = apps.get_model("governance", "ConsultationRound")
    for round_ in ConsultationRound.objects.exclude(closed_at=None).only("pk", "closed_at"):
        ConsultationRound.objects.filter(pk=round_.pk).update(
            closed_on=timezone.localdate(round_.closed_at)
        )


class Migration(migrations.Migration):
    dependencies = [("governance", "0002_audit_head")]

    operations = [
        migrations.AddField(
            model_name="consultationround",
            name="closed_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(from_recording_times, migrations.RunPython.noop),
    ]
