"""OpenID Connect single sign-on (Microsoft Entra ID style) against a local provider that the
test starts (tests/functional/_oidc_provider.py): a person with an account signs in when the
provider verifies their work address; nobody else does, and no account is ever made."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import ACTOR, make_agency, make_user
from tests.functional._oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    Person,
    Provider,
    RunningProvider,
)
from tocsin.server.directory.actions import do_set_email
from tocsin.server.directory.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings: Any) -> Iterator[Provider]:
    with RunningProvider() as running:
        settings.SOCIALACCOUNT_PROVIDERS = {
            "openid_connect": {
                "OAUTH_PKCE_ENABLED": True,
                "APPS": [
                    {
                        "provider_id": "sso",
                        "name": "Northgate Council account",
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {"server_url": running.issuer},
                    }
                ],
            }
        }
        yield running


@pytest.fixture
def person() -> User:
    council = make_agency("Northgate Council", "council")
    user = make_user(council, username="pat.example", name="Pat Example")
    do_set_email(user, "Pat.Example@northgate.example", actor=ACTOR)
    return user


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def sign_in_by_sso(client: Client, provider: Provider, who: Person) -> Any:
    """What a browser does: Tocsin's button, the provider's page, back to Tocsin."""
    provider.person = who
    to_provider = client.post("/accounts/oidc/sso/login/")
    assert to_provider.status_code == 302
    location = to_provider["Location"]
    assert location.startswith(provider.issuer + "/authorize?")
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"]
    opener = build_opener(_NoRedirects)
    try:
        opener.open(Request(location))  # noqa: S310  (the loopback provider)
        raise AssertionError("the provider should redirect back")
    except Exception as redirect:  # urllib raises HTTPError for the unfollowed 302
        back = redirect.headers["Location"]  # type: ignore[attr-defined]
    parts = urlsplit(back)
    assert parts.path == "/accounts/oidc/sso/login/callback/"
    return client.get(f"{parts.path}?{parts.query}")


def signed_in_as(client: Client) -> str:
    text = BeautifulSoup(client.get("/?about").content, "html.parser").get_text(" ")
    return (
        text.split("Signed in as", 1)[1].split("Sign out")[0].strip()
        if "Signed in as" in text
        else ""
    )


def test_the_sign_in_page_offers_single_sign_on_when_configured(provider: Provider) -> None:
    page = BeautifulSoup(Client().get("/sign-in/").content, "html.parser")
    assert page.select_one("#sso").get_text(strip=True) == "Sign in with Northgate Council account"


def test_no_single_sign_on_button_without_a_provider() -> None:
    page = BeautifulSoup(Client().get("/sign-in/").content, "html.parser")
    assert page.select_one("#sso") is None


def test_a_person_with_an_account_signs_in_by_their_verified_work_address(
    provider: Provider, person: User
) -> None:
    client = Client()
    response = sign_in_by_sso(
        client, provider, Person("entra-oid-1", "pat.example@NORTHGATE.example")
    )
    assert response.status_code == 302
    assert signed_in_as(client) == "Pat Example"
    assert provider.token_requests == 1
    # The second time the provider's subject id alone finds them.
    again = Client()
    sign_in_by_sso(again, provider, Person("entra-oid-1", "pat.example@northgate.example"))
    assert signed_in_as(again) == "Pat Example"


def test_nobody_without_an_account_gets_in_and_no_account_is_made(
    provider: Provider, person: User
) -> None:
    client = Client()
    response = sign_in_by_sso(client, provider, Person("entra-oid-2", "someone@northgate.example"))
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("#no-account") is not None
    assert signed_in_as(client) == ""
    assert User.objects.count() == 1


def test_an_unverified_address_does_not_sign_anyone_in(provider: Provider, person: User) -> None:
    client = Client()
    sign_in_by_sso(
        client,
        provider,
        Person("entra-oid-3", "pat.example@northgate.example", email_verified=False),
    )
    assert signed_in_as(client) == ""


def test_a_closed_account_cannot_sign_in_by_sso(provider: Provider, person: User) -> None:
    from tocsin.server.directory.actions import do_deactivate_user

    do_deactivate_user(person, "left the council", actor=ACTOR)
    client = Client()
    sign_in_by_sso(client, provider, Person("entra-oid-4", "pat.example@northgate.example"))
    assert signed_in_as(client) == ""


def test_single_sign_on_still_needs_a_second_factor_when_required(
    provider: Provider, person: User, settings: Any
) -> None:
    settings.TOCSIN_MFA_REQUIRED = True
    client = Client()
    sign_in_by_sso(client, provider, Person("entra-oid-5", "pat.example@northgate.example"))
    assert client.get("/concerns/new/")["Location"] == "/accounts/2fa/totp/activate/"
