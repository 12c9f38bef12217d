"""The log and an independent witness, as separate processes: checkpoints are cosigned, a
witness that lost track is caught up from its 409 answer, receipts carry the cosignature, and a
second history under the same key is refused by the witness and reported by
``tocsin verify --witness`` as a split view."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.functional.conftest import TOCSIN, Cli, _cli_in

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def witness(tmp_path: Path) -> tuple[str, Path]:
    """An initialised witness: its vkey and state folder (the test adds logs, then starts it)."""
    state = tmp_path / "witness"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOCSIN_", "DATABASE_URL"))}
    env["TOCSIN_HOME"] = str(tmp_path / "witness-home")
    subprocess.run(
        [TOCSIN, "witness", "init", "--name", "oversight.test/witness", "--state", str(state)],
        env=env,
        check=True,
        capture_output=True,
    )
    return (state / "witness.vkey").read_text().strip(), state


def start_witness(state: Path, tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOCSIN_", "DATABASE_URL"))}
    env["TOCSIN_HOME"] = str(tmp_path / "witness-home")
    port = _free_port()
    process = subprocess.Popen(
        [TOCSIN, "witness", "serve", "--port", str(port), "--state", str(state)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/vkey", timeout=2):  # noqa: S310 - http on loopback
                return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the witness did not start")


def sql(cli: Cli, statement: str) -> None:
    url = cli.env["DATABASE_URL"]
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.execute(statement)
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]


def seed(cli: Cli, prefix: str, count: int) -> None:
    for n in range(count):
        cli.run("agencies", "register", f"{prefix} agency {n}", "--sector", "voluntary")


def test_cosigning_catching_up_receipts_and_a_split_view(
    cli: Cli, witness: tuple[str, Path], tmp_path: Path
) -> None:
    witness_vkey, state = witness
    log_vkey = cli.run("ledger", "vkey").stdout.strip()
    (state / "logs.toml").write_text(
        f'[[log]]\norigin = "tocsin.invalid/ledger"\nvkey = "{log_vkey}"\n'
    )
    process, url = start_witness(state, tmp_path)
    try:
        cli.env["TOCSIN_WITNESSES"] = f"{witness_vkey}@{url}"
        seed(cli, "First", 3)
        first = json.loads(cli.run("ledger", "publish", "--json").stdout)
        assert first["witnesses"][0]["cosigned"], first
        note = cli.run("ledger", "checkpoint").stdout
        assert "oversight.test/witness" in note

        # A receipt carries the witness's cosignature and says so when checked.
        receipt = tmp_path / "receipt.proof"
        cli.run("ledger", "receipt", "1", "--out", str(receipt))
        checked = json.loads(
            cli.run(
                "verify-receipt",
                str(receipt),
                "--vkey",
                log_vkey,
                "--witness-vkey",
                witness_vkey,
                "--json",
            ).stdout
        )
        assert checked["cosigned_by"] == ["oversight.test/witness"]

        # The ledger grows: the witness is moved on with a consistency proof.
        seed(cli, "Second", 2)
        second = json.loads(cli.run("ledger", "publish", "--json").stdout)
        assert second["size"] == 5
        assert second["witnesses"][0]["cosigned"], second

        # The log forgets what the witness cosigned: the witness's 409 tells it, and it
        # proves from there.
        sql(cli, "UPDATE ledger_witness_state SET cosigned_size = 0")
        seed(cli, "Third", 1)
        third = json.loads(cli.run("ledger", "publish", "--json").stdout)
        assert third["witnesses"][0]["cosigned"], third
        assert json.loads(cli.run("verify", "--json", "--witness", url).stdout)["ok"]

        # Another history under the same key and origin: the witness refuses it, and
        # verify --witness on that history reports the split view.
        other = _cli_in(tmp_path / "fork")
        fork = next(other)
        fork.env["TOCSIN_LEDGER_KEY_FILE"] = str(Path(cli.env["TOCSIN_HOME"]) / "ledger.skey")
        fork.env["TOCSIN_WITNESSES"] = cli.env["TOCSIN_WITNESSES"]
        try:
            seed(fork, "Forged", 8)
            refused = json.loads(fork.run("ledger", "publish", "--json").stdout)
            assert not refused["witnesses"][0]["cosigned"], refused
            assert refused["witnesses"][0]["status"] in (409, 422), refused
            split = fork.run("verify", "--json", "--witness", url, check=False)
            assert split.returncode == 1
            problems = json.loads(split.stdout)["problems"]
            assert any("split view" in p["detail"] for p in problems), problems
        finally:
            for _ in other:
                pass
        # The honest ledger still agrees with the witness.
        assert cli.run("verify", "--witness", url).returncode == 0
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_unreachable_or_misconfigured_witnesses_are_reported_not_fatal(cli: Cli) -> None:
    from tocsin.ledger import SIGNATURE_TYPE_COSIGNATURE_V1, generate_skey

    _, vkey = generate_skey("oversight.test/witness", SIGNATURE_TYPE_COSIGNATURE_V1)
    cli.env["TOCSIN_WITNESSES"] = f"{vkey}@http://127.0.0.1:9,not-a-key@http://127.0.0.1:9"
    seed(cli, "Lone", 1)
    answers = json.loads(cli.run("ledger", "publish", "--json").stdout)["witnesses"]
    assert [a["cosigned"] for a in answers] == [False, False]
    assert "unreachable" in answers[0]["detail"]
    assert "not usable" in answers[1]["detail"]
    # The checkpoint itself was signed all the same.
    assert cli.run("ledger", "checkpoint").stdout.startswith("tocsin.invalid/ledger\n1\n")
