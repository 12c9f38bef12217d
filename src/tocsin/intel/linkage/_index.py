"""An index of known person records, against which a new record is checked as it is recorded
(the "already known" check): a trained model applied between the new records and the index."""

from __future__ import annotations

import itertools
import logging
import warnings
from collections.abc import Sequence
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
from splink import Linker

from tocsin.intel.linkage._backends import DuckDBBackend
from tocsin.intel.linkage._link import REVIEW_THRESHOLD, ScoredPair, scored_pair
from tocsin.intel.linkage._model import (
    BLOCKING_RULES,
    PREPARED_COLUMNS,
    model_in_dialect,
    prepare_records,
)
from tocsin.intel.linkage._schema import LinkageInputError, PersonRecord

__all__ = ["PersonIndex"]


class PersonIndex:
    """Known person records held in DuckDB with a trained model (a document from
    :func:`~tocsin.intel.linkage.load_model`). :meth:`check` scores new records against them
    without retraining; term frequencies come from the index."""

    def __init__(self, records: Sequence[PersonRecord], model: dict[str, Any]) -> None:
        if not records:
            raise LinkageInputError("an index needs at least one record")
        self._api = DuckDBBackend().database_api()
        self._counter = itertools.count()
        self._ids = {r.record_id for r in records}
        prepared = prepare_records(records)
        # Declared, not inferred: a column every known record leaves empty would be typed
        # null, and a later record that fills it could not be added.
        table = pa.table(prepared, schema=_ARROW_SCHEMA)
        self._arrow_schema = table.schema
        self._index = self._api.register(table, table_name="person_index")
        # The blocking rules, as Python lookups: a check scores only the known records that
        # agree with the new one on some rule, so its cost does not grow with the index.
        self._rows = _as_rows(prepared)
        self._blocks: dict[tuple[Any, ...], list[int]] = {}
        for position, row in enumerate(self._rows):
            for key in _block_keys(row):
                self._blocks.setdefault(key, []).append(position)
        settings = model_in_dialect(model["settings"], "duckdb")
        self._linker = Linker(self._index, settings, log_level=logging.WARNING)
        for column in ("first_name", "surname"):
            self._linker.table_management.register_term_frequency_lookup(
                self._api.register(
                    pa.table(_term_frequencies(column, prepared[column], _exact_u(model, column))),
                    table_name=f"tf_{column}",
                ),
                column,
            )

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._ids

    def add(self, records: Sequence[PersonRecord]) -> None:
        """Add ``records`` to the index, as known records later checks may find. Cheap: no
        retraining, and term frequencies stay those of the records the index was built
        from (rebuild the index now and then to refresh them)."""
        clash = sorted(self._ids & {r.record_id for r in records})
        if clash:
            raise LinkageInputError(f"record {clash[0]!r} is already in the index")
        for row in _as_rows(prepare_records(records)):
            position = len(self._rows)
            self._rows.append(row)
            for key in _block_keys(row):
                self._blocks.setdefault(key, []).append(position)
        self._ids |= {r.record_id for r in records}

    def check(
        self,
        records: Sequence[PersonRecord],
        *,
        threshold: float = REVIEW_THRESHOLD,
        among_known: bool = False,
    ) -> list[ScoredPair]:
        """The known records that each of ``records`` may be, scored at or above
        ``threshold``: ``left`` is the known record, ``right`` the new one; strongest first.

        ``among_known``: ``records`` were already :meth:`add`-ed (a batch recorded together),
        so pairs within them are found too, each once (``left`` the earlier in ``records``),
        and a record is never paired with itself."""
        ids = {r.record_id for r in records}
        clash = sorted(self._ids & ids)
        if clash and not among_known:
            raise LinkageInputError(f"record {clash[0]!r} is already in the index")
        prepared = prepare_records(records)
        new_rows = _as_rows(prepared)
        positions = sorted(
            {p for row in new_rows for key in _block_keys(row) for p in self._blocks.get(key, ())}
        )
        if not positions:
            return []
        number = next(self._counter)
        candidates = self._api.register(
            pa.Table.from_pylist([self._rows[p] for p in positions], schema=self._arrow_schema),
            table_name=f"candidates_{number}",
        )
        new_table = pa.Table.from_pylist(new_rows, schema=self._arrow_schema)
        new = self._api.register(new_table, table_name=f"new_records_{number}")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                predicted = self._linker.inference.predict_between(
                    candidates,
                    new,
                    link_type="link_only",
                    threshold_match_probability=threshold,
                    warning_mode="never",
                )
            rows = predicted.as_pyarrow_table().to_pylist()  # type: ignore[no-untyped-call]
        finally:
            self._api.delete_table_from_database(new.physical_name)
            self._api.delete_table_from_database(candidates.physical_name)
        pairs = [scored_pair(row, order=False) for row in rows]
        if among_known:
            order = {r.record_id: n for n, r in enumerate(records)}
            pairs = [
                p for p in pairs if p.left != p.right and order.get(p.left, -1) < order[p.right]
            ]
        return sorted(pairs, key=lambda p: (-p.match_probability, p.left, p.right))


_LISTS = {"first_name_keys", "surname_keys", "alias_keys"}
_INTEGERS = {"dob_days", "birth_year"}
_ARROW_SCHEMA = pa.schema(
    [
        pa.field(
            column,
            pa.list_(pa.string())
            if column in _LISTS
            else pa.int64()
            if column in _INTEGERS
            else pa.string(),
        )
        for column in PREPARED_COLUMNS
    ]
)

#: How many records' worth of the model's own estimate a name's frequency in the index is
#: blended with: in a small index every name is frequent (one of two records is a "Daniel"),
#: which would count every exact name as weak evidence; in a large one the index decides.
TF_PRIOR_RECORDS = 1000


def _exact_u(model: dict[str, Any], column: str) -> float | None:
    """The model's u for its term-frequency-adjusted (exact) level on ``column``."""
    for comparison in model["settings"].get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            if level.get("tf_adjustment_column") == column and level.get("u_probability"):
                return float(level["u_probability"])
    return None


def _term_frequencies(
    column: str, values: list[Any], exact_u: float | None
) -> dict[str, list[Any]]:
    """Each value's term frequency in the index, blended with the model's u for an exact
    match (:data:`TF_PRIOR_RECORDS` records' worth): Splink's tf lookup table."""
    counts: dict[Any, int] = {}
    for value in values:
        if value is not None:
            counts[value] = counts.get(value, 0) + 1
    total = sum(counts.values())
    names = sorted(counts)
    if exact_u is None:
        frequencies = [counts[v] / total for v in names]
    else:
        frequencies = [
            (counts[v] + TF_PRIOR_RECORDS * exact_u) / (total + TF_PRIOR_RECORDS) for v in names
        ]
    return {column: names, f"tf_{column}": frequencies}


def _block_keys(row: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The keys of ``row`` under each blocking rule that it has every column of."""
    keys = []
    for number, rule in enumerate(BLOCKING_RULES):
        values = tuple(row[column] for column in rule)
        if None not in values:
            keys.append((number, *values))
    return keys


def _as_rows(prepared: dict[str, list[Any]]) -> list[dict[str, Any]]:
    columns = list(prepared)
    return [
        dict(zip(columns, values, strict=True)) for values in zip(*prepared.values(), strict=True)
    ]
