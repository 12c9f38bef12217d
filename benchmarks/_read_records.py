"""Read records on SQLite under concurrency; run by bench_load.py in a fresh process and home.

    python benchmarks/_read_records.py THREADS READS_EACH

THREADS threads each record READS_EACH reads (a ``record.viewed`` of 30 subjects, as a list
page shows), first each in a transaction of its own (as every request did before), then
through the group commit (``tocsin.server.reads.READ_RECORDS``), alternating in two rounds.
Prints one JSON object: reads a second and the mean and 95th percentile wait per read for
each, and the mean batch the group commit appended.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
import uuid


def main() -> int:
    threads, each = int(sys.argv[1]), int(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from tocsin.server.actors import SystemActor
    from tocsin.server.concerns.actions import do_record_view
    from tocsin.server.reads import READ_RECORDS

    call_command("migrate", verbosity=0)
    connection.close()
    shown = [f"concern:{uuid.uuid4()}" for _ in range(30)]

    def run(record: object) -> dict[str, float]:
        waits: list[float] = []
        lock = threading.Lock()

        def worker(i: int) -> None:
            viewer = SystemActor(f"bench-{i}")
            mine = []
            for _ in range(each):
                started = time.perf_counter()
                record(viewer, "bench: a list", shown)  # type: ignore[operator]
                mine.append(time.perf_counter() - started)
            with lock:
                waits.extend(mine)
            connections.close_all()

        started = time.perf_counter()
        pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - started
        waits.sort()
        return {
            "reads_per_second": len(waits) / elapsed,
            "mean_ms": statistics.fmean(waits) * 1000,
            "p95_ms": waits[int(0.95 * (len(waits) - 1))] * 1000,
        }

    rounds: dict[str, list[dict[str, float]]] = {"own": [], "grouped": []}
    for _ in range(2):
        rounds["own"].append(run(do_record_view))
        READ_RECORDS.batches.clear()
        rounds["grouped"].append(run(READ_RECORDS.record))
    batch = statistics.fmean(READ_RECORDS.batches)
    best = {
        name: max(results, key=lambda r: r["reads_per_second"]) for name, results in rounds.items()
    }
    print(json.dumps({"threads": threads, "reads": threads * each, **best, "mean_batch": batch}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
