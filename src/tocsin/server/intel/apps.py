from django.apps import AppConfig


class IntelConfig(AppConfig):
    """Estimates of the hidden number: the list builder, the action and its projection."""

    name = "tocsin.server.intel"
    label = "intel"

    def ready(self) -> None:
        from tocsin.server.intel import appliers  # noqa: F401  (registers appliers)
