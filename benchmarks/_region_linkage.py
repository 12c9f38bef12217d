"""Worker for bench_linkage_region: each step in its own process, so that its time and peak
memory are its own.

    python _region_linkage.py prepare OUT_DIR            simulate the region, write records
    python _region_linkage.py measure STEP ARGS...       run STEP in a child process and
                                                         print its peak memory (RUSAGE_CHILDREN)
    python _region_linkage.py tocsin DIR SIZE            link the first SIZE records' people
    python _region_linkage.py recordlinkage DIR SIZE     the classic recordlinkage pipeline
    python _region_linkage.py check DIR [MODEL_SIZE]     the already-known check at full size

Each linking step writes DIR/<step>-<SIZE>.parquet (record_id, cluster_id) and prints one JSON
line with its seconds (reading the records excluded).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import pyarrow as pa  # type: ignore[import-untyped]  # noqa: E402
import pyarrow.parquet as pq  # type: ignore[import-untyped]  # noqa: E402

FIELDS = (
    "record_id",
    "source",
    "first_name",
    "surname",
    "aliases",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "phone",
    "identifier",
    "recorded_on",
)


def prepare(out: Path, scale: str = "region") -> None:
    from tocsin.intel.linkage import records_from_simulation
    from tocsin.simulate import simulate

    started = time.perf_counter()
    world = simulate(1, scale)
    simulated = time.perf_counter() - started
    records = records_from_simulation(
        world["records/persons"].dicts(), world["records/agencies"].dicts()
    )
    people = {p["person_id"]: p for p in world["truth/people"].dicts()}
    truth = {r["record_id"]: r["person_id"] for r in world["truth/record_identity"].dicts()}
    del world
    columns: dict[str, list[Any]] = {f: [] for f in FIELDS}
    columns.update(person_id=[], household_id=[], child=[])
    for r in records:
        for f in FIELDS:
            value = getattr(r, f)
            columns[f].append(";".join(value) if f == "aliases" else value)
        person = people[truth[r.record_id]]
        columns["person_id"].append(person["person_id"])
        columns["household_id"].append(person["household_id"])
        columns["child"].append(person["role"] == "child")
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), out / "records.parquet")
    print(json.dumps({"records": len(records), "people": len(people), "simulate": simulated}))


def _subset(directory: Path, size: int) -> pa.Table:
    """The records of whole households, households taken in a fixed pseudo-random order until
    ``size`` records are reached (all records when size is 0)."""
    table = pq.read_table(directory / "records.parquet")
    if size <= 0 or size >= table.num_rows:
        return table
    households = table.column("household_id").to_pylist()
    counts: dict[str, int] = {}
    for h in households:
        counts[h] = counts.get(h, 0) + 1
    order = sorted(counts, key=lambda h: (hash_key(h), h))
    chosen, total = set(), 0
    for h in order:
        if total >= size:
            break
        chosen.add(h)
        total += counts[h]
    mask = pa.array([h in chosen for h in households])
    return table.filter(mask)


def hash_key(text: str) -> int:
    import zlib

    return zlib.crc32(text.encode())


def _person_records(table: pa.Table) -> list[Any]:
    from tocsin.intel.linkage import validate_person_rows

    rows = table.select(list(FIELDS)).to_pylist()
    return validate_person_rows(rows)


def run_tocsin(directory: Path, size: int) -> None:
    from tocsin.intel.linkage import link_records

    records = _person_records(_subset(directory, size))
    started = time.perf_counter()
    result = link_records(records)
    seconds = time.perf_counter() - started
    pq.write_table(
        pa.table(
            {
                "record_id": [a.record_id for a in result.assignments],
                "cluster_id": [a.cluster_id for a in result.assignments],
            }
        ),
        directory / f"tocsin-{size}.parquet",
    )
    from tocsin.intel.linkage import save_model

    save_model(result, directory / f"model-{size}.json")
    print(json.dumps({"records": len(records), "seconds": seconds, "pairs": result.pairs_scored}))


def run_recordlinkage(directory: Path, size: int) -> None:
    """The toolkit's classic pipeline: clean, block (five keys like Tocsin's blocking rules),
    compare (Jaro-Winkler on names, exact on the rest, Levenshtein on the address), classify
    with the ECM classifier (unsupervised), then connected components."""
    import pandas as pd  # type: ignore[import-untyped]
    import recordlinkage  # type: ignore[import-untyped]
    from recordlinkage.preprocessing import clean  # type: ignore[import-untyped]

    frame = _subset(directory, size).to_pandas()
    started = time.perf_counter()
    df = pd.DataFrame(index=frame["record_id"])
    df["given"] = clean(frame["first_name"].fillna("")).to_numpy()
    df["surname"] = clean(frame["surname"].fillna("")).to_numpy()
    df["dob"] = frame["date_of_birth"].to_numpy()
    df["postcode"] = frame["postcode"].str.replace(" ", "").str.upper().to_numpy()
    df["address"] = clean(frame["address"].fillna("")).to_numpy()
    df["sex"] = frame["sex"].to_numpy()
    df["nhs"] = frame["identifier"].to_numpy()
    df = df.replace({"": None})
    indexer = recordlinkage.Index()
    for keys in (
        ["surname", "dob"],
        ["given", "dob"],
        ["given", "surname"],
        ["dob", "postcode"],
        ["nhs"],
    ):
        indexer.block(keys)
    pairs = indexer.index(df)
    indexed = time.perf_counter() - started
    _stage(f"blocking ({len(pairs):,} pairs)", started)
    compare = recordlinkage.Compare(n_jobs=os.cpu_count() or 1)  # every core, as DuckDB uses
    compare.string("given", "given", method="jarowinkler", threshold=0.85, label="given")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("dob", "dob", label="dob")
    compare.exact("postcode", "postcode", label="postcode")
    compare.string("address", "address", method="levenshtein", threshold=0.85, label="address")
    compare.exact("sex", "sex", label="sex")
    compare.exact("nhs", "nhs", label="nhs")
    features = compare.compute(pairs, df)
    compared = time.perf_counter() - started
    _stage("comparing", started)
    ecm = recordlinkage.ECMClassifier(binarize=0.5)
    links = ecm.fit_predict(features)
    seconds = time.perf_counter() - started
    summed = features.sum(axis=1)
    by_sum = features.index[summed >= 5]
    ids = list(df.index)
    for name, found in (("recordlinkage", links), ("recordlinkage_sum", by_sum)):
        clusters = _components(ids, list(found))
        pq.write_table(
            pa.table({"record_id": ids, "cluster_id": [clusters[i] for i in ids]}),
            directory / f"{name}-{size}.parquet",
        )
    print(
        json.dumps(
            {
                "records": len(ids),
                "seconds": seconds,
                "pairs": len(pairs),
                "indexing": indexed,
                "comparing": compared - indexed,
            }
        )
    )


def _components(ids: list[str], edges: list[tuple[str, str]]) -> dict[str, str]:
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for left, right in edges:
        a, b = root(left), root(right)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {i: root(i) for i in ids}


def run_check(directory: Path, model_size: int = 0) -> None:
    """The already-known check at full size: hold back one record of each of 50 people with
    several, index the rest with the model the run on ``model_size`` records trained (0: every
    record), time each check."""
    from tocsin.intel.linkage import PersonIndex, load_model

    table = pq.read_table(directory / "records.parquet")
    person = table.column("person_id").to_pylist()
    ids = table.column("record_id").to_pylist()
    by_person: dict[str, list[str]] = {}
    for r, p in zip(ids, person, strict=True):
        by_person.setdefault(p, []).append(r)
    held_all = sorted(rs[-1] for rs in by_person.values() if len(rs) > 1)
    held = set(held_all[:: max(1, len(held_all) // 50)][:50])
    records = _person_records(table)
    truth = dict(zip(ids, person, strict=True))
    started = time.perf_counter()
    index = PersonIndex(
        [r for r in records if r.record_id not in held],
        load_model(directory / f"model-{model_size}.json"),
    )
    built = time.perf_counter() - started
    times, found = [], 0
    for record in (r for r in records if r.record_id in held):
        t = time.perf_counter()
        matches = index.check([record])
        times.append(time.perf_counter() - t)
        found += bool(matches) and truth[matches[0].left] == truth[record.record_id]
    print(
        json.dumps(
            {
                "index": len(index),
                "built": built,
                "median_ms": statistics.median(times) * 1000,
                "max_ms": max(times) * 1000,
                "found": found,
                "held": len(held),
            }
        )
    )


def measure(argv: list[str]) -> None:
    """Run one step in a child process: its figures, its peak memory, its wall time, and for a
    step that did not finish, the stages it reached (``stage ...`` lines on its stderr)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, *argv], check=False, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**10
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines and done.returncode == 0 else {}
    result.update(peak_mib=peak, returncode=done.returncode, wall=wall)
    if done.returncode:
        result["error"] = done.stderr[-2000:]
        result["stages"] = [
            line.removeprefix("stage ")
            for line in done.stderr.splitlines()
            if line.startswith("stage ")
        ]
    print(json.dumps(result))


def _stage(name: str, started: float) -> None:
    """Say on stderr that a stage ended, so a run killed later still tells how far it got."""
    print(
        f"stage {name} done at {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True
    )


def main() -> None:
    step, *args = sys.argv[1:]
    if step == "prepare":
        prepare(Path(args[0]), *args[1:])
    elif step == "measure":
        measure(args)
    elif step == "tocsin":
        run_tocsin(Path(args[0]), int(args[1]))
    elif step == "recordlinkage":
        run_recordlinkage(Path(args[0]), int(args[1]))
    elif step == "check":
        run_check(Path(args[0]), *(int(a) for a in args[1:]))
    else:
        raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    main()
