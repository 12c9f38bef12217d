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


def test_a_committed_write_wakes_the_worker_and_makes_publishing_due(
    settings,  # type: ignore[no-untyped-def]
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from tocsin.server.ledger.checkpoints import publishing_due
    from tocsin.server.ledger.recording import LEDGER_GREW

    assert not publishing_due(), "an empty ledger has nothing to sign"
    LEDGER_GREW.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_partnership()
    assert LEDGER_GREW.is_set()
    assert publishing_due()
    publish_round()
    assert not publishing_due()
    # A configured witness that has not cosigned the newest checkpoint makes a round due again.
    settings.TOCSIN_WITNESSES = [("oversight+00000000+AQ==", "http://127.0.0.1:9")]
    assert publishing_due()
