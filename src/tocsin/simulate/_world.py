"""What a simulation produces: named tables of rows, the records as agencies hold them and the
truth behind them."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tocsin.simulate._config import SimulationConfig

__all__ = ["Cell", "Table", "World", "format_date", "format_time"]

#: A value in a table: text, a whole number, a flag, a list of texts, or nothing.
Cell = str | int | bool | None | list[str]


@dataclass
class Table:
    """Rows with named columns. ``formats`` says how the table is written: JSON Lines, CSV or
    both."""

    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    formats: tuple[str, ...] = ("jsonl", "csv")
    description: str = ""

    def __len__(self) -> int:
        return len(self.rows)

    def dicts(self) -> Iterator[dict[str, Cell]]:
        """Each row as a dictionary keyed by column name."""
        columns = self.columns
        for row in self.rows:
            yield dict(zip(columns, row, strict=True))

    def column(self, name: str) -> list[Cell]:
        """Every value of one column, in row order."""
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass
class World:
    """One simulated partnership. ``tables`` maps an output path without extension
    (``records/concerns``, ``truth/people``) to its table, in writing order."""

    seed: int
    scale: str
    config: SimulationConfig
    tables: dict[str, Table]

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {name: len(table) for name, table in self.tables.items()}

    def summary(self) -> dict[str, Any]:
        """The headline figures: residents, children, exploited, identified, concerns,
        records, failures."""
        capture = self.tables["truth/capture_histories"]
        identified = sum(1 for day in capture.column("first_identified_on") if day is not None)
        return {
            "residents": len(self.tables["truth/people"]),
            "children": sum(1 for v in self.tables["truth/people"].column("role") if v == "child"),
            "exploited_children": len(capture),
            "identified_children": identified,
            "hidden_children": len(capture) - identified,
            "groups": len(self.tables["truth/groups"]),
            "agencies": len(self.tables["records/agencies"]),
            "staff": len(self.tables["records/staff"]),
            "person_records": len(self.tables["records/persons"]),
            "concerns": len(self.tables["records/concerns"]),
            "failures": len(self.tables["truth/failures"]),
        }


_EPOCH = dt.datetime(1970, 1, 1)


@functools.lru_cache(maxsize=1 << 16)
def format_date(day: int) -> str:
    """A day number (days since 1970-01-01) as ``YYYY-MM-DD``."""
    return (_EPOCH + dt.timedelta(days=int(day))).strftime("%Y-%m-%d")


def format_time(minute: int) -> str:
    """A minute number (minutes since 1970-01-01, UTC) as ``YYYY-MM-DDTHH:MM:00Z``."""
    return (_EPOCH + dt.timedelta(minutes=int(minute))).strftime("%Y-%m-%dT%H:%M:00Z")
