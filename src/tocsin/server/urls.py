"""Every route Tocsin serves; ``tests/functional/test_routes.py`` fails when one disappears."""

from django.urls import include, path

urlpatterns = [
    path("", include("tocsin.server.web.urls")),
]
