"""Risk screening: the SERAF-style scheme of DOMAIN.md section 3, its band edges and time
windows, professional overrides, and schemes that are refused with a reason."""

from __future__ import annotations

import inspect
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tocsin.domain.screening
from tocsin.domain.language import check_text
from tocsin.domain.screening import (
    FutureObservationError,
    Observation,
    ObservationError,
    OverrideError,
    ScreeningResult,
    ScreeningSchemeError,
    UnknownIndicatorError,
    interval_before,
    load_scheme,
    months_before,
    override,
    parse_scheme,
    recorded_result,
    score,
)

SCHEME = load_scheme()
AS_OF = date(2025, 7, 15)
VULNERABILITIES = [i.id for i in SCHEME.indicators if i.group == "vulnerability"]
MODERATE = [i.id for i in SCHEME.indicators if i.group == "moderate"]
SIGNIFICANT = [i.id for i in SCHEME.indicators if i.group == "significant"]


def seen(indicator_id: str, day: date = AS_OF) -> Observation:
    return Observation(indicator_id, day)


def scored(*observations: Observation, as_of: date = AS_OF) -> ScreeningResult:
    return score(SCHEME, list(observations), as_of)


def observations_worth(total: int) -> list[Observation]:
    """Recent observations adding up to exactly ``total`` points."""
    fives, ones = divmod(total, 5)
    singles = VULNERABILITIES + MODERATE
    assert fives <= len(SIGNIFICANT) and ones <= len(singles)
    return [seen(i) for i in SIGNIFICANT[:fives]] + [seen(i) for i in singles[:ones]]


# --- the public surface ---------------------------------------------------------------------


def test_public_names_are_pinned() -> None:
    assert sorted(tocsin.domain.screening.__all__) == [
        "Band",
        "ChildBand",
        "ChildScreening",
        "Contribution",
        "FutureObservationError",
        "Indicator",
        "IndicatorGroup",
        "Observation",
        "ObservationError",
        "Override",
        "OverrideError",
        "PointsWindow",
        "ScreeningResult",
        "ScreeningScheme",
        "ScreeningSchemeError",
        "StaleNotice",
        "UnknownIndicatorError",
        "bands",
        "child_band_rule",
        "combined_band",
        "default_scheme",
        "indicator_ids",
        "interval_before",
        "load_scheme",
        "months_before",
        "override",
        "parse_scheme",
        "recorded_result",
        "scheme",
        "score",
        "screen",
        "stale_notice",
        "when_seen",
    ]
    for name in tocsin.domain.screening.__all__:
        value = getattr(tocsin.domain.screening, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert (value.__doc__ or "").strip(), name


# --- the default scheme ---------------------------------------------------------------------


def test_the_default_scheme_is_versioned_and_cited() -> None:
    assert SCHEME.scheme == "seraf-style" and SCHEME.version >= 1
    assert "SERAF" in SCHEME.source and "DOMAIN.md section 3" in SCHEME.source
    assert all(url.startswith("https://") for url in SCHEME.source_urls)
    assert SCHEME.reassess_within_months == 3


def test_every_indicator_has_a_group_and_a_label() -> None:
    group_ids = {g.id for g in SCHEME.groups}
    assert len({i.id for i in SCHEME.indicators}) == len(SCHEME.indicators)
    for indicator in SCHEME.indicators:
        assert indicator.group in group_ids, indicator.id
        assert indicator.label.strip(), indicator.id
        assert set(indicator.cin) <= set(SCHEME.cin_factors), indicator.id
        if not indicator.cin:
            assert not indicator.cin_verified, indicator.id


def test_the_groups_score_as_domain_md_says() -> None:
    points = {g.id: [(w.within_months, w.points) for w in g.points] for g in SCHEME.groups}
    assert points == {
        "vulnerability": [(None, 1)],
        "moderate": [(6, 1)],
        "significant": [(6, 5), (12, 1)],
    }
    assert len(VULNERABILITIES) == 8 and len(MODERATE) == 9


def test_the_bands_are_domain_md_s() -> None:
    assert [(b.id, b.min, b.max) for b in SCHEME.bands] == [
        ("not-at-risk", 0, 5),
        ("mild", 6, 10),
        ("moderate", 11, 15),
        ("significant", 16, None),
    ]


def test_the_critical_indicators_are_significant() -> None:
    critical = {i.id for i in SCHEME.indicators if i.critical}
    assert critical == {
        "trafficking",
        "links_to_known_perpetrators",
        "links_to_hotels_or_taxis",
        "unexplained_injuries",
    }
    assert critical <= set(SIGNIFICANT)


def test_cin_codes_of_the_domain_table_are_used() -> None:
    used = {code for i in SCHEME.indicators for code in i.cin}
    assert {"10A", "11A", "12A", "13A", "24A", "15A", "1A", "2A"} <= used
    assert SCHEME.indicator("missing_from_home_or_care").cin == ("10A",)
    assert SCHEME.indicator("missing_from_home_or_care").cin_verified
    assert not SCHEME.indicator("links_to_hotels_or_taxis").cin_verified


def test_the_simulators_indicators_can_all_be_scored() -> None:
    # The simulator records these ids with its concerns; the default scheme must know them.
    from tocsin.simulate._narratives import INDICATORS

    ids = {i.id for i in SCHEME.indicators}
    for category, indicators in INDICATORS.items():
        assert set(indicators) <= ids, (category, set(indicators) - ids)


def test_the_scheme_is_written_in_appropriate_language() -> None:
    texts = [SCHEME.title, SCHEME.notes]
    texts += [g.label + ". " + g.description for g in SCHEME.groups]
    texts += [i.label for i in SCHEME.indicators] + [b.label for b in SCHEME.bands]
    assert [w.matched for text in texts for w in check_text(text)] == []


# --- scoring --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "not-at-risk"),
        (5, "not-at-risk"),
        (6, "mild"),
        (10, "mild"),
        (11, "moderate"),
        (15, "moderate"),
        (16, "significant"),
        (40, "significant"),
    ],
)
def test_band_edges(total: int, band: str) -> None:
    result = scored(*observations_worth(total))
    assert result.score == total
    assert result.band.id == band == result.scored_band.id


