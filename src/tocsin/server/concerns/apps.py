from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    """Concerns about children: projections, appliers, actions and need-to-know gates."""

    name = "tocsin.server.concerns"
    label = "concerns"

    def ready(self) -> None:
        from tocsin.server.concerns import appliers  # noqa: F401  (registers appliers)
