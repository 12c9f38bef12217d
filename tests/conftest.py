"""Suite-wide fixtures. Test data comes from tests/factories (or, later, the simulator)."""

from __future__ import annotations

import os

import pytest


def pytest_report_header() -> list[str]:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [f"tocsin: database backend {engine}, TOCSIN_HOME={os.environ.get('TOCSIN_HOME')}"]


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
