"""Scrutiny without a command line (issue 17 §5): the public transparency page (the log's key,
the newest checkpoint and its witnesses, the receipt checker's form), and the scrutineer's CSV
exports of downgrades, no-further-action decisions and overdue obligations in a period, each
recorded on the ledger with the file's SHA-256 and each a recorded read of what it shows."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.domain.concerns import IndicatorSeen
from tocsin.domain.screening import scheme
from tocsin.server.casework.actions import do_decide
from tocsin.server.clocks.sweep import sweep
from tocsin.server.concerns.actions import do_record_concern, do_regrade_risk
from tocsin.server.ledger.checkpoints import log_vkey, sign_checkpoint_now
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.register.models import ScrutinyExport

pytestmark = pytest.mark.django_db


def test_the_transparency_page_is_public_and_shows_the_key_and_the_checkpoint() -> None:
    before = Client().get("/transparency/")
    assert before.status_code == 200
    assert "No checkpoint has been signed yet" in before.content.decode()
    make_agency("Transparency Council")
    checkpoint, _ = sign_checkpoint_now()
    written = LedgerLeaf.objects.count()
    response = Client().get("/transparency/")
    assert response.status_code == 200 and LedgerLeaf.objects.count() == written
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("#log-vkey").get_text() == log_vkey()
    assert page.select_one("#checkpoint-note").get_text() == checkpoint.note
    assert page.select_one("#log-key")["value"] == log_vkey()
    assert page.select_one("#witnesses").get_text(strip=True).startswith("No witness")
    # Without the script the form stays hidden, so a receipt is never sent to the server.
    assert page.select_one("form#receipt-checker").has_attr("hidden")
    script = page.select_one("script[src$='receipt-check.js']")
    assert script is not None and script["type"] == "module"


def _world() -> dict[str, object]:
    council = make_agency("Scrutiny Council")
    team = make_team(council, "Scrutiny team")
    worker = make_user(council, team=team, name="Wyn Worker")
    scrutineer = make_user(council, role="partnership_scrutineer", name="Sam Scrutineer")
    mild = [i.id for i in scheme().indicators if i.group != "significant"][:1]
    lowered = do_record_concern(
        make_draft(indicators=[IndicatorSeen(i, date(2026, 11, 1)) for i in mild]), actor=worker
    ).concern
    raised = do_record_concern(
        make_draft(indicators=[IndicatorSeen(i, date(2026, 11, 1)) for i in mild]), actor=worker
    ).concern
    down = lowered.screenings.get()
    assert down.current_band == "not-at-risk"
    do_regrade_risk(lowered.pk, down.pk, "mild", "Seen near the car park twice", actor=worker)
    do_regrade_risk(
        lowered.pk, down.pk, "not-at-risk", "Seen with family, not adults", actor=worker
    )
    do_regrade_risk(
        raised.pk, raised.screenings.get().pk, "significant", "Seen again", actor=worker
    )
    do_decide(raised.pk, "no_further_action", "=Family moved out of the area", actor=worker)
    return {"lowered": lowered, "raised": raised, "scrutineer": scrutineer, "worker": worker}


def _export(client: Client, kind: str, start: date, end: date) -> object:
    return client.post(
        "/scrutiny/",
        {
            "kind": kind,
            "period_from-day": str(start.day),
            "period_from-month": str(start.month),
            "period_from-year": str(start.year),
            "period_to-day": str(end.day),
            "period_to-month": str(end.month),
            "period_to-year": str(end.year),
        },
    )


def test_the_scrutineer_exports_downgrades_and_each_export_is_on_the_ledger() -> None:
    world = _world()
    client = Client()
    client.force_login(world["scrutineer"])
    today = timezone.localdate()
    response = _export(client, "downgrades", today - timedelta(days=1), today)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["concern"] for r in rows] == [world["lowered"].reference]
    assert rows[0]["from_band"] == "mild" and rows[0]["to_band"] == "not-at-risk"
    assert rows[0]["by"].startswith("Wyn Worker")
    event = LedgerLeaf.objects.filter(kind="scrutiny.exported").get()
    recorded = ScrutinyExport.objects.get(exported_seq=event.seq)
    assert recorded.rows == 1 and recorded.kind == "downgrades"
    assert recorded.sha256 == hashlib.sha256(response.content).hexdigest()
    assert recorded.exported_by == f"user:{world['scrutineer'].pk}"
    assert response["X-Tocsin-Ledger-Seq"] == str(event.seq)
    # What the export showed is a recorded read of the concern it names.
    viewed = LedgerLeaf.objects.filter(kind="record.viewed").order_by("-seq").first()
    assert viewed is not None
    subjects = json.loads(bytes(viewed.data))["subjects"]
    assert f"concern:{world['lowered'].pk}" in subjects
    assert f"concern:{world['raised'].pk}" not in subjects

    # A period before any of it exports no rows, and is still recorded.
    empty = _export(client, "downgrades", date(2020, 1, 1), date(2020, 12, 31))
    assert list(csv.reader(io.StringIO(empty.content.decode())))[1:] == []
    assert LedgerLeaf.objects.filter(kind="scrutiny.exported").count() == 2
    listed = BeautifulSoup(client.get("/scrutiny/").content, "html.parser").select_one("#exports")
    assert recorded.sha256 in listed.get_text()


def test_no_further_action_and_overdue_exports() -> None:
    world = _world()
    client = Client()
    client.force_login(world["scrutineer"])
    today = timezone.localdate()
    nfa = _export(client, "no_further_action", today - timedelta(days=1), today)
    (row,) = list(csv.DictReader(io.StringIO(nfa.content.decode())))
    assert row["concern"] == world["raised"].reference and row["status"] == "awaiting_sign_off"
    assert row["rationale"] == "'=Family moved out of the area"  # never run as a formula

    sweep(timezone.now() + timedelta(days=10))
    overdue = _export(client, "overdue_obligations", today, today + timedelta(days=8))
    rows = list(csv.DictReader(io.StringIO(overdue.content.decode())))
    decisions = [r for r in rows if r["obligation"] == "decision"]
    assert {r["concern"] for r in decisions} == {world["lowered"].reference}
    assert all(int(r["level"]) >= 1 for r in rows)


def test_only_the_scrutineer_exports_and_a_bad_period_writes_nothing() -> None:
    world = _world()
    worker = Client()
    worker.force_login(world["worker"])
    today = timezone.localdate()
    before = LedgerLeaf.objects.exclude(kind="record.viewed").count()
    assert _export(worker, "downgrades", today, today).status_code == 403
    client = Client()
    client.force_login(world["scrutineer"])
    backwards = _export(client, "downgrades", today, today - timedelta(days=3))
    assert backwards.status_code == 400
    assert "same as or after" in backwards.content.decode()
    too_long = _export(client, "downgrades", date(2024, 1, 1), date(2026, 1, 1))
    assert too_long.status_code == 400
    ancient = _export(client, "downgrades", date(1066, 10, 14), date(1066, 10, 15))
    assert ancient.status_code == 400 and "between 1900 and 2199" in ancient.content.decode()
    assert LedgerLeaf.objects.exclude(kind="record.viewed").count() == before
