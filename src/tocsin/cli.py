"""The ``tocsin`` console script: dispatches to the Django management commands in
``tocsin.server.cli.management.commands`` (and Django's ``migrate``)."""

from __future__ import annotations

import os
import pkgutil
import sys
from collections.abc import Sequence

__all__ = ["command_names", "main"]

_DJANGO_COMMANDS = ("migrate",)


def command_names() -> list[str]:
    """Every public ``tocsin`` command, sorted."""
    from tocsin.server.cli.management import commands

    ours = [m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_")]
    return sorted([*ours, *_DJANGO_COMMANDS])


def _overview() -> str:
    from django.core.management import load_command_class

    lines = ["usage: tocsin COMMAND [ARGS...]", "", "Commands:"]
    for name in command_names():
        app = "django.core" if name in _DJANGO_COMMANDS else "tocsin.server.cli"
        summary = load_command_class(app, name).help.strip().splitlines()[0]
        lines.append(f"  {name:<10} {summary}")
    lines += ["", "Run 'tocsin COMMAND --help' for a command's options."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``tocsin`` command; returns the process exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    from tocsin.config import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        print(f"tocsin: {exc}", file=sys.stderr)
        return 2
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_overview())
        return 0
    if args[0] == "--version":
        from tocsin import __version__

        print(f"tocsin {__version__}")
        return 0
    if args[0] not in command_names():
        print(
            f"tocsin: unknown command {args[0]!r} (run 'tocsin --help' for the list)",
            file=sys.stderr,
        )
        return 2
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["tocsin", *args])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0
