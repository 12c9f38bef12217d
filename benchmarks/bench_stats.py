"""The official statistics over a large ledger (issue 17): ``statistics_at`` (checking the
checkpoint's root, reading and decoding every event below it, the clocks engine over all of
them, every figure, and the suppressed document) against plain baselines over the same ledger,
measured in the same run and process: a ``GROUP BY kind`` count of the leaves below the
checkpoint (the cheapest figure a database can give) and only reading and decoding the events.

With ``--demo SCALE`` the ledger is a simulated partnership loaded as ``tocsin demo`` loads it
(``--demo region`` for the region-scale ledger). Otherwise it is built in a subprocess with its
own TOCSIN_HOME (SQLite), as the clocks benchmark builds it: each concern is the
``concern_events`` of a synthetic draft (child recorded, concern recorded, child screened),
appended through ``record_events`` in batches of 1,000. Concerns alternate between CIN factors
11A and 24A, and one in ten of the children is regraded down with a reason, so every figure
has work to do.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from _worker import run_worker  # benchmarks/ is on the path (run.py, or as a script)

TITLE = "Statistics: figures at a checkpoint over a large ledger (issue 17)"
HERE = Path(__file__).resolve()


def _build(council: Any, recorder: Any, count: int) -> None:
    from tests.factories import make_draft

    from tocsin.domain.concerns import IndicatorSeen, RiskRegraded, concern_events, new_reference
    from tocsin.domain.screening import default_scheme
    from tocsin.server.ledger.recording import record_events

    indicators = [i.id for i in default_scheme().indicators]
    today = date.today()
    seen = today - timedelta(days=30)
    mixes = [indicators[k : k + n] for n in (1, 2, 3) for k in (0, 7, 14)]
    # One concern in ten is screened significant, so that it can be regraded down.
    significant = [i.id for i in default_scheme().indicators if i.group == "significant"][:4]
    references: set[str] = set()
    made = 0
    while made < count:
        batch: list[Any] = []
        for i in range(made, min(made + 1000, count)):
            reference = new_reference()
            while reference in references:
                reference = new_reference()
            references.add(reference)
            draft = make_draft(
                indicators=[
                    IndicatorSeen(x, seen)
                    for x in (significant if i % 10 == 0 else mixes[i % len(mixes)])
                ],
                vehicles=[],
                phones=[],
                cin_factors=["11A" if i % 2 else "24A"],
            )
            events = concern_events(
                draft,
                reference=reference,
                known_children={},
                agency_id=str(council.pk),
                recorded_by=str(recorder.pk),
                today=today,
            ).events
            batch += events
            screened = [e for e in events if e.kind == "child.screened"]
            if i % 10 == 0 and screened and screened[0].band != "not-at-risk":
                batch.append(
                    RiskRegraded(
                        regrading_id=str(uuid.uuid4()),
                        screening_id=screened[0].screening_id,
                        concern_id=screened[0].concern_id,
                        child_id=screened[0].child_id,
                        from_band=screened[0].band,
                        to_band="not-at-risk",
                        reason="Seen at home; the adults named have moved away",
                    )
                )
        record_events(batch, actor_id=f"user:{recorder.pk}")
        made = min(made + 1000, count)


def _build_partnership(scale: str) -> int:
    """A simulated partnership of ``scale`` (seed 1) loaded as ``tocsin demo`` loads it (the
    bulk action path, people matched, pattern alerts, the first sweep): every kind of event
    a working ledger holds, not only concerns. Returns the concerns loaded."""
    from tocsin.server.clocks.sweep import sweep
    from tocsin.server.demo import demo_tables, load_partnership
    from tocsin.simulate import simulate

    tables = demo_tables(simulate(seed=1, scale=scale))
    load = load_partnership(tables)
    sweep()
    return load.concerns


def worker(concerns: int | str, repeats: int) -> dict[str, object]:
    """Runs inside a subprocess with its own TOCSIN_HOME and DATABASE_URL. ``concerns``: how
    many synthetic concerns to build, or the scale of a simulated partnership to load."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    import shutil

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from tests.factories import make_agency, make_user

    from tocsin.domain.screening import bands
    from tocsin.domain.statistics import compute_figures, document, to_json
    from tocsin.server.clocks.sweep import clocks_policy
    from tocsin.server.ledger.checkpoints import sign_checkpoint_now
    from tocsin.server.statistics.reading import (
        _COMPUTED,
        Audience,
        ledger_events,
        statistics_at,
    )

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if isinstance(concerns, str):
        concerns = _build_partnership(concerns)
    else:
        council = make_agency("Northgate Council", "council")
        recorder = make_user(council, role="practitioner", username="recorder")
        _build(council, recorder, concerns)
    build_s = time.perf_counter() - started
    checkpoint, _ = sign_checkpoint_now()
    size = checkpoint.size

    def plain_count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT kind, COUNT(*) FROM ledger_leaf WHERE seq < %s GROUP BY kind", [size]
            )
            return sum(n for _, n in cursor.fetchall())

    def read_only() -> int:
        return sum(1 for _ in ledger_events(size))

    stored = Path(settings.TOCSIN_HOME) / "statistics"

    def every_payload() -> str:
        # As before the store: every payload decoded, nothing stored.
        figures = compute_figures(
            ledger_events(size), size=size, period="quarter", policy=clocks_policy(), bands=bands()
        )
        stats = statistics_at(size)  # the root, from the computation below's memory cache
        audience = Audience(False, settings.TOCSIN_STATS_SUPPRESS_BELOW)
        return to_json(document(figures, root=stats.root, origin=stats.origin, audience=audience))

    def figures() -> str:
        _COMPUTED.clear()  # time the computation, not the page's cache
        shutil.rmtree(stored, ignore_errors=True)  # nor the worker's store
        return to_json(statistics_at(size).document(sees_every_concern=False))

    def from_store() -> str:
        _COMPUTED.clear()  # what the worker stored (the run before this one)
        return to_json(statistics_at(size).document(sees_every_concern=False))

    times: dict[str, list[float]] = {
        "plain count: GROUP BY kind": [],
        "read and decode every event": [],
        "statistics fresh, every payload decoded (as before)": [],
        "statistics_at fresh: only the payloads read, stored": [],
        "statistics_at from the worker's store": [],
    }
    outputs = set()
    for _ in range(repeats):
        t = time.perf_counter()
        assert plain_count() == size
        times["plain count: GROUP BY kind"].append(time.perf_counter() - t)
        t = time.perf_counter()
        assert read_only() == size
        times["read and decode every event"].append(time.perf_counter() - t)
        t = time.perf_counter()
        outputs.add(figures())
        times["statistics_at fresh: only the payloads read, stored"].append(time.perf_counter() - t)
        t = time.perf_counter()
        outputs.add(from_store())
        times["statistics_at from the worker's store"].append(time.perf_counter() - t)
        t = time.perf_counter()
        outputs.add(every_payload())
        times["statistics fresh, every payload decoded (as before)"].append(time.perf_counter() - t)
    assert len(outputs) == 1, "the same checkpoint gave different figures (fresh, stored, before)"
    return {
        "concerns": concerns,
        "events": size,
        "database": connection.vendor,
        "load_average": os.getloadavg()[0],
        "build_s": build_s,
        "median_ms": {k: statistics.median(v) * 1000 for k, v in times.items()},
    }