@pytest.mark.parametrize(
    ("indicator", "day", "points"),
    [
        ("staying_out_late", AS_OF, 1),
        ("staying_out_late", date(2025, 1, 15), 1),  # exactly 6 months before: inside
        ("staying_out_late", date(2025, 1, 14), 0),
        ("trafficking", date(2025, 1, 15), 5),
        ("trafficking", date(2025, 1, 14), 1),
        ("trafficking", date(2024, 7, 15), 1),  # exactly 12 months before: inside
        ("trafficking", date(2024, 7, 14), 0),
        ("isolation", date(2015, 1, 1), 1),  # vulnerabilities have no window
    ],
)
def test_the_windows_at_their_edges(indicator: str, day: date, points: int) -> None:
    result = scored(seen(indicator, day))
    [contribution] = result.contributions
    assert contribution.points == points == result.score
    assert contribution.seen_on == day
    assert contribution.explanation.startswith("Seen ")
    assert contribution.explanation.endswith(
        f"{points} point{'' if points == 1 else 's'}" if points else "scored 0"
    )
    assert contribution.aged_out is (points == 0)


@pytest.mark.parametrize(
    ("as_of", "inside", "outside"),
    [
        (date(2025, 8, 31), date(2025, 2, 28), date(2025, 2, 27)),  # to a shorter month
        (date(2024, 8, 31), date(2024, 2, 29), date(2024, 2, 28)),  # to a leap day
        (date(2025, 3, 1), date(2024, 9, 1), date(2024, 8, 31)),  # across a year end
    ],
)
def test_month_windows_clamp_to_the_end_of_shorter_months(
    as_of: date, inside: date, outside: date
) -> None:
    assert months_before(as_of, 6) == inside
    assert scored(seen("trafficking", inside), as_of=as_of).score == 5
    assert scored(seen("trafficking", outside), as_of=as_of).score == 1


def test_an_indicator_counts_once_by_its_latest_sighting() -> None:
    result = scored(
        seen("trafficking", date(2024, 1, 1)),
        seen("trafficking", date(2025, 6, 1)),
        seen("trafficking", date(2025, 1, 1)),
    )
    assert result.score == 5
    assert [(c.indicator_id, c.seen_on) for c in result.contributions] == [
        ("trafficking", date(2025, 6, 1))
    ]


def test_old_sightings_are_listed_with_no_points_and_the_reason() -> None:
    result = scored(seen("weapon_found", date(2023, 1, 1)), seen("self_harm", AS_OF))
    assert result.score == 1
    old = next(c for c in result.contributions if c.indicator_id == "weapon_found")
    assert old.points == 0 and old.within_months is None and old.aged_out
    assert old.explanation == (
        "Seen over 2 years and 6 months before the screening, outside the 12-month window: scored 0"
    )
    assert result.stale == (old,)


