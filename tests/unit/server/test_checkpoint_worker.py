"""The worker inside tocsin serve: one round publishes only when the ledger grew, and a
refusal or a failure is logged, never raised (the worker must keep running)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from tests.factories import make_agency, make_partnership
from tocsin.server.cli.management.commands.serve import publish_round

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings.TOCSIN_LEDGER_KEY_FILE = tmp_path / "ledger.skey"
    settings.TOCSIN_WITNESSES = []


def test_a_round_signs_only_when_the_ledger_grew() -> None:
    make_partnership()
    assert publish_round() == "signed at size 6"
    assert publish_round() == "unchanged at size 6"
    make_agency()
    assert publish_round() == "signed at size 7"


def test_a_refusal_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    make_partnership()
    publish_round()
    make_agency()
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE ledger_node SET hash = %s WHERE level = 2 AND "index" = 0', [b"\x05" * 32]
        )
    assert publish_round().startswith("refused: ")
    assert any("checkpoint refused" in r.getMessage() for r in caplog.records)
