"""Functional tests drive the real ``tocsin`` executable in subprocesses, against a database of
their own: a SQLite file, or a fresh PostgreSQL database when the suite runs on PostgreSQL."""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
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


def _postgres_database(base_url: str, template: str | None = None) -> Iterator[str]:
    import psycopg

    name = f"tocsin_functional_{secrets.token_hex(6)}"
    parts = urlsplit(base_url)
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(base_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(base_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _environment(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TOCSIN_", "DATABASE_URL", "DJANGO_"))
    }
    env["TOCSIN_HOME"] = str(home)
    # Served over plain HTTP on the loopback, signing in with a password alone, as the demo is.
    env["TOCSIN_HTTPS"] = "false"
    env["TOCSIN_MFA_REQUIRED"] = "false"
    return env


def _on_postgres(base_url: str) -> bool:
    return base_url.startswith(("postgres://", "postgresql://"))


#: The migrated Tocsin each test's own starts as a copy of, made once per test process:
#: its TOCSIN_HOME, and on PostgreSQL the database it was migrated into.
_TEMPLATES: dict[str, tuple[Path, str | None]] = {}


def _migrated_template(base_url: str) -> tuple[Path, str | None]:
    """A TOCSIN_HOME, and on PostgreSQL a database, migrated once for the test process and
    removed when it ends. Copying it (a file copy; CREATE DATABASE ... TEMPLATE) gives each
    test the same migrated, empty Tocsin that ``tocsin migrate`` would, without its seconds."""
    if base_url in _TEMPLATES:
        return _TEMPLATES[base_url]
    root = Path(tempfile.mkdtemp(prefix="tocsin-migrated-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    env = _environment(root / "home")
    name = None
    if _on_postgres(base_url):
        databases = _postgres_database(base_url)
        env["DATABASE_URL"] = next(databases)
        name = urlsplit(env["DATABASE_URL"]).path.lstrip("/")
        atexit.register(next, databases, None)  # resumed, it drops the database
    else:
        env["DATABASE_URL"] = f"sqlite:///{root / 'home' / 'tocsin.sqlite3'}"
    Cli(env).run("migrate", "--verbosity", "0")
    _TEMPLATES[base_url] = (root / "home", name)
    return _TEMPLATES[base_url]


def _cli_in(path: Path, *, migrated: bool = True) -> Iterator[Cli]:
    """A Tocsin of its own in ``path``: migrated (a copy of the run's template), or a home
    and an empty database nobody has set up."""
    base_url = os.environ.get("DATABASE_URL", "")
    template_database = None
    if migrated:
        template_home, template_database = _migrated_template(base_url)
        shutil.copytree(template_home, path / "home", dirs_exist_ok=True)
    env = _environment(path / "home")
    if _on_postgres(base_url):
        databases = _postgres_database(base_url, template=template_database)
        env["DATABASE_URL"] = next(databases)
    else:
        databases = iter(())
        env["DATABASE_URL"] = f"sqlite:///{path / 'home' / 'tocsin.sqlite3'}"
    runner = Cli(env)
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
