"""The database refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) on audit events; see
governance.audit_triggers."""

from django.db import migrations


def install(apps, schema_editor):
    from governance.audit_triggers import create_sql

    for sql in create_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def remove(apps, schema_editor):
    from governance.audit_triggers import drop_sql

    for sql in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0012_sign_in_identity"),
    ]

    operations = [migrations.RunPython(install, remove)]
