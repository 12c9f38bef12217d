"""``tocsin simulate`` end to end: a world in a folder, byte-identical for one seed, and bad
input refused with one line, exit status 2 and no output folder."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.functional.conftest import TOCSIN


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOCSIN_", "DJANGO_"))}
    env["TOCSIN_HOME"] = str(home / "home")
    return subprocess.run(
        [TOCSIN, "simulate", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_simulate_writes_a_world_and_prints_its_summary(tmp_path: Path) -> None:
    out = tmp_path / "world"
    result = run(tmp_path, "--seed", "42", "--scale", "small", "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["seed"] == 42
    assert summary["scale"] == "small"
    assert summary["out"] == str(out)
    assert summary["summary"]["residents"] == 8000
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["summary"] == summary["summary"]
    assert len(manifest["files"]) == summary["files"]
    for name in manifest["files"]:
        assert (out / name).is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_same_seed_twice_gives_identical_files(tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = run(tmp_path, "--seed", "9", "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        assert "exploited children" in result.stdout
    a = (tmp_path / "a" / "manifest.json").read_bytes()
    assert a == (tmp_path / "b" / "manifest.json").read_bytes()
    for path in (tmp_path / "a").rglob("*.*"):
        twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
        assert path.read_bytes() == twin.read_bytes(), path


def test_a_config_file_overrides_the_scale(tmp_path: Path) -> None:
    config = tmp_path / "town.toml"
    config.write_text("[population]\nresidents = 3000\nyears = 2\n", encoding="utf-8")
    result = run(
        tmp_path, "--seed", "1", "--out", str(tmp_path / "w"), "--config", str(config), "--json"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["residents"] == 3000


BAD = {
    "unknown scale": (["--scale", "city"], "unknown scale 'city'"),
    "bad seed": (["--seed", "seven"], "--seed must be a whole number"),
    "invalid configuration": (["--config", "{bad_config}"], "noise.typo_rate must be between"),
    "malformed configuration": (["--config", "{malformed}"], "is not TOML"),
    "missing configuration": (["--config", "{missing}"], "cannot read configuration file"),
    "unwritable folder": (["--out", "/proc/tocsin-simulation"], "/proc"),
    "folder under a file": (["--out", "{file}/world"], "does not exist"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_prints_one_line_exits_2_and_writes_nothing(tmp_path: Path, case: str) -> None:
    args, message = BAD[case]
    (tmp_path / "bad.toml").write_text("[noise]\ntypo_rate = 2\n", encoding="utf-8")
    (tmp_path / "malformed.toml").write_text("[noise\n", encoding="utf-8")
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    values = {
        "bad_config": str(tmp_path / "bad.toml"),
        "malformed": str(tmp_path / "malformed.toml"),
        "missing": str(tmp_path / "nope.toml"),
        "file": str(tmp_path / "a-file"),
    }
    full = {"--seed": "1", "--out": str(tmp_path / "out")}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        full[flag] = value.format(**values)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run(tmp_path, *[x for pair in full.items() for x in pair])
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tocsin simulate"), lines[0]
    assert message in lines[0]
    assert "Traceback" not in result.stderr
    after = sorted(p.name for p in tmp_path.iterdir() if p.name != "home")
    assert after == before
    assert not Path("/proc/tocsin-simulation").exists()


def test_a_folder_that_is_not_empty_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = run(tmp_path, "--seed", "1", "--out", str(out))
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
