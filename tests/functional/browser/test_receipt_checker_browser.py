"""The transparency page's receipt checker in a real browser: a receipt the served Tocsin
wrote, cosigned by a witness, holds; the same receipt altered, or checked against a witness
that did not cosign it, does not; axe-core checks the page before and after each answer. The
partnership's public register is checked by axe too."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from tests.functional.browser.conftest import AxeReport, Server, pytestmark
from tocsin.ledger import SIGNATURE_TYPE_COSIGNATURE_V1, CosignatureSigner, cosign, generate_skey

__all__ = ["pytestmark"]

WITNESS = "oversight.test/witness"


def _cosigned(receipt: str) -> tuple[str, str]:
    """The receipt with a witness's cosignature added to its checkpoint, and the witness's key
    (as the log's publishing would store it; the served Tocsin has no witness configured)."""
    skey, vkey = generate_skey(WITNESS, SIGNATURE_TYPE_COSIGNATURE_V1)
    seed = base64.b64decode(skey.split("+", 4)[4])[1:]
    note = receipt.split("\n\n", 1)[1]
    body = note.partition("\n\n")[0] + "\n"
    return receipt + cosign(body, CosignatureSigner(WITNESS, seed)).line, vkey


def _check(page: Any, receipt: str, witnesses: str) -> str:
    page.fill("#receipt", receipt)
    page.fill("#witness-keys", witnesses)
    page.get_by_role("button", name="Check the receipt").click()
    page.wait_for_selector("#receipt-ok, #receipt-failed")
    return str(page.locator("#receipt-result").inner_text())


@pytest.mark.slow
def test_the_receipt_checker_runs_in_the_browser(
    page: Any, server: Server, axe: AxeReport, tmp_path: Path
) -> None:
    server.cli.run("ledger", "publish")
    receipt = server.cli.run("ledger", "receipt", "1").stdout
    cosigned, witness_vkey = _cosigned(receipt)

    page.goto("/transparency/")
    axe.check(page, "transparency page")
    vkey = page.locator("#log-vkey").inner_text()
    assert page.locator("#log-key").input_value() == vkey
    assert "c2sp.org/tlog-proof@v1" not in page.locator("#checkpoint-note").inner_text()

    # A file chosen with the file input fills the receipt in.
    path = tmp_path / "event-1.proof"
    path.write_text(cosigned, encoding="utf-8")
    page.set_input_files("#receipt-file", str(path))
    page.wait_for_function("document.getElementById('receipt').value.length > 0")
    assert page.locator("#receipt").input_value() == cosigned

    held = _check(page, cosigned, witness_vkey)
    assert "The receipt holds" in held and "Entry 1 " in held and WITNESS in held
    axe.check(page, "transparency page, a receipt that holds")

    root = cosigned.split("\n\n", 1)[1].split("\n")[2]
    altered = cosigned.replace(root, "A" * 43 + "=")
    failed = _check(page, altered, "")
    assert "does not hold" in failed and "signature" in failed
    axe.check(page, "transparency page, a receipt that does not hold")

    moved = cosigned.replace("\nindex 1\n", "\nindex 2\n")
    assert "inclusion proof" in _check(page, moved, "")

    _, stranger = generate_skey("someone.else/witness", SIGNATURE_TYPE_COSIGNATURE_V1)
    assert "not cosigned by the witness someone.else/witness" in _check(page, cosigned, stranger)

    # Without a witness key the log's signature and the proof are still checked.
    assert "No witness key was given" in _check(page, receipt, "")

    page.goto("/partnership/register/")
    axe.check(page, "the partnership's public register")
