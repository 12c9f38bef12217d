"""A child's band across all their concerns (tocsin.domain.screening.combined_band): fragments
from several agencies add up, a newer low screening never masks a higher one still in date, a
screening out of date stops setting the band, and a professional's judgement on the same
evidence stands."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.domain.screening import (
    ChildScreening,
    Observation,
    child_band_rule,
    combined_band,
    load_scheme,
    months_before,
    score,
)

SCHEME = load_scheme()
DAY = date(2026, 3, 2)
SIGNIFICANT = [i.id for i in SCHEME.indicators if i.group == "significant"]
MODERATE = [i.id for i in SCHEME.indicators if i.group == "moderate"]
VULNERABILITIES = [i.id for i in SCHEME.indicators if i.group == "vulnerability"]
_ids = iter(range(10**6))


def screening(
    *indicators: str,
    as_of: date = DAY,
    seen_on: date | None = None,
    current: str | None = None,
    concern: str = "",
) -> ChildScreening:
    """A screening as recorded: the band its own indicators gave, and the band now."""
    observations = tuple(Observation(i, seen_on or as_of) for i in indicators)
    scored = score(SCHEME, observations, as_of).scored_band.id
    number = next(_ids)
    return ChildScreening(
        screening_id=f"s{number}",
        concern_id=concern or f"c{number}",
        as_of=as_of,
        scored_band=scored,
        current_band=current or scored,
        observations=observations,
    )


def test_no_screenings_no_band() -> None:
    assert combined_band([], SCHEME) is None


def test_one_screening_gives_its_own_band() -> None:
    only = screening(*SIGNIFICANT[:2], MODERATE[0])
    child = combined_band([only], SCHEME)
    assert child is not None
    assert (child.band.id, child.basis, child.as_of, child.combined.score) == (
        "moderate",
        "combined",
        DAY,
        11,
    )
    assert child.explanation == "The screening's indicators give 11 points."


def test_three_agencies_low_fragments_add_up_to_a_higher_band() -> None:
    """A school, the police and health each see one significant sign (5 points: "Not at risk"
    on its own); together they are 15 points, "Moderate risk"."""
    school = screening(SIGNIFICANT[0], as_of=date(2026, 1, 12))
    police = screening(SIGNIFICANT[1], as_of=date(2026, 2, 3))
    health = screening(SIGNIFICANT[2], as_of=DAY)
    assert {s.scored_band for s in (school, police, health)} == {"not-at-risk"}
    child = combined_band([school, police, health], SCHEME)
    assert child is not None
    assert (child.band.id, child.combined.score, child.basis) == ("moderate", 15, "combined")
    assert child.as_of == DAY and child.screenings == child.in_date == 3
    assert "all 3 screenings" in child.explanation and "15 points" in child.explanation


def test_the_same_indicator_seen_by_two_agencies_counts_once_by_its_latest_sighting() -> None:
    first = screening(SIGNIFICANT[0], as_of=date(2025, 12, 1))
    second = screening(SIGNIFICANT[0], as_of=DAY)
    child = combined_band([first, second], SCHEME)
    assert child is not None and child.combined.score == 5
    assert [c.seen_on for c in child.combined.contributions] == [DAY]


def test_a_newer_low_screening_does_not_mask_an_older_high_one_still_in_date() -> None:
    """The older screening was raised to significant on professional judgement; a newer one
    from another agency finds one moderate sign. The older band is in date, so it stands."""
    raised = screening(MODERATE[0], as_of=date(2026, 1, 5), current="significant")
    newer = screening(MODERATE[1], as_of=DAY)
    child = combined_band([raised, newer], SCHEME)
    assert child is not None
    assert child.combined.scored_band.id == "not-at-risk"
    assert (child.band.id, child.basis, child.set_by) == (
        "significant",
        "screening",
        raised.screening_id,
    )
    assert "Significant risk" in child.explanation


def test_a_screening_in_date_counts_to_the_day() -> None:
    since = months_before(DAY, SCHEME.reassess_within_months)
    inside = screening(MODERATE[0], as_of=since, current="moderate")
    child = combined_band([inside, screening(MODERATE[1])], SCHEME)
    assert child is not None and child.band.id == "moderate" and child.in_date == 2


def test_an_old_screening_ages_out() -> None:
    """Its judgement stops counting after the reassessment period, and its indicators score
    by their own windows: significant signs 13 months before the newest screening score 0."""
    old_day = months_before(DAY, 13)
    old = screening(*SIGNIFICANT[:4], as_of=old_day)
    assert old.scored_band == "significant"
    newer = screening(MODERATE[0], as_of=DAY)
    child = combined_band([old, newer], SCHEME)
    assert child is not None
    assert (child.band.id, child.basis, child.in_date) == ("not-at-risk", "combined", 1)
    assert child.combined.score == 1 and len(child.combined.stale) == 4


def test_a_judgement_out_of_date_gives_way_to_the_indicators() -> None:
    day_before = months_before(DAY, SCHEME.reassess_within_months)
    raised = screening(
        MODERATE[0], as_of=date(day_before.year, day_before.month, 1), current="significant"
    )
    child = combined_band([raised, screening(VULNERABILITIES[0])], SCHEME)
    assert child is not None and child.band.id == "not-at-risk"


def test_a_lowering_on_the_same_evidence_stands() -> None:
    """A professional lowered a screening's band (with a second person's sign-off): scoring the
    same indicators again must not undo their judgement."""
    lowered = screening(*SIGNIFICANT[:3], current="mild")
    child = combined_band([lowered], SCHEME)
    assert child is not None
    assert (child.band.id, child.basis, child.set_by) == ("mild", "judgement", lowered.screening_id)
    assert child.combined.scored_band.id == "moderate"
    # A later screening that only repeats older sightings adds no evidence: it still stands.
    repeat = screening(SIGNIFICANT[0], as_of=date(2026, 3, 9), seen_on=DAY)
    child = combined_band([lowered, repeat], SCHEME)
    assert child is not None and (child.band.id, child.basis) == ("mild", "judgement")


def test_new_evidence_after_a_lowering_counts_again() -> None:
    lowered = screening(*SIGNIFICANT[:2], current="not-at-risk", as_of=date(2026, 2, 2))
    newer = screening(SIGNIFICANT[2], as_of=DAY)
    child = combined_band([lowered, newer], SCHEME)
    assert child is not None
    assert (child.band.id, child.basis, child.combined.score) == ("moderate", "combined", 15)


def test_among_equal_bands_the_newest_screening_sets_it_and_one_day_keeps_the_order() -> None:
    first = screening(MODERATE[0], current="significant")
    second = screening(MODERATE[1], current="significant")
    child = combined_band([first, second], SCHEME)
    assert child is not None and child.set_by == second.screening_id


def test_what_a_scheme_no_longer_has_is_left_out() -> None:
    retired = ChildScreening("s", "c", DAY, "gone", "gone", (Observation("retired_sign", DAY),))
    child = combined_band([retired, screening(SIGNIFICANT[0])], SCHEME)
    assert child is not None and (child.band.id, child.combined.score) == ("not-at-risk", 5)


def test_the_json_form_round_trips() -> None:
    one = screening(SIGNIFICANT[0], MODERATE[1], seen_on=date(2026, 1, 1), current="significant")
    assert ChildScreening.from_json(one.screening_id, one.as_json()) == one


def test_the_rule_is_said_in_one_sentence() -> None:
    assert child_band_rule(SCHEME) == (
        "Every indicator from all this child's screenings is scored together as of the newest "
        "screening; the band is never lower than that of any screening in the 3 months before "
        "it."
    )
    assert child_band_rule() == child_band_rule(SCHEME)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(SIGNIFICANT + MODERATE + VULNERABILITIES), max_size=4),
            st.integers(min_value=0, max_value=500),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_the_band_is_never_below_any_in_date_screening_or_the_combined_score(
    drawn: list[tuple[list[str], int]],
) -> None:
    screenings = [
        screening(*indicators, as_of=date.fromordinal(DAY.toordinal() - days_ago))
        for indicators, days_ago in drawn
    ]
    child = combined_band(screenings, SCHEME)
    assert child is not None
    rank = {band.id: n for n, band in enumerate(SCHEME.bands)}
    since = months_before(child.as_of, SCHEME.reassess_within_months)
    for one in screenings:
        if one.as_of >= since:
            assert rank[child.band.id] >= rank[one.current_band]
    # Nobody regraded anything here, so the combined score is a floor too.
    assert rank[child.band.id] >= rank[child.combined.scored_band.id]
    assert child.as_of == max(s.as_of for s in screenings)


@pytest.mark.parametrize("order", [0, 1])
def test_the_order_given_does_not_matter_between_days(order: int) -> None:
    early = screening(MODERATE[0], as_of=date(2026, 2, 1), current="significant")
    late = screening(MODERATE[1])
    given_order = [early, late] if order == 0 else [late, early]
    child = combined_band(given_order, SCHEME)
    assert child is not None and child.as_of == DAY and child.set_by == early.screening_id
