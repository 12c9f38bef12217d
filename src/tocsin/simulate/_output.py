"""Writing a world to a folder: JSON Lines and CSV in a fixed format, a manifest with a content
hash of every file, and nothing half-written (the folder appears only when complete)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tocsin.simulate._world import Cell, Table, World

__all__ = ["MANIFEST_FORMAT", "SimulationOutputError", "check_output_folder", "write_world"]

#: The manifest's ``format`` field; bumped when the output's layout changes.
MANIFEST_FORMAT = "tocsin-simulation/1"

_BATCH = 20_000


class SimulationOutputError(OSError):
    """The output folder cannot be written; the message names the folder and the fix."""


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


class _HashingWriter:
    """Writes encoded text to a file and hashes it at the same time."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("wb")
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self._hash.update(data)
        self._file.write(data)
        self.size += len(data)

    def close(self) -> str:
        self._file.close()
        return self._hash.hexdigest()


def _write_jsonl(table: Table, writer: _HashingWriter) -> None:
    # Fixed format: keys in column order, no spaces, UTF-8 as is, one row per line.
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    columns = table.columns
    for begin in range(0, len(table.rows), _BATCH):
        chunk = table.rows[begin : begin + _BATCH]
        writer.write("".join(encode(dict(zip(columns, row, strict=True))) + "\n" for row in chunk))


def _write_csv(table: Table, writer: _HashingWriter) -> None:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(table.columns)
    # Rows of plain text and numbers go to the csv module as they are (it writes None as an
    # empty cell); only rows holding lists or flags need converting cell by cell.
    plain = (str, int, type(None))
    for begin in range(0, len(table.rows), _BATCH):
        chunk = table.rows[begin : begin + _BATCH]
        out.writerows(
            row if all(type(v) in plain for v in row) else [_csv_cell(v) for v in row]
            for row in chunk
        )
        writer.write(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
    writer.write(buffer.getvalue())


def check_output_folder(out_dir: str | Path) -> Path:
    """Raise :class:`SimulationOutputError` unless ``out_dir`` can be created (or is empty) in
    a writable folder; returns the temporary sibling that :func:`write_world` will fill."""
    out_dir = Path(out_dir).absolute()
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise SimulationOutputError(
            f"{str(out_dir)!r} already exists and is not an empty folder; "
            "choose a new folder or remove it"
        )
    parent = out_dir.parent
    if not parent.is_dir():
        raise SimulationOutputError(
            f"the folder {str(parent)!r} does not exist; create it or choose another --out"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SimulationOutputError(
            f"cannot write in {str(parent)!r}; choose a folder you can write to"
        )
    return parent / f".{out_dir.name}.partial-{os.getpid()}"


def write_world(
    world: World,
    out_dir: str | Path,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Write ``world`` into ``out_dir`` (which must not exist, or be empty) and return the
    manifest. Files are written to a temporary sibling folder renamed into place at the end,
    so a failure leaves nothing behind."""
    out = Path(out_dir).absolute()
    staging = check_output_folder(out)
    files: dict[str, dict[str, Any]] = {}
    jobs = [(name, fmt) for name, table in world.tables.items() for fmt in table.formats]
    try:
        staging.mkdir()
        for done, (name, fmt) in enumerate(jobs):
            if progress is not None:
                progress(f"writing {name}.{fmt}", done, len(jobs))
            table = world.tables[name]
            path = staging / f"{name}.{fmt}"
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = _HashingWriter(path)
            try:
                (_write_jsonl if fmt == "jsonl" else _write_csv)(table, writer)
            finally:
                digest = writer.close()
            files[f"{name}.{fmt}"] = {"rows": len(table), "bytes": writer.size, "sha256": digest}
        manifest = {
            "format": MANIFEST_FORMAT,
            "seed": world.seed,
            "scale": world.scale,
            "generator": {"package": "tocsin.simulate", "numpy": np.__version__},
            "summary": world.summary(),
            "tables": {
                name: {
                    "description": table.description,
                    "columns": list(table.columns),
                    "rows": len(table),
                }
                for name, table in world.tables.items()
            },
            "config": world.config.as_dict(),
            "files": files,
        }
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        (staging / "manifest.json").write_text(text, encoding="utf-8")
        if out.exists():
            out.rmdir()
        staging.rename(out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, SimulationOutputError):
            raise
        raise SimulationOutputError(
            f"could not write the simulation to {str(out)!r}: {exc.strerror or exc}"
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if progress is not None:
        progress("written", len(jobs), len(jobs))
    return manifest
