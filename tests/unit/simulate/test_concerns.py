"""Concerns: volume and agency shares as configured, narratives that mention what truth says
they mention, and victim-blaming phrasing only where injected, at the configured rate, and
caught by the language check there and nowhere else."""

from __future__ import annotations

from collections import Counter

from tocsin.simulate import SECTORS, World, victim_blaming_phrases

from .stats import assert_count, assert_rate


def test_volume_of_concerns_matches_the_referral_rate(small_world: World) -> None:
    config = small_world.config
    expected = (
        config.reporting.referrals_per_1000_per_year
        * config.population.residents
        / 1000
        * config.population.years
    )
    assert_count(len(small_world["records/concerns"]), expected, "concerns")


def test_background_concerns_come_from_agencies_in_the_configured_shares(
    dense_world: World,
) -> None:
    sectors = {a["agency_id"]: a["sector"] for a in dense_world["records/agencies"].dicts()}
    kinds = {c["concern_id"]: c["kind"] for c in dense_world["truth/concerns"].dicts()}
    background = [
        sectors[str(c["agency_id"])]
        for c in dense_world["records/concerns"].dicts()
        if kinds[c["concern_id"]] == "background"
    ]
    shares = Counter(background)
    for sector in SECTORS:
        assert_rate(
            shares[sector],
            len(background),
            dense_world.config.reporting.agency_shares[sector],
            f"{sector} share",
        )


def test_re_referrals_occur(dense_world: World) -> None:
    subjects = [
        c["subject_person_id"]
        for c in dense_world["truth/concerns"].dicts()
        if c["kind"] == "background"
    ]
    repeats = len(subjects) - len(set(subjects))
    assert repeats / len(subjects) >= dense_world.config.reporting.re_referral_rate - 0.05


def test_victim_blaming_phrases_appear_only_where_injected(dense_world: World) -> None:
    phrases = [p.avoid.lower() for p in victim_blaming_phrases()]
    truth = {c["concern_id"]: c for c in dense_world["truth/concerns"].dicts()}
    injected = 0
    exploitation = 0
    for concern in dense_world["records/concerns"].dicts():
        narrative = str(concern["narrative"]).lower()
        phrase = truth[concern["concern_id"]]["victim_blaming_phrase"]
        if truth[concern["concern_id"]]["kind"] == "exploitation":
            exploitation += 1
        found = [p for p in phrases if p in narrative]
        if phrase is None:
            assert found == [], concern["narrative"]
        else:
            injected += 1
            assert found == [str(phrase).lower()]
    assert_rate(
        injected,
        exploitation,
        dense_world.config.reporting.victim_blaming_rate,
        "victim-blaming phrasing",
    )


def test_the_language_check_flags_injected_phrasing_and_nothing_else(dense_world: World) -> None:
    # The check must catch injected phrasing, and raise no false alarm on narratives written
    # in appropriate language. A sample (every tenth narrative) keeps the test quick; the
    # narratives come from a few dozen templates, so a thousand of them cover every one.
    from tocsin.domain.language import check_text

    truth = {c["concern_id"]: c for c in dense_world["truth/concerns"].dicts()}
    clean = injected = 0
    for concern in list(dense_world["records/concerns"].dicts())[::10]:
        narrative = str(concern["narrative"])
        found = [(w.phrase_id, w.matched) for w in check_text(narrative)]
        if truth[concern["concern_id"]]["victim_blaming_phrase"] is None:
            clean += 1
            assert found == [], narrative
        else:
            injected += 1
            assert found, narrative
    assert clean >= 500 and injected >= 50


def test_the_phrase_table_holds_the_guides_avoid_column() -> None:
    phrases = victim_blaming_phrases()
    assert len(phrases) >= 12
    assert all(p.avoid and p.use_instead for p in phrases)


def test_narratives_mention_people_vehicles_phones_and_places(dense_world: World) -> None:
    groups = {g["group_id"]: g for g in dense_world["truth/groups"].dicts()}
    places = {p["place_id"]: p for p in dense_world["truth/places"].dicts()}
    truth = {c["concern_id"]: c for c in dense_world["truth/concerns"].dicts()}
    mentioned = Counter()
    for concern in dense_world["records/concerns"].dicts():
        fact = truth[concern["concern_id"]]
        if fact["kind"] != "exploitation":
            assert concern["named_people"] == concern["vehicles"] == []
            continue
        group = groups[fact["group_id"]]
        for person in fact["mentioned_people"] or []:
            assert person in (group["members"] or [])
        for registration in fact["mentioned_vehicles"] or []:
            assert registration in (group["vehicles"] or [])
            prefix = str(registration).split(" ")[0]
            assert any(prefix in v for v in concern["vehicles"] or [])
        for place in fact["mentioned_places"] or []:
            assert places[place]["group_id"] == group["group_id"]
        for phone in concern["phones"] or []:
            assert phone in (group["phones"] or [])
        for field in ("named_people", "vehicles", "phones", "places"):
            mentioned[field] += bool(concern[field])
        mentioned["all"] += 1
    for field in ("named_people", "vehicles", "phones", "places"):
        assert mentioned[field] > 0.2 * mentioned["all"], field


def test_concerns_are_raised_by_the_agencys_own_staff_in_time_order(small_world: World) -> None:
    staff = {s["staff_id"]: s["agency_id"] for s in small_world["records/staff"].dicts()}
    identity = {r["record_id"]: r for r in small_world["truth/record_identity"].dicts()}
    times = small_world["records/concerns"].column("raised_at")
    assert times == sorted(times)
    for concern in small_world["records/concerns"].dicts():
        assert staff[concern["raised_by"]] == concern["agency_id"]
        assert identity[concern["subject_record_id"]]["agency_id"] == concern["agency_id"]
