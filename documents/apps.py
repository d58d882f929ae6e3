from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents: what is decided"
    default_auto_field = "django.db.models.BigAutoField"
