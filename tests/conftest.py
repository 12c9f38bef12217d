"""Suite-wide fixtures. Test data comes from tests/factories (or, later, the simulator)."""

from __future__ import annotations

import os

import pytest


def pytest_report_header() -> list[str]:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [f"tocsin: database backend {engine}, TOCSIN_HOME={os.environ.get('TOCSIN_HOME')}"]


# Fixtures through which a test reaches the database (pytest-django's own).
_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


def _needs_no_database(item: pytest.Item) -> bool:
    """A unit test that neither asks for the database nor is marked to use it: what it checks
    is the same whichever database the suite was given."""
    unit = "tests/unit/" in item.path.as_posix()
    return (
        unit
        and item.get_closest_marker("django_db") is None
        and not _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``make test`` runs the suite on SQLite and on PostgreSQL at once; the PostgreSQL half
    (TOCSIN_TEST_DATABASE_ONLY=1) leaves out the unit tests that use no database, which the
    SQLite half runs, and says how many it left out."""
    if os.environ.get("TOCSIN_TEST_DATABASE_ONLY") != "1":
        return
    left_out = [item for item in items if _needs_no_database(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not _needs_no_database(item)]
        config._tocsin_left_out = len(left_out)  # type: ignore[attr-defined]


def pytest_report_collectionfinish(config: pytest.Config) -> list[str]:
    left_out = getattr(config, "_tocsin_left_out", 0)
    if not left_out:
        return []
    return [f"tocsin: {left_out} unit tests that use no database run in the SQLite half only"]


@pytest.fixture
def system_actor():  # type: ignore[no-untyped-def]
    from tocsin.server.actors import SystemActor

    return SystemActor("test")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # PBKDF2's deliberate slowness protects real passwords, not test fixtures.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _one_step_sign_in(settings):  # type: ignore[no-untyped-def]
    # Most tests sign in with force_login, which sets up no second factor and proves nothing
    # recently; tests of sign-in itself (tests/functional/test_sign_in.py) turn these back on.
    settings.TOCSIN_MFA_REQUIRED = False
    settings.TOCSIN_REAUTHENTICATE = False


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):  # type: ignore[no-untyped-def]
    # Two suites on one PostgreSQL server (a developer's run beside CI's) must not share, and
    # drop, each other's test database.
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_{os.getpid()}"
