"""Run Tocsin's benchmarks and record their figures in docs/benchmarks.md.

Each ``benchmarks/bench_<name>.py`` defines ``TITLE`` and ``run(quick: bool) -> str``, which
measures and returns a Markdown section (figures plus the baseline measured in the same run).
Sections are kept between ``<!-- bench:<name> -->`` markers, so running one benchmark
(``--only ledger``) rewrites its section and leaves the others as they were.

    python benchmarks/run.py [--only NAME ...] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "docs" / "benchmarks.md"


def machine() -> str:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        memory = "unknown"
    return (
        f"{os.cpu_count()} cores, {memory} memory, Python {platform.python_version()}, "
        f"{platform.machine()}, {platform.system()}"
    )


def discover() -> dict[str, Path]:
    return {p.stem.removeprefix("bench_"): p for p in sorted(HERE.glob("bench_*.py"))}


def load(path: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(HERE))
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="benchmark names to run")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    found = discover()
    names = args.only or list(found)
    unknown = sorted(set(names) - set(found))
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; known: {', '.join(found)}")
    existing = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    sections = dict(re.findall(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->", existing, re.S))
    for name in names:
        print(f"== benchmark: {name}", flush=True)
        module = load(found[name])
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        body = module.run(quick=args.quick).rstrip() + "\n"
        sections[name] = f"## {module.TITLE}\n\n_Measured {stamp} on {machine()}._\n\n{body}\n"
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python benchmarks/run.py`); each section says when and on what",
        "machine it was measured. Ratios compare with a baseline measured in the same run, since",
        "absolute times drift on shared machines. Correctness never depends on these figures.",
        "",
    ]
    # Sections no benchmark writes (the mutation score, recorded from `make mutation`) stay.
    for name in [*found, *sorted(set(sections) - set(found))]:
        if name in sections:
            lines.append(f"<!-- bench:{name} -->\n{sections[name]}<!-- /bench:{name} -->\n")
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
