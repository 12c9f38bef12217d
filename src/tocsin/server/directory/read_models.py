"""Who did something, by name, for the pages: loaded in bulk, one query however many rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from tocsin.domain.casework import roles_for
from tocsin.server.directory.models import Agency, User

__all__ = ["actor_names", "agencies", "allocatable_workers"]

_SYSTEM_NAMES = {"system:public-reporting": "A member of the public"}


def actor_names(actors: Iterable[str]) -> dict[str, str]:
    """Each ledger actor (``user:<id>`` or ``system:<name>``) by the name to show: a person's
    name with their agency, a system actor by what it is. One query for all the people."""
    wanted = set(actors)
    user_ids = {a.removeprefix("user:") for a in wanted if a.startswith("user:")}
    people = {
        f"user:{user.pk}": f"{user.display_name} ({user.agency})"
        if user.agency_id
        else user.display_name
        for user in User.objects.filter(pk__in=_valid_ids(user_ids)).select_related("agency")
    }
    return {
        actor: people.get(actor) or _SYSTEM_NAMES.get(actor) or actor.removeprefix("system:")
        for actor in wanted
    }


def _valid_ids(ids: set[str]) -> list[str]:
    valid = []
    for candidate in ids:
        try:
            valid.append(str(uuid.UUID(candidate)))
        except ValueError:
            continue
    return valid


def agencies() -> list[tuple[str, str]]:
    """Every agency (id, name), by name: the directory is not protected data."""
    return [(str(a.pk), a.name) for a in Agency.objects.order_by("name")]


def allocatable_workers(allocator: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """The people ``allocator`` may give a concern to, grouped by team ("Agency: Team"):
    anyone who works on cases, in any agency for the front door, else in their own agency."""
    people = User.objects.filter(
        is_active=True, role__in=roles_for("decide"), team__isnull=False
    ).select_related("agency", "team")
    if allocator.role not in ("mash_officer", "mash_manager"):
        people = people.filter(agency_id=allocator.agency_id)
    groups: dict[str, list[tuple[str, str]]] = {}
    for person in people.order_by("agency__name", "team__name", "display_name"):
        groups.setdefault(f"{person.agency}: {person.team}", []).append(
            (str(person.pk), person.display_name)
        )
    return list(groups.items())
