"""A minimal OpenID Connect provider on the loopback, for testing single sign-on.

It speaks just enough of OpenID Connect Core and Discovery for an authorisation-code sign-in
with PKCE, as Microsoft Entra ID does: discovery, an authorisation endpoint that signs in
whoever the test says (no login page), a token endpoint that checks the client's secret, the
code and its PKCE verifier and returns an RS256-signed ID token, JWKS and userinfo.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "tocsin-test"
CLIENT_SECRET = "a client secret for the test provider"


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Person:
    """Who the provider signs in next: their subject id and claims."""

    sub: str
    email: str
    email_verified: bool = True
    name: str = "Pat Example"


@dataclass
class Provider:
    """The running provider; set ``person`` before each sign-in."""

    issuer: str
    person: Person | None = None
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, Person] = field(default_factory=dict)
    token_requests: int = 0


class _Handler(BaseHTTPRequestHandler):
    provider: Provider
    key: rsa.RSAPrivateKey

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _json(self, body: dict[str, Any], status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        issuer = self.provider.issuer
        if url.path == "/.well-known/openid-configuration":
            self._json(
                {
                    "issuer": issuer,
                    "authorization_endpoint": f"{issuer}/authorize",
                    "token_endpoint": f"{issuer}/token",
                    "userinfo_endpoint": f"{issuer}/userinfo",
                    "jwks_uri": f"{issuer}/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                    "code_challenge_methods_supported": ["S256"],
                }
            )
        elif url.path == "/jwks":
            numbers = self.key.public_key().public_numbers()
            self._json(
                {
                    "keys": [
                        {
                            "kty": "RSA",
                            "use": "sig",
                            "alg": "RS256",
                            "kid": "test-key",
                            "n": _b64url_uint(numbers.n),
                            "e": _b64url_uint(numbers.e),
                        }
                    ]
                }
            )
        elif url.path == "/authorize":
            person = self.provider.person
            if query.get("client_id") != CLIENT_ID or person is None:
                self._json({"error": "unauthorized_client"}, 400)
                return
            code = secrets.token_urlsafe(16)
            self.provider.codes[code] = {**query, "person": person}
            back = {"code": code, "state": query.get("state", "")}
            self.send_response(302)
            self.send_header("Location", f"{query['redirect_uri']}?{urlencode(back)}")
            self.end_headers()
        elif url.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            person = self.provider.tokens.get(token)
            if person is None:
                self._json({"error": "invalid_token"}, 401)
                return
            self._json(_claims(person))
        else:
            self._json({"error": "not_found"}, 404)

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/token":
            self._json({"error": "not_found"}, 404)
            return
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.provider.token_requests += 1
        grant = self.provider.codes.pop(form.get("code", ""), None)
        if (
            form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or grant is None
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            self._json({"error": "invalid_grant"}, 400)
            return
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if grant.get("code_challenge") != challenge:
            self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
            return
        person: Person = grant["person"]
        access = secrets.token_urlsafe(16)
        self.provider.tokens[access] = person
        now = int(time.time())
        claims = {
            **_claims(person),
            "iss": self.provider.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
        }
        if "nonce" in grant:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "test-key"})
        self._json(
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )


def _claims(person: Person) -> dict[str, Any]:
    return {
        "sub": person.sub,
        "email": person.email,
        "email_verified": person.email_verified,
        "name": person.name,
    }


class RunningProvider:
    """Start with ``with RunningProvider() as provider:``; it serves on a free loopback port."""

    def __enter__(self) -> Provider:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        port = self._server.server_address[1]
        provider = Provider(issuer=f"http://127.0.0.1:{port}")
        self._server.RequestHandlerClass = type(
            "Handler", (_Handler,), {"provider": provider, "key": key}
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return provider

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
