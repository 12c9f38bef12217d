"""Simulator throughput: person records per second at each scale, simulating and writing.

Each scale is simulated from seed 1 and written (JSON Lines, CSV, truth/, manifest) into a
temporary folder. "Records" are the person records agencies hold (``records/persons``), the
figure the issue asks for; all rows written (every table, every format) are reported too.
The baseline is Faker (en_GB) producing a name, date of birth and address per record in the
same run, a common way to make synthetic people, which carries no truth, noise or structure.
"""

from __future__ import annotations

import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tocsin.simulate import simulate, write_world  # noqa: E402

TITLE = "Simulator: person records per second by scale (issue 4)"

_FAKER_SAMPLE = 20_000


def _faker_rate() -> float:
    from faker import Faker

    fake = Faker("en_GB")
    Faker.seed(1)
    started = time.perf_counter()
    for _ in range(_FAKER_SAMPLE):
        fake.name()
        fake.date_of_birth(minimum_age=0, maximum_age=90)
        fake.address()
    return _FAKER_SAMPLE / (time.perf_counter() - started)


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run(quick: bool) -> str:
    """Measure each scale and return the Markdown section."""
    scales = ["small", "borough"] if quick else ["small", "borough", "region"]
    rows = []
    for scale in scales:
        gc.collect()
        scratch = Path(tempfile.mkdtemp(prefix=f"tocsin-bench-{scale}-"))
        try:
            started = time.perf_counter()
            world = simulate(1, scale)
            simulated = time.perf_counter() - started
            manifest = write_world(world, scratch / "world")
            total = time.perf_counter() - started
            size = _folder_bytes(scratch / "world")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        summary = manifest["summary"]
        written = sum(entry["rows"] for entry in manifest["files"].values())
        persons = summary["person_records"]
        rows.append((scale, summary, persons, written, simulated, total, size))
        del world
    baseline = _faker_rate()
    lines = [
        "Seed 1, each scale's preset; times include writing every file and the manifest.",
        "",
        "| scale | residents | person records | concerns | exploited (hidden) | simulate | "
        "simulate + write | person records/s | rows written/s | output |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scale, summary, persons, written, simulated, total, size in rows:
        lines.append(
            f"| {scale} | {summary['residents']:,} | {persons:,} | {summary['concerns']:,} | "
            f"{summary['exploited_children']:,} ({summary['hidden_children']:,}) | "
            f"{simulated:.1f} s | {total:.1f} s | **{persons / total:,.0f}** | "
            f"{written / total:,.0f} | {size / 2**20:,.0f} MiB |"
        )
    largest = rows[-1]
    lines += [
        "",
        f"Baseline: Faker (en_GB) makes **{baseline:,.0f}** people per second (name, date of "
        f"birth, address; {_FAKER_SAMPLE:,} in this run, nothing written). The simulator at "
        f"{largest[0]} scale makes **{largest[2] / largest[5]:,.0f}** person records per second "
        f"including writing them twice and all truth: "
        f"**{largest[2] / largest[5] / baseline:.1f}x** Faker's rate.",
    ]
    return "\n".join(lines) + "\n"
