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
