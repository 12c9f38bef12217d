"""The sweep makes its engine before it takes the write lock, and a process's next sweep
carries on from the engine its last one saved, without reading the saved state back (at
borough scale that read took most of a sweep, and every page on SQLite waited for it). A
sweep saved elsewhere in between is noticed, and its state is read instead."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.domain.clocks import ClockEngine
from tocsin.server.clocks import sweep as sweeping
from tocsin.server.clocks.models import ClockState, OpenObligation
from tocsin.server.clocks.sweep import sweep
from tocsin.server.concerns.actions import do_record_concern

pytestmark = pytest.mark.django_db


def test_the_next_sweep_carries_on_from_the_engine_it_saved(  # type: ignore[no-untyped-def]
    monkeypatch, django_capture_on_commit_callbacks
) -> None:
    council = make_agency("Resume Council", "council")
    worker = make_user(council, team=make_team(council, "Resume team"))
    sweeping._RESUMED.clear()
    do_record_concern(make_draft(), actor=worker)
    with django_capture_on_commit_callbacks(execute=True):
        sweep(timezone.now())
    reads = [0]
    real = ClockEngine.from_state.__func__  # type: ignore[attr-defined]

    def counted(cls, policy, state):  # type: ignore[no-untyped-def]
        reads[0] += 1
        return real(cls, policy, state)

    monkeypatch.setattr(ClockEngine, "from_state", classmethod(counted))
    second = do_record_concern(make_draft(), actor=worker).concern
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep(timezone.now())
    assert reads[0] == 0, "carried on from the engine the last sweep saved"
    assert result.fed >= 1 and not result.rebuilt
    assert OpenObligation.objects.filter(concern_id=second.pk).exists()

    # Another process sweeps (its state is not the one this process kept): read it back.
    state = ClockState.objects.get(pk=1)
    state.swept_at = "2000-01-01T00:00:00.000000Z"
    state.save()
    third = do_record_concern(make_draft(), actor=worker).concern
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep(timezone.now())
    assert reads[0] == 1, "the saved state is read when it is not the one kept"
    assert not result.rebuilt
    assert OpenObligation.objects.filter(concern_id=third.pk).exists()
    opened = result.open

    # And the engine carried on agrees with one read from the saved state.
    sweeping._RESUMED.clear()
    assert sweep(timezone.now()).open == opened
    sweeping._RESUMED.clear()
