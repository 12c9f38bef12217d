"""The core imports no framework: tocsin.ledger, tocsin.domain, tocsin.intel, tocsin.simulate,
tocsin.witness and tocsin.config are plain Python (DESIGN.md, "Architecture"). And a backend's
SQL lives in its adapter: only the ledger store names the ledger's tables in SQL."""

from __future__ import annotations

import ast
import re
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


# --- the ledger's SQL lives in the store adapter ---------------------------------------------

LEDGER_PACKAGE = SRC / "server" / "ledger"
MAY_NAME_LEDGER_TABLES = {LEDGER_PACKAGE / "store.py", LEDGER_PACKAGE / "models.py"}


def ledger_tables() -> list[str]:
    """The ledger's table names, as its models declare them."""
    models = (LEDGER_PACKAGE / "models.py").read_text(encoding="utf-8")
    return re.findall(r'db_table = "(ledger_\w+)"', models)


def ledger_sql(text: str) -> list[str]:
    """Where ``text`` names a ledger table in SQL (after FROM, JOIN, INTO, UPDATE or TABLE)."""
    names = "|".join(sorted(ledger_tables(), key=len, reverse=True))
    pattern = rf"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+[\"`]?(?:{names})\b"
    return re.findall(pattern, text)


def test_the_table_matcher_knows_every_ledger_table_and_finds_them_in_sql() -> None:
    assert {"ledger_leaf", "ledger_node", "ledger_payload", "ledger_head"} <= set(ledger_tables())
    assert ledger_sql("SELECT seq, data FROM ledger_leaf ORDER BY seq") == ["FROM ledger_leaf"]
    assert ledger_sql("LEFT JOIN ledger_payload p ON p.seq = l.seq") == ["JOIN ledger_payload"]
    assert ledger_sql('DELETE FROM "ledger_node" WHERE level = 0') == ['FROM "ledger_node']
    assert ledger_sql("UPDATE ledger_head SET size = 1") == ["UPDATE ledger_head"]
    assert ledger_sql("the ledger_leaf table; ledger_leafy FROM ledger_leafy") == []


def test_only_the_store_adapter_writes_sql_for_the_ledger_tables() -> None:
    offenders = {
        str(path.relative_to(SRC)): found
        for path in sorted(SRC.rglob("*.py"))
        if path not in MAY_NAME_LEDGER_TABLES and "migrations" not in path.parts
        if (found := ledger_sql(path.read_text(encoding="utf-8")))
    }
    assert not offenders, f"only the store adapter may name ledger tables in SQL: {offenders}"


# --- pure logic inward -------------------------------------------------------------------------

#: What issue 10 moved inward: each of these is decided without a framework.
MOVED_INWARD = [
    "domain/concerns/_recording.py",
    "domain/concerns/steps.py",
    "domain/concerns/importing/_columns.py",
    "domain/concerns/importing/_files.py",
    "domain/concerns/importing/_parsing.py",
    "domain/concerns/importing/_reading.py",
    "domain/screening/_policy.py",
    "intel/lists/_upset.py",
]


def test_the_domain_imports_no_django() -> None:
    """Parsing, policies, building events and the question steps are plain Python: no module
    of ``tocsin.domain`` imports django or the server; and what issue 10 moved inward is still
    in the core (whose every file the tests above check likewise)."""
    for path in sorted((SRC / "domain").rglob("*.py")):
        names = imported_modules(path)
        assert not [n for n in names if n.split(".")[0] == "django"], path
        assert not [n for n in names if n.startswith("tocsin.server")], path
    for moved in MOVED_INWARD:
        assert (SRC / moved).exists(), f"{moved} belongs in the core"
