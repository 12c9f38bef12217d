from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """Agencies, teams and users: projections of the directory events."""

    name = "tocsin.server.directory"
    label = "directory"

    def ready(self) -> None:
        from tocsin.server.directory import appliers  # noqa: F401  (registers appliers)
