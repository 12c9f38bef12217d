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
            "exits with status 2. A long command (`demo`, `simulate`, `import`, `estimate` with a",
            "bootstrap, `verify`, `escalate`) shows its progress on standard error: a bar per",
            "phase, with the count and the time left, on a terminal; otherwise a plain line every",
            "`TOCSIN_PROGRESS_INTERVAL` seconds (docs/settings.md) and one as each phase ends.",
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
    return "\n".join([*lines, *_ACCOUNTS_SECTION]) + "\n"


# Accounts and API tokens are not case work, so they are not in the table (whose every cell
# the access-matrix test tries through the pages and the API); their rules are these.
_ACCOUNTS_SECTION = [
    "",
    "## Accounts and API tokens",
    "",
    "Enforced by the actions in `tocsin.server.directory` (`actions.py`, `tokens.py`) and tried",
    "by `tests/unit/server/test_accounts.py` and `tests/functional/test_web_accounts.py`.",
    "",
    "- An `administrator` manages the accounts of **their own agency** only, at `/accounts/`:",
    "  closes and reopens them, resets a password (a generated one, shown once), changes a",
    "  role. Each of these, and issuing an API token, asks whoever last proved who they are",
    "  over five minutes ago to confirm it is them first ([sign-in.md](sign-in.md)). Another",
    "  agency's account answers 404, as if it did not exist, and the page records which",
    "  accounts it showed (`record.viewed`).",
    "- Nobody closes, reopens or changes the role of their own account, so that no agency locks",
    "  out its last administrator by a slip; another administrator, or the command line, does.",
    "- Closing an account ends its sessions at their next request, refuses sign-in and revokes",
    "  every API token it holds (one `api_token.revoked` each). Reopening it leaves them revoked.",
    "  Setting a password ends the person's other sessions.",
    "- Every person issues and revokes **their own** API tokens at `/tokens/`. A token acts as",
    "  its holder, with their role and need-to-know, narrowed by its scope: `read` (GET only)",
    "  or `write`. It expires after 1 to 366 days. The administrator of the holder's agency may",
    "  revoke it too.",
    "- The command line (`tocsin users`, `tocsin tokens`), run by whoever runs the server, may",
    "  do all of this for any account.",
    "",
    "## The network view",
    "",
    "Enforced by `tocsin.server.networks.gates`; tried by",
    "`tests/functional/test_web_networks.py`.",
    "",
    "- The partnership's network (`/networks/`, its tables, `graph.json`, the CSV and the PDF)",
    "  is seen by `analyst`, `mash_officer`, `mash_manager` and `partnership_scrutineer`: the",
    "  analysts and the front door, who prepare the MACE panel's perpetrator and location",
    "  meetings, and the scrutineers. Everyone else is refused (403).",
    "- It is **not** narrowed to the viewer's agency: organised exploitation was missed because",
    "  each agency saw only its own reports. Instead every view and export records a",
    "  `record.viewed` listing each child it showed (and, for the tables and exports, each",
    "  concern behind a link), so who saw whom is on the ledger.",
    "- Pattern alerts are concerns of the partnership's own agency (sector `partnership`),",
    "  recorded through the `pattern` channel by the system actor `patterns` only; a person",
    "  recording through that channel is refused.",
]


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
