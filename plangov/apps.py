from django.apps import AppConfig


class PlangovConfig(AppConfig):
    """plangov's own app: static files (plangov/static) and template tags (govuk)."""

    name = "plangov"
    verbose_name = "plangov"
