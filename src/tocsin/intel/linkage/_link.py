"""One linkage run: prepare, train without labels, score the blocked pairs, cluster."""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import splink
from splink import Linker, block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules
from splink.internals.exceptions import EMTrainingException

from tocsin.intel.linkage._backends import Backend, make_backend
from tocsin.intel.linkage._model import (
    model_in_dialect,
    prepare_records,
    settings,
    training_plan,
)
from tocsin.intel.linkage._normalise import NAME_VARIANTS_VERSION
from tocsin.intel.linkage._schema import LinkageInputError, PersonRecord

__all__ = [
    "DEFAULT_THRESHOLD",
    "MODEL_FORMAT",
    "REVIEW_THRESHOLD",
    "STAGES",
    "ClusterAssignment",
    "LinkageResult",
    "ScoredPair",
    "link_records",
    "load_model",
    "save_model",
]

#: Pairs at or above this match probability are the same person, by default. Below 0.99
#: on purpose: the issue asks to err towards recall, with clerical review catching the rest.
DEFAULT_THRESHOLD = 0.9
#: Pairs at or above this probability are kept (for review and explanations).
REVIEW_THRESHOLD = 0.5
MODEL_FORMAT = "tocsin-linkage-model/1"
#: The stages a run reports to its progress callback, in order.
STAGES: tuple[str, ...] = (
    "preparing records",
    "estimating the prior",
    "estimating u from random pairs",
    "estimating m by EM (surname and date of birth fixed)",
    "estimating m by EM (first name and postcode fixed)",
    "scoring pairs",
    "clustering",
)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class ClusterAssignment:
    """A record's cluster: ``cluster_id`` is the smallest record id in the cluster;
    ``match_probability`` the strongest link holding the record in it (``None`` alone)."""

    record_id: str
    cluster_id: str
    match_probability: float | None


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """Two records scored at or above the review threshold, with each comparison's match
    weight (log2 Bayes factor; term-frequency adjustments as ``tf_adj_<field>``), for
    explanations."""

    left: str
    right: str
    match_probability: float
    match_weight: float
    weights: dict[str, float]


@dataclass(slots=True)
class LinkageResult:
    """What a run found, with the trained model and its diagnostics."""

    assignments: list[ClusterAssignment]
    pairs: list[ScoredPair]
    pairs_scored: int
    threshold: float
    model: dict[str, Any]
    diagnostics: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def clusters(self) -> int:
        """How many distinct people (clusters) the records resolve to."""
        return len({a.cluster_id for a in self.assignments})

    def for_review(self) -> list[ScoredPair]:
        """The pairs scored at or above the review threshold but below the link threshold:
        not put together, and worth a person's look (the clerical tray)."""
        return [p for p in self.pairs if REVIEW_THRESHOLD <= p.match_probability < self.threshold]

    def summary(self) -> dict[str, Any]:
        """The ``tocsin link --json`` summary."""
        return {
            "records": len(self.assignments),
            "clusters": self.clusters,
            "pairs_scored": self.pairs_scored,
            "seconds": round(self.seconds, 3),
        }


class _CapturedLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().strip())


def _one_line(message: str) -> str:
    """A Splink warning as one line, without its banner."""
    lines = [line.strip() for line in message.splitlines()]
    kept = [line for line in lines if line and line.strip("-: ").upper() != "WARNING"]
    return " ".join(kept)


def _clusters(ids: list[str], edges: list[tuple[str, str, float]]) -> list[ClusterAssignment]:
    """Connected components over ``edges``, by union-find; deterministic for any edge order."""
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    strongest: dict[str, float] = {}
    for left, right, probability in edges:
        a, b = root(left), root(right)
        if a != b:
            parent[max(a, b)] = min(a, b)
        for record in (left, right):
            strongest[record] = max(strongest.get(record, 0.0), probability)
    smallest: dict[str, str] = {}
    for i in ids:
        r = root(i)
        smallest[r] = min(smallest.get(r, i), i)
    return [ClusterAssignment(i, smallest[root(i)], strongest.get(i)) for i in ids]


def _rows(frame: Any) -> list[dict[str, Any]]:
    return frame.as_pyarrow_table().to_pylist()  # type: ignore[no-any-return]


