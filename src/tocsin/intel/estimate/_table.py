"""Capture tables: the agencies' lists as counts of capture histories, read from CSV or built in
code, checked for the mistakes people make, and tidied (empty, duplicate and all-covering lists
dropped; tiny lists merged) before any model sees them."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["CaptureTable", "EstimationInputError", "read_capture_csv", "tidy_lists"]

# Beyond this many lists the 2^t - 1 cells and the model space grow too large to be useful.
MAX_LISTS = 12
COUNT_COLUMN = "count"


class EstimationInputError(ValueError):
    """The capture data cannot be used for an estimate. The message names the row or column
    at fault and says what to do; no number is produced."""


@dataclass(frozen=True)
class CaptureTable:
    """Counts of children by capture history.

    ``names`` are the lists (one per agency source). ``counts[ω - 1]`` is the number of children
    whose set of lists is ω, written as a bit mask (bit ``i`` set when on list ``names[i]``), for
    every ω from 1 to 2^t - 1; unobserved histories have count 0. Nobody is on no list: that
    number is what is being estimated.
    """

    names: tuple[str, ...]
    counts: npt.NDArray[np.int64]

    def __post_init__(self) -> None:
        t = len(self.names)
        if self.counts.shape != (2**t - 1,):
            raise ValueError(f"counts must have 2^{t} - 1 = {2**t - 1} cells")
        self.counts.setflags(write=False)

    @property
    def lists(self) -> int:
        """The number of lists."""
        return len(self.names)

    @property
    def observed(self) -> int:
        """The number of children on at least one list."""
        return int(self.counts.sum())

    def list_sizes(self) -> dict[str, int]:
        """How many children each list holds."""
        cells = np.arange(1, 2**self.lists)
        return {
            name: int(self.counts[(cells >> i) & 1 == 1].sum()) for i, name in enumerate(self.names)
        }

    def overlap(self, *lists: str) -> int:
        """How many children are on all the named lists, whatever their other lists."""
        mask = 0
        for name in lists:
            mask |= 1 << self.names.index(name)
        cells = np.arange(1, 2**self.lists)
        return int(self.counts[(cells & mask) == mask].sum())

    @classmethod
    def from_histories(
        cls, names: Sequence[str], histories: Iterable[Sequence[int]], counts: Iterable[int]
    ) -> CaptureTable:
        """Build a table from 0/1 capture histories and their counts (repeated histories add
        up, so one row per child with count 1 works too)."""
        names = tuple(names)
        _check_names(names)
        table = np.zeros(2 ** len(names) - 1, dtype=np.int64)
        for row, (history, count) in enumerate(zip(histories, counts, strict=True), start=1):
            if len(history) != len(names):
                raise EstimationInputError(
                    f"history {row} has {len(history)} entries for {len(names)} lists"
                )
            for name, value in zip(names, history, strict=True):
                if value not in (0, 1):
                    raise EstimationInputError(
                        f"history {row}, list {name!r}: {value!r} is not 0 or 1"
                    )
            if count < 0:
                raise EstimationInputError(
                    f"history {row}: count {count} is negative; counts are numbers of children"
                )
            mask = sum(1 << i for i, value in enumerate(history) if value)
            if mask == 0:
                if count:
                    raise EstimationInputError(
                        f"history {row} is on no list; children on no list are what is estimated"
                    )
                continue
            table[mask - 1] += count
        return cls(names, table)

    def with_counts(self, counts: npt.NDArray[np.int64]) -> CaptureTable:
        """The same lists with other counts (a bootstrap resample, a jackknife deletion)."""
        return CaptureTable(self.names, np.asarray(counts, dtype=np.int64).copy())


def _check_names(names: tuple[str, ...]) -> None:
    if len(names) < 2:
        shown = f" ({names[0]!r})" if names else ""
        raise EstimationInputError(
            f"only {len(names)} list column{shown}; at least two lists are needed, because the "
            "estimate comes from how lists overlap"
        )
    if len(names) > MAX_LISTS:
        raise EstimationInputError(f"{len(names)} lists; at most {MAX_LISTS} are supported")
    for name in names:
        if not name.strip():
            raise EstimationInputError("a list column has an empty name")
        if ":" in name or "+" in name:
            raise EstimationInputError(
                f"list column {name!r}: names may not contain ':' or '+' (used for model terms)"
            )
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise EstimationInputError(f"list column {name!r} appears twice")
        seen.add(name)


def read_capture_csv(source: str | Path | io.TextIOBase) -> CaptureTable:
    """Read a CSV with one 0/1 column per list and a ``count`` column.

    Each row is a capture history and the number of children with it; histories may repeat
    (their counts add up) and absent histories count 0. Raises :class:`EstimationInputError`
    naming the row and column of the first problem.
    """
    if isinstance(source, str | Path):
        try:
            with open(source, newline="", encoding="utf-8-sig") as handle:
                return _parse(handle, str(source))
        except OSError as exc:
            raise EstimationInputError(f"cannot read {source}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise EstimationInputError(f"{source} is not UTF-8 text") from None
    return _parse(source, "input")


def _parse(handle: Iterable[str], label: str) -> CaptureTable:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise EstimationInputError(f"{label} is empty; expected a header row")
    header = [cell.strip() for cell in header]
    lowered = [cell.lower() for cell in header]
    if lowered.count(COUNT_COLUMN) != 1:
        raise EstimationInputError(
            f"{label} needs exactly one {COUNT_COLUMN!r} column (found columns: "
            f"{', '.join(header)})"
        )
    count_at = lowered.index(COUNT_COLUMN)
    names = tuple(cell for i, cell in enumerate(header) if i != count_at)
    _check_names(names)
    histories: list[list[int]] = []
    counts: list[int] = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise EstimationInputError(
                f"row {line}: {len(row)} fields, but the header has {len(header)}"
            )
        history = []
        for i, cell in enumerate(row):
            if i == count_at:
                continue
            value = cell.strip()
            if value not in ("0", "1"):
                raise EstimationInputError(
                    f"row {line}, column {header[i]!r}: {value!r} is not 0 or 1 "
                    "(each list column says whether the children are on that list)"
                )
            history.append(int(value))
        count = _parse_count(row[count_at].strip(), line, header[count_at])
        if count and not any(history):
            raise EstimationInputError(
                f"row {line} is on no list; children on no list are what is estimated"
            )
        counts.append(count)
        histories.append(history)
    if not histories:
        raise EstimationInputError(f"{label} has a header but no rows")
    table = CaptureTable.from_histories(names, histories, counts)
    if table.observed == 0:
        raise EstimationInputError(f"{label}: every count is 0; there is nothing to estimate from")
    return table


def _parse_count(value: str, line: int, column: str) -> int:
    try:
        number = float(value)
    except ValueError:
        raise EstimationInputError(
            f"row {line}, column {column!r}: {value!r} is not a number"
        ) from None
    if not math.isfinite(number) or number != int(number):
        raise EstimationInputError(
            f"row {line}, column {column!r}: {value!r} is not a whole number of children"
        )
    if number < 0:
        raise EstimationInputError(
            f"row {line}, column {column!r}: {value} is negative; counts are numbers of "
            "children, 0 or more"
        )
    return int(number)


def tidy_lists(table: CaptureTable, *, merge_below: int = 0) -> tuple[CaptureTable, list[str]]:
    """Drop lists that carry no information and merge tiny ones, with a warning for each.

    A list that is empty, that holds every child, or that holds exactly the same children as an
    earlier list tells nothing about the children on no list (and breaks the model), so it is
    dropped. Lists with fewer than ``merge_below`` children are merged into one list (their
    union); a single tiny list is merged with the next smallest list.
    """
    warnings: list[str] = []
    while True:
        sizes = table.list_sizes()
        total = table.observed
        drop: list[str] = []
        for name, size in sizes.items():
            if size == 0:
                warnings.append(f"list {name} is empty and was dropped")
                drop.append(name)
            elif size == total:
                warnings.append(
                    f"list {name} holds every child seen, so it says nothing about the children "
                    "on no list; it was dropped"
                )
                drop.append(name)
        members = _memberships(table)
        for i, name in enumerate(table.names):
            if name in drop:
                continue
            for j in range(i):
                other = table.names[j]
                if other not in drop and np.array_equal(members[i], members[j]):
                    warnings.append(
                        f"list {name} holds exactly the same children as list {other}; "
                        "it was dropped"
                    )
                    drop.append(name)
                    break
        if drop:
            keep = [name for name in table.names if name not in drop]
            if len(keep) < 2:
                raise EstimationInputError(
                    f"after dropping {', '.join(drop)} fewer than two informative lists remain"
                )
            before = table.observed
            table = _merge(table, [[name] for name in keep])
            if table.observed < before:
                warnings.append(
                    f"{before - table.observed} children were only on dropped lists; the "
                    "remaining lists count them among the children they did not find"
                )
            continue
        tiny = [name for name, size in sizes.items() if size < merge_below]
        if tiny and table.lists > 2:
            if len(tiny) == 1:
                others = sorted((s, n) for n, s in sizes.items() if n != tiny[0])
                tiny.append(others[0][1])
            groups = [[n for n in table.names if n in tiny]]
            groups += [[n] for n in table.names if n not in tiny]
            merged = "+".join(groups[0])
            warnings.append(
                f"lists {', '.join(groups[0])} have fewer than {merge_below} children between "
                f"them or alone and were merged into one list {merged}"
            )
            table = _merge(table, groups)
            # Merge once: a merged list still below the threshold is kept as it is.
            merge_below = 0
            continue
        return table, warnings


def _memberships(table: CaptureTable) -> list[npt.NDArray[np.bool_]]:
    """For each list, which observed histories (with a positive count) are on it."""
    cells = np.arange(1, 2**table.lists)[table.counts > 0]
    return [(cells >> i) & 1 == 1 for i in range(table.lists)]


def _merge(table: CaptureTable, groups: list[list[str]]) -> CaptureTable:
    """A new table whose lists are unions of groups of the old ones."""
    names = tuple("+".join(group) for group in groups)
    masks = [sum(1 << table.names.index(name) for name in group) for group in groups]
    counts = np.zeros(2 ** len(groups) - 1, dtype=np.int64)
    for cell in range(1, 2**table.lists):
        count = table.counts[cell - 1]
        if not count:
            continue
        new = sum(1 << k for k, mask in enumerate(masks) if cell & mask)
        if new:
            counts[new - 1] += count
    return CaptureTable(names, counts)
