"""Functional tests drive the real ``tocsin`` executable in subprocesses, against a database of
their own: a SQLite file, or a fresh PostgreSQL database when the suite runs on PostgreSQL."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

TOCSIN = str(Path(sys.executable).with_name("tocsin"))


class Cli:
    """Runs ``tocsin`` with one environment (one TOCSIN_HOME, one database)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def run(
        self, *args: str, input: str | None = None, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [TOCSIN, *args],
            env=self.env,
            capture_output=True,
            text=True,
            input=input,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"tocsin {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [TOCSIN, *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )


def _postgres_database(base_url: str) -> Iterator[str]:
    import psycopg

    name = f"tocsin_functional_{secrets.token_hex(6)}"
    parts = urlsplit(base_url)
    with psycopg.connect(base_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(base_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cli_in(path: Path) -> Iterator[Cli]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TOCSIN_", "DATABASE_URL", "DJANGO_"))
    }
    env["TOCSIN_HOME"] = str(path / "home")
    # Served over plain HTTP on the loopback, signing in with a password alone, as the demo is.
    env["TOCSIN_HTTPS"] = "false"
    env["TOCSIN_MFA_REQUIRED"] = "false"
    base_url = os.environ.get("DATABASE_URL", "")
    if base_url.startswith(("postgres://", "postgresql://")):
        databases = _postgres_database(base_url)
        env["DATABASE_URL"] = next(databases)
    else:
        databases = iter(())
        env["DATABASE_URL"] = f"sqlite:///{path / 'home' / 'tocsin.sqlite3'}"
    runner = Cli(env)
    runner.run("migrate", "--verbosity", "0")
    yield runner
    for _ in databases:  # drops the PostgreSQL database
        pass


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    """A migrated, empty Tocsin of this test's own."""
    yield from _cli_in(tmp_path)


@pytest.fixture(scope="module")
def shared_cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """A migrated Tocsin shared by a module's tests (for tests that must not write)."""
    yield from _cli_in(tmp_path_factory.mktemp("shared"))