def link_records(
    records: Sequence[PersonRecord],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    backend: str | Backend = "duckdb",
    model: dict[str, Any] | None = None,
    seed: int = 1,
    progress: Progress | None = None,
) -> LinkageResult:
    """Resolve ``records`` into people. Trains a model without labels (unless ``model``, a
    dictionary from :func:`load_model`, is given), scores every blocked pair, and clusters the
    pairs at or above ``threshold``. Deterministic for a given ``seed`` and backend."""
    if not 0.0 < threshold < 1.0:
        raise LinkageInputError(f"threshold {threshold} must be between 0 and 1 (exclusive)")
    if len(records) < 2:
        raise LinkageInputError("linkage needs at least two records")
    started = time.perf_counter()
    engine = make_backend(backend) if isinstance(backend, str) else backend
    owns_backend = isinstance(backend, str)
    total = len(STAGES)

    def stage(index: int) -> None:
        if progress is not None:
            progress(STAGES[index], index, total)

    captured = _CapturedLog()
    splink_logger = logging.getLogger("splink")
    old_level, old_propagate = splink_logger.level, splink_logger.propagate
    splink_logger.setLevel(logging.WARNING)
    splink_logger.propagate = False
    splink_logger.addHandler(captured)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = _run(records, threshold, engine, model, seed, stage)
    finally:
        splink_logger.removeHandler(captured)
        splink_logger.setLevel(old_level)
        splink_logger.propagate = old_propagate
        if owns_backend:
            engine.close()
    result.diagnostics["warnings"] = sorted(
        {_one_line(m) for m in [*captured.messages, *(str(w.message) for w in caught)]} - {""}
    )
    result.diagnostics["backend"] = engine.name
    result.seconds = time.perf_counter() - started
    if progress is not None:
        progress("done", total, total)
    return result


def _run(
    records: Sequence[PersonRecord],
    threshold: float,
    engine: Backend,
    model: dict[str, Any] | None,
    seed: int,
    stage: Callable[[int], None],
) -> LinkageResult:
    stage(0)
    from tocsin.intel.linkage._index import _ARROW_SCHEMA  # here: _index imports this module

    prepared = prepare_records(records)
    api = engine.database_api()
    # Typed columns: a column every record leaves empty is still text (or a date), not null.
    table = api.register(
        pa.table(prepared, schema=_ARROW_SCHEMA), dataset_display_name="person_records"
    )
    plan = training_plan()
    if model is not None:
        try:
            portable = model_in_dialect(model["settings"], api.sql_dialect.sql_dialect_str)
        except (KeyError, ValueError) as exc:
            raise LinkageInputError(f"the model cannot be used: {exc}") from None
        linker = Linker(table, portable, log_level=logging.WARNING)
        trained = {"trained": False, "model_from": "given"}
    else:
        linker = Linker(table, settings(prepared), log_level=logging.WARNING)
        stage(1)
        linker.training.estimate_probability_two_random_records_match(
            plan["deterministic_rules"], recall=plan["deterministic_recall"]
        )
        stage(2)
        all_pairs = len(records) * (len(records) - 1) // 2
        linker.training.estimate_u_using_random_sampling(
            max_pairs=min(plan["u_max_pairs"], all_pairs), seed=seed
        )
        failed = []
        for offset, blocking in enumerate(plan["em_blockings"]):
            stage(3 + offset)
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*blocking), estimate_without_term_frequencies=True
                )
            except (ValueError, ZeroDivisionError, ArithmeticError, EMTrainingException):
                # EM degenerates (a prior of 0 or 1) when a blocking holds no likely matches.
                failed.append(" and ".join(blocking))
        if len(failed) == len(plan["em_blockings"]):
            raise LinkageInputError(
                "the records hold too few likely matches to train a model without labels; "
                "train on a larger set and pass its model (--model)"
            )
        bounded = _bound_dates_far_apart(linker.misc.save_model_to_json())
        linker = Linker(table, bounded, log_level=logging.WARNING)
        trained = {"trained": True, "plan": {**plan, "seed": seed}, "em_failed": failed}
    stage(5)
    # Only the pairs kept are materialised: at a million records the blocking rules make some
    # 69 million pairs, and holding every score took 19 GiB (and the whole region's 169
    # million, more than 23). The pairs scored are counted from the blocking rules.
    kept_at = min(REVIEW_THRESHOLD, threshold)
    predictions = linker.inference.predict(threshold_match_probability=kept_at)
    settings_dict = linker.misc.save_model_to_json()
    pairs_scored = _pairs_blocked(table, settings_dict, len(records))
    kept = linker.misc.query_sql(  # type: ignore[no-untyped-call]
        f"SELECT * FROM {predictions.physical_name} "  # noqa: S608 - our own table
        f"WHERE match_probability >= {kept_at!r}"
    )
    kept_rows = _rows(kept)
    pairs = [scored_pair(row) for row in kept_rows]
    pairs.sort(key=lambda p: (p.left, p.right))
    stage(6)
    edges = [
        (p.left, p.right, p.match_probability) for p in pairs if p.match_probability >= threshold
    ]
    assignments = _clusters([r.record_id for r in records], edges)
    diagnostics = {
        **trained,
        "records": len(records),
        "pairs_scored": pairs_scored,
        "pairs_kept": len(pairs),
        "threshold": threshold,
        "probability_two_random_records_match": settings_dict.get(
            "probability_two_random_records_match"
        ),
        "field_completeness": {
            column: round(sum(v is not None for v in values) / len(records), 4)
            for column, values in prepared.items()
            if column != "unique_id"
        },
    }
    return LinkageResult(
        assignments=assignments,
        pairs=pairs,
        pairs_scored=pairs_scored,
        threshold=threshold,
        model={
            "format": MODEL_FORMAT,
            "splink_version": splink.__version__,
            "name_variants_version": NAME_VARIANTS_VERSION,
            "settings": settings_dict,
        },
        diagnostics=diagnostics,
    )


