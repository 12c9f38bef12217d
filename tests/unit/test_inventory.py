"""Inventory tests: a setting, event kind or command that is undocumented fails the build,
and so does a generated reference file that has fallen behind the code."""

from __future__ import annotations

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
