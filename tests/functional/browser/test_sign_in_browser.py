"""Signing in with a second factor in a real browser, against a server that requires one (as
every deployment outside the demonstration does): setting up the authenticator app, the
recovery codes, the code at the next sign-in, and the lockout page. axe-core checks each page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.browser.conftest import (
    PASSWORD,
    AxeReport,
    Server,
    pytestmark,
    serving,
)
from tests.functional.conftest import _cli_in

__all__ = ["pytestmark"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A council with two practitioners, served with ``TOCSIN_MFA_REQUIRED=true``."""
    for cli in _cli_in(tmp_path_factory.mktemp("sign-in")):
        cli.env["TOCSIN_MFA_REQUIRED"] = "true"
        cli.run("agencies", "register", "Northgate Council", "--sector", "council")
        for username in ("pat.example", "sam.example"):
            cli.run(
                "users",
                "create",
                username,
                "--name",
                username.replace(".", " ").title(),
                "--agency",
                "Northgate Council",
                "--role",
                "practitioner",
                "--password-stdin",
                input=PASSWORD + "\n",
            )
        with serving(cli) as served:
            yield served


def totp_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_a_practitioner_sets_up_a_second_factor_and_signs_in_with_it(
    page: Any, axe: AxeReport
) -> None:
    page.goto("/sign-in/")
    axe.check(page, "sign in (MFA required)")
    sign_in(page, "pat.example")
    page.locator("#set-up-mfa").wait_for()
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    axe.check(page, "set up two-step sign-in")
    # Nothing else is reachable first.
    page.goto("/concerns/new/")
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error:")
    axe.check(page, "set up two-step sign-in, wrong code")
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Code from the app").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.locator("#recovery-codes").wait_for()
    axe.check(page, "recovery codes")
    codes = [code.strip() for code in page.locator("#recovery-codes li").all_inner_texts()]
    assert len(codes) >= 8
    page.get_by_role("link", name="Continue to Tocsin").click()
    page.get_by_text("Signed in as Pat Example").wait_for()
    page.get_by_role("button", name="Sign out").click()
    # The next sign-in asks for a code; a recovery code does instead of the app's.
    sign_in(page, "pat.example")
    page.get_by_role("heading", name="Enter your code").wait_for()
    axe.check(page, "enter your code")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Signed in as Pat Example").wait_for()


def test_repeated_wrong_passwords_show_the_lockout_page(page: Any, axe: AxeReport) -> None:
    for attempt in range(5):
        sign_in(page, "sam.example", f"not the password, try {attempt}")
    page.locator("#locked-out").wait_for()
    axe.check(page, "sign-in locked")
    sign_in(page, "sam.example")
    page.locator("#locked-out").wait_for()
