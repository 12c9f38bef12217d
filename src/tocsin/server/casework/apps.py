from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    """What happens to a concern after it is recorded: trays, allocation, decisions and
    sign-off. Projections, appliers, actions and read models."""

    name = "tocsin.server.casework"
    label = "casework"

    def ready(self) -> None:
        from tocsin.server.casework import appliers  # noqa: F401  (registers appliers)
