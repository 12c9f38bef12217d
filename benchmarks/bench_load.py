"""Pages under load (issue 18 §3): ``tocsin serve`` on the borough demo, 20 signed-in people
asking for pages with no pause (locust, headless), per page p50 and p95, p95 as a multiple of
a trivial page's p95 in the same run, errors and requests a second.

The pages: the front-door tray (MASH officers) or a practitioner's own concerns, a child's
chronology, a concern page, the API concern list, and the start page signed in as the trivial
baseline (no protected record: no query beyond the session, the person and the ledger head).
Half the people are MASH officers, half practitioners (``_load_world.py``), each with their
own session; every page is asked for as often as every other.

The borough demo is built once with ``tocsin demo --scale borough --no-serve`` into
``$TOCSIN_BENCH_LOAD_CACHE`` (default ``~/.cache/tocsin-bench-load``), and copied table by
table into PostgreSQL (``_copy_to_postgres.py``); each run serves a copy of it (the SQLite
file copied; on PostgreSQL a database made from it as a template), so a run's read records
never reach the next. Servers are configured as ``database:PxT`` (P
processes of T threads), by default ``sqlite:1x8,postgresql:1x8,postgresql:2x8`` (PostgreSQL
when ``TOCSIN_TEST_POSTGRES_URL``, or the default local server, answers).

    TOCSIN_BENCH_LOAD_SECONDS=75 TOCSIN_BENCH_LOAD_CONFIGS=sqlite:1x8 \\
        make bench BENCH_ARGS="--only load"
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

TITLE = "Pages under load: 20 people on the borough demo (issue 18)"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POSTGRES = os.environ.get("TOCSIN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
CACHE = Path(
    os.environ.get("TOCSIN_BENCH_LOAD_CACHE", Path.home() / ".cache" / "tocsin-bench-load")
)
USERS = 20
TRIVIAL = "trivial page (start, signed in)"
TARGET = 5.0
_TOCSIN = "import sys; from tocsin.cli import main; sys.exit(main(sys.argv[1:]))"


def _env(home: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOCSIN_", "DJANGO_"))}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        TOCSIN_HOME=str(home),
        TOCSIN_HTTPS="false",
        TOCSIN_MFA_REQUIRED="false",
        TOCSIN_ALLOWED_HOSTS="127.0.0.1,localhost",
        # The clocks sweep holds SQLite's write lock while it runs (tens of seconds at borough
        # scale on a busy machine), and every page that shows a record waits for it: measured
        # apart (TOCSIN_BENCH_LOAD_CLOCKS_INTERVAL=60 puts it back in the window).
        TOCSIN_CLOCKS_INTERVAL=os.environ.get("TOCSIN_BENCH_LOAD_CLOCKS_INTERVAL", "3600"),
    )
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _pg_url(name: str) -> str:
    return POSTGRES.rsplit("/", 1)[0] + "/" + name


def _pg_name(suffix: str) -> str:
    return POSTGRES.rsplit("/", 1)[1] + suffix


def _pg(*statements: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def _base(database: str, scale: str) -> Path:
    """The demo built once for ``database`` (its home; on PostgreSQL also its database).

    On PostgreSQL the SQLite demo is copied into it table by table (``_copy_to_postgres.py``;
    ``tocsin verify`` holds on the copy) unless ``TOCSIN_BENCH_LOAD_PG_BUILD=1`` asks for
    loading it through the actions, which takes far longer than the test on a busy machine."""
    home = CACHE / f"{database}-{scale}"
    if (home / "built").exists():
        return home
    url = None
    if database == "postgresql":
        name = _pg_name(f"_load_{scale}")
        _pg(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
        url = _pg_url(name)
        if os.environ.get("TOCSIN_BENCH_LOAD_PG_BUILD") != "1":
            lite = _base("sqlite", scale)
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(lite, home, ignore=shutil.ignore_patterns("tocsin.sqlite3*", "built"))
            print(f"copying the {scale} demo from SQLite into {name} (once)", flush=True)
            subprocess.run(
                [sys.executable, str(HERE / "_copy_to_postgres.py"), str(lite / "tocsin.sqlite3")],
                env=_env(home, url),
                check=True,
                stdout=subprocess.DEVNULL,
            )
            (home / "built").write_text("ok\n", encoding="utf-8")
            return home
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    print(f"building the {scale} demo on {database} in {home} (once)", flush=True)
    subprocess.run(
        [sys.executable, "-c", _TOCSIN, "demo", "--scale", scale, "--no-serve", "--no-witness"],
        env=_env(home, url),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (home / "built").write_text("ok\n", encoding="utf-8")
    return home


def _copy(database: str, scale: str, into: Path) -> str | None:
    """A copy of the demo for one run, in home ``into``; returns its DATABASE_URL."""
    base = _base(database, scale)
    shutil.copytree(base, into, dirs_exist_ok=True)
    if database == "sqlite":
        return None
    name = _pg_name("_load_run")
    _pg(
        f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
        f"CREATE DATABASE {name} TEMPLATE {_pg_name(f'_load_{scale}')}",
    )
    return _pg_url(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(url: str, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"tocsin serve ended with {server.returncode}")
        try:
            with urllib.request.urlopen(url + "/?about", timeout=5):  # noqa: S310 - http://127.0.0.1
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("tocsin serve did not answer")


def _warm(base_url: str, world: dict[str, Any], processes: int) -> None:
    """Ask for every page a few times per process first (templates compiled, caches filled),
    so the figures are a running server's."""
    roles = {u["role"]: u for u in world["users"]}
    for _ in range(2 * processes):
        for user in roles.values():
            paths = ["/?about", "/queue/", "/concerns/mine/", "/api/v1/concerns/"]
            paths += [f"/children/{user['children'][0]}/", f"/concerns/{user['concerns'][0]}/"]
            for path in paths:
                request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1
                    base_url + path, headers={"Cookie": f"{world['cookie_name']}={user['cookie']}"}
                )
                try:
                    with urllib.request.urlopen(request, timeout=120):  # noqa: S310 - loopback
                        pass
                except OSError:  # a refusal (a practitioner's /queue/) warms the page too
                    pass


