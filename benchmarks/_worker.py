"""Running a benchmark's measuring half in a process of its own: a fresh Tocsin home and
database (SQLite in the home unless a URL is given), this checkout's code first on the path,
and the JSON the worker prints last as the result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_worker(script: Path, *args: object, database_url: str | None = None) -> Any:
    """Run ``script --worker ARGS...`` and return the JSON on its last line of output."""
    home = tempfile.mkdtemp(prefix=f"tocsin-{script.stem}-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOCSIN_", "DATABASE_URL"))}
    env.update(TOCSIN_HOME=home, DATABASE_URL=database_url or f"sqlite:///{home}/tocsin.sqlite3")
    # The tests' factories are importable too (a worker may build its world with them).
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")])
    out = subprocess.run(
        [sys.executable, str(script), "--worker", *map(str, args)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])
