"""plangov's test settings (as every benchmark uses) plus the bare flow's app."""

from plangov.settings.test import *  # noqa: F403
from plangov.settings.test import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.bareflow"]