def test_indicators_seen_too_long_ago_say_why_they_scored_nothing() -> None:
    """Issue 12: five significant indicators dated 13 months earlier scored "Not at risk",
    with no word of why. Each now says so, and the result carries one notice for them all."""
    thirteen_months_earlier = months_before(AS_OF, 13)
    result = scored(*(seen(i, thirteen_months_earlier) for i in SIGNIFICANT[:5]))
    assert (result.score, result.band.id) == (0, "not-at-risk")
    assert len(result.stale) == 5
    for contribution in result.contributions:
        assert contribution.explanation == (
            "Seen 13 months before the screening, outside the 12-month window: scored 0"
        )
    notice = result.stale_notice()
    assert notice is not None
    assert notice.summary == (
        "5 indicators were seen too long ago to count towards the band, so they scored 0"
    )
    assert notice.advice == (
        "If any are still happening, screen again with the date they were last seen."
    )
    assert notice.indicators == result.stale
    assert notice.message.startswith(notice.summary + ": " + result.stale[0].label)
    before = result.stale_notice(before_recording=True)
    assert before is not None and "change their dates" in before.advice
    assert result.as_payload()["contributions"][0]["aged_out"] is True


def test_one_old_indicator_among_recent_ones_is_named_in_the_singular() -> None:
    result = scored(seen("trafficking", months_before(AS_OF, 14)), seen("self_harm"))
    notice = result.stale_notice()
    assert notice is not None
    assert notice.summary.startswith("1 indicator was seen too long ago")
    assert notice.advice == "If it is still happening, screen again with the date it was last seen."
    assert [c.indicator_id for c in notice.indicators] == ["trafficking"]


def test_recent_and_any_age_indicators_need_no_notice() -> None:
    result = scored(seen("isolation", date(2010, 1, 1)), seen("trafficking"))
    assert result.stale == () and result.stale_notice() is None
    isolation = next(c for c in result.contributions if c.indicator_id == "isolation")
    assert isolation.explanation.endswith("which counts at any age: 1 point")
    trafficking = next(c for c in result.contributions if c.indicator_id == "trafficking")
    assert trafficking.explanation == (
        "Seen on the day of the screening, within the 6-month window: 5 points"
    )


@pytest.mark.parametrize(
    ("earlier", "later", "words"),
    [
        (date(2026, 2, 10), date(2026, 2, 10), ""),
        (date(2026, 2, 9), date(2026, 2, 10), "1 day"),
        (date(2026, 1, 20), date(2026, 2, 10), "3 weeks"),
        (date(2026, 1, 18), date(2026, 2, 10), "3 weeks and 2 days"),
        (date(2026, 1, 10), date(2026, 2, 10), "1 month"),
        (date(2025, 1, 10), date(2026, 2, 10), "13 months"),
        (date(2025, 1, 5), date(2026, 2, 10), "13 months and 5 days"),
        (date(2025, 2, 28), date(2025, 8, 31), "6 months"),  # from the end of a shorter month
        (date(2024, 2, 10), date(2026, 2, 10), "2 years"),
        (date(2023, 1, 1), date(2026, 2, 10), "over 3 years and 1 month"),
    ],
)
def test_intervals_are_in_words(earlier: date, later: date, words: str) -> None:
    assert interval_before(earlier, later) == words


def test_a_recorded_screening_is_scored_again_only_under_its_own_scheme() -> None:
    observations = [seen("trafficking", months_before(AS_OF, 13))]
    again = recorded_result(SCHEME.scheme, str(SCHEME.version), observations, AS_OF)
    assert again is not None and again == scored(*observations)
    assert recorded_result(SCHEME.scheme, "0", observations, AS_OF) is None
    assert recorded_result("another-scheme", SCHEME.version, observations, AS_OF) is None
    assert recorded_result(SCHEME.scheme, SCHEME.version, [seen("no_such")], AS_OF) is None


def test_the_band_always_comes_with_its_indicators() -> None:
    result = scored(seen("trafficking"), seen("links_to_gangs"), seen("isolation"))
    assert result.score == 11 and result.band.id == "moderate"
    assert [(c.indicator_id, c.group, c.points) for c in result.contributions] == [
        ("isolation", "vulnerability", 1),
        ("trafficking", "significant", 5),
        ("links_to_gangs", "significant", 5),
    ]
    assert next(c for c in result.contributions if c.indicator_id == "trafficking").critical
    payload = json.loads(json.dumps(result.as_payload()))
    assert payload["band"] == "moderate" and payload["score"] == 11
    assert [c["indicator_id"] for c in payload["contributions"]] == [
        "isolation",
        "trafficking",
        "links_to_gangs",
    ]
    assert payload["override"] is None
    assert result.reassess_by == date(2025, 10, 15)


