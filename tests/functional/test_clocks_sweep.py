"""The clocks in the server: a concern nobody decides about climbs the escalation ladder,
one obligation.escalated per level, idempotently; deciding stops the clock; the cache of open
obligations matches a replay of the whole ledger; `tocsin escalate` and `tocsin obligations`."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.domain.clocks import ClockEngine, ClockEvent
from tocsin.ledger import Envelope
from tocsin.server.casework.actions import do_decide
from tocsin.server.clocks.models import ClockState, Escalation, OpenObligation
from tocsin.server.clocks.read_models import deadlines_of
from tocsin.server.clocks.sweep import clocks_policy, sweep
from tocsin.server.concerns.actions import do_add_information, do_record_concern
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.ledger.store import DatabaseStore
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db


def _concern():  # type: ignore[no-untyped-def]
    council = make_agency("Clock Council", "council")
    worker = make_user(council, team=make_team(council, "Exploitation team"))
    return worker, do_record_concern(make_draft(), actor=worker).concern


def test_an_undecided_concern_climbs_the_ladder_once_per_level() -> None:
    worker, concern = _concern()
    now = timezone.now()
    first = sweep(now)
    assert first.escalations == []
    decision = OpenObligation.objects.get(concern_id=concern.pk, obligation="decision")
    assert decision.due > now and decision.level_at(now) == 0
    [deadline] = [d for d in deadlines_of(concern, now) if d.obligation.obligation == "decision"]
    assert deadline.in_words.startswith("due in") and not deadline.overdue

    # Three weeks on, nobody has decided: level 1 (team manager), 2 (head of service) and 3
    # (the partnership's scrutineer), each appended once, in order.
    later = now + timedelta(days=21)
    climbed = [e for e in sweep(later).escalations if e.obligation == "decision"]
    assert [e.level for e in climbed] == [1, 2, 3]
    assert [e.to_role for e in climbed] == ["team_manager", "head_of_service", "scrutineer"]
    rows = Escalation.objects.filter(concern=concern, obligation="decision").order_by("level")
    assert [r.level for r in rows] == [1, 2, 3]
    assert sweep(later).escalations == [], "a second sweep at the same moment appends nothing"
    assert Escalation.objects.filter(concern=concern).count() == rows.count()
    [overdue] = [d for d in deadlines_of(concern, later) if d.obligation.obligation == "decision"]
    assert overdue.overdue and overdue.in_words.endswith("overdue")
    client = Client()
    client.force_login(worker)
    page = BeautifulSoup(client.get(f"/concerns/{concern.pk}/").content, "html.parser")
    assert "Escalations (3)" in page.select_one("#escalations").get_text()
    assert "independent scrutineer" in page.select_one("#escalations").get_text()
    # Each escalation came after its due time: the list says when it was due, in the past.
    assert "decision was due by the end of" in page.select_one("#escalations").get_text()
    # The page shows each deadline as a date and in words, as of the moment it is read.
    row = page.select_one("#deadlines tbody tr").get_text(" ")
    assert "Decide the next step on a concern" in row and "Due in" in row

    # Deciding meets the obligation: it leaves the open obligations and climbs no further.
    do_decide(concern.pk, "assessment", "Indicators need an assessment", actor=worker)
    sweep(later + timedelta(days=1))
    assert not OpenObligation.objects.filter(concern_id=concern.pk, obligation="decision").exists()
    assert verify_ledger().ok


def test_the_cache_is_what_a_replay_of_the_whole_ledger_gives() -> None:
    _concern()
    now = timezone.now() + timedelta(days=3)
    sweep(now)
    incremental = sorted(OpenObligation.objects.values_list("id", "due", "escalated_level"))
    assert incremental
    rebuilt = sweep(now, rebuild=True)
    assert rebuilt.rebuilt and rebuilt.escalations == []
    assert sorted(OpenObligation.objects.values_list("id", "due", "escalated_level")) == incremental


def test_the_sweep_reads_only_the_kinds_the_clocks_act_on_and_ends_as_a_full_replay() -> None:
    """The sweep fetches only the event kinds its engine acts on (the demo's first sweep
    would otherwise decode every event): what it saves is what feeding it every event gives."""
    worker, concern = _concern()
    do_add_information(concern.pk, "Seen with an older man at the station", actor=worker)
    do_decide(concern.pk, "assessment", "Indicators need an assessment", actor=worker)
    do_add_information(concern.pk, "School report received", actor=worker)  # the last event
    ledger = reading_ledger()
    size = ledger.size()
    first = sweep(timezone.now())
    assert first.fed == size and first.escalations == []
    assert ClockState.objects.get(pk=1).last_seq == size - 1  # read past the last, unread
    kinds = {e.kind for batch in ledger.store.stream_events(size) for e in batch}
    assert "concern.information_added" in kinds
    assert "concern.information_added" not in ClockEngine(clocks_policy()).kinds
    recorded = DatabaseStore().stream_events_of_kinds({"concern.recorded"}, size)
    assert [e.seq for batch in recorded for e in batch] == [
        e.seq
        for batch in ledger.store.stream_events(size)
        for e in batch
        if e.kind == "concern.recorded"
    ]

    later = timezone.now() + timedelta(days=21)
    result = sweep(later)
    assert [e.obligation for e in result.escalations if e.obligation == "decision"] == []
    saved = ClockState.objects.get(pk=1)
    assert saved.last_seq == ledger.size() - 1
    everything = ClockEngine(clocks_policy())
    for batch in ledger.store.stream_events(ledger.size()):
        for stored in batch:
            envelope = Envelope.parse(stored.leaf)
            payload = json.loads(stored.payload.body) if stored.payload else None
            everything.feed(
                ClockEvent.of(stored.seq, envelope.time, envelope.kind, envelope.subjects, payload)
            )
    assert saved.state == everything.state()
    cached = sorted(OpenObligation.objects.values_list("id", "escalated_level"))
    assert cached == sorted(
        (ob.id, ob.escalated_level) for ob in everything.open_obligations(later)
    )
    assert cached


def test_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    _, concern = _concern()
    out = io.StringIO()
    call_command("escalate", "--json", stdout=out)
    answer = json.loads(out.getvalue())
    assert answer["escalated"] == [] and answer["open"] >= 1
    out = io.StringIO()
    call_command("obligations", "--json", stdout=out)
    listed = json.loads(out.getvalue())["obligations"]
    mine = [o for o in listed if o["concern"] == str(concern.pk)]
    assert {o["obligation"] for o in mine} >= {"decision"}
    assert set(mine[0]) >= {"concern", "obligation", "due", "level", "owner"}
    out = io.StringIO()
    call_command("obligations", "--overdue", "--json", stdout=out)
    assert json.loads(out.getvalue())["obligations"] == []


def test_the_servers_clocks_round_escalates_when_time_moves_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The worker ``tocsin serve`` runs every few minutes sweeps at the server's own clock:
    moved three weeks on, an undecided concern climbs the ladder through it alone."""
    from tocsin.server.cli.management.commands.serve import clocks_round

    _, concern = _concern()
    assert clocks_round().startswith("0 escalated")
    assert not Escalation.objects.filter(concern=concern).exists()
    later = timezone.now() + timedelta(days=21)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        said = clocks_round()
        again = clocks_round()
    rows = Escalation.objects.filter(concern=concern, obligation="decision").order_by("level")
    assert [(r.level, r.to_role) for r in rows] == [
        (1, "team_manager"),
        (2, "head_of_service"),
        (3, "scrutineer"),
    ]
    assert said.startswith(f"{Escalation.objects.count()} escalated"), said
    assert again.startswith("0 escalated"), "the next round appends nothing again"
    assert not [r for r in caplog.records if r.name == "tocsin.worker" and r.levelname == "ERROR"]
    assert verify_ledger().ok
