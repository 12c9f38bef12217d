"""The agencies' lists as a capture table: memberships (list, child) in, counts of capture
histories out, with the children first resolved to persons by a pluggable resolver."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from tocsin.intel.estimate import CaptureTable, EstimationInputError

__all__ = [
    "SAME_CHILD_RECORD",
    "CaptureLists",
    "PersonResolver",
    "SameChildRecord",
    "build_capture_lists",
    "capture_csv",
]


class PersonResolver(Protocol):
    """Says which child records are the same person.

    Called once with every child id on any list; returns a person key for each. Ids it leaves
    out are persons of their own. Two ids with the same key are one child, counted once on
    each list. ``name`` says which resolver was used; it is kept with every estimate.
    """

    name: str

    def __call__(self, child_ids: Collection[str]) -> Mapping[str, str]: ...


class SameChildRecord:
    """The resolver until cross-agency person resolution arrives: a child is the child record
    the concerns share (each record is a person of its own)."""

    name = "child-record"

    def __call__(self, child_ids: Collection[str]) -> Mapping[str, str]:
        return {child_id: child_id for child_id in child_ids}


SAME_CHILD_RECORD = SameChildRecord()


@dataclass(frozen=True)
class CaptureLists:
    """Each list's persons (opaque keys, never shown), in list order."""

    names: tuple[str, ...]
    members: tuple[frozenset[str], ...]

    @property
    def persons(self) -> int:
        """How many persons are on at least one list."""
        return len(frozenset().union(*self.members)) if self.members else 0

    def sizes(self) -> dict[str, int]:
        """How many persons each list holds."""
        return {name: len(members) for name, members in zip(self.names, self.members, strict=True)}

    def histories(self) -> list[tuple[tuple[int, ...], int]]:
        """Each capture history seen (0/1 per list) with its number of persons, in the order
        of the history read as a binary number with the first list as the lowest bit."""
        masks: dict[str, int] = {}
        for bit, members in enumerate(self.members):
            for person in members:
                masks[person] = masks.get(person, 0) | (1 << bit)
        counts: dict[int, int] = {}
        for mask in masks.values():
            counts[mask] = counts.get(mask, 0) + 1
        return [
            (tuple((mask >> bit) & 1 for bit in range(len(self.names))), counts[mask])
            for mask in sorted(counts)
        ]

    def table(self) -> CaptureTable:
        """The capture table the estimate is made from (EstimationInputError for fewer than
        two lists, too many, or names the engine cannot use)."""
        histories = self.histories()
        return CaptureTable.from_histories(
            self.names, [h for h, _ in histories], [n for _, n in histories]
        )


def build_capture_lists(
    memberships: Iterable[tuple[str, str]],
    *,
    names: Sequence[str] | None = None,
    resolver: PersonResolver = SAME_CHILD_RECORD,
) -> CaptureLists:
    """Turn ``(list name, child id)`` memberships into each list's set of persons.

    ``names`` fixes the lists and their order (a membership of another list is an error);
    by default the lists are the names seen, sorted. ``resolver`` maps child ids to person
    keys, so that two records of one child count once.
    """
    by_list: dict[str, set[str]] = {}
    for list_name, child_id in memberships:
        by_list.setdefault(list_name, set()).add(child_id)
    order = tuple(names) if names is not None else tuple(sorted(by_list))
    unknown = sorted(set(by_list) - set(order))
    if unknown:
        raise EstimationInputError(f"memberships name lists that are not given: {unknown}")
    every_child = set().union(*by_list.values()) if by_list else set()
    persons = resolver(every_child)
    members = tuple(
        frozenset(persons.get(child, child) for child in by_list.get(name, ())) for name in order
    )
    return CaptureLists(order, members)


def capture_csv(table: CaptureTable) -> str:
    """``table`` as the CSV ``tocsin estimate --csv`` reads: one 0/1 column per list and a
    ``count`` column, one row per capture history with children on it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*table.names, "count"])
    for mask in range(1, 2**table.lists):
        count = int(table.counts[mask - 1])
        if count:
            writer.writerow([*((mask >> bit) & 1 for bit in range(table.lists)), count])
    return out.getvalue()
