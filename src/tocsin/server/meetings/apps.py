from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Meetings and their actions: projections, appliers and actions."""

    name = "tocsin.server.meetings"
    label = "meetings"

    def ready(self) -> None:
        from tocsin.server.meetings import appliers  # noqa: F401  (registers appliers)
