"""The receipt-checking script in docs/receipts.md, run as an agency would run it, against
receipts the server produced (with a witness cosignature) and against altered ones."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection  # noqa: F401 - the test database must exist for the fixture

from tests.factories import make_partnership
from tocsin.ledger import (
    SIGNATURE_TYPE_COSIGNATURE_V1,
    CosignatureSigner,
    cosign,
    generate_skey,
)
from tocsin.server.ledger.checkpoints import log_vkey, receipt_for, sign_checkpoint_now

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[2] / "docs" / "receipts.md"


def script(tmp_path: Path) -> Path:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(
        r"<!-- receipt-script:start -->\n```python\n(.*?)```\n<!-- receipt-script:end -->",
        text,
        re.S,
    )
    assert block, "docs/receipts.md lost its script markers"
    path = tmp_path / "check_receipt.py"
    path.write_text(block.group(1), encoding="utf-8")
    return path


def run(script_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A clean interpreter: only the standard library and cryptography are used by the script.
    return subprocess.run(
        [sys.executable, "-I", str(script_path), *args], capture_output=True, text=True, timeout=60
    )


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings.TOCSIN_LEDGER_KEY_FILE = tmp_path / "ledger.skey"
    settings.TOCSIN_LEDGER_ORIGIN = "tocsin.test/partnership"


def test_the_documented_script_accepts_real_receipts_and_rejects_altered_ones(
    tmp_path: Path,
) -> None:
    make_partnership()
    checkpoint, _ = sign_checkpoint_now()
    # A witness cosigns the checkpoint (as tocsin ledger publish would store it).
    skey, witness_vkey = generate_skey("oversight.test/witness", SIGNATURE_TYPE_COSIGNATURE_V1)
    # PRIVATE+KEY+<name>+<key id>+<base64>: the base64 may itself contain "+".
    seed = base64.b64decode(skey.split("+", 4)[4])[1:]
    cosignature = cosign(
        checkpoint.note.partition("\n\n")[0] + "\n",
        CosignatureSigner("oversight.test/witness", seed),
    )
    checkpoint.note += cosignature.line
    checkpoint.save()
    checker = script(tmp_path)
    for seq in range(checkpoint.size):
        receipt = tmp_path / f"{seq}.proof"
        receipt.write_text(receipt_for(seq))
        result = run(checker, str(receipt), log_vkey(), witness_vkey)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"OK: event {seq} ")
    text = (tmp_path / "2.proof").read_text()
    altered = {
        "index": text.replace("\nindex 2\n", "\nindex 3\n"),
        "root": text.replace(checkpoint.note.split("\n")[2], "A" * 43 + "="),
        "event": text.replace("extra ", "extra e", 1),
    }
    for what, bad_text in altered.items():
        bad = tmp_path / f"bad-{what}.proof"
        bad.write_text(bad_text)
        assert run(checker, str(bad), log_vkey()).returncode != 0, what
    _, other_witness = generate_skey("someone.else/witness", SIGNATURE_TYPE_COSIGNATURE_V1)
    assert run(checker, str(tmp_path / "2.proof"), log_vkey(), other_witness).returncode != 0
