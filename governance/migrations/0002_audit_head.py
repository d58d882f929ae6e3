from django.db import migrations


def create_head(apps, schema_editor):
    AuditHead = apps.get_model("governance", "AuditHead")
    AuditHead.objects.get_or_create(pk=1, defaults={"last_seq": 0, "last_hash": "0" * 64})


class Migration(migrations.Migration):
    """The audit chain's head row must exist before the first append locks it."""

    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
