"""Running verification: one snapshot of the database, the passes in order, one report."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections, transaction

from tocsin.ledger import audit_tree
from tocsin.server.ledger.store import DatabaseStore
from tocsin.server.verify._compare import compare_projections
from tocsin.server.verify._names import TABLES, Problem, Progress
from tocsin.server.verify._replay import check_events_and_replay
from tocsin.server.verify._signed import (
    check_checkpoints,
    check_freshness,
    check_witness,
    default_grace,
)

__all__ = ["VerifyReport", "verify_ledger"]


@dataclass
class VerifyReport:
    """What ``tocsin verify`` found. ``ok`` is true only when there are no problems."""

    size: int
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    """What leaves the ledger less evidenced than it should be, without being wrong: no
    checkpoint, no witness, a checkpoint that lags the head. ``strict`` makes them fail."""
    strict: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not (self.strict and self.warnings)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "size": self.size,
            "strict": self.strict,
            "problems": [asdict(p) for p in self.problems],
            "warnings": [asdict(p) for p in self.warnings],
            "counts": self.counts,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


def verify_ledger(
    using: str = "default",
    *,
    progress: Progress | None = None,
    replay: bool = True,
    witnesses: list[str] | None = None,
    strict: bool = False,
    grace_seconds: float | None = None,
) -> VerifyReport:
    """Run every check on database ``using`` and return the report. ``witnesses`` are base
    URLs of tlog-witnesses whose latest cosigned checkpoint must agree with this ledger, as
    must that of every witness in TOCSIN_WITNESSES. With ``strict`` the warnings (no
    checkpoint, no witness, a checkpoint older than ``grace_seconds`` behind the head) fail
    too."""
    # Verification builds millions of small objects that all live to the end (rebuilt tree
    # levels, replayed rows, rows read back); the cyclic collector would rescan them again and
    # again for nothing, which made a million-event replay superlinear.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _snapshot(using):
            report = _verify_ledger(
                using,
                progress=progress,
                replay=replay,
                witnesses=witnesses,
                grace_seconds=default_grace() if grace_seconds is None else grace_seconds,
            )
            report.strict = strict
            return report
    finally:
        if collecting:
            gc.enable()


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """Read everything as of one moment, so that a ledger still being appended to verifies:
    without it, leaves and subtree hashes appended after the head was read look like
    tampering. On SQLite a deferred read transaction (in WAL mode, readers never block the
    writer, nor it them); on PostgreSQL a read-only repeatable-read transaction. Inside a
    transaction already (a test's), that transaction is the snapshot."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
        transaction.set_rollback(True, using=using)


def _verify_ledger(
    using: str = "default",
    *,
    progress: Progress | None = None,
    replay: bool = True,
    witnesses: list[str] | None = None,
    grace_seconds: float,
) -> VerifyReport:
    report_progress = progress or (lambda phase, done, total: None)
    store = DatabaseStore(using)

    started = time.perf_counter()
    tree = audit_tree(store, tables=TABLES, progress=report_progress)
    size = tree.size
    problems = tree.problems
    report = VerifyReport(size=size, problems=problems)
    report.timings["tree"] = time.perf_counter() - started
    report.counts["leaves"] = size
    report.counts["checkpoints"] = check_checkpoints(using, tree, problems)
    asked: dict[str, int | None] = {}
    for vkey, url in settings.TOCSIN_WITNESSES:
        asked[url] = check_witness(url, tree, problems, vkey=vkey, warnings=report.warnings)
    for url in witnesses or []:
        if url.rstrip("/") not in asked:
            asked[url] = check_witness(url, tree, problems)
    report.counts["witnesses"] = len(asked)
    check_freshness(store, size, using, asked, grace_seconds, report.warnings)

    if replay:
        started = time.perf_counter()
        session = check_events_and_replay(store, size, problems, report_progress)
        report.timings["events"] = time.perf_counter() - started
        started = time.perf_counter()
        report.counts["rows"] = compare_projections(using, session, problems, report_progress)
        report.timings["projections"] = time.perf_counter() - started
    return report
