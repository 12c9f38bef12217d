"""What every ``tocsin`` command shares: one-line argument errors with exit status 2, JSON output,
and clean failures for people (no tracebacks, nothing personal)."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

__all__ = ["TocsinCommand", "UsageError"]


class UsageError(CommandError):
    """The command was called wrongly; exits 2 like an argparse error."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=2)


class _OneLineParser(CommandParser):
    """Print a bad argument as one line naming the fix, then exit 2 (instead of argparse's
    usage block)."""

    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")
        raise UsageError(f"Error: {message}")


class TocsinCommand(BaseCommand):
    """Base for Tocsin's commands. Subclasses set ``help`` and implement ``handle``."""

    # System checks and the pending-migration check cost more than a small command does.
    requires_system_checks: list[str] = []  # type: ignore[assignment]
    requires_migrations_checks = False

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = _OneLineParser
        parser.prog = f"tocsin {subcommand}"
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        try:
            super().run_from_argv(argv)
        except KeyboardInterrupt:
            self.stderr.write("interrupted")
            sys.exit(130)

    def emit_json(self, value: Any) -> None:
        """Write ``value`` as one JSON document on standard output."""
        self.stdout.write(json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False))
