"""Read records of requests answered at the same moment are appended together: one transaction
for all that wait while another is being appended, each request returning only once its own
``record.viewed`` is committed, and a failed append failing every request in its batch."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tests.factories import make_draft, make_partnership
from tocsin.server import reads
from tocsin.server.actors import SystemActor
from tocsin.server.concerns import actions
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import RecordView
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.reads import GroupCommit

VIEWERS = [SystemActor(f"cli:viewer-{i}") for i in range(12)]


def _held_first_batch(monkeypatch: pytest.MonkeyPatch, group: GroupCommit) -> threading.Event:
    """Hold the first append until the returned event is set (the others queue meanwhile)."""
    release = threading.Event()
    real = actions.do_record_views
    calls = [0]

    def held(views: Any) -> Any:
        calls[0] += 1
        if calls[0] == 1:
            assert release.wait(30)
        return real(views)

    monkeypatch.setattr(actions, "do_record_views", held)
    return release


def _run_all(group: GroupCommit, views: list[tuple[Any, str, list[str]]]) -> list[Any]:
    results: list[Any] = [None] * len(views)

    def one(i: int) -> None:
        try:
            results[i] = group.record(*views[i])
        except BaseException as exc:
            results[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(views))]
    threads[0].start()
    time.sleep(0.2)  # the first is appending (held)
    for t in threads[1:]:
        t.start()
    return [threads, results]


def test_requests_answered_together_share_one_append(monkeypatch: pytest.MonkeyPatch) -> None:
    group = GroupCommit()
    release = threading.Event()
    appended: list[list[Any]] = []

    def append(views: Any) -> Any:
        appended.append(list(views))
        if len(appended) == 1:
            assert release.wait(30)
        return [f"record of {purpose}" for _, purpose, _ in views]

    monkeypatch.setattr(actions, "do_record_views", append)
    views = [(VIEWERS[i], f"page {i}", [f"concern:{i}"]) for i in range(len(VIEWERS))]
    threads, results = _run_all(group, views)
    deadline = time.monotonic() + 10
    while len(group._waiting) < len(VIEWERS) - 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(r is None for r in results), "nobody returns before their read is appended"
    release.set()
    for t in threads:
        t.join(30)
    assert group.batches == [1, len(VIEWERS) - 1], "the eleven waiting went in one transaction"
    assert sorted(v[1] for b in appended for v in b) == sorted(v[1] for v in views)
    # Each request gets its own record back.
    assert results == [f"record of page {i}" for i in range(len(VIEWERS))]


@pytest.mark.django_db
def test_several_views_in_one_append_keep_their_own_viewer_purpose_and_records() -> None:
    p = make_partnership()
    concerns = [do_record_concern(make_draft(), actor=p.practitioner).concern for _ in range(2)]
    before = LedgerLeaf.objects.filter(kind="record.viewed").count()
    envelopes = actions.do_record_views(
        [
            (VIEWERS[0], "first page", [f"concern:{concerns[0].pk}"]),
            (VIEWERS[1], "nothing shown", []),
            (p.practitioner, "second page", [f"concern:{concerns[1].pk}"]),
        ]
    )
    assert envelopes[1] is None
    first, second = envelopes[0], envelopes[2]
    assert first is not None and second is not None
    assert second.seq == first.seq + 1, "appended together"
    assert first.actor == VIEWERS[0].actor_id
    assert second.actor == f"user:{p.practitioner.pk}"
    assert LedgerLeaf.objects.filter(kind="record.viewed").count() == before + 2
    rows = RecordView.objects.filter(viewed_seq__in=[first.seq, second.seq])
    shown = {(r.viewer, r.purpose, r.subject) for r in rows}
    assert shown == {
        (VIEWERS[0].actor_id, "first page", f"concern:{concerns[0].pk}"),
        (f"user:{p.practitioner.pk}", "second page", f"concern:{concerns[1].pk}"),
    }


def test_a_failed_append_fails_every_request_in_its_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    group = GroupCommit()
    release = threading.Event()
    calls = [0]

    def failing(views: Any) -> Any:
        calls[0] += 1
        if calls[0] == 1:
            assert release.wait(30)
            return [None] * len(views)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(actions, "do_record_views", failing)
    views = [(VIEWERS[i], "page", ["concern:x"]) for i in range(4)]
    threads, results = _run_all(group, views)
    deadline = time.monotonic() + 10
    while len(group._waiting) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    release.set()
    for t in threads:
        t.join(30)
    assert results[0] is None
    assert all(isinstance(r, RuntimeError) for r in results[1:]), results
    # And the group carries on: the next request leads a batch of its own.
    monkeypatch.setattr(actions, "do_record_views", lambda views: ["ok"] * len(views))
    answer: object = group.record(VIEWERS[0], "page", ["concern:x"])
    assert answer == "ok"
    assert group.batches == [1, 3, 1]


def test_the_process_has_one_group() -> None:
    assert isinstance(reads.READ_RECORDS, GroupCommit)