def run(
    quick: bool, concerns: int | None = None, scale: str | None = None, repeats: int = 3
) -> str:
    """Build the ledger, measure, and return the Markdown section (``concerns`` instead of the
    default size: ``--concerns N``; ``scale``: a simulated partnership, ``--demo SCALE``;
    ``repeats``: how many times each is measured, ``--repeats N``)."""
    default = 2_000 if quick else 30_000
    r: dict[str, Any] = run_worker(HERE, scale or concerns or default, repeats)
    median: dict[str, float] = r["median_ms"]
    baseline = median["plain count: GROUP BY kind"]
    built = (
        f"the simulated {scale} partnership (seed 1: {r['concerns']:,} concerns) loaded as "
        f"`tocsin demo --scale {scale}` loads it"
        if scale
        else f"{r['concerns']:,} concerns, one in ten regraded down"
    )
    how = "the demo's bulk action path" if scale else "`record_events`"
    times = "once each" if repeats == 1 else f"{repeats} times, interleaved"
    lines = [
        f"{int(r['events']):,} events from {built} ({r['database']}; built in "
        f"{float(r['build_s']):.0f} s through {how}), "
        f"signed as one checkpoint. Measured {times}: the plain count, reading and "
        "decoding every event, the statistics computed fresh (every figure, the clocks engine "
        "over every event, suppression) as the worker computes and stores them, the same "
        "answered from the worker's store, and computed decoding every payload (as before the "
        "store). "
        + (
            "Every run of each gave the same JSON. Medians:"
            if repeats > 1
            else "Each gave the same JSON. Times:"
        ),
        "",
        f"| What | {'Median' if repeats > 1 else 'Time'} (ms) | vs the plain count |",
        "| --- | --- | --- |",
    ]
    for label, ms in median.items():
        lines.append(f"| {label} | {ms:.1f} | {ms / baseline:.1f}x |")
    lines += [
        "",
        "Computed fresh, the statistics read every leaf below the checkpoint (they must: a "
        "figure is a function of the events, not of tables that could be edited), so they cost "
        "what reading the ledger costs plus the clocks engine, not what a count costs. The "
        "clocks worker computes them once per checkpoint and stores them; the page and `tocsin "
        "stats` at that checkpoint then read one file.",
        "",
        f"The machine's load average was {float(r.get('load_average', 0)):.1f} at the end of the "
        "run (other work shares its cores): compare the ratios, not the times.",
    ]
    Path(tempfile.gettempdir(), "tocsin-bench-stats.json").write_text(json.dumps(r, indent=2))
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        what = sys.argv[2]
        print(json.dumps(worker(int(what) if what.isdigit() else what, int(sys.argv[3]))))
    else:
        size = sys.argv[sys.argv.index("--concerns") + 1] if "--concerns" in sys.argv else None
        scale = sys.argv[sys.argv.index("--demo") + 1] if "--demo" in sys.argv else None
        repeats = sys.argv[sys.argv.index("--repeats") + 1] if "--repeats" in sys.argv else "3"
        print(
            run(
                quick="--quick" in sys.argv,
                concerns=int(size) if size else None,
                scale=scale,
                repeats=int(repeats),
            )
        )
