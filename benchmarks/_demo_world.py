"""Load one demo partnership and time it; run by bench_demo.py in a fresh process and home.

    python benchmarks/_demo_world.py SCALE BATCH [PATH]

Simulates ``SCALE`` from seed 1, loads it with ``load_partnership(..., batch=BATCH)`` (1: one
commit per action, as before issue 18) through PATH (``bulk``, the default: the bulk action
path; ``actions``: the actions one by one) and runs the first sweep of the clocks, as
``tocsin demo`` does. Prints one JSON object: the seconds of each phase, the whole run's CPU
seconds (and the load's and the first sweep's alone) and what was loaded.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> int:
    scale, batch = sys.argv[1], int(sys.argv[2])
    path = sys.argv[3] if len(sys.argv) > 3 else "bulk"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tocsin.server.clocks.sweep import sweep
    from tocsin.server.demo import demo_tables, load_partnership
    from tocsin.server.ledger.recording import reading_ledger
    from tocsin.simulate import simulate

    call_command("migrate", verbosity=0)
    cpu = time.process_time()
    marks = [time.perf_counter()]
    world = simulate(seed=1, scale=scale)
    marks.append(time.perf_counter())
    tables = demo_tables(world)
    del world
    marks.append(time.perf_counter())
    load_cpu = time.process_time()
    load = load_partnership(tables, batch=batch, bulk=path == "bulk")
    load_cpu = time.process_time() - load_cpu
    marks.append(time.perf_counter())
    sweep_cpu = time.process_time()
    sweep()
    sweep_cpu = time.process_time() - sweep_cpu
    marks.append(time.perf_counter())
    phases = ("simulate", "tables", "load", "sweep")
    result = {
        "scale": scale,
        "batch": batch,
        "path": path,
        "database": connection.vendor,
        **{
            f"{p}_seconds": round(b - a, 2)
            for p, a, b in zip(phases, marks, marks[1:], strict=False)
        },
        "total_seconds": round(marks[-1] - marks[0], 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "load_cpu_seconds": round(load_cpu, 2),
        "sweep_cpu_seconds": round(sweep_cpu, 2),
        "concerns": load.concerns,
        "events": reading_ledger().size(),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
