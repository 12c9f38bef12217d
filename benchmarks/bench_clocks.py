"""The clocks' sweep over 100,000 open obligations: an incremental sweep with no new events,
and with a small batch of new concerns, against a plain query over the same open-obligation
rows (every row read, and the count of those past due), measured in the same run and process.

The concerns are built in a subprocess with its own TOCSIN_HOME (SQLite), as the tray
benchmark builds them: each is the ``concern_events`` of a synthetic draft (child recorded,
concern recorded, child screened), appended through ``record_events`` in batches of 1,000
concerns. Each concern names CIN factor 11A and an indicator, so it opens a ``decision``, a
``crime_recording`` and a ``rescreening`` obligation (and keeps a dormant ``assessment``
until someone decides to assess): a third as many concerns as obligations are built. The first
sweep replays the whole ledger into a fresh engine and writes the cache; then the incremental
sweeps are timed, interleaved with the plain queries. Nothing falls due during the run (the
earliest due time is the end of the next working day), so the sweeps append no escalation:
this is the steady state a periodic worker runs in.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from _worker import run_worker  # benchmarks/ is on the path (run.py, or as a script)

TITLE = "Clocks: the sweep over 100,000 open obligations (issue 13)"
HERE = Path(__file__).resolve()


def _concerns(council: Any, recorder: Any, count: int, references: set[str]) -> None:
    from tests.factories import make_draft

    from tocsin.domain.concerns import IndicatorSeen, concern_events, new_reference
    from tocsin.domain.screening import default_scheme
    from tocsin.server.ledger.recording import record_events

    indicators = [i.id for i in default_scheme().indicators]
    today = date.today()
    seen = today - timedelta(days=30)
    # Every concern names an indicator (so its child is screened) and CIN factor 11A (child
    # sexual exploitation), so it opens three obligations.
    mixes = [indicators[k : k + n] for n in (1, 2, 3) for k in (0, 7, 14)]
    made = 0
    while made < count:
        batch = []
        for i in range(made, min(made + 1000, count)):
            reference = new_reference()
            while reference in references:
                reference = new_reference()
            references.add(reference)
            draft = make_draft(
                indicators=[IndicatorSeen(x, seen) for x in mixes[i % len(mixes)]],
                vehicles=[],
                phones=[],
                cin_factors=["11A"],
            )
            batch += concern_events(
                draft,
                reference=reference,
                known_children={},
                agency_id=str(council.pk),
                recorded_by=str(recorder.pk),
                today=today,
            ).events
        record_events(batch, actor_id=f"user:{recorder.pk}")
        made = min(made + 1000, count)


def worker(concerns: int, repeats: int, batch: int) -> dict[str, object]:
    """Runs inside a subprocess with its own TOCSIN_HOME and DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from tests.factories import make_agency, make_user

    from tocsin.domain.clocks import ClockEngine
    from tocsin.server.capacity.check import check_capacity
    from tocsin.server.clocks.models import ClockState, OpenObligation
    from tocsin.server.clocks.sweep import clocks_policy, sweep

    call_command("migrate", verbosity=0)
    council = make_agency("Northgate Council", "council")
    recorder = make_user(council, role="practitioner", username="recorder")
    references: set[str] = set()
    started = time.perf_counter()
    _concerns(council, recorder, concerns, references)
    build_s = time.perf_counter() - started

    started = time.perf_counter()
    first = sweep(timezone.now())
    first_s = time.perf_counter() - started
    assert first.rebuilt and not first.escalations
    open_rows = OpenObligation.objects.filter(applies=True).count()

    def plain_read() -> int:
        # Every open-obligation row, as a page listing them all would read them.
        rows = list(
            OpenObligation.objects.filter(applies=True).values_list(
                "id", "concern_id", "due", "level_1", "level_2", "level_3"
            )
        )
        return len(rows)

    def plain_overdue() -> int:
        return OpenObligation.objects.filter(applies=True, due__lte=timezone.now()).count()

    times: dict[str, list[float]] = {
        "sweep, no new events": [],
        f"sweep, {batch} new concerns": [],
        "plain query: read every open row": [],
        "plain query: count past due": [],
    }
    fed: list[int] = []
    for _ in range(repeats):
        t = time.perf_counter()
        result = sweep(timezone.now())
        times["sweep, no new events"].append(time.perf_counter() - t)
        assert result.fed == 0 and not result.escalations
        _concerns(council, recorder, batch, references)
        t = time.perf_counter()
        result = sweep(timezone.now())
        times[f"sweep, {batch} new concerns"].append(time.perf_counter() - t)
        fed.append(result.fed)
        t = time.perf_counter()
        assert plain_read() >= open_rows
        times["plain query: read every open row"].append(time.perf_counter() - t)
        t = time.perf_counter()
        assert plain_overdue() == 0
        times["plain query: count past due"].append(time.perf_counter() - t)

    # Where an idle sweep's time goes: the saved state read and parsed back into an engine,
    # the state written out again, and the capacity check.
    policy = clocks_policy()
    parts: dict[str, list[float]] = {"load state": [], "save state": [], "capacity check": []}
    for _ in range(repeats):
        t = time.perf_counter()
        saved = ClockState.objects.get(pk=1)
        engine = ClockEngine.from_state(policy, saved.state)
        parts["load state"].append(time.perf_counter() - t)
        t = time.perf_counter()
        state = engine.state()
        ClockState.objects.filter(pk=1).update(state=state)
        parts["save state"].append(time.perf_counter() - t)
        t = time.perf_counter()
        check_capacity(policy, timezone.now())
        parts["capacity check"].append(time.perf_counter() - t)
    return {
        "concerns": concerns,
        "open_obligations": open_rows,
        "events_first_sweep": first.fed,
        "fed_per_batch": statistics.median(fed),
        "database": connection.vendor,
        "load_average": os.getloadavg()[0],
        "build_s": build_s,
        "first_sweep_s": first_s,
        "state_bytes": len(json.dumps(state)),
        "median_ms": {k: statistics.median(v) * 1000 for k, v in times.items()},
        "parts_ms": {k: statistics.median(v) * 1000 for k, v in parts.items()},
    }


