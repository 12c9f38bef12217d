from django.apps import AppConfig


class WebConfig(AppConfig):
    """The web pages."""

    name = "tocsin.server.web"
    label = "web"
