from django.apps import AppConfig


class NetworksConfig(AppConfig):
    """The POLE graph from the concerns, pattern alerts and the network view."""

    name = "tocsin.server.networks"
    label = "networks"

    def ready(self) -> None:
        from tocsin.server.networks import appliers  # noqa: F401  (registers appliers)
