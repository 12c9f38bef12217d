from django.apps import AppConfig


class RegisterConfig(AppConfig):
    """The register of reports and recommendations (docs/register.md): the projection, its
    appliers, the actions and the read models."""

    name = "tocsin.server.register"
    label = "register"

    def ready(self) -> None:
        from tocsin.server.register import appliers  # noqa: F401  (registers the appliers)
