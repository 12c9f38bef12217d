from django.apps import AppConfig


class CliConfig(AppConfig):
    """Holds the management commands behind the ``tocsin`` console script."""

    name = "tocsin.server.cli"
    label = "tocsin_cli"
