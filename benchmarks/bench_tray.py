"""The front-door tray with 100,000 open concerns: time to first byte of ``/queue/`` (the
front door's first page), of the tray filtered to one band, and of page 100, against a
trivial page (the public report form) measured in the same run and process.

The concerns are built in a subprocess with its own TOCSIN_HOME (SQLite): each is the
``concern_events`` of a synthetic draft (child recorded, concern recorded, child screened),
appended through ``record_events`` in batches of 1,000 concerns — the same append and
appliers as ``do_record_concerns`` (so every concern opens its case at the front door),
without the per-draft validation and language check that make an import take minutes. Then
Django's test client, signed in as a MASH officer of the recording council, asks for each
page in turn, interleaved, after one warm-up request each.
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

TITLE = "Case work: the front-door tray with 100,000 open concerns (issue 11)"
HERE = Path(__file__).resolve()
PAGES = {
    "trivial": "/report/en/",
    "front door": "/queue/",
    "front door, band significant": "/queue/front-door/?band=significant",
    "front door, page 100": "/queue/front-door/?page=100",
}


def _build(concerns: int) -> dict[str, object]:
    from django.core.management import call_command
    from tests.factories import make_agency, make_draft, make_team, make_user

    from tocsin.domain.concerns import IndicatorSeen, concern_events, new_reference
    from tocsin.domain.screening import default_scheme
    from tocsin.server.ledger.recording import record_events

    call_command("migrate", verbosity=0)
    council = make_agency("Northgate Council", "council")
    mash = make_team(council, "MASH")
    officer = make_user(council, role="mash_officer", team=mash, username="officer")
    recorder = make_user(council, role="practitioner", username="recorder")
    indicators = [i.id for i in default_scheme().indicators]
    today = date.today()
    seen = today - timedelta(days=30)
    # One draft per indicator mix; each concern gets a fresh child and reference.
    mixes = [indicators[k : k + n] for n in (0, 0, 1, 2, 3, 5) for k in (0, 7, 14, 21)]
    references: set[str] = set()
    started = time.perf_counter()
    made = 0
    while made < concerns:
        batch = []
        for i in range(made, min(made + 1000, concerns)):
            reference = new_reference()
            while reference in references:
                reference = new_reference()
            references.add(reference)
            draft = make_draft(
                indicators=[IndicatorSeen(x, seen) for x in mixes[i % len(mixes)]],
                vehicles=[],
                phones=[],
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
        made = min(made + 1000, concerns)
    return {"build_s": time.perf_counter() - started, "officer": officer.pk}


def _slowest_queries(client: object, path: str) -> dict[str, object]:
    """Each query the page makes, run again on its own and timed; the three slowest with
    SQLite's plan for each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path)  # type: ignore[attr-defined]
    timed = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            timed.append((time.perf_counter() - started, sql))
    timed.sort(key=lambda t: -t[0])
    slowest = []
    with connection.cursor() as cursor:
        for seconds, sql in timed[:3]:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = [str(row[-1]) for row in cursor.fetchall()]
            slowest.append({"ms": seconds * 1000, "sql": sql[:600], "plan": plan})
    return {
        "queries": len(captured.captured_queries),
        "select_ms": sum(t for t, _ in timed) * 1000,
        "slowest": slowest,
    }


def worker(concerns: int, repeats: int) -> dict[str, object]:
    """Runs inside a subprocess with its own TOCSIN_HOME and DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from tocsin.server.casework.models import Case
    from tocsin.server.directory.models import User

    built = _build(concerns)
    bands = {
        b or "unscreened": Case.objects.filter(band=b).count()
        for b in Case.objects.values_list("band", flat=True).distinct()
    }
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(pk=built["officer"]))
    for path in PAGES.values():  # warm up, and check each page answers
        response = client.get(path, follow=False)
        assert response.status_code == 200, (path, response.status_code)
    times: dict[str, list[float]] = {label: [] for label in PAGES}
    for _ in range(repeats):
        for label, path in PAGES.items():
            started = time.perf_counter()
            response = client.get(path)
            times[label].append(time.perf_counter() - started)
            assert response.status_code == 200
    return {
        "concerns": concerns,
        "cases": Case.objects.count(),
        "bands": bands,
        "database": connection.vendor,
        "build_s": built["build_s"],
        "median_ms": {k: statistics.median(v) * 1000 for k, v in times.items()},
        "min_ms": {k: min(v) * 1000 for k, v in times.items()},
        "slowest": _slowest_queries(client, PAGES["front door"]),
    }


def _measure(concerns: int, repeats: int) -> dict[str, Any]:
    result: dict[str, Any] = run_worker(HERE, concerns, repeats)
    return result


def run(quick: bool) -> str:
    """Build the concerns, measure, and return the Markdown section."""
    concerns, repeats = (5_000, 10) if quick else (100_000, 15)
    r = _measure(concerns, repeats)
    median: dict[str, float] = r["median_ms"]
    trivial = median["trivial"]
    lines = [
        f"{r['concerns']:,} open concerns at one council's front door ({r['database']}; "
        f"built in {float(r['build_s']):.0f} s through `record_events`); bands: "
        + ", ".join(f"{b} {n:,}" for b, n in sorted(r["bands"].items()))
        + f". Median of {repeats} requests each through Django's test client, interleaved.",
        "",
        "| Page | Median (ms) | vs trivial page |",
        "| --- | --- | --- |",
    ]
    for label, path in PAGES.items():
        lines.append(
            f"| {label} (`{path}`) | {median[label]:.1f} | {median[label] / trivial:.1f}x |"
        )
    queries: dict[str, Any] = r["slowest"]
    lines += [
        "",
        f"`/queue/` makes {queries['queries']} queries; its SELECTs, run again on their own, take "
        f"{float(queries['select_ms']):.1f} ms together (the rest of the time is Python: the "
        "view, the read scope recording what the page showed, and the template). The slowest, "
        "with SQLite's plan:",
        "",
    ]
    for query in queries["slowest"]:
        plan = "; ".join(dict.fromkeys(query["plan"]))[:300]
        lines.append(f"- {query['ms']:.2f} ms: `{query['sql'][:160]}…` — plan: {plan}")
    Path(tempfile.gettempdir(), "tocsin-bench-tray.json").write_text(json.dumps(r, indent=2))
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        print(json.dumps(worker(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        print(run(quick="--quick" in sys.argv))
