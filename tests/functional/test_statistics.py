"""Official statistics end to end: figures at a signed checkpoint stay the same byte for byte
however many events come later; a child regraded out of exploitation is never silently dropped
but counted under "reclassified away" with the reason; small counts are suppressed for
audiences that do not see every concern; every export is on the ledger."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.domain.concerns import IndicatorSeen
from tocsin.domain.screening import scheme
from tocsin.server.casework.actions import do_sign_off
from tocsin.server.casework.models import Decision
from tocsin.server.concerns.actions import do_record_concern, do_regrade_risk
from tocsin.server.concerns.models import Concern, Screening
from tocsin.server.ledger.checkpoints import sign_checkpoint_now
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.statistics.models import StatisticsExport

pytestmark = pytest.mark.django_db

REASON = "Seen at home with the family; the adults named have moved away"


@pytest.fixture
def people() -> dict[str, Any]:
    council = make_agency("Stats Council", "council")
    mash = make_team(council, "Front door")
    team = make_team(council, "Exploitation team")
    return {
        "mash_officer": make_user(council, role="mash_officer", team=mash),
        "worker": make_user(council, team=team),
        "manager": make_user(council, role="team_manager", team=team),
    }


def _exploitation_concern(author: Any, factors: list[str]) -> Concern:
    significant = [i.id for i in scheme().indicators if i.group == "significant"][:4]
    draft = make_draft(
        indicators=[IndicatorSeen(i, date(2026, 11, 1)) for i in significant], cin_factors=factors
    )
    return do_record_concern(draft, actor=author).concern


def _stats(*args: str) -> str:
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def _figure(data: dict[str, Any], figure_id: str) -> dict[str, Any]:
    return next(f for f in data["figures"] if f["id"] == figure_id)


def _regrade_out(concern: Concern, people: dict[str, Any]) -> None:
    screening = Screening.objects.get(concern=concern)
    do_regrade_risk(concern.pk, screening.pk, "not-at-risk", REASON, actor=people["worker"])
    proposal = Decision.objects.get(concern=concern, to_band="not-at-risk")
    do_sign_off(proposal.pk, True, "Agreed on the evidence", actor=people["manager"])


def test_figures_at_a_checkpoint_are_the_same_after_more_events(people: dict[str, Any]) -> None:
    _exploitation_concern(people["worker"], ["11A"])
    checkpoint, _ = sign_checkpoint_now()
    first_json, first_csv = _stats("--json"), _stats("--csv")
    data = json.loads(first_json)
    assert data["checkpoint"]["size"] == checkpoint.size
    assert _figure(data, "children_exploitation")["total"] == 1

    later = _exploitation_concern(people["worker"], ["24A"])
    _regrade_out(later, people)
    newer, _ = sign_checkpoint_now()
    assert newer.size > checkpoint.size

    k = str(checkpoint.size)
    assert _stats("--json", "--checkpoint", k) == first_json
    assert _stats("--csv", "--checkpoint", k) == first_csv
    newest = json.loads(_stats("--json"))
    assert newest["checkpoint"]["size"] == newer.size
    assert _figure(newest, "children_exploitation")["total"] == 2


def test_regrading_out_of_exploitation_is_reclassified_away_with_its_reason(
    people: dict[str, Any],
) -> None:
    concern = _exploitation_concern(people["worker"], ["11A"])
    sign_checkpoint_now()
    before = json.loads(_stats("--json"))
    _regrade_out(concern, people)
    sign_checkpoint_now()
    after = json.loads(_stats("--json"))

    children = _figure(after, "children_exploitation")
    assert children["total"] == _figure(before, "children_exploitation")["total"] == 1
    away = after["reclassified_away"]
    assert away["count"] == away["out_of_exploitation"] == 1
    (regrading,) = away["regradings"]
    assert regrading["reason"] == REASON
    assert (regrading["from_band"], regrading["to_band"]) == ("significant", "not-at-risk")
    assert regrading["concern"] == str(concern.pk)
    bands = _figure(after, "children_by_band")
    assert bands["counts"][bands["rows"].index("not-at-risk")] == [1]
    assert _figure(after, "reclassified_away")["total"] == 1
    # The read of the reason is on the ledger, naming the concern.
    viewed = LedgerLeaf.objects.filter(kind="record.viewed").order_by("-seq").first()
    assert viewed is not None
    payload = reading_ledger().store.read_payloads([viewed.seq])[viewed.seq].decode()
    assert f"concern:{concern.pk}" in payload["shown"]
    assert payload["viewer"].startswith("system:cli:")


def test_published_figures_suppress_small_counts(people: dict[str, Any]) -> None:
    _exploitation_concern(people["worker"], ["11A"])
    sign_checkpoint_now()
    published = json.loads(_stats("--json", "--published"))
    assert published["audience"] == "suppressed"
    children = _figure(published, "children_exploitation")
    assert children["total"] is None
    assert all(v in (0, None) for row in children["counts"] for v in row)
    assert published["reclassified_away"]["regradings"] is None
    assert "[c]" in _stats("--csv", "--published")


def test_a_checkpoint_that_was_never_signed_is_refused(people: dict[str, Any]) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no checkpoint"):
        _stats("--json")
    sign_checkpoint_now()
    with pytest.raises(CommandError, match="no checkpoint of size 999999"):
        _stats("--json", "--checkpoint", "999999")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_suppresses_for_a_manager_and_not_for_the_front_door(
    people: dict[str, Any],
) -> None:
    concern = _exploitation_concern(people["worker"], ["11A"])
    _regrade_out(concern, people)
    sign_checkpoint_now()
    manager_page = _client(people["manager"]).get("/statistics/")
    assert manager_page.status_code == 200
    text = manager_page.content.decode()
    assert "[c]" in text and REASON not in text
    assert "<svg" in text
    # The checkpoint's time reads as people write it, not as an RFC 3339 string.
    assert re.search(r"\d{1,2} \w+ \d{4} at \d{2}:\d{2} \(the last event's time\)", text)
    front_door = _client(people["mash_officer"]).get("/statistics/").content.decode()
    assert REASON in front_door
    assert _client(people["worker"]).get("/statistics/").status_code == 403


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_export_is_recorded_on_the_ledger(people: dict[str, Any], file_format: str) -> None:
    _exploitation_concern(people["worker"], ["11A"])
    checkpoint, _ = sign_checkpoint_now()
    response = _client(people["manager"]).post(
        f"/statistics/export.{file_format}", {"period": "year"}
    )
    assert response.status_code == 200
    export = StatisticsExport.objects.get()
    assert (export.format, export.checkpoint_size, export.audience, export.period) == (
        file_format,
        checkpoint.size,
        "suppressed",
        "year",
    )
    assert export.exported_by == f"user:{people['manager'].pk}"
    import hashlib

    assert hashlib.sha256(response.content).hexdigest() == export.digest
    if file_format == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert "children_exploitation" in book.sheetnames
    else:
        assert response.content.decode().startswith("checkpoint_origin,")


def test_the_page_says_what_to_do_before_any_checkpoint_and_refuses_bad_choices(
    people: dict[str, Any],
) -> None:
    client = _client(people["manager"])
    before = client.get("/statistics/")
    assert before.status_code == 200
    assert "tocsin ledger publish" in before.content.decode()
    sign_checkpoint_now()
    assert client.get("/statistics/?period=week").status_code == 400
    assert client.get("/statistics/?checkpoint=abc").status_code == 400
    assert client.get("/statistics/?checkpoint=999999").status_code == 404
    assert client.post("/statistics/export.pdf").status_code == 404
    assert not StatisticsExport.objects.exists()


def test_the_command_prints_a_summary_and_writes_a_workbook(
    people: dict[str, Any], tmp_path: Any
) -> None:
    _exploitation_concern(people["worker"], ["11A"])
    checkpoint, _ = sign_checkpoint_now()
    summary = _stats("--published")
    assert summary.startswith(f"Statistics at checkpoint {checkpoint.size} ")
    assert "Children with sexual or criminal exploitation concerns" in summary
    target = tmp_path / "figures.xlsx"
    err = io.StringIO()
    call_command("stats", "--xlsx", str(target), stderr=err)
    book = openpyxl.load_workbook(target)
    about = {row[0].value: row[1].value for row in book["Checkpoint"].iter_rows()}
    assert about["checkpoint_size"] == str(checkpoint.size)
    assert about["audience"] == "every_concern"
    assert StatisticsExport.objects.get().format == "xlsx"


def test_stored_figures_give_the_same_bytes_as_figures_computed_fresh(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    from pathlib import Path

    from django.conf import settings

    from tocsin.domain.statistics import to_csv, to_json
    from tocsin.server.statistics import reading

    concern = _exploitation_concern(people["worker"], ["11A", "24A"])
    _regrade_out(concern, people)
    checkpoint, _ = sign_checkpoint_now()
    reading._COMPUTED.clear()
    # The worker computes and stores them once per checkpoint and period.
    assert reading.store_statistics(("quarter", "month")) == ["quarter", "month"]
    assert reading.store_statistics(("quarter", "month")) == []
    named = f"{checkpoint.size}-{bytes(checkpoint.root).hex()}-*"
    stored_files = list((Path(settings.TOCSIN_HOME) / "statistics").glob(named))
    assert len(stored_files) == 2
    # Answered from the store: computing is not even possible now.
    reading._COMPUTED.clear()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed again instead of read from the store")

    with monkeypatch.context() as patched:
        patched.setattr(reading, "compute_figures", refuse)
        stored = reading.statistics_at(checkpoint.size, period="month")
    # Fresh: nothing stored, nothing in memory.
    shutil.rmtree(Path(settings.TOCSIN_HOME) / "statistics")
    reading._COMPUTED.clear()
    fresh = reading.statistics_at(checkpoint.size, period="month")
    assert stored.figures == fresh.figures
    for full in (True, False):
        assert to_json(stored.document(sees_every_concern=full)) == to_json(
            fresh.document(sees_every_concern=full)
        )
        assert to_csv(stored.document(sees_every_concern=full)) == to_csv(
            fresh.document(sees_every_concern=full)
        )
    assert stored.figures.reclassified_away[0].reason == REASON