def test_no_observations_scores_zero() -> None:
    result = scored()
    assert result.score == 0 and result.band.id == "not-at-risk" and result.contributions == ()


def test_unknown_indicators_are_refused_all_at_once() -> None:
    with pytest.raises(UnknownIndicatorError, match="'no_such_thing', 'staying_late'"):
        scored(seen("staying_late"), seen("no_such_thing"), seen("self_harm"))


def test_observations_after_the_screening_date_are_refused() -> None:
    with pytest.raises(FutureObservationError, match=r"'self_harm' dated after .* 2025-07-15"):
        scored(seen("self_harm", AS_OF + timedelta(days=1)))


def test_times_are_refused_where_days_are_meant() -> None:
    with pytest.raises(ObservationError, match="a day"):
        score(SCHEME, [], datetime(2025, 7, 15, 12, 0))
    with pytest.raises(ObservationError, match="the day it was seen"):
        scored(Observation("self_harm", datetime(2025, 7, 1, 9, 0)))


# --- overrides ------------------------------------------------------------------------------


def test_an_override_keeps_the_score_and_indicators_and_records_the_reason() -> None:
    result = scored(seen("self_harm"), seen("isolation"))
    raised = override(result, "significant", "  Disclosed rape at school today.  ", "A. Worker")
    assert raised.band.id == "significant"
    assert raised.scored_band.id == "not-at-risk"
    assert (raised.score, raised.contributions) == (result.score, result.contributions)
    assert raised.override is not None
    assert raised.override.reason == "Disclosed rape at school today."
    assert raised.override.by == "A. Worker"
    assert raised.override.from_band.id == "not-at-risk"
    assert not raised.override.is_downgrade
    assert raised.as_payload()["override"] == {
        "band": "significant",
        "from_band": "not-at-risk",
        "reason": "Disclosed rape at school today.",
        "by": "A. Worker",
    }


def test_a_downgrade_is_marked_as_one() -> None:
    result = scored(*observations_worth(16))
    lowered = override(result, "moderate", "Adult of concern is in custody.", "T. Manager")
    assert lowered.override is not None and lowered.override.is_downgrade
    again = override(lowered, "mild", "Child moved to a safe placement.", "H. Service")
    assert again.override is not None
    assert again.override.from_band.id == "moderate"
    assert again.scored_band.id == "significant"


@pytest.mark.parametrize(
    ("band", "reason", "by", "message"),
    [
        ("mild", "", "A. Worker", "give the reason"),
        ("mild", "   ", "A. Worker", "give the reason"),
        ("mild", "...", "A. Worker", "give the reason"),
        ("mild", "New disclosure.", "", "say who"),
        ("mild", "New disclosure.", "  ", "say who"),
        ("high", "New disclosure.", "A. Worker", "no band 'high'; choose one of not-at-risk"),
        ("not-at-risk", "New disclosure.", "A. Worker", "already 'Not at risk'"),
    ],
)
def test_override_rules(band: str, reason: str, by: str, message: str) -> None:
    with pytest.raises(OverrideError, match=message):
        override(scored(), band, reason, by)


# --- properties -----------------------------------------------------------------------------

