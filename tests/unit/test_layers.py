"""The core imports no framework: tocsin.ledger, tocsin.domain, tocsin.intel, tocsin.simulate,
tocsin.witness and tocsin.config are plain Python (DESIGN.md, "Architecture")."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "tocsin"
CORE = ["ledger", "domain", "intel", "simulate", "witness"]
FORBIDDEN = ("django", "rest_framework", "tocsin.server", "tocsin.cli")


def core_files() -> list[Path]:
    files = [SRC / "config.py"]
    for package in CORE:
        files += sorted((SRC / package).rglob("*.py"))
    return files


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_core_modules_import_no_framework(path: Path) -> None:
    bad = [
        n
        for n in imported_modules(path)
        if n.split(".")[0] in {"django", "rest_framework"}
        or n.startswith(("tocsin.server", "tocsin.cli"))
    ]
    assert not bad, f"{path.relative_to(SRC)} imports {bad}"


def test_importing_the_whole_core_loads_no_django() -> None:
    modules = ["tocsin.config"] + [
        ".".join(p.relative_to(SRC.parent).with_suffix("").parts).removesuffix(".__init__")
        for package in CORE
        for p in sorted((SRC / package).rglob("*.py"))
    ]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules\n"
        f"             if m.split('.')[0] == 'django' or m.startswith({FORBIDDEN[2:]!r}))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(SRC.parent)},
    )
    assert out.stdout.strip() == "", f"the core pulled in: {out.stdout.strip()}"


#: The interfaces read through gates and read models, never projection models themselves;
#: accounts and agencies (the directory) are not protected records, and the pages need the
#: signed-in person's type.
INTERFACES = ["server/web", "server/api"]
INTERFACE_MAY_IMPORT = {"tocsin.server.directory.models"}


def interface_files() -> list[Path]:
    return [p for package in INTERFACES for p in sorted((SRC / package).rglob("*.py"))]


@pytest.mark.parametrize("path", interface_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_interfaces_import_no_projection_models(path: Path) -> None:
    bad = [
        n
        for n in imported_modules(path)
        if n.startswith("tocsin.server.")
        and (n.endswith(".models") or ".models." in n)
        and n not in INTERFACE_MAY_IMPORT
    ]
    assert not bad, (
        f"{path.relative_to(SRC)} imports {bad}: read through a gate or a read model "
        "(tocsin.server.*.gates, *.read_models), so that what the page shows is checked and "
        "recorded"
    )
