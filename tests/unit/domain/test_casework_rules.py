"""The case-work rules in the core: rationales with substance, who signs off whose proposal,
and which changes of band need a second person (through the screening domain's own rules)."""

from __future__ import annotations

import pytest

from tocsin.domain.casework import (
    ACCESS,
    DECISIONS,
    NEEDS_SECOND_PERSON,
    judge_regrade,
    rationale_problems,
    regrade_needs_second_person,
    sign_off_refusal,
)
from tocsin.domain.directory import ROLES
from tocsin.domain.screening import OverrideError, default_scheme


def test_the_decisions_are_the_ten_and_closing() -> None:
    assert set(DECISIONS) == {
        "no_further_action",
        "information_and_advice",
        "early_help",
        "assessment",
        "strategy_discussion",
        "section_47_enquiry",
        "crime_recorded",
        "nrm_referral",
        "mace_referral",
        "referral_to_agency",
        "close",
    }
    assert {"no_further_action", "close"} == NEEDS_SECOND_PERSON


@pytest.mark.parametrize("text", ["", "   ", "x", "...", "!!!", "42", "Fine.", "ok?!"])
def test_a_rationale_without_substance_is_refused(text: str) -> None:
    assert rationale_problems(text)


@pytest.mark.parametrize("text", ["Protective factors identified", "No risk found: seen twice"])
def test_a_rationale_with_reasons_is_accepted(text: str) -> None:
    assert rationale_problems(text) == []


@pytest.mark.parametrize(
    ("from_band", "to_band", "needs"),
    [
        ("significant", "not-at-risk", True),
        ("significant", "moderate", True),
        ("moderate", "mild", True),
        ("mild", "not-at-risk", False),
        ("not-at-risk", "significant", False),
        ("moderate", "significant", False),
    ],
)
def test_lowering_from_moderate_or_above_needs_a_second_person(
    from_band: str, to_band: str, needs: bool
) -> None:
    assert regrade_needs_second_person(default_scheme(), from_band, to_band) is needs


def test_the_override_rules_refuse_a_band_that_does_not_exist_or_a_reason_without_words() -> None:
    with pytest.raises(OverrideError):
        judge_regrade(default_scheme(), "moderate", "extreme", "a good reason", "user:1")
    with pytest.raises(OverrideError):
        judge_regrade(default_scheme(), "moderate", "mild", "???", "user:1")
    with pytest.raises(OverrideError):
        judge_regrade(default_scheme(), "moderate", "moderate", "a good reason", "user:1")


def _refusal(**changes: object) -> str | None:
    args: dict[str, object] = {
        "authority": "agency",
        "proposer": "user:a",
        "proposer_role": "practitioner",
        "proposer_agency": "council",
        "signer": "user:b",
        "signer_role": "team_manager",
        "signer_agency": "council",
    }
    args.update(changes)
    return sign_off_refusal(**args)  # type: ignore[arg-type]


def test_a_team_manager_in_the_same_agency_signs_off_a_practitioners_proposal() -> None:
    assert _refusal() is None
    assert _refusal(signer_role="head_of_service") is None


def test_nobody_signs_off_their_own_proposal() -> None:
    assert "own" in (_refusal(signer="user:a", proposer_role="team_manager") or "")


@pytest.mark.parametrize(
    "changes",
    [
        {"signer_role": "practitioner"},
        {"signer_role": "police_officer"},
        {"signer_role": "analyst"},
        {"signer_role": "partnership_scrutineer"},
        {"signer_agency": "police"},
        {"signer_agency": None},
        {"signer_role": "mash_manager"},
        {"proposer_role": "head_of_service", "signer_role": "team_manager"},
    ],
)
def test_only_someone_with_authority_over_the_proposer_signs_off(changes: dict) -> None:
    assert _refusal(**changes)


def test_front_door_proposals_go_to_a_mash_manager() -> None:
    front = {"authority": "front_door", "proposer_role": "mash_officer"}
    assert _refusal(**front, signer_role="mash_manager", signer_agency="elsewhere") is None
    assert _refusal(**front, signer_role="team_manager")
    assert _refusal(**front, signer_role="head_of_service") is None
    assert _refusal(**front, signer_role="mash_officer")


def test_readers_never_record_decide_or_regrade() -> None:
    for action in ("record_concern", "decide", "regrade", "allocate", "sign_off"):
        roles = ACCESS[action][1]
        assert "analyst" not in roles
        assert "partnership_scrutineer" not in roles
        assert "administrator" not in roles
    assert set(ACCESS["view_concern"][1]) >= {"analyst", "partnership_scrutineer"}
    assert all(role in ROLES for _, roles in ACCESS.values() for role in roles)
