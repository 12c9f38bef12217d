"""How allauth fits Tocsin: a person's account is a projection of ``user.enrolled``, so
nothing here makes or changes one; single sign-on only finds the person whose work address
the provider has verified; MFA secrets are encrypted at rest."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from cryptography.fernet import Fernet
from django.conf import settings
from django.http import HttpRequest

#: Where allauth lists, in the session, each time the person proved who they are.
_AUTHENTICATION_RECORDS = "account_authentication_methods"


class AccountAdapter(DefaultAccountAdapter):
    """No sign-up: accounts are enrolled by an administrator (``tocsin users create``)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Ask again only when the person last proved who they are (signing in, a code, a
        re-authentication) more than ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds ago; allauth
        alone would ask straight after signing in, before setting up a second factor."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = getattr(self, "request", None)
        session = getattr(request, "session", None)
        if session is None:
            return True
        proofs = session.get(_AUTHENTICATION_RECORDS, [])
        newest = max((float(proof.get("at", 0)) for proof in proofs), default=0.0)
        return time.time() - newest >= settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on signs in people who already have an account, matched by the verified
    e-mail the provider sends against their work address; it never makes an account."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        """The first time someone signs in by SSO, connect the provider's account to the one
        active person whose work address is an address the provider has verified. allauth's
        own matching would save the user (a projection) and so is not used."""
        if sociallogin.is_existing:
            return
        from allauth.socialaccount.models import SocialAccount

        from tocsin.server.directory.models import User

        verified = {
            address.email.strip() for address in sociallogin.email_addresses if address.verified
        }
        for email in sorted(verified):
            matches = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
            if len(matches) == 1:
                account = sociallogin.account
                sociallogin.account = SocialAccount.objects.create(
                    user=matches[0],
                    provider=account.provider,
                    uid=account.uid,
                    extra_data=account.extra_data,
                )
                sociallogin.user = matches[0]
                return


def _fernet() -> Fernet:
    """A key derived from the server's secret key (docs/deploying.md: rotating the secret key
    means setting up second factors again)."""
    digest = hashlib.sha256(b"tocsin-mfa:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class MFAAdapter(DefaultMFAAdapter):
    """TOTP seeds and recovery-code seeds are kept encrypted, not in the clear."""

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()
