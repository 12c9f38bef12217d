"""A page's database statements do not grow with the rows it shows.

Counted: every statement Django runs (``CaptureQueriesContext``) and every statement on the
write path's driver-level helpers (``tocsin.server.rawsql``), which is where the read record
(``record.viewed`` and its rows) is written. A page that ran one query per row, or recorded
its reads one row at a time, would show a count that grows from the small world to the large.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.server import rawsql
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import Concern

pytestmark = pytest.mark.django_db


@contextmanager
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Count every statement run inside the block; the count is in the list afterwards."""
    raw = [0]

    def counted(function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            raw[0] += 1
            return function(*args, **kwargs)

        return run

    for name in ("execute", "executemany", "fetchone"):
        monkeypatch.setattr(rawsql, name, counted(getattr(rawsql, name)))
    total: list[int] = []
    with CaptureQueriesContext(connection) as django:
        yield total
    total.append(len(django.captured_queries) + raw[0])
    monkeypatch.undo()


@pytest.fixture
def world() -> dict[str, Any]:
    council = make_agency("Countwell Council", "council")
    mash = make_team(council, "MASH")
    return {
        "worker": make_user(council),
        "mash_officer": make_user(council, role="mash_officer", team=mash),
        "viewers": [make_user(council, role="team_manager") for _ in range(8)],
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _statements(monkeypatch: pytest.MonkeyPatch, client: Client, url: str) -> int:
    client.get(url)  # warm: the session, caches built once per process
    with counting(monkeypatch) as total:
        response = client.get(url)
    assert response.status_code == 200, url
    return total[0]


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("worker", "/concerns/mine/"),
        ("mash_officer", "/queue/"),
        ("worker", "/api/v1/concerns/"),
    ],
)
def test_a_list_costs_the_same_for_3_rows_as_for_15(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, who: str, url: str
) -> None:
    for _ in range(3):
        do_record_concern(make_draft(), actor=world["worker"])
    client = _client(world[who])
    few = _statements(monkeypatch, client, url)
    for _ in range(12):
        do_record_concern(make_draft(), actor=world["worker"])
    many = _statements(monkeypatch, client, url)
    assert Concern.objects.count() == 15
    assert many == few, f"{url}: {few} statements for 3 concerns, {many} for 15"


def test_a_concern_page_costs_the_same_however_many_people_have_looked(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    concern = do_record_concern(make_draft(), actor=world["worker"]).concern
    url = f"/concerns/{concern.pk}/"
    client = _client(world["worker"])
    _client(world["viewers"][0]).get(url)
    few = _statements(monkeypatch, client, url)
    for viewer in world["viewers"][1:]:
        assert _client(viewer).get(url).status_code == 200
    many = _statements(monkeypatch, client, url)
    assert many == few, f"{few} statements after 2 viewers, {many} after 9"
