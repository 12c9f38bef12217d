"""What every ``tocsin`` command shares: one-line argument errors with exit status 2, JSON output,
and clean failures for people (no tracebacks, nothing personal)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from tocsin.server.cli.progress import Progress, command_progress

__all__ = ["TocsinCommand", "UsageError", "non_negative", "operator", "positive"]


class UsageError(CommandError):
    """The command was called wrongly; exits 2 like an argparse error."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=2)


#: SQLSTATE 42P01: PostgreSQL's "undefined table".
_UNDEFINED_TABLE = "42P01"


def _no_tables(error: DatabaseError) -> bool:
    """Whether ``error`` says a table is missing (a database nobody has migrated), on SQLite
    or PostgreSQL; no other database error is hidden."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == _UNDEFINED_TABLE:
        return True
    return str(error).startswith("no such table: ")


def _whole_number(text: str, minimum: int, meaning: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{value} is {meaning}")
    return value


def operator() -> str:
    """Who is running the command, as the operating system knows them (a command that shows
    records is recorded as read by ``cli:<operator>``)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def non_negative(text: str) -> int:
    """An argparse type: a whole number, 0 or more (sequence numbers, tree sizes)."""
    return _whole_number(text, 0, "negative")


def positive(text: str) -> int:
    """An argparse type: a whole number, 1 or more (counts)."""
    return _whole_number(text, 1, "less than 1")


class _OneLineParser(CommandParser):
    """Print a bad argument as one line naming the fix, then exit 2 (instead of argparse's
    usage block)."""

    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")
        raise UsageError(f"Error: {message}")


# Django adds these to every command; they mean nothing to Tocsin's users.
_HIDDEN_OPTIONS = {"settings", "pythonpath", "traceback", "no_color", "force_color", "skip_checks"}


def _adopt(parser: argparse.ArgumentParser) -> None:
    """Make ``parser`` and every subparser below it print one-line errors; hide Django's
    generic options from ``--help``."""
    parser.__class__ = _OneLineParser
    for action in parser._actions:
        if action.dest in _HIDDEN_OPTIONS:
            action.help = argparse.SUPPRESS
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _adopt(child)


class TocsinCommand(BaseCommand):
    """Base for Tocsin's commands. Subclasses set ``help`` and implement ``handle``."""

    # System checks and the pending-migration check cost more than a small command does.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.prog = f"tocsin {subcommand}"
        _adopt(parser)
        return parser

    _from_command_line = False

    def run_from_argv(self, argv: list[str]) -> None:
        self._from_command_line = True
        self._prog = f"tocsin {argv[1]}" if len(argv) > 1 else "tocsin"
        try:
            super().run_from_argv(argv)
        except KeyboardInterrupt:
            self.stderr.write("interrupted")
            sys.exit(130)

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except DatabaseError as exc:
            if not self._from_command_line or options.get("traceback") or not _no_tables(exc):
                raise
            sys.stderr.write(
                f"{self._prog}: this database has no Tocsin tables yet: run 'tocsin migrate' "
                "first ('tocsin demo' sets one up by itself)\n"
            )
            sys.exit(2)
        except CommandError as exc:
            if not self._from_command_line or options.get("traceback"):
                raise
            # One line, naming the command, instead of Django's "CommandError: ...".
            sys.stderr.write(f"{self._prog}: {exc}\n")
            sys.exit(exc.returncode)

    def emit_json(self, value: Any) -> None:
        """Write ``value`` as one JSON document on standard output."""
        self.stdout.write(json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False))

    @contextmanager
    def progress(self) -> Iterator[Progress]:
        """A ``progress(phase, done, total)`` callback: rich bars on standard error when it is
        a terminal, a plain line every few seconds otherwise (:mod:`tocsin.server.cli.progress`)."""
        label = getattr(self, "_prog", None) or f"tocsin {type(self).__module__.rsplit('.', 1)[-1]}"
        with command_progress(label) as update:
            yield update
