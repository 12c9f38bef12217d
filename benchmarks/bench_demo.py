"""The demo's load (issue 18 §2): ``tocsin demo --scale borough`` through the ordinary actions
at batch speed, in at most 90 s on 2 cores.

Each run is a fresh process and home (``_demo_world.py``): simulate seed 1, keep the tables the
demo loads, load them, sweep the clocks. Three loads alternate in the same run: the baseline,
the actions one by one with one commit per action (``batch=1``), as the demo loaded before
issue 18; the actions one by one with 500 to a commit; and the bulk action path (500 to a
batch), which ``tocsin demo`` uses. On SQLite, and on PostgreSQL when
``TOCSIN_TEST_POSTGRES_URL`` (or the default local server) answers. ``--quick``: the small
scale only. The machine may be shared: the load's CPU seconds are given beside its wall time,
and the ratios are of wall time and of CPU time against the baseline of the same round.

    TOCSIN_BENCH_DEMO_SCALES=small,borough make bench BENCH_ARGS="--only demo"
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

TITLE = "Demo: loading a town through the actions (issue 18)"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POSTGRES = os.environ.get("TOCSIN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ROUNDS = int(os.environ.get("TOCSIN_BENCH_DEMO_ROUNDS", "1"))
BATCH = 500


def _load(scale: str, batch: int, database: str, path: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOCSIN_", "DJANGO_"))}
    env["PYTHONPATH"] = str(ROOT / "src")
    with tempfile.TemporaryDirectory(prefix="tocsin-bench-demo-") as home:
        env["TOCSIN_HOME"] = home
        if database == "postgresql":
            env["DATABASE_URL"] = _fresh_database()
        else:
            env.pop("DATABASE_URL", None)
        done = subprocess.run(
            [sys.executable, str(HERE / "_demo_world.py"), scale, str(batch), path],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _fresh_database() -> str:
    """An empty PostgreSQL database beside ``POSTGRES``'s, for one run."""
    import psycopg

    name = "tocsin_bench_demo"
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return POSTGRES.rsplit("/", 1)[0] + "/" + name


def _postgres_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES, connect_timeout=3):
            return True
    except Exception:  # no server, no driver: SQLite only
        return False


def _loadavg() -> str:
    try:
        return ", ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def run(quick: bool) -> str:
    scales = os.environ.get("TOCSIN_BENCH_DEMO_SCALES", "small" if quick else "small,borough")
    databases = ["sqlite"] + (["postgresql"] if _postgres_answers() else [])
    rows = []
    loads = [f"before: {_loadavg()}"]
    for scale in scales.split(","):
        for database in databases:
            for _ in range(ROUNDS):
                baseline = _load(scale, 1, database, "actions")
                batched = _load(scale, BATCH, database, "actions")
                bulk = _load(scale, BATCH, database, "bulk")
                rows.append((baseline, batched, bulk))
    loads.append(f"after: {_loadavg()}")
    lines = [
        "| scale | database | events | path | simulate (s) | load (s) | load CPU (s) | "
        "sweep (s) | total (s) | load vs baseline (wall) | load vs baseline (CPU) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for baseline, *others in rows:
        for result in (baseline, *others):
            path = (
                "actions, a commit each"
                if result["batch"] == 1
                else f"{result['path']}, {result['batch']} to a commit"
            )
            lines.append(
                f"| {result['scale']} | {result['database']} | {result['events']:,} | {path} | "
                f"{result['simulate_seconds']} | {result['load_seconds']} | "
                f"{result['load_cpu_seconds']} | {result['sweep_seconds']} | "
                f"{result['total_seconds']} | "
                f"{baseline['load_seconds'] / result['load_seconds']:.2f}x | "
                f"{baseline['load_cpu_seconds'] / result['load_cpu_seconds']:.2f}x |"
            )
    lines += [
        "",
        f"Load average on the 2 cores ({'; '.join(loads)}). The target is the whole "
        "`tocsin demo --scale borough` (simulate, load, sweep) in at most 90 s.",
    ]
    return "\n".join(lines)
