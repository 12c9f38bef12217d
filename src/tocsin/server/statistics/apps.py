from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    """Official statistics: figures at a checkpoint, and the exports recorded on the ledger."""

    name = "tocsin.server.statistics"
    label = "statistics"

    def ready(self) -> None:
        from tocsin.server.statistics import appliers  # noqa: F401  (registers appliers)
