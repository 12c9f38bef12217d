"""Accounts and API tokens in a real browser: an administrator finds a colleague under
"Accounts", is told when a role change changes nothing, changes the colleague's role (just
signed in, so not asked to confirm it is them; tests/functional/test_reauthentication.py asks),
resets the colleague's password and reads the new one once; the colleague signs in with it,
issues a read token (after meeting the form's errors), uses it against the API, and revokes
it. axe-core checks every page, errors showing included."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.functional.browser.conftest import PASSWORD, AxeReport, Server, pytestmark

__all__ = ["pytestmark"]


@pytest.fixture(scope="module")
def southmoor(server: Server) -> None:
    server.cli.run("agencies", "register", "Southmoor Council", "--sector", "council")
    for username, name, role in [
        ("sm-admin", "Rae Okoro", "administrator"),
        ("sm-worker", "Jo Finch", "practitioner"),
    ]:
        server.cli.run(
            "users", "create", username, "--name", name, "--agency", "Southmoor Council",
            "--role", role, "--password-stdin",
            input=PASSWORD + "\n",
        )  # fmt: skip


def _sign_in(page: Any, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()


def _api_status(server: Server, token: str) -> int:
    url = f"{server.url}/api/v1/concerns/"  # the test's own server, on loopback
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            json.load(response)
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def test_an_administrator_manages_an_account_and_its_holder_issues_a_token(
    page: Any, axe: AxeReport, server: Server, southmoor: None
) -> None:
    _sign_in(page, "sm-admin", PASSWORD)
    page.get_by_role("link", name="Accounts").click()
    page.get_by_role("heading", name="Accounts in Southmoor Council").wait_for()
    axe.check(page, "accounts")
    page.locator("#accounts").get_by_role("link", name="Jo Finch").click()
    page.get_by_role("heading", name="Jo Finch").wait_for()
    axe.check(page, "an account")

    # The role it already has: refused, with the error shown at the field.
    page.get_by_role("button", name="Change the role").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "already has that role" in page.locator(".govuk-error-summary").inner_text()
    axe.check(page, "an account, with errors")
    page.get_by_label("Role").select_option(label="Manages a team's practitioners and decisions")
    page.get_by_role("button", name="Change the role").click()
    page.locator("#done").wait_for()
    assert "Team manager" in page.locator("#account").inner_text()

    page.get_by_role("button", name="Reset the password").click()
    page.get_by_role("heading", name="The password is reset").wait_for()
    axe.check(page, "a reset password")
    new_password = page.locator("#new-password").inner_text().strip()

    _sign_in(page, "sm-worker", new_password)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_role("heading", name="Your API tokens").wait_for()
    page.get_by_label("Days until it expires").fill("0")
    page.get_by_role("button", name="Issue the token").click()
    page.locator(".govuk-error-summary").wait_for()
    axe.check(page, "API tokens, with errors")
    page.get_by_label("What is it for?").fill("Team dashboard")
    page.get_by_label("Read", exact=True).check()
    page.get_by_label("Days until it expires").fill("30")
    page.get_by_role("button", name="Issue the token").click()
    page.get_by_role("heading", name="Your new API token").wait_for()
    axe.check(page, "a new API token")
    token = page.get_by_label("Your token").input_value()
    assert _api_status(server, token) == 200

    page.get_by_role("link", name="Back to your API tokens").click()
    assert token not in page.content()
    axe.check(page, "API tokens")
    page.get_by_role("button", name="Revoke the token for Team dashboard").click()
    page.locator("#done").wait_for()
    assert _api_status(server, token) == 403