def _loadavg() -> str:
    try:
        return ", ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def run_once(
    database: str, processes: int, threads: int, seconds: int, scale: str
) -> dict[str, Any]:
    """Serve a fresh copy with ``processes`` x ``threads`` and put it under load."""
    with tempfile.TemporaryDirectory(prefix="tocsin-bench-load-") as tmp:
        home = Path(tmp) / "home"
        url = _copy(database, scale, home)
        env = _env(home, url)
        world = subprocess.run(
            [sys.executable, str(HERE / "_load_world.py"), str(USERS)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (Path(tmp) / "world.json").write_text(world.strip().splitlines()[-1], encoding="utf-8")
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                *(sys.executable, "-c", _TOCSIN, "serve", "--port", str(port)),
                *("--processes", str(processes), "--threads", str(threads)),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(Path(tmp) / "server.log", "wb"),  # noqa: SIM115 - closed with tmp
        )
        try:
            _wait_up(base_url, server)
            _warm(base_url, json.loads(world.strip().splitlines()[-1]), processes)
            load_before = _loadavg()
            prefix = str(Path(tmp) / "locust")
            subprocess.run(
                [
                    *(sys.executable, "-m", "locust", "-f", str(HERE / "_locustfile.py")),
                    *("--headless", "-u", str(USERS), "-r", str(USERS), "-t", f"{seconds}s"),
                    *("--host", base_url, "--csv", prefix, "--only-summary"),
                    *("--loglevel", "WARNING", "--exit-code-on-error", "0"),
                ],
                env={**env, "TOCSIN_LOAD_WORLD": str(Path(tmp) / "world.json")},
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            load_after = _loadavg()
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        with open(prefix + "_stats.csv", encoding="utf-8") as f:
            stats = list(csv.DictReader(f))
    pages = {}
    total = {}
    for row in stats:
        figures = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "rps": float(row["Requests/s"]),
        }
        if row["Name"] == "Aggregated":
            total = figures
        else:
            pages[row["Name"]] = figures
    return {
        "database": database,
        "processes": processes,
        "threads": threads,
        "seconds": seconds,
        "pages": pages,
        "total": total,
        "load": f"{load_before} → {load_after}",
    }


def _postgres_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES, connect_timeout=3):
            return True
    except Exception:  # no server, no driver: SQLite only
        return False


