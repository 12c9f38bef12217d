"""``tocsin users deactivate|activate|set-password|set-role`` and ``tocsin tokens``, through
the real executable: each change is an event on the ledger, passwords never come from argv,
and a token is printed once and never listed."""

from __future__ import annotations

import json

import pytest

from tests.functional.conftest import Cli

PASSWORD = "a long enough password 1"


def _events(cli: Cli, kind: str) -> list[dict[str, object]]:
    events = json.loads(cli.run("events", "--kind", kind, "--json").stdout)
    return events["events"] if isinstance(events, dict) else events


def _user(cli: Cli, username: str) -> dict[str, object]:
    users = json.loads(cli.run("users", "list", "--json").stdout)["users"]
    return next(u for u in users if u["username"] == username)


@pytest.fixture(scope="module")
def accounts(shared_cli: Cli) -> Cli:
    shared_cli.run("agencies", "register", "Eastmere Council", "--sector", "council")
    shared_cli.run(
        "users", "create", "ac-worker", "--name", "Asha Worker",
        "--agency", "Eastmere Council", "--role", "practitioner", "--password-stdin",
        input=PASSWORD + "\n",
    )  # fmt: skip
    return shared_cli


def test_closing_and_reopening_an_account_are_events(accounts: Cli) -> None:
    issued = json.loads(
        accounts.run(
            "tokens", "issue", "ac-worker", "--name", "School feed", "--scope", "read", "--json"
        ).stdout
    )
    closed = accounts.run(
        "users", "deactivate", "ac-worker", "--reason", "Left the council", "--json"
    )
    assert json.loads(closed.stdout)["active"] is False
    assert _user(accounts, "ac-worker")["active"] is False
    # Closing revoked the token, on the ledger.
    tokens = json.loads(accounts.run("tokens", "list", "--json").stdout)["tokens"]
    assert [t["revoked_at"] is not None for t in tokens if t["id"] == issued["id"]] == [True]

    again = accounts.run("users", "deactivate", "ac-worker", "--reason", "x", check=False)
    assert again.returncode == 2
    assert "already closed" in again.stderr

    opened = accounts.run("users", "activate", "ac-worker", "--reason", "Came back")
    assert "open again" in opened.stdout
    assert _user(accounts, "ac-worker")["active"] is True
    still = json.loads(accounts.run("tokens", "list", "--user", "ac-worker", "--json").stdout)
    assert all(t["revoked_at"] for t in still["tokens"])


def test_a_password_comes_from_stdin_a_prompt_or_is_generated(accounts: Cli) -> None:
    set_from_stdin = accounts.run(
        "users", "set-password", "ac-worker", "--password-stdin", input="another long password 2\n"
    )
    assert "password set" in set_from_stdin.stdout
    assert "another long password" not in set_from_stdin.stdout

    weak = accounts.run(
        "users", "set-password", "ac-worker", "--password-stdin", input="short\n", check=False
    )
    assert weak.returncode == 2
    assert "too short" in weak.stderr

    # No terminal to prompt on, and no password option: refused, not read from argv.
    no_tty = accounts.run("users", "set-password", "ac-worker", check=False, input="")
    assert no_tty.returncode == 2
    assert "--password-stdin" in no_tty.stderr

    generated = json.loads(
        accounts.run("users", "set-password", "ac-worker", "--generate", "--json").stdout
    )
    assert len(generated["password"]) == 29
    hashes = _events(accounts, "user.password_set")
    assert len(hashes) >= 3
    assert generated["password"] not in json.dumps(hashes)


def test_changing_a_role(accounts: Cli) -> None:
    changed = json.loads(
        accounts.run("users", "set-role", "ac-worker", "team_manager", "--json").stdout
    )
    assert changed["role"] == "team_manager"
    same = accounts.run("users", "set-role", "ac-worker", "team_manager", check=False)
    assert same.returncode == 2
    assert "already has that role" in same.stderr
    wizard = accounts.run("users", "set-role", "ac-worker", "wizard", check=False)
    assert wizard.returncode == 2
    nobody = accounts.run("users", "set-role", "nobody", "analyst", check=False)
    assert nobody.returncode == 2
    assert "no user called 'nobody'" in nobody.stderr
    assert _events(accounts, "user.role_changed")


def test_tokens_are_printed_once_listed_without_the_secret_and_revoked(accounts: Cli) -> None:
    issued = json.loads(
        accounts.run(
            "tokens", "issue", "ac-worker", "--name", "Case system", "--scope", "write",
            "--days", "30", "--json",
        ).stdout
    )  # fmt: skip
    assert issued["token"].startswith("tocsin_")
    assert issued["token"].startswith(issued["hint"])
    listed = accounts.run("tokens", "list", "--json").stdout
    assert issued["token"] not in listed
    assert issued["token"] not in json.dumps(_events(accounts, "api_token.issued"))

    too_long = accounts.run(
        "tokens", "issue", "ac-worker", "--name", "x", "--scope", "read", "--days", "999",
        check=False,
    )  # fmt: skip
    assert too_long.returncode == 2
    assert "366 days" in too_long.stderr

    revoked = json.loads(accounts.run("tokens", "revoke", issued["id"], "--json").stdout)
    assert revoked["revoked_at"]
    twice = accounts.run("tokens", "revoke", issued["id"], check=False)
    assert twice.returncode == 2
    assert "revoked already" in twice.stderr
    unknown = accounts.run("tokens", "revoke", "not-an-id", check=False)
    assert unknown.returncode == 2
    assert _events(accounts, "api_token.revoked")
