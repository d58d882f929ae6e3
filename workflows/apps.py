from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows: how plans move"
    default_auto_field = "django.db.models.BigAutoField"
