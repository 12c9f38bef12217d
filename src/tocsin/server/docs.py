"""Generate the reference docs from the code: ``python -m tocsin.server.docs`` (``make docs``).

Writes ``docs/settings.md`` (from :mod:`tocsin.config`), ``docs/events.md`` (from the event
catalogue) and ``docs/cli.md`` (from every command's ``--help``). Tests fail when a committed
file differs from what this would write.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["cli_reference_markdown", "generated_docs", "main"]

DOCS = Path(__file__).resolve().parents[3] / "docs"


def _help_texts(parser: argparse.ArgumentParser, path: str) -> list[tuple[str, str]]:
    texts = [(path, parser.format_help())]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                texts.extend(_help_texts(child, f"{path} {name}"))
    return texts


def cli_reference_markdown() -> str:
    """Every command's ``--help``, as written to ``docs/cli.md``."""
    from django.core.management import load_command_class

    from tocsin.cli import _DJANGO_COMMANDS, command_names

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal; docs must not vary
    try:
        lines = [
            "# Command line",
            "",
            "Generated from each command's `--help` by `make docs`; do not edit by hand.",
            "Every command that prints data takes `--json`. A bad argument prints one line and",
            "exits with status 2.",
            "",
        ]
        for name in command_names():
            app = "django.core" if name in _DJANGO_COMMANDS else "tocsin.server.cli"
            command = load_command_class(app, name)
            parser = command.create_parser("tocsin", name)
            for path, text in _help_texts(parser, f"tocsin {name}"):
                lines += [f"## `{path}`", "", "```", text.rstrip(), "```", ""]
        return "\n".join(lines)
    finally:
        if previous is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = previous


def access_markdown() -> str:
    """The role × action table (``tocsin.domain.casework.ACCESS``), as ``docs/access.md``."""
    from tocsin.domain.casework import ACCESS
    from tocsin.domain.directory import ROLES

    lines = [
        "# Who may do what",
        "",
        "Generated from `tocsin.domain.casework.ACCESS` by `make docs`; do not edit by hand.",
        "The actions enforce it, whichever page, API call or command asks, and the tests",
        "(`tests/functional/test_access_matrix.py`) read this page and try every cell through",
        "both the pages and the API. Need-to-know narrows it further: a person sees and acts on",
        "the concerns of their own agency and those allocated to it, the front door and the",
        "partnership's scrutineers see every concern, and administrators see none.",
        "",
        "Analysts and scrutineers read; they never record, decide or regrade. Lowering a band",
        "from moderate or above, no further action and closing a case take effect only when a",
        "second person signs them off: a team manager or head of service in the proposer's",
        "agency, at least as senior, or a MASH manager for the front door's proposals. Nobody",
        "signs off their own proposal.",
        "",
        "| Action | " + " | ".join(f"`{role}`" for role in ROLES) + " |",
        "| --- | " + " | ".join("---" for _ in ROLES) + " |",
    ]
    for action, (meaning, roles) in ACCESS.items():
        cells = " | ".join("yes" if role in roles else "no" for role in ROLES)
        lines.append(f"| `{action}`: {meaning} | {cells} |")
    return "\n".join(lines) + "\n"


def generated_docs() -> dict[str, str]:
    """File name under ``docs/`` -> the text it should hold."""
    from tocsin.config import settings_reference_markdown
    from tocsin.domain.events import catalogue_markdown

    return {
        "settings.md": settings_reference_markdown(),
        "events.md": catalogue_markdown(),
        "cli.md": cli_reference_markdown(),
        "access.md": access_markdown(),
    }


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    DOCS.mkdir(exist_ok=True)
    for name, text in generated_docs().items():
        (DOCS / name).write_text(text, encoding="utf-8")
        print(f"wrote docs/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
