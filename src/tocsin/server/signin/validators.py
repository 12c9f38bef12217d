"""Password rules beyond Django's own (length, common passwords, similarity to the person)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class VarietyValidator:
    """Refuse a password made of too few different characters (``aaaaaaaaaaaa``,
    ``abababababab``): its length then says nothing about how hard it is to guess."""

    def __init__(self, min_distinct: int = 5) -> None:
        self.min_distinct = min_distinct

    def validate(self, password: str, user: Any = None) -> None:
        if len(set(password.lower())) < self.min_distinct:
            raise ValidationError(
                f"Use at least {self.min_distinct} different characters in the password; "
                "a repeated character or pattern is easy to guess.",
                code="password_too_repetitive",
            )

    def get_help_text(self) -> str:
        return f"Your password must contain at least {self.min_distinct} different characters."
