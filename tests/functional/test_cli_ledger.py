"""The ledger commands end to end: their --json shapes (part of the CLI contract) and their
answers checked with the core verifier, as an outsider would."""

from __future__ import annotations

import base64
import json

from tests.functional.conftest import Cli
from tocsin.ledger import (
    Envelope,
    leaf_hash,
    reference_root,
    verify_consistency,
    verify_inclusion,
)


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def seed(cli: Cli) -> None:
    cli.run("agencies", "register", "Eastbrook Council", "--sector", "council")
    cli.run("agencies", "team", "Eastbrook Council", "Front door")
    cli.run(
        "users",
        "create",
        "amira.k",
        "--name",
        "Amira Khan",
        "--agency",
        "Eastbrook Council",
        "--team",
        "Front door",
        "--role",
        "mash_officer",
    )
    cli.run("agencies", "register", "Eastbrook Police", "--sector", "police")


def test_leaves_proofs_and_roots_check_out_independently(cli: Cli) -> None:
    seed(cli)
    leaves = [b64(x) for x in json.loads(cli.run("ledger", "leaves", "--json").stdout)["leaves"]]
    assert [Envelope.parse(leaf).kind for leaf in leaves] == [
        "agency.registered",
        "team.formed",
        "user.enrolled",
        "user.password_set",
        "agency.registered",
    ]
    size = len(leaves)
    root = json.loads(cli.run("ledger", "root", "--json").stdout)
    assert root == {"size": size, "root": base64.b64encode(reference_root(leaves)).decode()}
    for index in range(size):
        proof = json.loads(cli.run("ledger", "proof", "inclusion", str(index), "--json").stdout)
        assert set(proof) == {"index", "size", "leaf_hash", "hashes", "root"}
        assert b64(proof["leaf_hash"]) == leaf_hash(leaves[index])
        verify_inclusion(
            index,
            size,
            leaf_hash(leaves[index]),
            [b64(h) for h in proof["hashes"]],
            reference_root(leaves),
        )
    consistency = json.loads(cli.run("ledger", "proof", "consistency", "2", "--json").stdout)
    assert set(consistency) == {"old_size", "size", "old_root", "root", "hashes"}
    verify_consistency(
        2,
        size,
        reference_root(leaves[:2]),
        reference_root(leaves),
        [b64(h) for h in consistency["hashes"]],
    )
    partial = json.loads(
        cli.run("ledger", "leaves", "--start", "1", "--end", "3", "--json").stdout
    )["leaves"]
    assert [b64(x) for x in partial] == leaves[1:3]


def test_events_are_decoded_with_secrets_hidden(cli: Cli) -> None:
    seed(cli)
    events = json.loads(cli.run("events", "--json").stdout)["events"]
    assert [e["seq"] for e in events] == list(range(5))
    password_event = next(e for e in events if e["kind"] == "user.password_set")
    assert password_event["payload"]["password_hash"] == "(secret)"
    enrolled = json.loads(cli.run("events", "--kind", "user.enrolled", "--json").stdout)["events"]
    assert len(enrolled) == 1
    assert enrolled[0]["payload"]["role"] == "mash_officer"
    later = json.loads(cli.run("events", "--since", "3", "--json").stdout)["events"]
    # Each --json listing is itself a read on the ledger: seqs 5 and 6 record the two above.
    assert [e["seq"] for e in later] == [3, 4, 5, 6]
    views = [e for e in later if e["kind"] == "record.viewed"]
    assert views[0]["payload"]["purpose"] == "tocsin events --json"
    assert views[0]["actor"].startswith("system:cli:")
    assert views[0]["payload"]["shown"] == sorted({s for e in events for s in e["subjects"]})
    assert views[1]["payload"]["shown"] == sorted(enrolled[0]["subjects"])


def test_verify_json_shape_and_exit_status(cli: Cli) -> None:
    seed(cli)
    result = cli.run("verify", "--json")
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["size"] == 5 and report["problems"] == []


def test_users_create_prints_a_generated_password_once_and_it_works(cli: Cli) -> None:
    seed(cli)
    created = json.loads(
        cli.run(
            "users",
            "create",
            "ben.o",
            "--name",
            "Ben Okafor",
            "--agency",
            "eastbrook police",
            "--role",
            "police_officer",
            "--json",
        ).stdout
    )
    assert len(created["password"]) == 29
    listed = json.loads(cli.run("users", "list", "--json").stdout)["users"]
    assert {u["username"] for u in listed} == {"amira.k", "ben.o"}
    from_stdin = cli.run(
        "users",
        "create",
        "cara.p",
        "--name",
        "Cara Price",
        "--agency",
        "Eastbrook Council",
        "--role",
        "analyst",
        "--password-stdin",
        input="a sufficiently long secret\n",
    )
    assert "password" not in from_stdin.stdout


def test_expunging_erases_payloads_keeps_leaves_and_still_verifies(cli: Cli) -> None:
    seed(cli)
    user_id = json.loads(cli.run("users", "list", "--json").stdout)["users"][0]["id"]
    held = cli.run("ledger", "hold", "place", f"user:{user_id}", "--reason", "litigation")
    hold_id = held.stdout.split()[2]
    refused = cli.run(
        "ledger", "expunge", f"user:{user_id}", "--reason", "retention ended", check=False
    )
    assert refused.returncode == 2
    assert "legal hold" in refused.stderr
    cli.run("ledger", "hold", "lift", hold_id, "--reason", "litigation over")
    root_before = json.loads(cli.run("ledger", "root", "--json", "--size", "5").stdout)
    cli.run("ledger", "expunge", f"user:{user_id}", "--reason", "retention ended")
    events = json.loads(cli.run("events", "--json").stdout)["events"]
    erased = [e["seq"] for e in events if e["payload"] is None]
    assert erased == [2, 3]  # user.enrolled and user.password_set
    assert json.loads(cli.run("ledger", "root", "--json", "--size", "5").stdout) == root_before
    assert json.loads(cli.run("verify", "--json").stdout)["ok"] is True
    listed = json.loads(cli.run("users", "list", "--json").stdout)["users"]
    assert listed[0]["username"].startswith("expunged-") and listed[0]["name"] == ""
    again = cli.run("ledger", "expunge", f"user:{user_id}", "--reason", "twice", check=False)
    assert again.returncode == 2 and "already" in again.stderr
