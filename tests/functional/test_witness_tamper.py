"""Tamper evidence by default (issue 14 §4), end to end with a witness in a process of its own.

The attack that once passed: with write access to the database, delete the newest leaves,
payloads and subtree hashes, rewrite the head to the earlier root, delete the rows those events
made and delete the only checkpoint. The tree, the commitments and the replay are then all
consistent, so only something outside the database can tell: the witness, which cosigned the
larger size, and every receipt issued before the attack. The same goes for restoring the
database from an older backup. A server's worker signs, and has the witness cosign, a
checkpoint within seconds of a write.
"""

from __future__ import annotations

import base64
import json
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.functional.conftest import Cli
from tests.functional.test_witnessing import _free_port, seed, start_witness, witness
from tocsin.ledger import reference_root

pytestmark = pytest.mark.slow

__all__ = ["witness"]  # the fixture, shared with test_witnessing


def sql(cli: Cli, statement: str, params: tuple[Any, ...] = ()) -> None:
    """Run one statement as the attacker would, outside Tocsin (``?`` placeholders)."""
    url = cli.env["DATABASE_URL"]
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
            connection.execute(statement, params)
            connection.commit()
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement.replace("?", "%s"), params)  # type: ignore[arg-type]


def truncate_to(cli: Cli, size: int, root: bytes) -> None:
    """The attack: the newest events, their rows and every checkpoint gone, the head rewound."""
    sql(cli, "DELETE FROM ledger_leaf WHERE seq >= ?", (size,))
    sql(cli, "DELETE FROM ledger_payload WHERE seq >= ?", (size,))
    # A stored subtree hash at (level, index) covers leaves index*2^level .. (index+1)*2^level-1.
    sql(cli, 'DELETE FROM ledger_node WHERE ("index" + 1) * (1 << level) > ?', (size,))
    sql(cli, "UPDATE ledger_head SET size = ?, root = ? WHERE id = 1", (size, root))
    sql(cli, "DELETE FROM directory_agency WHERE registered_seq >= ?", (size,))
    sql(cli, "DELETE FROM ledger_checkpoint")