def _configs(quick: bool) -> list[tuple[str, int, int]]:
    default = "sqlite:1x8" if quick else "sqlite:1x8,postgresql:1x8,postgresql:2x8"
    configs = []
    for item in os.environ.get("TOCSIN_BENCH_LOAD_CONFIGS", default).split(","):
        database, shape = item.split(":")
        processes, threads = (int(x) for x in shape.split("x"))
        if database == "postgresql" and not _postgres_answers():
            continue
        configs.append((database, processes, threads))
    return configs


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| database | server | page | requests | errors | p50 (ms) | p95 (ms) | "
        "p95 / trivial p95 | requests/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        trivial = r["pages"].get(TRIVIAL, {}).get("p95") or float("nan")
        server = f"{r['processes']} × {r['threads']} threads"
        order = sorted(r["pages"], key=lambda name: (name != TRIVIAL, name))
        for name in order:
            p = r["pages"][name]
            ratio = p["p95"] / trivial
            mark = "" if name == TRIVIAL else (" ✓" if ratio < TARGET else " ✗")
            lines.append(
                f"| {r['database']} | {server} | {name} | {p['requests']:,} | {p['failures']} | "
                f"{p['p50']:.0f} | {p['p95']:.0f} | {ratio:.1f}×{mark} | {p['rps']:.1f} |"
            )
        t = r["total"]
        lines.append(
            f"| {r['database']} | {server} | **all** | {t['requests']:,} | {t['failures']} | "
            f"{t['p50']:.0f} | {t['p95']:.0f} | | **{t['rps']:.1f}** |"
        )
    return "\n".join(lines)


def read_records(threads: int, each: int) -> dict[str, Any]:
    """Read records on SQLite, one transaction each against the group commit
    (``_read_records.py``, in a fresh home)."""
    with tempfile.TemporaryDirectory(prefix="tocsin-bench-reads-") as home:
        done = subprocess.run(
            [sys.executable, str(HERE / "_read_records.py"), str(threads), str(each)],
            env=_env(Path(home), None),
            capture_output=True,
            text=True,
            check=True,
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(quick: bool) -> str:
    seconds = int(os.environ.get("TOCSIN_BENCH_LOAD_SECONDS", "20" if quick else "75"))
    scale = os.environ.get("TOCSIN_BENCH_LOAD_SCALE", "small" if quick else "borough")
    results = []
    for database, processes, threads in _configs(quick):
        print(f"  {database} {processes}x{threads}, {seconds} s", flush=True)
        results.append(run_once(database, processes, threads, seconds, scale))
        print(json.dumps(results[-1]), flush=True)
    reads = read_records(8, 10 if quick else 25)
    own, grouped = reads["own"], reads["grouped"]
    gain = grouped["reads_per_second"] / own["reads_per_second"]
    loads = "; ".join(
        f"{r['database']} {r['processes']}×{r['threads']}: {r['load']}" for r in results
    )
    return "\n".join(
        [
            f"The {scale} demo, {USERS} signed-in people (half MASH officers, half practitioners) "
            f"asking with no pause for {seconds} s, locust (headless, on the same machine) "
            "against `tocsin serve`. Target: every page's p95 under "
            f"{TARGET:.0f}× the trivial page's p95 in the same run (✓), and no errors. "
            "The clocks sweep is kept out of the window (`TOCSIN_CLOCKS_INTERVAL=3600`): on "
            "SQLite it holds the write lock while it runs, and every page waits for it.",
            "",
            table(results),
            "",
            f"Load average (1, 5, 15 min) before → after each run: {loads}.",
            "",
            f"**Read records on SQLite** ({reads['threads']} threads recording "
            f"{reads['reads']} reads of 30 records each, best of two alternating rounds; "
            "`_read_records.py`):",
            "",
            "| each read's `record.viewed` | reads/s | mean wait (ms) | p95 wait (ms) |",
            "|---|---|---|---|",
            f"| in a transaction of its own (baseline) | {own['reads_per_second']:.1f} | "
            f"{own['mean_ms']:.0f} | {own['p95_ms']:.0f} |",
            f"| group commit (mean {reads['mean_batch']:.1f} a transaction) | "
            f"{grouped['reads_per_second']:.1f} ({gain:.2f}×) | "
            f"{grouped['mean_ms']:.0f} | {grouped['p95_ms']:.0f} |",
        ]
    )


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
