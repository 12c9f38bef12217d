"""Bad input gives a message naming the row or column, never a number; list hygiene warns."""

from __future__ import annotations

import io

import numpy as np
import pytest

from tocsin.intel.estimate import (
    CaptureTable,
    EstimationInputError,
    estimate,
    read_capture_csv,
    tidy_lists,
)


def csv(text: str) -> CaptureTable:
    return read_capture_csv(io.StringIO(text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A,B,count\n1,0,5\n0,2,3\n", "row 3, column 'B': '2' is not 0 or 1"),
        ("A,B,count\n1,0,5\nyes,1,3\n", "row 3, column 'A': 'yes' is not 0 or 1"),
        ("A,B,count\n1,0,5\n1,1,-3\n", "row 3, column 'count': -3 is negative"),
        ("A,B,count\n1,0,5\n1,1,2.5\n", "row 3, column 'count': '2.5' is not a whole number"),
        ("A,B,count\n1,0,5\n1,1,many\n", "row 3, column 'count': 'many' is not a number"),
        ("A,count\n1,5\n", "only 1 list column ('A'); at least two lists are needed"),
        ("A,B\n1,0\n", "needs exactly one 'count' column"),
        ("A,B,count\n1,0,5\n1,1\n", "row 3: 2 fields, but the header has 3"),
        ("A,A,count\n1,0,5\n", "list column 'A' appears twice"),
        ("A,B,count\n0,0,4\n", "row 2 is on no list"),
        ("", "empty"),
        ("A,B,count\n", "no rows"),
        ("A,B,count\n1,0,0\n", "every count is 0"),
    ],
)
def test_bad_csv_is_refused_with_a_message_naming_the_place(text: str, message: str) -> None:
    with pytest.raises(EstimationInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        csv(text)


def test_no_overlap_at_all_is_refused() -> None:
    table = csv("A,B,C,count\n1,0,0,5\n0,1,0,7\n0,0,1,4\n")
    with pytest.raises(EstimationInputError, match="no child is on more than one of the lists"):
        estimate(table)


def test_two_lists_with_no_overlap_are_refused() -> None:
    with pytest.raises(EstimationInputError, match="no child is on more than one"):
        estimate(csv("A,B,count\n1,0,5\n0,1,7\n"))


def test_bad_settings_are_refused() -> None:
    table = csv("A,B,C,count\n1,0,0,50\n0,1,0,40\n0,0,1,30\n1,1,0,10\n1,0,1,8\n0,1,1,6\n1,1,1,2\n")
    with pytest.raises(EstimationInputError, match="unknown method"):
        estimate(table, method="magic")
    with pytest.raises(EstimationInputError, match="--pthresh applies only"):
        estimate(table, method="bic", pthresh=0.1)
    with pytest.raises(EstimationInputError, match="must be above 0"):
        estimate(table, pthresh=0)
    with pytest.raises(EstimationInputError, match="too high for 3 lists"):
        estimate(table, maxorder=3)
    with pytest.raises(EstimationInputError, match="does not apply"):
        estimate(table, method="main", maxorder=2)
    with pytest.raises(EstimationInputError, match="0 or more"):
        estimate(table, bootstrap=-1)


def test_repeated_histories_add_up_so_one_row_per_child_works() -> None:
    rows = "A,B,count\n" + "1,0,1\n" * 30 + "0,1,1\n" * 20 + "1,1,1\n" * 10
    table = csv(rows)
    assert table.observed == 60
    assert table.overlap("A", "B") == 10
    # Two independent lists: the Lincoln-Petersen estimate 40 * 30 / 10 = 120.
    assert estimate(table, method="main").estimate == pytest.approx(120, rel=1e-9)


def test_hygiene_drops_empty_duplicate_and_covering_lists_with_warnings() -> None:
    table = CaptureTable.from_histories(
        ["A", "B", "Empty", "Copy", "C"],
        [(1, 0, 0, 1, 0), (0, 1, 0, 0, 0), (0, 0, 0, 0, 1), (1, 1, 0, 1, 0), (1, 0, 0, 1, 1)],
        [30, 20, 25, 5, 4],
    )
    tidy, warnings = tidy_lists(table)
    assert tidy.names == ("A", "B", "C")
    assert tidy.observed == 84
    assert any("Empty is empty" in w for w in warnings)
    assert any("Copy holds exactly the same children as list A" in w for w in warnings)
    covering = CaptureTable.from_histories(
        ["A", "B", "All"], [(1, 0, 1), (0, 1, 1), (1, 1, 1), (0, 0, 1)], [10, 10, 3, 2]
    )
    tidy, warnings = tidy_lists(covering)
    assert tidy.names == ("A", "B")
    assert any("holds every child seen" in w for w in warnings)
    assert any("2 children were only on dropped lists" in w for w in warnings)


def test_tiny_lists_are_merged_on_request() -> None:
    table = CaptureTable.from_histories(
        ["A", "B", "C", "T1", "T2"],
        [
            (1, 0, 0, 0, 0),
            (0, 1, 0, 0, 0),
            (0, 0, 1, 0, 0),
            (1, 1, 0, 0, 0),
            (0, 0, 0, 1, 0),
            (0, 0, 0, 0, 1),
            (1, 0, 0, 0, 1),
            (0, 1, 1, 0, 0),
        ],
        [40, 30, 20, 6, 2, 1, 1, 4],
    )
    tidy, warnings = tidy_lists(table, merge_below=5)
    assert tidy.names == ("T1+T2", "A", "B", "C")
    assert tidy.list_sizes()["T1+T2"] == 4
    assert any("merged into one list T1+T2" in w for w in warnings)
    untouched, none = tidy_lists(table)
    assert untouched.names == table.names
    assert none == []


def test_counts_are_read_only() -> None:
    table = csv("A,B,count\n1,0,5\n0,1,3\n1,1,2\n")
    with pytest.raises(ValueError, match="read-only"):
        table.counts[0] = 9
    assert np.array_equal(table.counts, [5, 3, 2])


def test_a_fit_that_cannot_be_computed_is_a_message_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tocsin.intel.estimate._estimate as engine

    def singular(*args: object, **kwargs: object) -> None:
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(engine, "profile_interval", singular)
    table = csv("A,B,C,count\n1,0,0,60\n0,1,0,50\n0,0,1,40\n1,1,0,30\n1,0,1,12\n0,1,1,9\n")
    with pytest.raises(EstimationInputError, match="cannot be computed from these lists"):
        estimate(table, method="main")
