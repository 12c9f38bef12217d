"""Signed checkpoints, receipts and tiles from the server: the log signs only consistent
checkpoints, verify checks every one against the rebuilt tree, receipts verify offline, and
an independent verifier (tlog-scales over the served tiles, PyNaCl for signatures) agrees."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path
from typing import Any

import nacl.signing
import pytest
from django.db import connection
from django.test import Client
from tlog_scales.reader import TilesReader
from tlog_scales.tlog import Checkpoint as IndependentCheckpoint

from tests.factories import ACTOR, make_partnership
from tocsin.cli import main
from tocsin.domain.directory import AgencyRegistered
from tocsin.ledger import (
    EMPTY_ROOT,
    Envelope,
    leaf_hash,
    open_checkpoint,
    parse_vkey,
    verifier_from_vkey,
    verify_tlog_proof,
)
from tocsin.server.ledger.checkpoints import (
    CheckpointRefused,
    latest_checkpoint,
    log_vkey,
    receipt_for,
    sign_checkpoint_now,
)
from tocsin.server.ledger.recording import reading_ledger, record_events
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings.TOCSIN_LEDGER_KEY_FILE = tmp_path / "keys" / "ledger.skey"
    settings.TOCSIN_LEDGER_ORIGIN = "tocsin.test/partnership"
    settings.TOCSIN_WITNESSES = []
    settings.TOCSIN_LEDGER_RETIRED_VKEYS = []


def grow(count: int) -> None:
    import uuid

    record_events(
        [
            AgencyRegistered(
                agency_id=str(uuid.uuid4()), name=f"Agency {uuid.uuid4().hex}", sector="voluntary"
            )
            for _ in range(count)
        ],
        actor_id=ACTOR.actor_id,
    )


def test_the_key_is_generated_once_with_mode_0600_and_named_for_the_origin(settings) -> None:  # type: ignore[no-untyped-def]
    vkey = log_vkey()
    path = Path(settings.TOCSIN_LEDGER_KEY_FILE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert parse_vkey(vkey).name == "tocsin.test/partnership"
    assert log_vkey() == vkey


def test_a_key_named_for_another_origin_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    log_vkey()
    settings.TOCSIN_LEDGER_ORIGIN = "somewhere.else/ledger"
    with pytest.raises(CheckpointRefused, match="must be the same"):
        sign_checkpoint_now()


def test_checkpoints_are_signed_only_when_the_ledger_grew() -> None:
    make_partnership()
    first, new = sign_checkpoint_now()
    assert new
    size, root = reading_ledger().store.head()
    opened = open_checkpoint(first.note, verifier_from_vkey(log_vkey()))
    assert (opened.checkpoint.size, opened.checkpoint.root) == (size, root)
    again, new = sign_checkpoint_now()
    assert (again.size, new) == (first.size, False)
    grow(3)
    later, new = sign_checkpoint_now()
    assert (later.size, new) == (first.size + 3, True)


def test_the_empty_ledger_can_be_checkpointed() -> None:
    checkpoint, _ = sign_checkpoint_now()
    assert (checkpoint.size, bytes(checkpoint.root)) == (0, EMPTY_ROOT)


def test_the_log_refuses_to_sign_after_its_history_was_rewritten() -> None:
    make_partnership()
    sign_checkpoint_now()
    grow(2)
    # Rewrite a stored hash under the signed size, as someone rewriting history would have to.
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE ledger_node SET hash = %s WHERE level = 2 AND "index" = 0', [b"\x07" * 32]
        )
    with pytest.raises(CheckpointRefused, match="rewritten"):
        sign_checkpoint_now()


def run_verify(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(["verify", "--json"])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("statement", "words"),
    [
        (
            "UPDATE ledger_checkpoint SET note = replace(note, 'tocsin.test', 'tocsin.fake')",
            "does not verify",
        ),
        ("UPDATE ledger_checkpoint SET root = %s", "differs from the signed note"),
        ("UPDATE ledger_leaf SET data = %s WHERE seq = 0", "rewritten"),
    ],
)
def test_verify_checks_every_stored_checkpoint(
    statement: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    make_partnership()
    sign_checkpoint_now()
    assert verify_ledger().ok  # in-process: the CLI would close the test's connection
    params: list[Any] = []
    if "root = %s" in statement:
        params = [b"\x01" * 32]
    elif "data = %s" in statement:
        leaf = reading_ledger().store.read_leaves(0, 1)[0]
        params = [leaf.replace(b"system:factory", b"system:forger")]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
    if "data = %s" in statement:
        _rebuild_tree_consistently()
    report = run_verify(capsys)
    assert not report["ok"]
    found = [p for p in report["problems"] if p["table"] == "ledger_checkpoint"]
    assert any(words in p["detail"] for p in found), report["problems"]


def _rebuild_tree_consistently() -> None:
    """Recompute every stored hash and the head from the (changed) leaves: a full rewrite that
    only a signed checkpoint can expose."""
    from tocsin.ledger import Frontier

    leaves = reading_ledger().store.read_leaves(0, 10**6)
    frontier = Frontier()
    nodes = []
    for leaf in leaves:
        nodes += frontier.append(leaf_hash(leaf))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_node")
        cursor.executemany(
            'INSERT INTO ledger_node (level, "index", hash) VALUES (%s, %s, %s)',
            [node for node in nodes if node[0] > 0],  # leaf hashes are not stored
        )
        cursor.execute("UPDATE ledger_head SET root = %s", [frontier.root()])


def test_receipts_verify_offline_and_a_changed_one_does_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_partnership()
    with pytest.raises(CheckpointRefused, match="publish"):
        receipt_for(2)
    sign_checkpoint_now()
    text = receipt_for(2)
    proved = verify_tlog_proof(text, log_vkey(), leaf=reading_ledger().store.read_leaves(2, 3)[0])
    assert proved.index == 2
    good = tmp_path / "receipt.proof"
    good.write_text(text)
    assert main(["verify-receipt", str(good), "--vkey", log_vkey(), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["ok"], shown["seq"], shown["kind"]) == (True, 2, "team.formed")
    lines = text.splitlines(keepends=True)
    index_line = next(i for i, line in enumerate(lines) if line.startswith("index "))
    for bad_text in (
        "".join([*lines[:index_line], "index 1\n", *lines[index_line + 1 :]]),
        text.replace(lines[index_line + 1], base64.b64encode(b"\x00" * 32).decode() + "\n"),
    ):
        bad = tmp_path / "bad.proof"
        bad.write_text(bad_text)
        assert main(["verify-receipt", str(bad), "--vkey", log_vkey()]) == 1
    other_key = "other.log+00000000+" + base64.b64encode(b"\x01" + b"\x02" * 32).decode()
    assert main(["verify-receipt", str(good), "--vkey", other_key]) in (1, 2)


def test_tiles_and_checkpoint_served_to_an_independent_verifier(client: Client) -> None:
    assert client.get("/ledger/tlog/checkpoint").status_code == 404
    make_partnership()
    grow(300)
    checkpoint, _ = sign_checkpoint_now()
    grow(5)  # tiles stay cut at the signed size
    served = client.get("/ledger/tlog/checkpoint")
    assert served.status_code == 200
    note = served.content.decode()
    assert note == checkpoint.note

    # PyNaCl (libsodium) checks the log's Ed25519 signature over the checkpoint body.
    body, _, signature_line = note.partition("\n\n")
    key = parse_vkey(log_vkey())
    raw = base64.b64decode(signature_line.split()[-1])
    nacl.signing.VerifyKey(key.public_key).verify((body + "\n").encode(), raw[4:])
    independent = IndependentCheckpoint.from_text(note)
    assert (independent.origin, independent.size) == ("tocsin.test/partnership", checkpoint.size)
    assert independent.root_hash == bytes(checkpoint.root)

    class Tiles:
        def get(self, *path: str) -> bytes | None:
            response = client.get("/ledger/tlog/" + "/".join(path))
            return bytes(response.content) if response.status_code == 200 else None

    reader = TilesReader(Tiles())
    reader.set_size(checkpoint.size)
    assert reader.calculate_root_hash() == bytes(checkpoint.root)
    assert client.get("/ledger/tlog/tile/entries/000").status_code == 404
    assert client.get("/ledger/tlog/tile/0/002").status_code == 404  # beyond the checkpoint
    assert client.get("/ledger/tlog/tile/0/000")["Cache-Control"].endswith("immutable")


def test_events_command_still_shows_envelopes_after_checkpointing() -> None:
    make_partnership()
    sign_checkpoint_now()
    leaf = reading_ledger().store.read_leaves(0, 1)[0]
    assert Envelope.parse(leaf).kind == "agency.registered"
    assert latest_checkpoint() is not None


def test_after_a_key_rotation_old_checkpoints_verify_with_the_retired_key(
    settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    make_partnership()
    sign_checkpoint_now()
    old_vkey = log_vkey()
    settings.TOCSIN_LEDGER_KEY_FILE = tmp_path / "rotated.skey"
    grow(2)
    sign_checkpoint_now()
    report = verify_ledger()
    assert [p.row for p in report.problems] == ["6"]  # signed by a key nobody declared
    settings.TOCSIN_LEDGER_RETIRED_VKEYS = [old_vkey]
    assert verify_ledger().ok


def test_a_witness_answering_409_with_a_size_in_other_digits_is_reported_not_a_crash(  # type: ignore[no-untyped-def]
    settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 409 names the size the witness cosigned; "²" is a digit to str.isdigit, not to int()
    (it made publishing raise): the answer is reported as the witness gave it."""
    from tocsin.server.ledger import checkpoints
    from tocsin.witness import WitnessReply

    class OddWitness:
        def __init__(self, url: str, *, timeout: float) -> None:
            pass

        def add_checkpoint(self, payload: bytes) -> WitnessReply:
            return WitnessReply(409, "²\n".encode())

    grow(2)
    settings.TOCSIN_WITNESSES = [(log_vkey(), "http://127.0.0.1:9/")]
    monkeypatch.setattr(checkpoints, "WitnessClient", OddWitness)
    _, _, answers = checkpoints.publish()
    assert [(a.status, a.detail, a.cosigned) for a in answers] == [(409, "²", False)]
