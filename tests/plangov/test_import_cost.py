"""Commands start fast: WeasyPrint and pyHanko load where documents are rendered, signed or
verified, never through the URLconf, the system checks every ``manage.py`` command runs, the
worker's task modules (the beat scans) or the import and verify_audit commands.

Checked in a fresh interpreter: this test process imports both elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("weasyprint", "pyhanko", "pyhanko_certvalidator", "fontTools", "aiohttp")

SCRIPT = """
import sys
import django
django.setup()
from django.core.management import call_command
import plangov.urls  # every page's and the API's views
from django.urls import get_resolver
get_resolver().url_patterns
call_command("check", verbosity=0)
import documents.publishing.services, documents.publishing.verify  # cheap to import, too
# What the Celery worker and beat load (the scans), and the commands that must start fast.
import plangov.celery, documents.tasks, governance.tasks, workflows.tasks
import governance.management.commands.import_governance
import governance.management.commands.verify_audit
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))
print("heavy:" + ",".join(heavy))
"""


def run_fresh(*args: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "plangov.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("heavy:")]
    assert len(lines) == 1, result.stdout
    return lines[0].removeprefix("heavy:")


def test_urlconf_checks_tasks_and_commands_do_not_import_weasyprint_or_pyhanko() -> None:
    assert run_fresh(*HEAVY) == ""


def test_the_check_sees_a_heavy_import_when_there_is_one() -> None:
    # The same script does notice a module that is loaded (Django itself), so the empty
    # answer above means absent, not unobserved.
    assert run_fresh("django", "weasyprint") == "django"
