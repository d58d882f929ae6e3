from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance: who decides"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Doors (issue 13): a password change revokes the person's API tokens (a pre_save
        # receiver in governance.tokens.services), wherever the change is made.
        from governance.tokens import services  # noqa: F401
