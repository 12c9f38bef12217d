"""API tokens as the domain makes them: recognisable, random, stored only as a digest."""

from __future__ import annotations

import hashlib

from tocsin.domain.directory import TOKEN_PREFIX, new_password, new_token, token_digest


def test_a_token_is_prefixed_random_and_url_safe() -> None:
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert token.startswith(TOKEN_PREFIX)
        assert len(token) == len(TOKEN_PREFIX) + 43  # 32 bytes, base64url without padding
        assert token.replace("_", "").replace("-", "").isalnum()


def test_the_digest_is_the_tokens_sha256() -> None:
    token = new_token()
    assert token_digest(token) == hashlib.sha256(token.encode()).hexdigest()
    assert token_digest(token) != token_digest(new_token())


def test_a_generated_password_is_five_groups_of_five() -> None:
    groups = new_password().split("-")
    assert [len(g) for g in groups] == [5, 5, 5, 5, 5]


def test_roles_read_as_people_say_them() -> None:
    from tocsin.domain.directory import ROLES, role_name

    assert role_name("mash_officer") == "MASH officer"
    assert role_name("head_of_service") == "Head of service"
    assert role_name("partnership_scrutineer") == "Partnership scrutineer"
    assert all("_" not in role_name(role) for role in ROLES)