def run(quick: bool) -> str:
    """Build the obligations, measure, and return the Markdown section."""
    # 33,334 concerns open 100,002 obligations.
    concerns, repeats, batch = (1_000, 3, 20) if quick else (33_334, 3, 100)
    r: dict[str, Any] = run_worker(HERE, concerns, repeats, batch)
    median: dict[str, float] = r["median_ms"]
    baseline = median["plain query: read every open row"]
    lines = [
        f"{r['open_obligations']:,} open obligations from {r['concerns']:,} concerns "
        f"({r['database']}; built in {float(r['build_s']):.0f} s through `record_events`). "
        f"The first sweep replayed {int(r['events_first_sweep']):,} events and wrote the "
        f"cache in {float(r['first_sweep_s']):.1f} s. Then, {repeats} times, interleaved: an "
        f"incremental sweep with no new events; {r['fed_per_batch']:.0f} new events (a batch "
        "of concerns) and a sweep; and the plain queries over the same open-obligation rows. "
        "Medians:",
        "",
        "| What | Median (ms) | vs reading every open row |",
        "| --- | --- | --- |",
    ]
    for label, ms in median.items():
        lines.append(f"| {label} | {ms:.1f} | {ms / baseline:.2f}x |")
    parts: dict[str, float] = r["parts_ms"]
    lines += [
        "",
        f"Where an idle sweep's time goes: loading the engine's saved state "
        f"({int(r['state_bytes']) / 2**20:.0f} MiB of JSON) {parts['load state']:.0f} ms, "
        f"saving it again {parts['save state']:.0f} ms, the capacity check "
        f"{parts['capacity check']:.0f} ms. The engine's own work (feeding the new events and "
        "finding what is due) is in proportion to the new events, but the state is kept as one "
        "JSON document, read and written whole by every sweep: that part grows with the open "
        "obligations, like the plain read.",
        "",
        f"The machine's load average was {float(r.get('load_average', 0)):.1f} at the end of the "
        "run (other work shares its cores): compare the ratios, not the times.",
    ]
    Path(tempfile.gettempdir(), "tocsin-bench-clocks.json").write_text(json.dumps(r, indent=2))
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        print(json.dumps(worker(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
    else:
        print(run(quick="--quick" in sys.argv))
