"""Who did something, by name, for the pages: loaded in bulk, one query however many rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from tocsin.server.directory.models import User

__all__ = ["actor_names"]

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
