"""The agencies' lists as a capture table: memberships in, counts of capture histories out,
with a pluggable resolver deciding which child records are one child."""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping

import numpy as np
import pytest

import tocsin.intel.lists
from tocsin.intel.estimate import EstimationInputError, estimate, read_capture_csv
from tocsin.intel.lists import SAME_CHILD_RECORD, build_capture_lists, capture_csv

MEMBERSHIPS = [
    ("Police", "c1"),
    ("Council", "c1"),
    ("Council", "c2"),
    ("Council", "c2"),  # a second concern about the same child: still one child
    ("Police", "c3"),
    ("Health", "c3"),
    ("Health", "c4"),
]


class Merging:
    """A resolver that knows two child records are the same child."""

    name = "test-merge"

    def __init__(self, same: dict[str, str]) -> None:
        self.same = same
        self.asked: list[set[str]] = []

    def __call__(self, child_ids: Collection[str]) -> Mapping[str, str]:
        self.asked.append(set(child_ids))
        return {child: self.same.get(child, child) for child in child_ids}


def test_public_names_are_pinned() -> None:
    assert sorted(tocsin.intel.lists.__all__) == [
        "CaptureLists",
        "PersonResolver",
        "SAME_CHILD_RECORD",
        "SameChildRecord",
        "UpsetChart",
        "build_capture_lists",
        "capture_csv",
        "lists_in_words",
        "upset_chart",
    ]


def test_memberships_become_counts_of_capture_histories() -> None:
    lists = build_capture_lists(MEMBERSHIPS)
    assert lists.names == ("Council", "Health", "Police")
    assert lists.sizes() == {"Council": 2, "Health": 2, "Police": 2}
    assert lists.persons == 4
    # Council is the lowest bit: c2 (Council), c4 (Health), c1 (Council, Police), c3 (Health,
    # Police).
    assert lists.histories() == [((1, 0, 0), 1), ((0, 1, 0), 1), ((1, 0, 1), 1), ((0, 1, 1), 1)]
    table = lists.table()
    assert table.names == ("Council", "Health", "Police")
    assert table.observed == 4
    assert table.overlap("Council", "Police") == 1


def test_the_default_resolver_is_the_child_record() -> None:
    assert SAME_CHILD_RECORD.name == "child-record"
    assert dict(SAME_CHILD_RECORD(["a", "b"])) == {"a": "a", "b": "b"}


def test_a_resolver_that_merges_two_records_changes_the_table() -> None:
    resolver = Merging({"c4": "c2"})  # the child Health knows as c4 is Council's c2
    lists = build_capture_lists(MEMBERSHIPS, resolver=resolver)
    assert resolver.asked == [{"c1", "c2", "c3", "c4"}]  # asked once, with every child
    assert lists.persons == 3
    assert lists.histories() == [((1, 1, 0), 1), ((1, 0, 1), 1), ((0, 1, 1), 1)]
    assert lists.table().overlap("Council", "Health") == 1
    assert build_capture_lists(MEMBERSHIPS).table().overlap("Council", "Health") == 0


def test_fixed_names_keep_their_order_and_empty_lists() -> None:
    lists = build_capture_lists(MEMBERSHIPS, names=["Police", "Council", "Health", "Youth"])
    assert lists.sizes() == {"Police": 2, "Council": 2, "Health": 2, "Youth": 0}
    with pytest.raises(EstimationInputError, match="not given"):
        build_capture_lists(MEMBERSHIPS, names=["Police", "Council"])


def test_nothing_on_any_list() -> None:
    lists = build_capture_lists([], names=["A", "B"])
    assert lists.persons == 0
    assert lists.histories() == []
    assert build_capture_lists([]).persons == 0


def test_the_csv_is_what_tocsin_estimate_reads_and_gives_the_same_answer() -> None:
    table = build_capture_lists(
        [("Police, north", f"p{i}") for i in range(30)]
        + [("Council", f"p{i}") for i in range(20, 60)]
        + [("Health", f"p{i}") for i in range(0, 70, 3)]
    ).table()
    text = capture_csv(table)
    assert text.splitlines()[0] == 'Council,Health,"Police, north",count'
    again = read_capture_csv(io.StringIO(text))
    assert again.names == table.names
    assert np.array_equal(again.counts, table.counts)
    assert estimate(again).as_json() == estimate(table).as_json()


def test_the_upset_chart_lays_out_every_combination_largest_first() -> None:
    from tocsin.intel.lists import lists_in_words, upset_chart

    chart = upset_chart(
        {
            "lists": ["Police", "Health", "Council"],
            "histories": [
                {"history": [1, 0, 0], "count": 5},
                {"history": [1, 1, 0], "count": 9},
                {"history": [1, 1, 1], "count": 2},
                {"history": [0, 0, 1], "count": 0},
            ],
        }
    )
    assert [column.count for column in chart.columns] == [9, 5, 2]  # none for a zero count
    assert [row.size for row in chart.lists] == [16, 11, 2]
    assert chart.total == 16
    assert chart.columns[1].line is None  # one list: no line joining dots
    assert chart.columns[0].bar_height > chart.columns[1].bar_height > 0
    assert "The largest, 9 children, is on both Police and Health." in chart.description
    assert lists_in_words(["A", "B", "C"]) == "on all of A, B and C"
    assert upset_chart({"lists": [], "histories": []}).description == "No child is on any list."
