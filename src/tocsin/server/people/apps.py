from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Person records of every concern, candidate matches between them, and search."""

    name = "tocsin.server.people"
    label = "people"

    def ready(self) -> None:
        from tocsin.server.people import (  # noqa: F401  (registers appliers)
            appliers,
            review_appliers,
        )
