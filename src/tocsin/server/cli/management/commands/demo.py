"""tocsin demo: a synthetic partnership in $TOCSIN_HOME, loaded through the actions, served."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser

from tocsin.server.cli.base import TocsinCommand, UsageError
from tocsin.server.cli.management.commands.serve import serve_forever
from tocsin.server.cli.management.commands.users import generate_password
from tocsin.server.clocks.sweep import sweep
from tocsin.server.demo import load_partnership, set_demo_passwords
from tocsin.server.directory.models import Agency
from tocsin.server.ledger.recording import reading_ledger

SCALES = ("small", "borough", "region")


def credentials_file() -> Path:
    """Where the demo's sign-in details are kept (mode 0600), for the start page."""
    return Path(settings.TOCSIN_HOME) / "demo-credentials.json"


class Command(TocsinCommand):
    help = (
        "Build a synthetic partnership into $TOCSIN_HOME (the simulator, loaded through the "
        "ordinary actions, once) and serve it; prints a new password for one person in each "
        "role on every run. Synthetic data only."
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
            "of 260,000 over ten years and takes minutes to load)",
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
        )
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        from tocsin.simulate import simulate

        self.stdout.write(f"Tocsin home: {settings.TOCSIN_HOME}")
        call_command("migrate", verbosity=0, interactive=False)
        if not Agency.objects.exists():
            started = time.monotonic()
            self.stdout.write(
                f"Simulating a {options['scale']} partnership (seed "
                f"{options['seed']}) and loading it through the actions..."
            )
            world = simulate(seed=options["seed"], scale=options["scale"])
            tables = {
                name: list(world[name].dicts())
                for name in (
                    "records/agencies",
                    "records/teams",
                    "records/staff",
                    "records/persons",
                    "records/concerns",
                    "records/decisions",
                    # Whose record is whose: each child's NHS number (src/tocsin/server/demo.py).
                    "truth/record_identity",
                )
            }
            with self.progress() as progress:
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
        size, root = reading_ledger().store.head()
        lines = [
            f"Ledger: {size} events, root {root.hex()}",
            "Sign in as (synthetic people; new passwords each run):",
        ]
        lines += [f"  {p['role']:<24} {p['username']:<24} {p['password']}" for p in people]
        url = f"http://{options['host']}:{options['port']}/"
        lines.append(f"\nServing {url}  (Ctrl-C stops)" if not options["no_serve"] else "Set up.")
        self.stdout.write("\n".join(lines))
        if not options["no_serve"]:
            settings.TOCSIN_DEMO = True
            serve_forever(options["host"], options["port"])
