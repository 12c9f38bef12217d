"""One contract for every linkage backend (STYLE.md convention 4): the same records, the same
promises. Spark runs in local mode and needs pyspark and Java 17 or later; without them its
cases skip with the reason shown."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tocsin.intel.linkage import (
    BACKENDS,
    LinkageInputError,
    LinkageResult,
    PersonIndex,
    PersonRecord,
    accuracy,
    link_records,
    load_model,
    save_model,
)
from tocsin.intel.linkage import records_from_simulation as from_simulation
from tocsin.simulate import simulate

THRESHOLD = 0.9


def _spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'tocsin[spark]')"
    java = shutil.which("java")
    if java is None:
        return "Java is not installed (Spark needs Java 17 or later)"
    version = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    if '"1.' in version or any(f'"{v}.' in version for v in range(9, 17)):
        return f"Spark 4 needs Java 17 or later; found {version.splitlines()[0]}"
    return None


@functools.cache
def _world() -> tuple[list[PersonRecord], dict[str, str]]:
    """Every record of the first 600 residents of a small simulated partnership."""
    world = simulate(seed=11, scale="small")
    identity = {r["record_id"]: r["person_id"] for r in world["truth/record_identity"].dicts()}
    chosen = [p for p in world["records/persons"].dicts() if identity[p["record_id"]] <= "P0000600"]
    records = from_simulation(chosen, world["records/agencies"].dicts())
    return records, {r.record_id: identity[r.record_id] for r in records}


@functools.cache
def _linked(backend: str) -> LinkageResult:
    records, _ = _world()
    return link_records(records, threshold=THRESHOLD, backend=backend)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "spark" and (reason := _spark_missing()):
        pytest.skip(f"spark backend: {reason}")
    if name == "spark" and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        # Linkage never touches the database: Spark's minutes are spent once, in the SQLite half.
        pytest.skip("spark backend: runs in the SQLite half of the suite only")
    return name


def test_every_record_is_in_exactly_one_cluster_named_by_its_smallest_id(backend: str) -> None:
    records, _ = _world()
    result = _linked(backend)
    assert [a.record_id for a in result.assignments] == [r.record_id for r in records]
    members: dict[str, list[str]] = {}
    for a in result.assignments:
        members.setdefault(a.cluster_id, []).append(a.record_id)
    for cluster_id, ids in members.items():
        assert cluster_id == min(ids)
    for a in result.assignments:
        alone = len(members[a.cluster_id]) == 1
        assert (a.match_probability is None) == alone
        if not alone:
            assert a.match_probability is not None
            assert a.match_probability >= THRESHOLD


def test_the_summary_has_exactly_the_contract_keys(backend: str) -> None:
    summary = _linked(backend).summary()
    assert list(summary) == ["records", "clusters", "pairs_scored", "seconds"]
    records, _ = _world()
    assert summary["records"] == len(records)
    assert 0 < summary["clusters"] < len(records)
    assert summary["pairs_scored"] >= len(_linked(backend).pairs) > 0


def test_the_records_are_resolved_accurately(backend: str) -> None:
    _, truth = _world()
    score = accuracy(_linked(backend).assignments, truth)
    assert score.pair_recall >= 0.95, score.as_json()
    assert score.pair_precision >= 0.85, score.as_json()


def test_pairs_carry_probabilities_and_field_weights(backend: str) -> None:
    for pair in _linked(backend).pairs:
        assert pair.left < pair.right
        assert 0.5 <= pair.match_probability <= 1.0
        assert {"first_name", "surname", "date_of_birth", "place"} <= set(pair.weights)


def test_pairs_scored_are_the_pairs_the_model_scores() -> None:
    """pairs_scored is counted from the blocking rules, not from the scores (which are not
    all kept): it must equal the rows Splink scores with no threshold, for the trained model
    and for one without blocking rules (every pair)."""
    import duckdb
    import pyarrow as pa  # type: ignore[import-untyped]
    from splink import DuckDBAPI, Linker

    from tocsin.intel.linkage._index import _ARROW_SCHEMA
    from tocsin.intel.linkage._model import model_in_dialect, prepare_records

    records, _ = _world()
    result = _linked("duckdb")
    table = pa.table(prepare_records(records), schema=_ARROW_SCHEMA)
    settings = model_in_dialect(result.model["settings"], "duckdb")
    api = DuckDBAPI(connection=duckdb.connect(":memory:"))
    scored = Linker(api.register(table), settings).inference.predict()
    assert result.pairs_scored == len(scored.as_pyarrow_table()) > len(result.pairs) > 0
    unblocked = {
        **result.model,
        "settings": {**settings, "blocking_rules_to_generate_predictions": []},
    }
    every = link_records(records[:40], threshold=THRESHOLD, model=unblocked)
    assert every.pairs_scored == 40 * 39 // 2


def test_a_saved_model_gives_the_same_clusters(backend: str, tmp_path: Path) -> None:
    records, _ = _world()
    trained = _linked(backend)
    path = tmp_path / "model.json"
    save_model(trained, path)
    document = json.loads(path.read_text("utf-8"))
    assert document["diagnostics"]["records"] == len(records)
    again = link_records(records, threshold=THRESHOLD, backend=backend, model=load_model(path))
    assert again.assignments == trained.assignments
    assert again.diagnostics["trained"] is False


def test_bad_arguments_are_refused_before_any_work(backend: str) -> None:
    records, _ = _world()
    with pytest.raises(LinkageInputError, match="threshold"):
        link_records(records, threshold=1.0, backend=backend)
    with pytest.raises(LinkageInputError, match="at least two"):
        link_records(records[:1], backend=backend)


def test_both_backends_agree_given_one_model(tmp_path: Path) -> None:
    if reason := _spark_missing():
        pytest.skip(f"spark backend: {reason}")
    records, _ = _world()
    model: dict[str, Any] = {**_linked("duckdb").model}
    on_spark = link_records(records, threshold=THRESHOLD, backend="spark", model=model)
    on_duckdb = link_records(records, threshold=THRESHOLD, backend="duckdb", model=model)
    assert [a.cluster_id for a in on_spark.assignments] == [
        a.cluster_id for a in on_duckdb.assignments
    ]
    assert on_spark.pairs_scored == on_duckdb.pairs_scored


def test_a_model_moves_between_dialects_and_back_unchanged() -> None:
    from tocsin.intel.linkage._model import model_in_dialect

    trained = _linked("duckdb").model["settings"]
    on_spark = model_in_dialect(trained, "spark")
    assert on_spark["sql_dialect"] == "spark"
    assert on_spark["comparisons"] != trained["comparisons"]  # the SQL was rewritten
    back = model_in_dialect(on_spark, "duckdb")
    for before, after in zip(trained["comparisons"], back["comparisons"], strict=True):
        assert after["output_column_name"] == before["output_column_name"]
        assert after["comparison_levels"] == before["comparison_levels"]
    assert (
        back["probability_two_random_records_match"]
        == (trained["probability_two_random_records_match"])
    )


def test_a_new_record_is_checked_against_the_index() -> None:
    records, truth = _world()
    model = _linked("duckdb").model
    # Hold back one record of each of five people with more than one record.
    by_person: dict[str, list[PersonRecord]] = {}
    for record in records:
        by_person.setdefault(truth[record.record_id], []).append(record)
    held = [rs[-1] for rs in by_person.values() if len(rs) > 1][:5]
    held_ids = {r.record_id for r in held}
    index = PersonIndex([r for r in records if r.record_id not in held_ids], model)
    assert len(index) == len(records) - len(held)
    for record in held:
        found = index.check([record])
        assert found, record
        assert found[0].right == record.record_id
        assert truth[found[0].left] == truth[record.record_id]
        assert found == sorted(found, key=lambda p: -p.match_probability)
    with pytest.raises(LinkageInputError, match="already in the index"):
        index.check([records[0]])
