"""tocsin demo: a synthetic partnership in $TOCSIN_HOME, loaded through the actions, served."""

from __future__ import annotations

import json
import os
import signal
import subprocess  # runs our own migrate: a fixed argv, no shell  # nosec B404
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import connection

from tocsin.server.cli.base import TocsinCommand, UsageError
from tocsin.server.cli.management.commands.serve import serve_forever
from tocsin.server.cli.management.commands.users import generate_password
from tocsin.server.cli.progress import simulation_progress
from tocsin.server.clocks.sweep import sweep
from tocsin.server.demo import demo_tables, load_partnership, set_demo_passwords
from tocsin.server.demo_witness import DemoWitness, DemoWitnessError, prepare_demo_witness
from tocsin.server.directory.models import Agency
from tocsin.server.ledger.checkpoints import CheckpointRefused, log_vkey, publish
from tocsin.server.ledger.recording import reading_ledger
from tocsin.witness import WitnessConfigError

SCALES = ("small", "borough", "region")


def _start_migrating() -> subprocess.Popen[str]:
    """``tocsin migrate`` in a process of its own, with this one's settings (its
    environment)."""
    return subprocess.Popen(  # our interpreter, fixed arguments  # nosec B603
        [sys.executable, "-m", "tocsin", "migrate", "--verbosity", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish_migrating(migrating: subprocess.Popen[str]) -> None:
    """Wait for the migration; if the simulation failed first, it is still waited for, so
    that no half-migrated database is left behind by a process nobody waits for."""
    _, errors = migrating.communicate()
    if migrating.returncode != 0:
        last = (errors.strip().splitlines() or ["no message"])[-1]
        raise CommandError(f"setting up the database failed: {last}")


@contextmanager
def _first_load_durability() -> Iterator[None]:
    """While the demonstration's partnership is first loaded into SQLite, its batches are not
    each synced to disk (``synchronous=NORMAL``: the write-ahead log keeps the file whole; a
    power cut may lose the last batches, as stopping the load would). Every write after the
    load is synced again, as always (``synchronous=FULL``, config.py)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=NORMAL")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=FULL")


def credentials_file() -> Path:
    """Where the demo's sign-in details are kept (mode 0600), for the start page."""
    return Path(settings.TOCSIN_HOME) / "demo-credentials.json"


class Command(TocsinCommand):
    help = (
        "Build a synthetic partnership into $TOCSIN_HOME (the simulator, loaded through the "
        "ordinary actions, once) and serve it; prints a new password for one person in each "
        "role on every run. Synthetic data only. Runs a witness of its own (state in "
        "$TOCSIN_HOME/demo-witness, a separate process that never opens the database) that "
        "cosigns every checkpoint."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=1, help="seed for the synthetic partnership (default 1)"
        )
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default="small",
            help="size of the partnership (default small; borough is a town "
            "of 260,000 over ten years and takes minutes to load, with progress shown)",
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
        )
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")
        parser.add_argument(
            "--witness-port",
            type=int,
            default=None,
            help="port for the demonstration's own witness (default: a free one)",
        )
        parser.add_argument(
            "--no-witness",
            action="store_true",
            help="run without the demonstration's own witness (checkpoints are then kept only "
            "in the database, and tocsin verify --strict fails)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from tocsin.simulate import simulate

        # Stopped by a signal (a service manager, `kill`), as by Ctrl-C: leave through the
        # ExitStack below, so that the demonstration's witness stops with it.
        signal.signal(signal.SIGTERM, _leave)
        self.stdout.write(f"Tocsin home: {settings.TOCSIN_HOME}")
        # A database nobody has set up is migrated by a process of its own, on the second
        # core, while this one simulates the partnership.
        fresh = Agency._meta.db_table not in connection.introspection.table_names()
        migrating = _start_migrating() if fresh else None
        if migrating is None:
            call_command("migrate", verbosity=0, interactive=False)
        if migrating is not None or not Agency.objects.exists():
            started = time.monotonic()
            self.stdout.write(
                f"Simulating a {options['scale']} partnership (seed "
                f"{options['seed']}) and loading it through the actions..."
            )
            with self.progress() as progress:
                try:
                    world = simulate(
                        seed=options["seed"],
                        scale=options["scale"],
                        progress=simulation_progress(progress),
                    )
                finally:
                    if migrating is not None:
                        _finish_migrating(migrating)
                tables = demo_tables(world)
                del world  # the rest of the world (truth, registers) is not loaded
                with _first_load_durability():
                    load = load_partnership(tables, progress)
                # The clocks: every concern's deadlines, as the pages show them.
                clocks = sweep(progress=progress)
            self.stdout.write(
                f"Loaded {load.agencies} agencies, {load.teams} teams, {load.staff} staff, "
                f"{load.concerns} concerns and {load.public_reports} public reports "
                f"({load.public_screened} screened at the front door; {load.allocations} "
                f"allocations, {load.decisions} "
                f"decisions, {load.sign_offs} signed off, {load.awaiting} awaiting sign-off, "
                f"{load.contacts} visits, {load.notes} case notes, {load.outcomes} outcomes, "
                f"{clocks.open} open obligations, "
                f"{sum(load.case_work_skipped.values())} simulated decisions the rules refused) in "
                f"{time.monotonic() - started:.0f} s"
                + (
                    f"; {len(load.linkage.cluster_of)} child records linked into "
                    f"{len(load.linkage.numbers)} children in {load.linkage.seconds:.0f} s"
                    if load.linkage is not None
                    else ""
                )
                + (
                    f"; {sum(load.skipped.values())} concerns not loaded "
                    f"({', '.join(f'{n}: {why}' for why, n in load.skipped.most_common(3))})"
                    if load.skipped
                    else ""
                )
            )
        else:
            self.stdout.write("The partnership is already loaded; keeping it.")
        people = set_demo_passwords(generate_password)
        if not people:
            raise UsageError("no staff to sign in as: remove $TOCSIN_HOME and run again")
        path = credentials_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(people, handle, indent=2)
        with ExitStack() as running:
            witnessed = "" if options["no_witness"] else self._start_witness(running, options)
            size, root = reading_ledger().store.head()
            lines = [
                f"Ledger: {size} events, root {root.hex()}",
                witnessed or "Witness: none (--no-witness)",
                "Sign in as (synthetic people; new passwords each run):",
            ]
            lines += [f"  {p['role']:<24} {p['username']:<24} {p['password']}" for p in people]
            url = f"http://{options['host']}:{options['port']}/"
            lines.append(
                f"\nServing {url}  (Ctrl-C stops)" if not options["no_serve"] else "Set up."
            )
            self.stdout.write("\n".join(lines))
            if not options["no_serve"]:
                settings.TOCSIN_DEMO = True
                # One-step sign-in over plain HTTP on this machine; the start page says how a
                # real deployment signs in (docs/deploying.md).
                settings.TOCSIN_MFA_REQUIRED = False
                settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
                serve_forever(options["host"], options["port"])

    def _start_witness(self, running: ExitStack, options: dict[str, Any]) -> str:
        """Start the demonstration's witness, add it to TOCSIN_WITNESSES for this process (the
        server's checkpoint worker and anything it runs), and have it cosign the ledger as
        loaded. Returns what to tell the person running the demonstration."""
        state = Path(settings.TOCSIN_HOME) / "demo-witness"
        try:
            vkey = prepare_demo_witness(state, settings.TOCSIN_LEDGER_ORIGIN, log_vkey())
            witness = running.enter_context(
                DemoWitness(state, "127.0.0.1", options["witness_port"])
            )
        except (DemoWitnessError, WitnessConfigError, OSError) as exc:
            raise UsageError(f"the demonstration's witness: {exc}") from None
        entry = f"{vkey}@{witness.url}"
        settings.TOCSIN_WITNESSES = [*settings.TOCSIN_WITNESSES, (vkey, witness.url)]
        os.environ["TOCSIN_WITNESSES"] = ",".join(f"{v}@{u}" for v, u in settings.TOCSIN_WITNESSES)
        try:
            # Signing and the witness's cosignature: quick, but a phase like the others.
            with self.progress() as progress:
                progress("checkpoint", 0, 1)
                checkpoint, _, answers = publish()
                progress("checkpoint", 1, 1)
        except CheckpointRefused as exc:
            raise UsageError(f"cannot sign a checkpoint: {exc}") from None
        said = "; ".join(f"{a.detail}" for a in answers if a.url == witness.url)
        return (
            f"Witness: {witness.url} (state in {state}); checkpoint at size {checkpoint.size}: "
            f"{said}\nCheck the ledger against it while this runs:\n"
            f"  TOCSIN_WITNESSES='{entry}' tocsin verify --strict"
        )


def _leave(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