def _pairs_blocked(table: Any, model: dict[str, Any], records: int) -> int:
    """The record pairs the model's blocking rules make (each pair once, however many rules
    make it): the pairs scored. A model with no blocking rules scores every pair."""
    rules = model.get("blocking_rules_to_generate_predictions") or []
    if not rules:
        return records * (records - 1) // 2
    counted = count_comparisons_from_blocking_rules(
        table,
        blocking_rules=rules,
        link_type=model.get("link_type", "dedupe_only"),
        record_sample_proportion=1.0,
    )
    return int(counted[-1]["cumulative_comparison_count"])


#: The largest share of one person's record pairs whose birth years are more than five apart
#: (a date of birth mistyped by more than five years). EM learns this share from blocks that
#: also hold parents and children of one name at one address, and so overstates it; the bound
#: keeps "James Walker, born 1968" and "James Walker, born 2010" at one address apart.
FAR_APART_M_BOUND = 0.002


def _bound_dates_far_apart(model: dict[str, Any]) -> dict[str, Any]:
    for comparison in model["comparisons"]:
        if comparison["output_column_name"] != "date_of_birth":
            continue
        far = comparison["comparison_levels"][-1]
        if far.get("m_probability") is not None:
            far["m_probability"] = min(far["m_probability"], FAR_APART_M_BOUND)
    return model


def scored_pair(row: dict[str, Any], *, order: bool = True) -> ScoredPair:
    """A row of Splink's predictions as a :class:`ScoredPair` (ids sorted when ``order``)."""
    left, right = str(row["unique_id_l"]), str(row["unique_id_r"])
    if order and right < left:
        left, right = right, left
    weights = {k[3:]: float(v) for k, v in row.items() if k.startswith("mw_") and v is not None}
    return ScoredPair(
        left=left,
        right=right,
        match_probability=float(row["match_probability"]),
        match_weight=float(row["match_weight"]),
        weights=weights,
    )


def save_model(result: LinkageResult, path: str | Path) -> None:
    """Write the trained model and the run's diagnostics as JSON (the model file)."""
    document = {**result.model, "diagnostics": result.diagnostics}
    Path(path).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", "utf-8")


def load_model(path: str | Path) -> dict[str, Any]:
    """A model written by :func:`save_model`, checked for its format."""
    try:
        document = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise LinkageInputError(f"cannot read the model {path}: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != MODEL_FORMAT:
        raise LinkageInputError(f"{path} is not a Tocsin linkage model ({MODEL_FORMAT})")
    return document
