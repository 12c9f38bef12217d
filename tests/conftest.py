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


def _in_browser(item: pytest.Item) -> bool:
    """A browser test: Chromium driving a live server (tests/functional/browser)."""
    return "tests/functional/browser/" in item.path.as_posix()


#: What each half of ``make test`` leaves to the other when both run at once
#: (TOCSIN_TEST_HALF, set by ``make test`` only): the unit tests that use no database check
#: the same thing whichever database the suite was given, so the SQLite half runs them; the
#: browser tests drive the whole server through Chromium, so the PostgreSQL half, the
#: database a partnership runs on, runs them.
_LEFT_TO_THE_OTHER_HALF = {
    "postgresql": (_needs_no_database, "unit tests that use no database run in the SQLite half"),
    "sqlite": (_in_browser, "browser tests run in the PostgreSQL half"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``make test`` runs the suite on SQLite and on PostgreSQL at once; each half leaves
    to the other what :data:`_LEFT_TO_THE_OTHER_HALF` says, and says how many it left."""
    half = os.environ.get("TOCSIN_TEST_HALF", "")
    if not half:
        return
    if half not in _LEFT_TO_THE_OTHER_HALF:
        raise pytest.UsageError(f"TOCSIN_TEST_HALF is {half!r}: 'sqlite', 'postgresql' or unset")
    elsewhere, words = _LEFT_TO_THE_OTHER_HALF[half]
    left_out = [item for item in items if elsewhere(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not elsewhere(item)]
    config._tocsin_left_out = f"tocsin: {len(left_out)} {words} only"  # type: ignore[attr-defined]


def pytest_report_collectionfinish(config: pytest.Config) -> list[str]:
    left_out = getattr(config, "_tocsin_left_out", "")
    return [left_out] if left_out else []


@pytest.fixture
def system_actor():  # type: ignore[no-untyped-def]
    from tocsin.server.actors import SystemActor

    return SystemActor("test")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # PBKDF2's deliberate slowness protects real passwords, not test fixtures.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _static_files_found_when_asked(settings):  # type: ignore[no-untyped-def]
    # Each test Client builds its own middleware, and WhiteNoise's middleware reads every
    # static file's headers when it is built (about 6 ms, thousands of times a run); the
    # servers the browser tests start still do. Here a static file is looked up when asked for.
    settings.WHITENOISE_AUTOREFRESH = True


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
