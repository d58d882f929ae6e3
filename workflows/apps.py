from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows: how plans move"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A review is published when its signed PDF is done (documents cannot call up here).
        from .reviews.publication import connect

        connect()
