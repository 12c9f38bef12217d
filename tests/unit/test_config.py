"""Settings: parsed from the environment with types, defaults and clear errors."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tocsin.config import ConfigError, database_from_url, load_config, read_or_create_secret


def test_defaults_put_everything_under_tocsin_home(tmp_path: Path) -> None:
    config = load_config({"TOCSIN_HOME": str(tmp_path)})
    assert config.home == tmp_path
    assert config.database_url == f"sqlite:///{tmp_path / 'tocsin.sqlite3'}"
    assert config.secret_key_file == tmp_path / "secret_key"
    assert config.debug is False
    assert config.ledger_origin == "tocsin.invalid/ledger"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TOCSIN_DEBUG", "perhaps", "TOCSIN_DEBUG"),
        ("TOCSIN_SQLITE_BUSY_TIMEOUT_MS", "-5", "TOCSIN_SQLITE_BUSY_TIMEOUT_MS"),
        ("TOCSIN_LEDGER_ORIGIN", "two words", "TOCSIN_LEDGER_ORIGIN"),
    ],
)
def test_bad_values_name_the_setting(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config({name: value})


def test_sqlite_urls_get_wal_full_sync_and_immediate_transactions() -> None:
    database = database_from_url("sqlite:////srv/tocsin/db.sqlite3")
    assert database["NAME"] == "/srv/tocsin/db.sqlite3"
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert "synchronous=FULL" in database["OPTIONS"]["init_command"]
    assert database_from_url("sqlite:///var/t.db")["NAME"] == "var/t.db"


def test_postgresql_urls() -> None:
    database = database_from_url("postgresql://tocsin:s%40cret@db.example:6543/partnership")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["USER"], database["PASSWORD"]) == ("tocsin", "s@cret")
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.example",
        "6543",
        "partnership",
    )


@pytest.mark.parametrize("url", ["mysql://x/y", "postgresql://host/", "sqlite://", "nonsense"])
def test_unsupported_database_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        database_from_url(url)


def test_the_secret_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "home" / "secret_key"
    first = read_or_create_secret(path)
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_or_create_secret(path) == first
