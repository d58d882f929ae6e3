from django.apps import AppConfig


class BareflowConfig(AppConfig):
    name = "bench.bareflow"
    label = "bareflow"
    default_auto_field = "django.db.models.BigAutoField"
