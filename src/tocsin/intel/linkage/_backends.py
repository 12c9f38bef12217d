"""Linkage backends: where Splink runs its SQL. DuckDB in process is the default; Spark in
local mode (or on a cluster given a session) is for national scale. Both sit behind one
interface and pass one contract suite (tests/unit/intel/test_linkage_contract.py)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Protocol

__all__ = ["BACKENDS", "Backend", "DuckDBBackend", "SparkBackend", "make_backend"]

#: The backends ``tocsin link --backend`` accepts.
BACKENDS: tuple[str, ...] = ("duckdb", "spark")


class Backend(Protocol):
    """A place for Splink to run: gives a fresh database API for one linkage run."""

    name: str

    def database_api(self) -> Any:
        """A new Splink database API (``DuckDBAPI`` or ``SparkAPI``)."""
        ...

    def close(self) -> None:
        """Release what the backend holds (connections, sessions, scratch folders)."""
        ...


class DuckDBBackend:
    """DuckDB in process, in memory: the default."""

    name = "duckdb"

    def database_api(self) -> Any:
        """A ``DuckDBAPI`` on a new in-memory connection. What does not fit in memory spills
        to the system's temporary folder, not to ``.tmp`` in the working directory (DuckDB's
        default: a run from the project's folder left gigabytes there when it was killed)."""
        import duckdb
        from splink import DuckDBAPI

        spill = Path(tempfile.gettempdir()) / "tocsin-duckdb"
        return DuckDBAPI(
            connection=duckdb.connect(":memory:", config={"temp_directory": str(spill)})
        )

    def close(self) -> None:
        """Nothing to release: each run's connection closes with its API."""


class SparkBackend:
    """Spark through ``pyspark``: a local session with ``cores`` threads unless a session is
    given. Needs Java (17 or later for pyspark 4)."""

    name = "spark"

    def __init__(self, session: Any = None, *, cores: int = 2) -> None:
        self._session = session
        self._own_session = session is None
        self._cores = cores
        self._scratch: str | None = None

    def _spark(self) -> Any:
        if self._session is None:
            from pyspark.sql import SparkSession
            from splink.backends.spark import similarity_jar_location

            self._scratch = tempfile.mkdtemp(prefix="tocsin-spark-")
            self._session = (
                SparkSession.builder.master(f"local[{self._cores}]")
                .appName("tocsin-link")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", str(max(2, self._cores * 2)))
                .config("spark.default.parallelism", str(max(2, self._cores * 2)))
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.jars", similarity_jar_location())
                .config("spark.local.dir", self._scratch)
                .getOrCreate()
            )
            self._session.sparkContext.setLogLevel("ERROR")
            self._session.sparkContext.setCheckpointDir(self._scratch)
        return self._session

    def database_api(self) -> Any:
        """A ``SparkAPI`` on the session (started on first use)."""
        from splink import SparkAPI

        return SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=self._spark(), break_lineage_method="persist"
        )

    def close(self) -> None:
        """Stop the session this backend started, and remove its scratch folder."""
        if self._own_session and self._session is not None:
            self._session.stop()
            self._session = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


def make_backend(name: str) -> Backend:
    """The backend called ``name`` (one of :data:`BACKENDS`)."""
    if name == "duckdb":
        return DuckDBBackend()
    if name == "spark":
        return SparkBackend()
    raise ValueError(f"unknown linkage backend {name!r}; choose one of {', '.join(BACKENDS)}")