def verify(cli: Cli, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli.run("verify", "--json", *args, check=False)
    return result.returncode, json.loads(result.stdout)


def check_receipt(cli: Cli, receipt: Path, log_vkey: str, witness_vkey: str) -> tuple[int, str]:
    result = cli.run(
        "verify-receipt",
        str(receipt),
        "--vkey",
        log_vkey,
        "--witness-vkey",
        witness_vkey,
        "--database",
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def witnessed(cli: Cli, witness: tuple[str, Path], tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The log configured with a running witness: (the log's vkey, the witness's vkey)."""
    witness_vkey, state = witness
    log_vkey = cli.run("ledger", "vkey").stdout.strip()
    (state / "logs.toml").write_text(
        f'[[log]]\norigin = "tocsin.invalid/ledger"\nvkey = "{log_vkey}"\n'
    )
    process, url = start_witness(state, tmp_path)
    cli.env["TOCSIN_WITNESSES"] = f"{witness_vkey}@{url}"
    try:
        yield log_vkey, witness_vkey
    finally:
        process.terminate()
        process.communicate(timeout=30)


def publish(cli: Cli) -> dict[str, Any]:
    published: dict[str, Any] = json.loads(cli.run("ledger", "publish", "--json").stdout)
    assert all(w["cosigned"] for w in published["witnesses"]), published
    return published


def test_truncation_is_caught_by_the_witness_and_by_earlier_receipts(
    cli: Cli, witnessed: tuple[str, str], tmp_path: Path
) -> None:
    log_vkey, witness_vkey = witnessed
    seed(cli, "Early", 3)
    publish(cli)
    early_root = base64.b64decode(json.loads(cli.run("ledger", "root", "--json").stdout)["root"])
    seed(cli, "Late", 2)
    assert publish(cli)["size"] == 5
    receipts = {}
    for seq in (1, 4):
        receipts[seq] = tmp_path / f"event-{seq}.proof"
        cli.run("ledger", "receipt", str(seq), "--out", str(receipts[seq]))
        assert check_receipt(cli, receipts[seq], log_vkey, witness_vkey)[0] == 0
    code, report = verify(cli, "--strict")
    assert (code, report["problems"], report["warnings"]) == (0, [], []), report

    truncate_to(cli, 3, early_root)

    # Inside the database everything agrees: without a witness verify says ok, as it once did,
    # and only warns; --strict refuses to call that proof.
    witnesses = cli.env.pop("TOCSIN_WITNESSES")
    code, report = verify(cli)
    assert (code, report["ok"], report["size"]) == (0, True, 3), report
    warned = " ".join(w["detail"] for w in report["warnings"])
    assert "no signed checkpoint" in warned and "no witness" in warned, report
    assert verify(cli, "--strict")[0] == 1

    # The witness cosigned size 5: verify fails, strict or not.
    cli.env["TOCSIN_WITNESSES"] = witnesses
    for args in ((), ("--strict",)):
        code, report = verify(cli, *args)
        assert code == 1 and not report["ok"], report
        assert [p["check"] for p in report["problems"]] == ["witness"], report
        assert "cosigned size 5" in report["problems"][0]["detail"], report

    # Every receipt issued before the attack still verifies on its own, but not against the
    # ledger as it now is.
    code, said = check_receipt(cli, receipts[4], log_vkey, witness_vkey)
    assert code == 1 and "event 4 is no longer in the ledger" in said, said
    code, said = check_receipt(cli, receipts[1], log_vkey, witness_vkey)
    assert code == 1 and "covers 5 events, but the ledger holds only 3" in said, said

    # Nor will the witness cosign the shorter history.
    refused = json.loads(cli.run("ledger", "publish", "--json").stdout)
    assert not refused["witnesses"][0]["cosigned"], refused


def _backup(cli: Cli, tmp_path: Path) -> str:
    """A copy of the database as it is now; returns the URL that restores it."""
    url = cli.env["DATABASE_URL"]
    if url.startswith("sqlite"):
        copy = tmp_path / "backup.sqlite3"
        with (
            closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as source,
            closing(sqlite3.connect(copy)) as target,
        ):
            source.backup(target)
        return f"sqlite:///{copy}"
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}_backup" TEMPLATE "{name}"')  # type: ignore[arg-type]
    return f"{url}_backup"


def _drop(url: str) -> None:
    if url.startswith("sqlite"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def test_a_restored_older_backup_is_caught(
    cli: Cli, witnessed: tuple[str, str], tmp_path: Path
) -> None:
    log_vkey, witness_vkey = witnessed
    seed(cli, "Kept", 3)
    publish(cli)
    backup = _backup(cli, tmp_path)
    try:
        seed(cli, "Lost", 2)
        # Written but not yet covered by a checkpoint: a warning, which --strict makes fatal.
        code, report = verify(cli, "--grace", "0")
        assert code == 0 and report["ok"], report
        assert any("lags the head" in w["detail"] for w in report["warnings"]), report
        assert verify(cli, "--strict", "--grace", "0")[0] == 1
        assert verify(cli, "--strict")[0] == 0, "within the grace a lag is expected"
        publish(cli)
        receipt = tmp_path / "event-3.proof"
        cli.run("ledger", "receipt", "3", "--out", str(receipt))
        assert check_receipt(cli, receipt, log_vkey, witness_vkey)[0] == 0

        cli.env["DATABASE_URL"] = backup  # the database restored from the older copy
        code, report = verify(cli)
        assert code == 1, report
        assert any("cosigned size 5" in p["detail"] for p in report["problems"]), report
        assert verify(cli, "--strict")[0] == 1
        code, said = check_receipt(cli, receipt, log_vkey, witness_vkey)
        assert code == 1 and "event 3 is no longer in the ledger" in said, said
    finally:
        _drop(backup)


def test_the_server_has_a_checkpoint_cosigned_within_seconds_of_a_write(
    cli: Cli, witnessed: tuple[str, str]
) -> None:
    _, witness_vkey = witnessed
    witness_name = witness_vkey.split("+", 1)[0]
    cli.env["TOCSIN_CHECKPOINT_INTERVAL"] = "1"
    server = cli.popen("serve", "--port", str(_free_port()))
    try:
        # Written by another process (the command line): the worker notices within a round.
        seed(cli, "Busy", 2)
        deadline = time.monotonic() + 20
        note = ""
        while time.monotonic() < deadline:
            note = cli.run("ledger", "checkpoint", check=False).stdout
            if note.startswith("tocsin.invalid/ledger\n2\n") and witness_name in note:
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"no cosigned checkpoint at size 2 in 20 s:\n{note}")
        assert verify(cli, "--strict", "--grace", "0")[0] == 0
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_receipts_carry_a_cosigned_checkpoint(cli: Cli, witnessed: tuple[str, str]) -> None:
    _, witness_vkey = witnessed
    seed(cli, "Receipt", 2)
    # Nothing published yet: asking for a receipt has the checkpoint cosigned first.
    receipt = cli.run("ledger", "receipt", "1").stdout
    assert witness_vkey.split("+", 1)[0] in receipt
    # With the witness gone, no receipt is given under a checkpoint only the log signed.
    seed(cli, "Receipt later", 1)
    cli.env["TOCSIN_WITNESSES"] = f"{witness_vkey}@http://127.0.0.1:9"
    refused = cli.run("ledger", "receipt", "2", check=False)
    assert refused.returncode != 0
    assert "no witness has cosigned a checkpoint covering event 2" in refused.stderr


def test_the_demonstration_runs_a_witness_of_its_own(cli: Cli, tmp_path: Path) -> None:
    set_up = cli.run("demo", "--no-serve", timeout=900).stdout
    assert "; checkpoint at size " in set_up and ": cosigned\n" in set_up, set_up
    size = json.loads(cli.run("ledger", "root", "--json").stdout)["size"]
    # Its state is a folder of its own, not the ledger's database; its logs file names this
    # log and its key.
    state = Path(cli.env["TOCSIN_HOME"]) / "demo-witness"
    assert {"witness.skey", "witness.vkey", "logs.toml", "state.sqlite3"} <= {
        p.name for p in state.iterdir()
    }
    assert cli.run("ledger", "vkey").stdout.strip() in (state / "logs.toml").read_text()
    witness_vkey = (state / "witness.vkey").read_text().strip()
    # Started again from that state, the witness holds the checkpoint covering the whole
    # partnership as loaded, and verify --strict accepts the ledger against it.
    process, url = start_witness(state, tmp_path)
    try:
        cli.env["TOCSIN_WITNESSES"] = f"{witness_vkey}@{url}"
        code, report = verify(cli, "--strict", "--no-replay")
        assert (code, report["problems"], report["warnings"]) == (0, [], []), report
        assert report["counts"]["witnesses"] == 1 and report["size"] == size
    finally:
        process.terminate()
        process.communicate(timeout=30)
    # Served, then stopped by a signal as a service manager stops it: its witness stops too.
    demo = cli.popen("demo", "--port", str(_free_port()))
    assert demo.stdout is not None
    witness_url = ""
    for line in demo.stdout:
        if line.startswith("Witness: "):
            witness_url = line.split()[1]
        if line.startswith("Serving "):
            break
    assert witness_url.startswith("http://127.0.0.1:"), witness_url
    with urllib.request.urlopen(f"{witness_url}/vkey", timeout=5):  # noqa: S310
        pass
    demo.send_signal(signal.SIGTERM)
    demo.communicate(timeout=60)
    with pytest.raises(urllib.error.URLError, match="refused"):
        urllib.request.urlopen(f"{witness_url}/vkey", timeout=5)  # noqa: S310


def _serve(cli: Cli) -> tuple[subprocess.Popen[str], str]:
    url = f"http://127.0.0.1:{_free_port()}"
    server = cli.popen("serve", "--port", url.rsplit(":", 1)[1])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/ledger/tlog/checkpoint", timeout=2):  # noqa: S310
                return server, url
        except urllib.error.HTTPError:
            return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not start")


def test_verify_receipt_checks_the_servers_published_ledger_from_anywhere(
    cli: Cli, tmp_path: Path
) -> None:
    seed(cli, "Tiled", 3)
    cli.run("ledger", "publish")
    receipt = tmp_path / "event-1.proof"
    cli.run("ledger", "receipt", "1", "--out", str(receipt))
    log_vkey = cli.run("ledger", "vkey").stdout.strip()
    # Past one full tile and into the next level, so the proof is built from both.
    cli.run("bench", "ledger", "--events", "600", "--no-baseline")
    cli.run("ledger", "publish")

    def check(url: str) -> tuple[int, str]:
        result = cli.run(
            "verify-receipt", str(receipt), "--vkey", log_vkey, "--ledger", url, check=False
        )
        return result.returncode, result.stdout + result.stderr

    server, url = _serve(cli)
    try:
        code, said = check(url)
        assert code == 0 and "the ledger still holds it" in said, said
    finally:
        server.terminate()
        server.communicate(timeout=30)

    leaves = json.loads(cli.run("ledger", "leaves", "--end", "2", "--json").stdout)["leaves"]
    truncate_to(cli, 2, reference_root([base64.b64decode(leaf) for leaf in leaves]))
    cli.run("ledger", "publish")  # the log signs what it now holds: 2 events
    server, url = _serve(cli)
    try:
        code, said = check(url)
        assert code == 1, said
        assert (
            "the receipt's checkpoint covers 3 events, but the server's newest covers only 2"
            in said
        )
    finally:
        server.terminate()
        server.communicate(timeout=30)
