"""Fuzzing the import: random good rows, with random bad cells (or arbitrary text) dropped in.
Whatever the file holds, an import either records exactly one concern per row or records
nothing at all; a file with a known-bad cell never records anything."""

from __future__ import annotations

import csv
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_partnership
from tocsin.domain import screening as screening_policy
from tocsin.domain.concerns import CIN_FACTORS, ETHNICITY, SEXES
from tocsin.server.concerns.importing import COLUMN_NAMES, ImportFileError, import_concerns
from tocsin.server.concerns.models import Concern
from tocsin.server.ledger.models import LedgerLeaf

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 29)
WORDS = st.sampled_from(["Amara", "Bilal", "Zofia", "Wiktor", "Siobhan", "Nkechi", "Tomasz"])


def _dates(low: date, high: date) -> st.SearchStrategy[str]:
    days = (high - low).days
    return st.integers(0, days).map(lambda d: (low + timedelta(days=d)).isoformat())


def _list(items: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(items, max_size=3).map(";".join)


INDICATOR_IDS = sorted(screening_policy.indicator_ids())
#: Cells that are always acceptable in their column.
GOOD: dict[str, st.SearchStrategy[str]] = {
    "child_given_name": WORDS,
    "child_family_name": WORDS,
    "child_aliases": _list(WORDS),
    "child_date_of_birth": st.just("") | _dates(date(2009, 1, 1), date(2026, 1, 1)),
    "child_approximate_age": st.just("") | st.integers(0, 17).map(str),
    "child_sex": st.sampled_from(["", *SEXES]),
    "child_postcode": st.sampled_from(["", "ZZ1 4QX", "zz99 1aa"]),
    "narrative": st.sampled_from(
        ["Adults have been contacting the child online.", "A car collects him from school."]
    ),
    "occurred_on": st.just("") | _dates(date(2020, 1, 1), TODAY),
    "person_description": st.sampled_from(["Tall, short dark hair", "Wears a red jacket"]),
    "person_ethnicity": st.sampled_from(["", *ETHNICITY]),
    "vehicle_registration": st.sampled_from(["", "ZX12 ABC", "ZX1"]),
    "phones": _list(st.sampled_from(["07700 900123", "+44 7700 900456"])),
    "indicators": _list(
        st.tuples(st.sampled_from(INDICATOR_IDS), _dates(date(2026, 1, 1), TODAY)).map(
            lambda pair: f"{pair[0]}@{pair[1]}"
        )
    ),
    "cin_factors": _list(st.sampled_from(sorted(CIN_FACTORS))),
}
#: Cells that are always refused in their column.
BAD: dict[str, st.SearchStrategy[str]] = {
    "child_date_of_birth": st.sampled_from(["2011-02-30", "soon", "2030-01-01", "1990-01-01"]),
    "child_approximate_age": st.sampled_from(["18", "-1", "fourteen", "1.5"]),
    "child_sex": st.sampled_from(["girl", "Q"]),
    "child_postcode": st.sampled_from(["nowhere", "12345"]),
    "narrative": st.sampled_from(["", "   ", "x" * 20001]),
    "occurred_on": st.sampled_from(["2099-01-01", "31/31/2020"]),
    "person_ethnicity": st.sampled_from(["Asian", "unknown", "X"]),
    "phones": st.sampled_from(["0123", "999", "07700 900123;call me"]),
    "indicators": st.sampled_from(["missing", "no_such_id@2026-01-01", f"{INDICATOR_IDS[0]}@x"]),
    "cin_factors": st.sampled_from(["CSE", "99Z", "11A;11"]),
}
COLUMNS = list(GOOD)


@st.composite
def files(draw: st.DrawFn) -> tuple[list[list[str]], int, bool]:
    """Rows of cells, how many bad cells were put in, and whether arbitrary text was too."""
    rows = [[draw(GOOD[c]) for c in COLUMNS] for _ in range(draw(st.integers(1, 5)))]
    bad = draw(st.integers(0, 2))
    spoilt: set[tuple[int, int]] = set()
    for _ in range(bad):
        column = draw(st.sampled_from(sorted(BAD)))
        row = draw(st.integers(0, len(rows) - 1))
        rows[row][COLUMNS.index(column)] = draw(BAD[column])
        spoilt.add((row, COLUMNS.index(column)))
    arbitrary = draw(st.booleans())
    if arbitrary:
        # Never over a bad cell: arbitrary text ("" say) could make it good again.
        row, position = draw(
            st.tuples(st.integers(0, len(rows) - 1), st.integers(0, len(COLUMNS) - 1)).filter(
                lambda cell: cell not in spoilt
            )
        )
        rows[row][position] = draw(st.text(max_size=40))
    return rows, bad, arbitrary


@pytest.fixture
def practitioner():  # type: ignore[no-untyped-def]
    return make_partnership().practitioner


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files())
def test_an_import_is_all_or_nothing(practitioner, generated) -> None:  # type: ignore[no-untyped-def]
    rows, bad, arbitrary = generated
    assert set(COLUMNS) <= set(COLUMN_NAMES)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "concerns.csv"
        with path.open("w", newline="", encoding="utf-8") as stream:
            csv.writer(stream).writerows([COLUMNS, *rows])
        size = LedgerLeaf.objects.count()
        concerns = Concern.objects.count()
        try:
            outcome = import_concerns(path, actor=practitioner, today=TODAY)
        except ImportFileError:  # arbitrary text can make the file unreadable (a NUL byte)
            assert arbitrary
            assert LedgerLeaf.objects.count() == size
            return
    if outcome.ok:
        # Every row recorded, or recorded already (by an earlier example's import of the same
        # row, or an earlier row of this file that says the same).
        recorded = len(outcome.recorded)
        assert recorded + len(outcome.already) == len(rows)
        assert Concern.objects.count() == concerns + recorded
        assert LedgerLeaf.objects.filter(seq__gte=size, kind="concern.recorded").count() == recorded
    else:
        assert outcome.recorded == []
        assert LedgerLeaf.objects.count() == size
        assert Concern.objects.count() == concerns
        assert all(2 <= p.row <= len(rows) + 1 for p in outcome.problems)
    if bad:
        assert not outcome.ok
    if not bad and not arbitrary:
        assert outcome.ok, outcome.problems