observation_lists = st.lists(
    st.builds(
        Observation,
        st.sampled_from([i.id for i in SCHEME.indicators]),
        st.dates(min_value=AS_OF - timedelta(days=800), max_value=AS_OF),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(observation_lists)
def test_the_score_is_the_sum_of_the_contributions(observations: list[Observation]) -> None:
    result = scored(*observations)
    assert result.score == sum(c.points for c in result.contributions)
    assert result.band.contains(result.score)
    assert {c.indicator_id for c in result.contributions} == {o.indicator_id for o in observations}


@settings(max_examples=200, deadline=None)
@given(observation_lists, observation_lists)
def test_more_observations_never_lower_the_score(
    observations: list[Observation], more: list[Observation]
) -> None:
    before = scored(*observations)
    after = scored(*observations, *more)
    assert after.score >= before.score
    assert after.scored_band.min >= before.scored_band.min
    assert scored(*reversed(observations)).score == before.score


# --- loading other schemes ------------------------------------------------------------------

GOOD = """
scheme = "local"
version = 2
title = "Local screening"
source = "Partnership screening group, 2025"
source_urls = ["https://example.invalid/screening"]
reassess_within_months = 3
notes = "A test scheme."

[[band]]
id = "low"
label = "Low"
min = 0
max = 4

[[band]]
id = "high"
label = "High"
min = 5

[[group]]
id = "signs"
label = "Signs"
description = "Signs of exploitation."
points = [{ within_months = 6, points = 5 }, { within_months = 12, points = 1 }]

[cin_factors]
"10A" = "Missing"

[[indicator]]
id = "missing"
group = "signs"
label = "Missing from home"
cin = ["10A"]
cin_verified = true

[[indicator]]
id = "injuries"
group = "signs"
label = "Unexplained injuries"
"""


def test_a_partnership_can_load_its_own_scheme(tmp_path: Path) -> None:
    path = tmp_path / "local.toml"
    path.write_text(GOOD, encoding="utf-8")
    scheme = load_scheme(path)
    assert (scheme.scheme, scheme.version, scheme.origin) == ("local", 2, str(path))
    result = score(scheme, [Observation("missing", AS_OF)], AS_OF)
    assert (result.score, result.band.id, result.scheme_version) == (5, "high", 2)
    assert scheme.band("low").max == 4
    with pytest.raises(LookupError, match="no band 'mild'"):
        scheme.band("mild")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "injuries"', 'id = "missing"', "indicator id 'missing' is used twice"),
        ('id = "high"', 'id = "low"', "band id 'low' is used twice"),
        ("min = 5", "min = 4", "bands 'low' and 'high' overlap"),
        ("min = 5", "min = 7", "no band covers scores 5 to 6"),
        ("min = 0", "min = 1", "the lowest band must start at 0"),
        ("min = 5", "min = 5\nmax = 9", "no band covers scores above 9"),
        ("max = 4", "", "bands 'low' and 'high' overlap"),
        (
            'group = "signs"\nlabel = "Unexplained',
            'group = "sign"\nlabel = "Unexplained',
            "group 'sign' is not one of",
        ),
        ('cin = ["10A"]', 'cin = ["11A"]', "CIN factor 11A is not listed"),
        ("cin_verified = true\n", "", "say whether the CIN mapping is verified"),
        ('"10A" = "Missing"', '"Z1" = "Missing"', "'Z1' is not a CIN factor code"),
        ("points = 1 }", "points = 6 }", "an older sighting may not score more"),
        ("within_months = 12", "within_months = 3", "from the most recent to the oldest"),
        ("{ within_months = 6, points = 5 }", "{ points = 5 }", "must come last"),
        ("points = [", "points = [] #", "at least one window"),
        ("version = 2", "version = 0", "'version' must be a whole number of 1"),
        ('notes = "A test scheme."', "", "'notes' must be non-empty"),
        ('label = "Missing from home"', 'label = ""', "'label' must be non-empty"),
        ('id = "injuries"', 'id = "Injuries!"', "lower-case words joined by '_'"),
        ('label = "Low"', 'label = "Low"\ncolour = "green"', "unknown key 'colour'"),
        ("[[indicator]]", "[[indicator]]\ncritical = 1", "'critical' must be true or false"),
        ("reassess_within_months = 3", "reassess_within_months = 3\n[[", "not valid TOML"),
    ],
)
def test_malformed_schemes_are_refused_with_a_reason(old: str, new: str, message: str) -> None:
    assert old in GOOD
    with pytest.raises(ScreeningSchemeError, match=message):
        parse_scheme(GOOD.replace(old, new, 1), origin="local.toml")


def test_an_unreadable_scheme_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScreeningSchemeError, match="cannot read screening scheme"):
        load_scheme(tmp_path / "missing.toml")


# --- the scheme in force (the policy) ---------------------------------------------------------


def test_the_scheme_in_force_is_the_default_scheme_loaded_once() -> None:
    from tocsin.domain import screening

    assert screening.scheme() is screening.scheme()
    assert screening.scheme() == screening.default_scheme()
    assert screening.indicator_ids() == {i.id for i in screening.default_scheme().indicators}
    assert screening.bands() == [b.id for b in screening.default_scheme().bands]
    assert screening.bands()[0] == "not-at-risk"


def test_screening_under_the_scheme_in_force_is_scoring_under_it() -> None:
    from tocsin.domain import screening

    observations = observations_worth(11)
    assert screening.screen(observations, AS_OF) == screening.score(
        screening.scheme(), observations, as_of=AS_OF
    )
