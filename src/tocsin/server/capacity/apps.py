from django.apps import AppConfig


class CapacityConfig(AppConfig):
    """Capacity alarms: the check the sweep runs, the appliers, the projection, the read model."""

    name = "tocsin.server.capacity"
    label = "capacity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tocsin.server.capacity import appliers  # noqa: F401  (registers the appliers)
