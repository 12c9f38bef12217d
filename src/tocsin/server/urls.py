"""Every route Tocsin serves; ``tests/functional/test_routes.py`` fails when one disappears."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("tocsin.server.api.urls")),
    path("", include("tocsin.server.web.urls")),
]
