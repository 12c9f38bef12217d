from django.contrib.auth import views as auth_views
from django.urls import path

from tocsin.server.web import tlog, views

app_name = "web"
urlpatterns = [
    path("", views.start, name="start"),
    path(
        "sign-in/", auth_views.LoginView.as_view(template_name="web/sign_in.html"), name="sign-in"
    ),
    path("sign-out/", auth_views.LogoutView.as_view(next_page="web:start"), name="sign-out"),
    path("ledger/tlog/checkpoint", tlog.checkpoint, name="tlog-checkpoint"),
    path("ledger/tlog/tile/<path:path>", tlog.tile, name="tlog-tile"),
]
