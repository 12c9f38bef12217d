"""Accuracy against a known truth: pairwise and cluster precision, recall and F1."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from tocsin.intel.linkage._link import ClusterAssignment
from tocsin.intel.linkage._schema import PersonRecord, validate_person_rows

__all__ = ["Accuracy", "accuracy", "records_from_simulation"]


@dataclass(frozen=True, slots=True)
class Accuracy:
    """Precision, recall and F1 over pairs of records (two records put together), and over
    clusters (a predicted cluster counts as right only when it is exactly a true person's
    records)."""

    pair_precision: float
    pair_recall: float
    pair_f1: float
    cluster_precision: float
    cluster_recall: float
    cluster_f1: float
    records: int
    true_pairs: int
    predicted_pairs: int

    def as_json(self) -> dict[str, Any]:
        """The figures, rounded to four places."""
        return {
            k: round(v, 4) if isinstance(v, float) else v
            for k, v in (
                (name, getattr(self, name))
                for name in (
                    "pair_precision",
                    "pair_recall",
                    "pair_f1",
                    "cluster_precision",
                    "cluster_recall",
                    "cluster_f1",
                    "records",
                    "true_pairs",
                    "predicted_pairs",
                )
            )
        }


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _pairs(groups: Iterable[list[str]]) -> set[tuple[str, str]]:
    return {pair for members in groups for pair in combinations(sorted(members), 2)}


def accuracy(
    assignments: Iterable[ClusterAssignment],
    truth: Mapping[str, str],
    *,
    only: set[str] | None = None,
) -> Accuracy:
    """Score ``assignments`` against ``truth`` (record id to true person id). With ``only``
    (a set of true person ids), only those people's records are scored: a pair counts when
    both records belong to them, a predicted pair when either does."""
    predicted: dict[str, list[str]] = defaultdict(list)
    actual: dict[str, list[str]] = defaultdict(list)
    considered = 0
    for a in assignments:
        person = truth[a.record_id]
        predicted[a.cluster_id].append(a.record_id)
        if only is None or person in only:
            actual[person].append(a.record_id)
            considered += 1
    in_scope = {r for members in actual.values() for r in members}
    predicted_groups = [
        [r for r in members if r in in_scope] if only is not None else members
        for members in predicted.values()
        if any(r in in_scope for r in members)
    ]
    # A predicted pair joining a person in scope to someone outside it is a false match too.
    outside_pairs = 0
    if only is not None:
        for members in predicted.values():
            inside = sum(r in in_scope for r in members)
            outside_pairs += inside * (len(members) - inside)
    true_pairs = _pairs(actual.values())
    predicted_pairs = _pairs(predicted_groups)
    hits = len(true_pairs & predicted_pairs)
    n_predicted = len(predicted_pairs) + outside_pairs
    pair_precision = hits / n_predicted if n_predicted else 1.0
    pair_recall = hits / len(true_pairs) if true_pairs else 1.0
    true_clusters = {frozenset(m) for m in actual.values()}
    whole_predicted = [
        frozenset(members) for members in predicted.values() if any(r in in_scope for r in members)
    ]
    exact = sum(c in true_clusters for c in whole_predicted)
    cluster_precision = exact / len(whole_predicted) if whole_predicted else 1.0
    cluster_recall = exact / len(true_clusters) if true_clusters else 1.0
    return Accuracy(
        pair_precision=pair_precision,
        pair_recall=pair_recall,
        pair_f1=_f1(pair_precision, pair_recall),
        cluster_precision=cluster_precision,
        cluster_recall=cluster_recall,
        cluster_f1=_f1(cluster_precision, cluster_recall),
        records=considered,
        true_pairs=len(true_pairs),
        predicted_pairs=n_predicted,
    )


def records_from_simulation(
    persons: Iterable[Mapping[str, Any]], agencies: Iterable[Mapping[str, Any]] = ()
) -> list[PersonRecord]:
    """Person records from the simulator's ``records/persons`` rows (the source is the
    agency's sector where ``agencies`` rows are given, else its id). The simulator's alias is
    a street name, so it goes to ``aliases``; its NHS number (where the agency holds one) is
    the identifier."""
    sector = {a["agency_id"]: a.get("sector", a["agency_id"]) for a in agencies}
    rows = []
    for p in persons:
        rows.append(
            {
                "record_id": p["record_id"],
                "source": f"{sector.get(p['agency_id'], 'agency')}:{p['agency_id']}",
                "first_name": p.get("given_name"),
                "surname": p.get("family_name"),
                "aliases": p.get("alias"),
                "date_of_birth": p.get("date_of_birth"),
                "sex": p.get("sex"),
                "address": p.get("address"),
                "postcode": p.get("postcode"),
                "phone": p.get("phone"),
                "identifier": p.get("nhs_number"),
                "recorded_on": p.get("recorded_on"),
            }
        )
    return validate_person_rows(rows)
