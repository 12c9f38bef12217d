"""Inventory tests: a setting, event kind or command that is undocumented fails the build,
and so does a generated reference file that has fallen behind the code, or a bandit exception
(``# nosec``) that gives no reason or is missing from pyproject.toml's list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tocsin.config import SETTINGS
from tocsin.domain.events import CATALOGUE
from tocsin.server.docs import DOCS, generated_docs


@pytest.mark.parametrize("name", ["settings.md", "events.md", "cli.md", "access.md"])
def test_generated_reference_is_current(name: str) -> None:
    committed = (DOCS / name).read_text(encoding="utf-8")
    assert committed == generated_docs()[name], f"docs/{name} is stale: run 'make docs'"


def test_every_setting_has_help_and_a_type() -> None:
    for setting in SETTINGS:
        assert setting.help.strip() and setting.type_name, setting.name
        assert setting.name.isupper()


def test_every_event_kind_is_documented_with_a_meaning() -> None:
    events_doc = (DOCS / "events.md").read_text(encoding="utf-8")
    for kind, cls in CATALOGUE.items():
        assert cls.meaning.strip(), kind
        assert f"`{kind}`" in events_doc, f"{kind} is missing from docs/events.md"


def test_every_command_is_in_the_cli_reference() -> None:
    from tocsin.cli import command_names

    cli_doc = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name in command_names():
        assert f"## `tocsin {name}`" in cli_doc, name


def test_every_command_of_the_design_contract_exists() -> None:
    from tocsin.cli import command_names

    # DESIGN.md's CLI contract, for the commands this release provides.
    for name in [
        "demo",
        "serve",
        "migrate",
        "users",
        "events",
        "verify",
        "bench",
        "ledger",
        "link",
    ]:
        assert name in command_names()


ROOT = Path(__file__).resolve().parents[2]
#: ``# nosec`` and its codes, last on the line (bandit reads nothing after them).
_NOSEC = re.compile(r"#\s*nosec((?:\s+B\d{3})+)\s*$")


def _bandit_exceptions() -> list[str]:
    """The bullets of the ``[tool.bandit]`` comment in pyproject.toml, each as one line."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = text.split("[tool.bandit]", 1)[1].split("\n[", 1)[0]
    comment = " ".join(
        line.lstrip("# ").strip() if not line.startswith("# - ") else "\n" + line[4:]
        for line in section.splitlines()
        if line.startswith("#")
    )
    return [bullet.strip() for bullet in comment.split("\n")]


def _nosec_sites() -> list[tuple[str, int, list[str]]]:
    sites = []
    for path in sorted((ROOT / "src" / "tocsin").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        relative = path.relative_to(ROOT / "src" / "tocsin").as_posix()
        sites += [(relative, n, lines) for n, line in enumerate(lines) if "nosec" in line]
    return sites


def test_every_bandit_exception_gives_its_reason_and_is_listed() -> None:
    """Each ``# nosec BNNN`` is last on its line, says why on the line or the line above, and
    is listed (its file and code in one bullet) under pyproject.toml's [tool.bandit]."""
    bullets = _bandit_exceptions()
    sites = _nosec_sites()
    assert sites, "no nosec found: the search is broken"
    for relative, n, lines in sites:
        where = f"src/tocsin/{relative}:{n + 1}"
        found = _NOSEC.search(lines[n])
        assert found, f"{where}: '# nosec BNNN' must end the line, naming its codes"
        before = lines[n][: found.start()]
        comment = before[before.index("  #") :] if "  #" in before else ""
        said = re.sub(r"#\s*noqa:\s*[A-Z]+\d+(,\s*[A-Z]+\d+)*", "", comment).strip("#-: ")
        above = lines[n - 1].strip() if n else ""
        assert re.search(r"[a-z]{3}", said) or above.startswith("#"), f"{where}: give a reason"
        for code in found.group(1).split():
            assert any(relative in b and code in b for b in bullets), (
                f"{where}: list {code} in {relative} under [tool.bandit] in pyproject.toml"
            )
