"""Training with clerical labels: the unsupervised model (EM), then its m probabilities moved
towards what the pairs people confirmed show, and every label scored by the result.

EM learns from the records alone; a reviewer's "same person" says directly how often each
comparison level occurs between records of one person. Splink estimates m from such pairs
(``estimate_m_from_pairwise_labels``). A handful of labels would make those estimates noisy (a
level never seen among them would get m = 0 and forbid every match at it), so each level's m
is the labels' estimate and EM's, weighted by the number of labels against
:data:`PRIOR_LABELS`: EM's estimate counts as that many labels. Rejections say nothing about m
(Splink's estimate takes matches only); they, and the confirmations, are scored by the new
model, and the diagnostics say how many it now agrees with.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
from splink import Linker

from tocsin.intel.linkage._backends import DuckDBBackend
from tocsin.intel.linkage._index import _ARROW_SCHEMA
from tocsin.intel.linkage._link import (
    DEFAULT_THRESHOLD,
    REVIEW_THRESHOLD,
    LinkageResult,
    Progress,
    link_records,
)
from tocsin.intel.linkage._model import model_in_dialect, prepare_records
from tocsin.intel.linkage._schema import LinkageInputError, PersonRecord

__all__ = ["PRIOR_LABELS", "Label", "blend_m", "train_with_labels"]

#: How many labelled pairs EM's estimate of m counts as, when the two are combined.
PRIOR_LABELS = 100

#: (known record, other record, same person?) as a reviewer decided.
Label = tuple[str, str, bool]


def train_with_labels(
    records: Sequence[PersonRecord],
    labels: Sequence[Label],
    *,
    base: dict[str, Any] | None = None,
    seed: int = 1,
    progress: Progress | None = None,
) -> LinkageResult:
    """Train on ``records`` without labels, then move each comparison level's m towards the
    confirmed ``labels`` (weighted as the module says), and score every label. Labels naming
    a record not in ``records`` are refused. Where the records are too few for EM to learn
    from and a ``base`` model (the one in use) is given, its parameters are the start instead."""
    ids = {r.record_id for r in records}
    unknown = sorted({x for left, right, _ in labels for x in (left, right)} - ids)
    if unknown:
        raise LinkageInputError(f"a label names the record {unknown[0]!r}, which is not known")
    try:
        result = link_records(records, threshold=DEFAULT_THRESHOLD, seed=seed, progress=progress)
    except LinkageInputError:
        if base is None or len(records) < 2:
            raise
        result = link_records(
            records, threshold=DEFAULT_THRESHOLD, model=base, seed=seed, progress=progress
        )
        result.diagnostics["em"] = "too few records to learn from: the model in use was the start"
    confirmed = [(left, right) for left, right, same in labels if same]
    settings = result.model["settings"]
    api = DuckDBBackend().database_api()
    prepared = prepare_records(records)
    table = api.register(pa.table(prepared, schema=_ARROW_SCHEMA), table_name="labelled_records")
    linker = Linker(table, model_in_dialect(settings, "duckdb"), log_level=logging.WARNING)
    if confirmed:
        pairs = api.register(
            pa.table(
                {
                    "unique_id_l": [left for left, _ in confirmed],
                    "unique_id_r": [right for _, right in confirmed],
                }
            ),
            table_name="labels",
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            linker.training.estimate_m_from_pairwise_labels(pairs)  # type: ignore[no-untyped-call]
        from_labels = linker.misc.save_model_to_json()
        settings = blend_m(settings, from_labels, len(confirmed))
        linker = Linker(table, model_in_dialect(settings, "duckdb"), log_level=logging.WARNING)
    scored = _score(linker, prepared, labels)
    result.model = {**result.model, "settings": settings}
    result.diagnostics = {
        **result.diagnostics,
        "labels": {
            "confirmed": len(confirmed),
            "rejected": len(labels) - len(confirmed),
            "prior_labels": PRIOR_LABELS,
            "confirmed_scored_for_review_or_link": sum(
                1
                for (_, _, same), p in zip(labels, scored, strict=True)
                if same and p >= REVIEW_THRESHOLD
            ),
            "rejected_scored_below_link": sum(
                1
                for (_, _, same), p in zip(labels, scored, strict=True)
                if not same and p < DEFAULT_THRESHOLD
            ),
        },
    }
    return result


def blend_m(em: dict[str, Any], labelled: dict[str, Any], labels: int) -> dict[str, Any]:
    """``em``'s settings with each comparison level's m the weighted mean of EM's and the
    labels' estimates (EM's counting as :data:`PRIOR_LABELS` labels); levels the labels give no
    estimate for keep EM's."""
    weight = labels / (labels + PRIOR_LABELS)
    by_name = {c["output_column_name"]: c for c in labelled["comparisons"]}
    blended = {**em, "comparisons": []}
    for comparison in em["comparisons"]:
        other = by_name.get(comparison["output_column_name"])
        levels = []
        for position, level in enumerate(comparison["comparison_levels"]):
            level = dict(level)
            theirs = (
                other["comparison_levels"][position].get("m_probability")
                if other is not None and position < len(other["comparison_levels"])
                else None
            )
            ours = level.get("m_probability")
            if ours is not None and theirs is not None:
                level["m_probability"] = (1 - weight) * ours + weight * theirs
            levels.append(level)
        blended["comparisons"].append({**comparison, "comparison_levels": levels})
    return blended


def _score(linker: Linker, prepared: dict[str, list[Any]], labels: Sequence[Label]) -> list[float]:
    if not labels:
        return []
    columns = list(prepared)
    rows = {
        values[columns.index("unique_id")]: dict(zip(columns, values, strict=True))
        for values in zip(*prepared.values(), strict=True)
    }
    scores = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for left, right, _ in labels:
            frame = linker.inference.score_pair(rows[left], rows[right])
            scores.append(float(frame.as_pyarrow_table().to_pylist()[0]["match_probability"]))  # type: ignore[no-untyped-call]
    return scores
