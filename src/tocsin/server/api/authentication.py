"""Signing in to the API with a token: ``Authorization: Bearer tocsin_...``.

A token acts as the person it was issued to, with their role and need-to-know, narrowed by its
scope: a ``read`` token may only read (GET, HEAD, OPTIONS). A request without the header is left
to the session sign-in; a wrong, expired or revoked token, or one whose holder's account is
closed, is refused (403, like every other refusal to sign in; the message does not say which).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from tocsin.server.directory.models import ApiToken, User
from tocsin.server.directory.tokens import token_holder

__all__ = ["BearerTokenAuthentication"]

_REFUSED = gettext_lazy("The API token is not valid: it may be wrong, expired or revoked.")


class BearerTokenAuthentication(BaseAuthentication):
    """DRF authentication for Tocsin's API tokens (see ``tocsin.server.directory.tokens``)."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>', with nothing else."
            )
        try:
            presented = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_REFUSED) from None
        found = token_holder(presented)
        if found is None:
            raise exceptions.AuthenticationFailed(_REFUSED)
        user, token = found
        if token.scope == "read" and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied("This API token may only read; issue a write token.")
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Describes the bearer token in the OpenAPI schema."""

    target_class = "tocsin.server.api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A Tocsin API token."}
