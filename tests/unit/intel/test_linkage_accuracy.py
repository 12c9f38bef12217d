"""The linkage engine against the simulator's truth on a small generated partnership: the
issue's target is a pairwise F1 of at least 0.98 for children, erring towards recall."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tocsin.intel.linkage import Accuracy, ClusterAssignment, accuracy, link_records
from tocsin.intel.linkage import records_from_simulation as from_simulation
from tocsin.simulate import simulate


@pytest.fixture(scope="module")
def linked() -> dict[str, Any]:
    world = simulate(seed=7, scale="small")
    records = from_simulation(world["records/persons"].dicts(), world["records/agencies"].dicts())
    truth = {r["record_id"]: r["person_id"] for r in world["truth/record_identity"].dicts()}
    people = list(world["truth/people"].dicts())
    result = link_records(records)
    return {
        "result": result,
        "truth": truth,
        "children": {p["person_id"] for p in people if p["role"] == "child"},
        "adults": {p["person_id"] for p in people if p["role"] != "child"},
    }


def test_children_are_linked_with_f1_of_at_least_098(linked: dict[str, Any]) -> None:
    score = accuracy(linked["result"].assignments, linked["truth"], only=linked["children"])
    assert score.pair_f1 >= 0.98, score.as_json()
    assert score.pair_recall >= score.pair_precision - 0.01, "should err towards recall"
    assert score.cluster_f1 >= 0.95, score.as_json()


def test_adults_are_linked_well(linked: dict[str, Any]) -> None:
    score = accuracy(linked["result"].assignments, linked["truth"], only=linked["adults"])
    assert score.pair_recall >= 0.97, score.as_json()
    assert score.cluster_f1 >= 0.97, score.as_json()


def test_the_model_is_trained_and_diagnosed(linked: dict[str, Any]) -> None:
    result = linked["result"]
    assert result.model["format"] == "tocsin-linkage-model/1"
    assert result.diagnostics["trained"] is True
    assert result.diagnostics["em_failed"] == []
    assert 0 < result.diagnostics["probability_two_random_records_match"] < 0.01
    probability = result.diagnostics["probability_two_random_records_match"]
    prior = math.log2(probability / (1 - probability))
    comparisons = [c["output_column_name"] for c in result.model["settings"]["comparisons"]]
    assert comparisons[:4] == ["first_name", "surname", "date_of_birth", "place"]
    assert result.pairs
    for pair in result.pairs:
        assert {"first_name", "surname", "date_of_birth", "place"} <= set(pair.weights)
        # The field weights and the prior add up to the pair's match weight.
        assert sum(pair.weights.values()) == pytest.approx(pair.match_weight - prior, abs=1e-6)


def _assign(clusters: list[list[str]]) -> list[ClusterAssignment]:
    return [ClusterAssignment(r, min(c), None) for c in clusters for r in c]


def test_the_scores_can_fail() -> None:
    truth = {"a": "P1", "b": "P1", "c": "P2", "d": "P3"}
    perfect = accuracy(_assign([["a", "b"], ["c"], ["d"]]), truth)
    assert (perfect.pair_f1, perfect.cluster_f1) == (1.0, 1.0)
    lumped = accuracy(_assign([["a", "b", "c", "d"]]), truth)
    assert lumped.pair_precision == pytest.approx(1 / 6)
    assert lumped.pair_recall == 1.0
    assert lumped.cluster_f1 == 0.0
    split = accuracy(_assign([["a"], ["b"], ["c"], ["d"]]), truth)
    assert split.pair_recall == 0.0
    assert split.cluster_recall == pytest.approx(2 / 3)
    only_p1 = accuracy(_assign([["a", "b", "c"], ["d"]]), truth, only={"P1"})
    assert only_p1.pair_precision == pytest.approx(1 / 3)
    assert isinstance(only_p1, Accuracy)


def test_the_simulators_nhs_number_is_the_identifier() -> None:
    world = simulate(seed=7, scale="small")
    rows = list(world["records/persons"].dicts())
    records = from_simulation(rows, world["records/agencies"].dicts())
    assert [r.identifier for r in records] == [row["nhs_number"] for row in rows]
    assert 0 < sum(r.identifier is not None for r in records) < len(records)


def test_pairs_for_review_lie_between_the_two_thresholds(linked: dict[str, Any]) -> None:
    result = linked["result"]
    review = result.for_review()
    assert review, "a small world has some uncertain pairs"
    assert all(0.5 <= p.match_probability < result.threshold for p in review)
    # Every kept pair below the link threshold is for review, and none above it.
    below = [p for p in result.pairs if p.match_probability < result.threshold]
    assert review == below
    clustered = {a.record_id: a.cluster_id for a in result.assignments}
    linked_pairs = [p for p in result.pairs if p.match_probability >= result.threshold]
    assert all(clustered[p.left] == clustered[p.right] for p in linked_pairs)
