from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API: thin views over the concern actions and need-to-know gates."""

    name = "tocsin.server.api"
    label = "api"
