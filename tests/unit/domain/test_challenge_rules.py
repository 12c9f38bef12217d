"""Professional challenge's rules: where a challenge goes (outside the decider's line
management and the challenger's), who may answer it, and what grounds and answers must say."""

from __future__ import annotations

import itertools

import pytest

from tocsin.domain.casework import (
    CHALLENGE_HANDLER_ROLE,
    ChallengeRoute,
    answer_problems,
    answer_refusal,
    challenge_problems,
    challenge_refusal,
    in_line_of,
    roles_for,
    route_challenge,
)

WORKERS = roles_for("challenge")
AGENCIES = ("council", "police", None)


@pytest.mark.parametrize(
    ("decider_role", "decider_agency", "challenger_role", "challenger_agency"),
    list(itertools.product((*WORKERS, None), AGENCIES, WORKERS, AGENCIES)),
)
def test_a_challenge_always_goes_outside_both_lines(
    decider_role: str | None,
    decider_agency: str | None,
    challenger_role: str,
    challenger_agency: str | None,
) -> None:
    route = route_challenge(
        decider_role=decider_role,
        decider_agency_id=decider_agency,
        challenger_role=challenger_role,
        challenger_agency_id=challenger_agency,
    )
    assert not in_line_of(
        route.role, route.agency_id, of_role=decider_role, of_agency_id=decider_agency
    )
    assert not in_line_of(
        route.role, route.agency_id, of_role=challenger_role, of_agency_id=challenger_agency
    )
    # In Tocsin's roles, the first level above a decider outside every line is the scrutineer.
    assert route == ChallengeRoute(CHALLENGE_HANDLER_ROLE, None)


@pytest.mark.parametrize(
    ("role", "agency", "of_role", "of_agency", "expected"),
    [
        ("team_manager", "council", "practitioner", "council", True),
        ("head_of_service", "council", "practitioner", "council", True),
        ("head_of_service", "council", "team_manager", "council", True),
        ("team_manager", "police", "practitioner", "council", False),  # another agency
        ("mash_manager", "council", "mash_officer", "council", True),
        ("head_of_service", "council", "mash_manager", "council", True),
        ("mash_manager", "council", "practitioner", "council", False),  # not their manager
        ("team_manager", "council", "head_of_service", "council", False),  # below, not above
        ("practitioner", "council", "practitioner", "council", False),  # a colleague
        ("partnership_scrutineer", "council", "practitioner", "council", False),
        ("head_of_service", "council", None, None, False),  # a system decided: no line
    ],
)
def test_line_management(
    role: str, agency: str | None, of_role: str | None, of_agency: str | None, expected: bool
) -> None:
    assert in_line_of(role, agency, of_role=of_role, of_agency_id=of_agency) is expected


def _refusal(**overrides: object) -> str | None:
    answer: dict[str, object] = {
        "answerer": "user:s",
        "answerer_role": "partnership_scrutineer",
        "answerer_agency_id": "partnership",
        "routed_to_role": "partnership_scrutineer",
        "routed_to_agency_id": None,
        "decider": "user:d",
        "decider_role": "practitioner",
        "decider_agency_id": "council",
        "challenger": "user:c",
    }
    answer.update(overrides)
    return answer_refusal(**answer)  # type: ignore[arg-type]


def test_the_scrutineer_it_was_sent_to_may_answer() -> None:
    assert _refusal() is None


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"answerer": "user:d"}, "You made the decision"),
        ({"answerer": "user:c"}, "You raised this challenge"),
        (
            {"answerer_role": "team_manager", "answerer_agency_id": "council"},
            "You manage the person",
        ),
        (
            {"answerer_role": "head_of_service", "answerer_agency_id": "council"},
            "You manage the person",
        ),
        ({"answerer_role": "head_of_service", "answerer_agency_id": "police"}, "someone else"),
        ({"answerer_role": "mash_manager", "answerer_agency_id": "council"}, "someone else"),
        (
            {
                "routed_to_role": "head_of_service",
                "routed_to_agency_id": "police",
                "answerer_role": "head_of_service",
                "answerer_agency_id": "council",
            },
            "You manage the person",
        ),
    ],
)
def test_nobody_in_the_deciders_line_nor_the_parties_may_answer(
    overrides: dict[str, object], words: str
) -> None:
    refusal = _refusal(**overrides)
    assert refusal is not None and words in refusal


def test_nobody_challenges_their_own_decision() -> None:
    assert challenge_refusal(challenger="user:a", decider="user:a")
    assert challenge_refusal(challenger="user:a", decider="user:b") is None


@pytest.mark.parametrize("grounds", ["", "   ", "??!", "Wrong."])
def test_grounds_must_have_substance(grounds: str) -> None:
    assert challenge_problems(grounds)


def test_grounds_with_substance_pass() -> None:
    assert challenge_problems("She was seen in the same car again; early help is not enough.") == []


def test_an_answer_needs_an_outcome_and_reasons() -> None:
    assert [f for f, _ in answer_problems("", "")] == ["outcome", "answer"]
    assert [f for f, _ in answer_problems("maybe", "Reasons given in full")] == ["outcome"]
    assert [f for f, _ in answer_problems("upheld", "Yes")] == ["answer"]
    assert answer_problems("not_upheld", "The assessment covered the car sightings.") == []
