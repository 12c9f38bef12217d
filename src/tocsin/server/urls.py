"""Every route Tocsin serves; ``tests/functional/test_routes.py`` fails when one disappears."""

from django.urls import include, path, re_path
from django.views.generic import RedirectView

from tocsin.server.web.signin_pages import not_offered

urlpatterns = [
    path("api/v1/", include("tocsin.server.api.urls")),
    # allauth's pages (second factor, re-authentication, single sign-on), less those that
    # would make accounts or set passwords outside the ledger (docs/access.md).
    path("accounts/login/", RedirectView.as_view(pattern_name="web:sign-in", query_string=True)),
    re_path(
        r"^accounts/(signup|email|confirm-email|password|login/code|reauthenticate/code|phone|"
        r"3rdparty/signup)/",
        not_offered,
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("tocsin.server.web.urls")),
]
# On the public route, pages in the visitor's language (docs/web.md); Django's elsewhere.
handler400 = "tocsin.server.web.public_errors.bad_request"
handler404 = "tocsin.server.web.public_errors.not_found"
handler500 = "tocsin.server.web.public_errors.server_error"
