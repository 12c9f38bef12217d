from django.apps import AppConfig


class ClocksConfig(AppConfig):
    name = "tocsin.server.clocks"
    label = "clocks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tocsin.server.clocks import appliers  # noqa: F401  (registers the appliers)
