"""Directory projections: agencies, teams and users, written only by appliers."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.hashers import check_password
from django.db import models

from tocsin.domain.directory import ROLES, SECTORS, TOKEN_SCOPES
from tocsin.server.projections import ProjectionModel, ProjectionQuerySet


class Agency(ProjectionModel):
    subject_prefix = "agency"

    id = models.UUIDField(primary_key=True)
    name = models.CharField(max_length=200)
    name_key = models.CharField(
        max_length=200, unique=True, help_text="The name case-folded: no two agencies share one."
    )
    sector = models.CharField(max_length=20, choices=sorted(SECTORS.items()))
    registered_seq = models.BigIntegerField()

    class Meta:
        db_table = "directory_agency"
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(ProjectionModel):
    subject_prefix = "team"

    id = models.UUIDField(primary_key=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    formed_seq = models.BigIntegerField()

    class Meta:
        db_table = "directory_team"
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager.from_queryset(ProjectionQuerySet)):  # type: ignore[misc]
    """Looks users up for sign-in; users are created only by the ``user.enrolled`` applier."""

    def get_by_natural_key(self, username: str | None) -> User:
        user: User = self.get(username=username)
        return user


class User(ProjectionModel, AbstractBaseUser):
    """A person who uses Tocsin. ``password`` comes from ``user.password_set`` events;
    Django's ``last_login`` is dropped, because a sign-in must not write a projection.
    ProjectionModel comes first so that its guarded base manager is the one Django uses."""

    subject_prefix = "user"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = models.CharField(max_length=150, unique=True)
    display_name = models.CharField(max_length=200)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        help_text="Empty only for an expunged user's tombstone.",
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="users", null=True)
    role = models.CharField(max_length=30, choices=sorted(ROLES.items()), blank=True)
    is_active = models.BooleanField(default=True)
    #: a work address for escalations and challenges; blank when none was given.
    email = models.EmailField(max_length=254, blank=True)
    enrolled_seq = models.BigIntegerField()
    last_login = None

    # A narrower manager than ProjectionModel's: it also finds users for sign-in.
    objects = UserManager()  # type: ignore[misc]

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        db_table = "directory_user"
        ordering: ClassVar = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def check_password(self, raw_password: str | None) -> bool:
        # Django would re-hash and save here when its hasher settings change; a projection can
        # only change through an event, so the upgrade waits for the next password change.
        return check_password(raw_password, self.password)

    @classmethod
    def tombstone(cls, pk: str) -> dict[str, Any]:
        return {
            "username": f"expunged-{uuid.UUID(pk).hex}",
            "display_name": "",
            "agency_id": None,
            "team_id": None,
            "role": "",
            "is_active": False,
            "enrolled_seq": -1,
            "password": "!",
        }


class ApiToken(ProjectionModel):
    """An API token a user holds: only its SHA-256 digest is kept, never the token. It signs
    its holder in until it expires or is revoked, or their account is closed."""

    subject_prefix = "user"
    # Expunging the user deletes their tokens (and their events' payloads, digests included).
    owner_field = "user_id"

    id = models.UUIDField(primary_key=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=200, help_text="What the holder says the token is for.")
    scope = models.CharField(max_length=10, choices=sorted(TOKEN_SCOPES.items()))
    hint = models.CharField(max_length=20, help_text="The token's first characters.")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token, hex.")
    issued_seq = models.BigIntegerField()
    issued_at = models.CharField(max_length=27)
    expires_at = models.CharField(max_length=27, help_text="RFC 3339, UTC, as events carry it.")
    revoked_seq = models.BigIntegerField(null=True)
    revoked_at = models.CharField(max_length=27, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "directory_api_token"
        ordering: ClassVar = ["-issued_seq"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    def is_live(self, now: str) -> bool:
        """Whether the token still signs its holder in at ``now`` (RFC 3339, UTC, the
        events' format, so the strings compare as the times do)."""
        return self.revoked_seq is None and now < self.expires_at
