"""Problem profiles' pure parts: the profile's own figures from events (already known, overlaps,
hotspots, recommendations), the schedule's periods, the [profiles] policy table, and the
stored figures read back exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib import resources
from typing import Any

import pytest

from tests.unit.domain.test_statistics_figures import History, _figures
from tocsin.domain.clocks import ClockPolicyError, default_policy, parse_policy
from tocsin.domain.statistics import (
    due_profile_label,
    figures_from_json,
    figures_to_json,
    payload_kinds,
    previous_period,
)
from tocsin.domain.statistics._figures import postcode_district

POLICY_TEXT = resources.files("tocsin.domain.clocks").joinpath("policy.toml").read_text("utf-8")


def _history() -> History:
    h = History()
    h.add("agency.registered", {"agency_id": "a1", "name": "Council"})
    h.add("agency.registered", {"agency_id": "a2", "name": "Police"})
    # c1 about k1 from the council; c2 about k1 from the police (already known to another
    # agency); c3 about k1 from the police again (still already known: the council knew);
    # c4 about k2 from the council (not known).
    h.concern("c1", "k1", ["11A"], places=[{"name": "Flat", "postcode": "ZZ1 2AB"}])
    h.concern("c2", "k1", ["24A"], agency_id="a2", places=[{"postcode": "ZZ1 9XX"}])
    h.concern("c3", "k1", [], agency_id="a2", places=[{"postcode": "ZZ12 3CD"}])
    h.concern("c4", "k2", [])
    h.add(
        "report.registered",
        {
            "title": "Audit",
            "recommendations": [
                {"recommendation_id": "r1", "due": "2026-01-01"},
                {"recommendation_id": "r2", "due": "2099-01-01"},
                {"recommendation_id": "r3", "due": "2026-01-01"},
            ],
        },
    )
    h.add("recommendation.responded", {"recommendation_id": "r3"})
    return h


def _profile_figure(figures: Any, figure_id: str) -> Any:
    return next(f for f in figures.profile if f.id == figure_id)


def test_already_known_overlaps_hotspots_and_recommendations() -> None:
    figures = _figures(_history())
    known = _profile_figure(figures, "already_known")
    assert known.columns == (
        "Already known to another agency",
        "Not known to another agency before",
    )
    assert [sum(column) for column in zip(*known.counts, strict=True)] == [2, 2]
    overlaps = _profile_figure(figures, "agency_overlaps")
    assert overlaps.rows == ("Council and Police",) and overlaps.counts == ((1,),)
    hotspots = _profile_figure(figures, "hotspots")
    assert hotspots.rows == ("ZZ1", "ZZ12") and hotspots.counts == ((2,), (1,))
    trend = _profile_figure(figures, "trend")
    assert sum(map(sum, trend.counts)) == 4
    assert [sum(column) for column in zip(*trend.counts, strict=True)] == [2, 2]
    recommendations = _profile_figure(figures, "open_recommendations")
    assert recommendations.rows == ("Audit",)
    assert dict(zip(recommendations.columns, recommendations.counts[0], strict=True)) == {
        "Answered": 1,
        "Open, not yet due": 1,
        "Open, past its due date": 1,
    }


def test_postcode_districts() -> None:
    assert postcode_district("ZZ1 2AB") == "ZZ1"
    assert postcode_district("zz99 9zz") == "ZZ99"
    assert postcode_district("ZZ12AB") == "ZZ1"
    assert postcode_district("") is None and postcode_district(None) is None


def test_stored_figures_read_back_equal() -> None:
    figures = _figures(_history())
    text = figures_to_json(figures)
    assert figures_from_json(text) == figures
    assert figures_from_json(text.replace('"format":1', '"format":0')) is None


@pytest.mark.parametrize(
    ("moment", "cadence", "label"),
    [
        (date(2026, 12, 7), "quarter", "2026-Q3"),
        (date(2026, 1, 2), "quarter", "2025-Q4"),
        (date(2026, 4, 1), "quarter", "2026-Q1"),
        (date(2026, 1, 15), "month", "2025-12"),
        (date(2026, 3, 31), "month", "2026-02"),
        (date(2026, 6, 1), "year", "2025"),
    ],
)
def test_the_last_whole_period(moment: date, cadence: str, label: str) -> None:
    assert previous_period(moment, cadence) == label


def test_a_profile_is_due_once_per_period() -> None:
    now = datetime(2026, 12, 7, tzinfo=UTC)
    assert due_profile_label(now, "quarter", set()) == "2026-Q3"
    assert due_profile_label(now, "quarter", {"2026-Q3"}) is None
    with pytest.raises(ValueError, match="cadence"):
        previous_period(now, "week")


def test_the_default_policy_makes_quarterly_profiles() -> None:
    spec = default_policy().profiles
    assert spec is not None and (spec.cadence, spec.trend_period) == ("quarter", "month")
    assert default_policy().version == 2
    without = POLICY_TEXT[: POLICY_TEXT.index("[profiles]")]
    assert parse_policy(without).profiles is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('cadence = "weekly"', r"\[profiles\]: cadence must be one of month, quarter, year"),
        ('trend_period = "day"', r"\[profiles\]: trend_period must be one of"),
        ('colour = "blue"', r"\[profiles\] has an unknown key 'colour'"),
    ],
)
def test_a_bad_profiles_table_is_refused_with_its_line(line: str, message: str) -> None:
    key = line.split(" = ")[0]
    lines = POLICY_TEXT.splitlines()
    start = lines.index("[profiles]")
    replaced = [
        line if i > start and lines[i].startswith(f"{key} =") else text
        for i, text in enumerate(lines)
    ]
    if replaced == lines:  # a key the table lacks: added just under its header
        replaced.insert(start + 1, line)
    with pytest.raises(ClockPolicyError, match=message) as caught:
        parse_policy("\n".join(replaced) + "\n")
    assert "line" in str(caught.value)


def test_payload_kinds_cover_the_figures_and_the_policy() -> None:
    kinds = payload_kinds(default_policy())
    assert {"concern.recorded", "report.registered", "meeting.recorded"} <= kinds
    assert "record.viewed" not in kinds and "sign_in.failed" not in kinds
