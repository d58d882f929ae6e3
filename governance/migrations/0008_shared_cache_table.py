"""The shared cache's table (settings.CACHES, plangov.cache.DatabaseCache), made with the
database so every web worker counts the public form's rate limits in one place. Does nothing
when the cache is not a database cache (Redis in production); idempotent, like
``manage.py createcachetable``."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):  # type: ignore[no-untyped-def]
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("governance", "0007_consultation_substance")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop,
                                       elidable=True)]
