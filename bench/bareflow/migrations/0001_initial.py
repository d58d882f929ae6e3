from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = [("viewflow", "0015_task_scheduled")]

    operations = [
        migrations.CreateModel(
            name="BareProcess",
            fields=[],
            options={"proxy": True, "indexes": [], "constraints": []},
            bases=("viewflow.process",),
        ),
    ]
