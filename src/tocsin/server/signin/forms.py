"""The sign-in form: allauth's, answering to the field name our page (and every script that
signs in) posts, ``username``, instead of allauth's ``login``."""

from __future__ import annotations

from allauth.account.forms import LoginForm


class SignInForm(LoginForm):
    """allauth's login form with its ``login`` field posted as ``username``."""

    def add_prefix(self, field_name: str) -> str:
        return super().add_prefix("username" if field_name == "login" else field_name)  # type: ignore[no-any-return]
