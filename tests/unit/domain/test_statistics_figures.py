"""The figures as a pure function of events: counts never fall when a child is regraded, a
regrading down is counted with its reason, and the same events give the same bytes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tocsin.domain.clocks import default_policy
from tocsin.domain.statistics import (
    Audience,
    LedgerEvent,
    compute_figures,
    document,
    period_of,
    to_csv,
    to_json,
)

BANDS = ["not-at-risk", "mild", "moderate", "significant"]
START = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


class History:
    def __init__(self) -> None:
        self.events: list[LedgerEvent] = []

    def add(
        self, kind: str, payload: dict[str, Any] | None, subjects: tuple[str, ...] = ()
    ) -> None:
        seq = len(self.events)
        time = START + timedelta(days=seq)
        self.events.append(LedgerEvent(seq, time, kind, "user:u1", subjects, payload))

    def concern(self, concern_id: str, child_id: str, factors: list[str], **extra: Any) -> None:
        payload = {
            "concern_id": concern_id,
            "channel": "practitioner",
            "agency_id": "a1",
            "children": [child_id],
            "cin_factors": factors,
            "persons": [{"ethnicity": "NOBT"}, {"ethnicity": "REFU"}, {"ethnicity": "WBRI"}],
            "language_warnings": 0,
            **extra,
        }
        self.add("concern.recorded", payload, (f"concern:{concern_id}", f"child:{child_id}"))


def _figures(history: History, size: int | None = None) -> Any:
    return compute_figures(
        history.events,
        size=len(history.events) if size is None else size,
        period="quarter",
        policy=default_policy(),
        bands=BANDS,
    )


def _figure(figures: Any, figure_id: str) -> Any:
    return next(f for f in figures.figures if f.id == figure_id)


def _world() -> History:
    history = History()
    history.add(
        "agency.registered", {"agency_id": "a1", "name": "Northgate Council", "sector": "council"}
    )
    history.concern("c1", "k1", ["11A"])
    history.add(
        "child.screened",
        {"child_id": "k1", "concern_id": "c1", "band": "significant", "screening_id": "s1"},
    )
    return history


def test_a_child_regraded_out_of_exploitation_is_counted_under_reclassified_away() -> None:
    history = _world()
    before = _figures(history)
    history.add(
        "risk.regraded",
        {
            "regrading_id": "r1",
            "screening_id": "s1",
            "concern_id": "c1",
            "child_id": "k1",
            "from_band": "significant",
            "to_band": "not-at-risk",
            "reason": "Moved out of the area with her mother",
        },
    )
    after = _figures(history)
    children = _figure(after, "children_exploitation")
    assert (
        sum(map(sum, children.counts))
        == sum(map(sum, _figure(before, "children_exploitation").counts))
        == 1
    )
    (regrading,) = after.reclassified_away
    assert regrading.reason == "Moved out of the area with her mother"
    assert regrading.out_of_exploitation
    away = _figure(after, "reclassified_away")
    assert away.rows == ("significant",) and away.columns == ("not-at-risk",)
    assert away.counts == ((1,),)


def test_raising_a_band_is_not_reclassified_away() -> None:
    history = _world()
    history.add(
        "risk.regraded",
        {
            "concern_id": "c1",
            "child_id": "k1",
            "from_band": "mild",
            "to_band": "moderate",
            "reason": "x",
        },
    )
    assert _figures(history).reclassified_away == ()


def test_figures_at_a_size_ignore_every_later_event() -> None:
    history = _world()
    size = len(history.events)
    audience = Audience(sees_every_concern=False, minimum=5)
    first = document(_figures(history), root="cm9vdA==", origin="test", audience=audience)
    history.concern("c2", "k2", ["24A"])
    again = document(_figures(history, size), root="cm9vdA==", origin="test", audience=audience)
    assert to_json(first) == to_json(again)
    assert to_csv(first) == to_csv(again)
    assert first.data["checkpoint"] == {"origin": "test", "size": size, "root": "cm9vdA=="}


def test_ethnicity_of_persons_of_concern_is_counted_with_not_known_and_refused() -> None:
    figure = _figure(_figures(_world()), "ethnicity_recorded")
    assert dict(zip(figure.rows, (row[0] for row in figure.counts), strict=True)) == {
        "Recorded as described": 1,
        "Not yet obtained": 1,
        "Refused": 1,
    }


def test_an_erased_concern_still_counts_by_its_agency() -> None:
    history = _world()
    history.add("concern.recorded", None, ("concern:c9", "child:k9", "agency:a1"))
    figures = _figures(history)
    by_agency = _figure(figures, "concerns_by_agency")
    assert by_agency.rows == ("Northgate Council",)
    assert sum(by_agency.counts[0]) == 2
    assert figures.erased_payloads == 1


@pytest.mark.parametrize(
    ("period", "expected"), [("month", "2026-03"), ("quarter", "2026-Q1"), ("year", "2026")]
)
def test_periods(period: str, expected: str) -> None:
    assert period_of(START, period) == expected


def test_an_unknown_period_is_refused() -> None:
    with pytest.raises(ValueError, match="period must be one of"):
        compute_figures([], size=0, period="week", policy=default_policy(), bands=BANDS)
