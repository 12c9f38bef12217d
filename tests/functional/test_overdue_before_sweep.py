"""Overdue without waiting for a sweep: a concern recorded after the last sweep, whose decision
clock has run out, shows as overdue in the trays, on its page, in the manager's view and in
`tocsin obligations --overdue`, computed when they are read; after the sweep it shows once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.server.casework.read_models import tray
from tocsin.server.clocks.models import OpenObligation
from tocsin.server.clocks.oversight import manager_view
from tocsin.server.clocks.read_models import (
    deadlines_of,
    open_obligations,
    overdue_unswept,
    unswept_obligations,
)
from tocsin.server.clocks.sweep import sweep
from tocsin.server.concerns.actions import do_record_concern

pytestmark = pytest.mark.django_db


def test_a_clock_that_ran_out_since_the_last_sweep_shows_as_overdue(settings) -> None:  # type: ignore[no-untyped-def]
    # The page is read five days on: the session's own expiry is not what this test is about.
    settings.SESSION_COOKIE_AGE = 30 * 86400
    council = make_agency("Unswept Council", "council")
    team = make_team(council, "Unswept team")
    worker = make_user(council, team=team)
    mash = make_user(council, role="mash_officer", team=make_team(council, "MASH"))
    head = make_user(council, role="head_of_service")
    sweep(timezone.now())  # the worker has run once, and then stops
    concern = do_record_concern(make_draft(), actor=worker).concern
    assert not OpenObligation.objects.filter(concern_id=concern.pk).exists(), "not swept"

    now = timezone.now()
    assert overdue_unswept(now) == [], "a decision is due within 1 working day, not yet late"
    assert [r.obligation for r in unswept_obligations(now)] == ["decision"]
    later = now + timedelta(days=5)

    # The front door's overdue tray has it, with its deadline in words.
    shown = tray(mash, "overdue", now=later)
    assert [case.concern_id for case in shown.cases] == [concern.pk]
    [deadline] = shown.deadlines[str(concern.pk)]
    assert deadline.obligation.obligation == "decision" and deadline.overdue
    assert "overdue" in deadline.in_words
    assert shown.counts["overdue"] == 1
    # So do the concern's deadlines, the manager's view and the command's listing.
    [on_page] = deadlines_of(concern, later)
    assert on_page.overdue and on_page.level >= 1
    assert manager_view(head, later).overdue == 1
    assert [str(r.concern_id) for r in open_obligations(later, overdue_only=True)] == [
        str(concern.pk)
    ]

    # The page says so too, read at that moment.
    client = Client()
    client.force_login(mash)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        page = BeautifulSoup(client.get("/queue/overdue/").content, "html.parser")
    assert concern.reference in page.get_text()

    # Once the sweep has run, the cache holds it, and it shows once, not twice.
    sweep(later)
    assert unswept_obligations(later) == []
    assert [d.obligation.obligation for d in deadlines_of(concern, later)].count("decision") == 1
    assert len(tray(mash, "overdue", now=later).deadlines[str(concern.pk)]) == 1


def test_a_later_trigger_does_not_show_a_second_clock() -> None:
    """A clock the cache already holds open for the same rule and subject is not shown
    again from the events since the sweep (a retrigger keeps the first clock)."""
    from tocsin.server.casework.actions import do_decide

    council = make_agency("Retrigger Council", "council")
    worker = make_user(council, team=make_team(council, "Retrigger team"))
    concern = do_record_concern(make_draft(), actor=worker).concern
    do_decide(concern.pk, "strategy_discussion", "Reasonable cause to suspect harm", actor=worker)
    sweep(timezone.now())
    do_decide(concern.pk, "strategy_discussion", "Seen again with the same men", actor=worker)
    later = timezone.now() + timedelta(days=5)
    names = [d.obligation.obligation for d in deadlines_of(concern, later)]
    assert names.count("strategy_discussion") == 1


def test_the_clocks_since_the_sweep_carry_on_rather_than_replay(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every page's read record grows the ledger, so the unswept engine carries a copy of
    itself on over the new events only: what a page reads costs the same however many reads
    came since the sweep, and a clock started after the engine was cached still shows."""
    from tocsin.server.clocks import read_models
    from tocsin.server.clocks import sweep as sweeping
    from tocsin.server.concerns.actions import do_record_view

    council = make_agency("Carry-on Council", "council")
    worker = make_user(council, team=make_team(council, "Carry-on team"))
    sweep(timezone.now())
    first = do_record_concern(make_draft(), actor=worker).concern
    now = timezone.now()
    assert [str(r.concern_id) for r in unswept_obligations(now)] == [str(first.pk)]

    fed: list[int] = []
    real = sweeping._clock_events

    def counted(after, end, kinds):  # type: ignore[no-untyped-def]
        for event in real(after, end, kinds):
            fed.append(event.seq)
            yield event

    monkeypatch.setattr(read_models, "_clock_events", counted)
    for _ in range(30):  # thirty pages read since the sweep
        do_record_view(worker, "a page", [f"concern:{first.pk}"])
        fed.clear()
        unswept_obligations(now)
        # A read record is no kind the clocks act on: the carried engine decodes nothing, and
        # never the reads since the sweep again.
        assert fed == [], "only new events of the clocks' kinds are read"
    fed.clear()
    unswept_obligations(now)
    assert fed == [], "nothing new: the cached engine as it is"

    second = do_record_concern(make_draft(), actor=worker).concern
    carried = sorted(str(r.concern_id) for r in unswept_obligations(now))
    assert carried == sorted([str(first.pk), str(second.pk)])
    # The same as an engine fed every event since the sweep from scratch.
    read_models._UNSWEPT.clear()
    fed.clear()
    assert sorted(str(r.concern_id) for r in unswept_obligations(now)) == carried
    assert len(fed) >= 2  # from scratch: both concerns' events again
