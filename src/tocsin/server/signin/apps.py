from django.apps import AppConfig


class SigninConfig(AppConfig):
    """Sign-in: security events on the ledger, and the glue to allauth and axes."""

    name = "tocsin.server.signin"
    label = "signin"

    def ready(self) -> None:
        from tocsin.server.signin import appliers, recording  # noqa: F401  (registers both)
