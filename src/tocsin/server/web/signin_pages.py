"""Sign-in pages of our own around allauth's: the lockout page, the sign-in view (allauth's,
with our template) and a page for the account routes Tocsin does not offer."""

from __future__ import annotations

from typing import Any

from allauth.account.views import LoginView
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def single_sign_on_name() -> str | None:
    """What the single sign-on button names, or None when no provider is configured."""
    provider: dict[str, Any] = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {})
    apps: list[dict[str, Any]] = provider.get("APPS", [])
    return str(apps[0]["name"]) if apps else None


class SignInView(LoginView):
    """allauth's sign-in (password, then the second factor) on Tocsin's page."""

    template_name = "web/sign_in.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["sso_name"] = single_sign_on_name()
        context["mfa_required"] = settings.TOCSIN_MFA_REQUIRED
        context["expired"] = self.request.GET.get("expired", "")
        context["idle_minutes"] = settings.TOCSIN_IDLE_TIMEOUT // 60
        context["limit_hours"] = settings.TOCSIN_SESSION_LIMIT // 3600
        return context


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What axes answers once the account or the client is locked out (429)."""
    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
    return render(request, "web/sign_in_locked.html", {"minutes": minutes}, status=429)


def not_offered(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """allauth's sign-up, e-mail and password-reset pages: in Tocsin an administrator makes
    accounts and sets passwords, each an event on the ledger (docs/access.md)."""
    return render(request, "web/sign_in_not_offered.html", status=404)
