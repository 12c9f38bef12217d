"""Bad input: one clear line on standard error and exit status 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.functional.conftest import Cli, _cli_in

BAD = [
    ["frobnicate"],
    ["bench", "ledger", "--events", "x"],
    ["bench", "ledger"],
    ["ledger", "proof"],
    ["ledger", "proof", "inclusion", "-1"],
    ["ledger", "proof", "inclusion", "99", "--json"],
    ["ledger", "proof", "consistency", "5", "2", "--json"],
    ["ledger", "leaves", "--start", "3", "--end", "1"],
    ["events", "--kind", "no.such_kind"],
    ["users", "create", "x!", "--name", "X", "--agency", "Nowhere", "--role", "analyst"],
    ["users", "create", "xy", "--name", "X", "--agency", "Nowhere", "--role", "wizard"],
    ["users", "create", "xy", "--name", "X", "--agency", "Nowhere", "--role", "analyst"],
    ["agencies", "register", "A", "--sector", "bank"],
    ["agencies", "team", "Nowhere", "A team"],
    ["ledger", "expunge", "user:nobody", "--reason", "x"],
    ["verify", "--bogus"],
]


@pytest.mark.parametrize("args", BAD, ids=[" ".join(a) for a in BAD])
def test_bad_arguments_print_one_line_and_exit_2(shared_cli: Cli, args: list[str]) -> None:
    result = shared_cli.run(*args, check=False)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tocsin"), lines[0]
    assert "Traceback" not in result.stderr


def test_refused_commands_wrote_nothing(shared_cli: Cli) -> None:
    # Runs after the cases above (same module, same database): none of them appended.
    assert json.loads(shared_cli.run("ledger", "root", "--json").stdout)["size"] == 0


def test_help_lists_every_command(shared_cli: Cli) -> None:
    out = shared_cli.run("--help").stdout
    for name in ["demo", "verify", "ledger", "events", "users", "bench", "migrate"]:
        assert f"  {name} " in out


def test_a_database_nobody_has_set_up_is_named_not_traced(tmp_path: Path) -> None:
    """A command run before ``tocsin migrate`` says what to do, in one line, exit 2."""
    for cli in _cli_in(tmp_path, migrated=False):
        for args in (["ledger", "root", "--json"], ["users", "list"], ["verify"]):
            result = cli.run(*args, check=False)
            assert result.returncode == 2, (args, result.stderr)
            assert "Traceback" not in result.stderr
            assert result.stderr.strip().splitlines() == [
                f"tocsin {args[0]}: this database has no Tocsin tables yet: run 'tocsin migrate' "
                "first ('tocsin demo' sets one up by itself)"
            ]
