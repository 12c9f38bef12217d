"""Need-to-know: who may see which concerns and children. Every read of a concern or a child
goes through here; what a gate returns is recorded by the request's read scope
(``tocsin.server.reads``), one ``record.viewed`` per request, with nothing for the caller to
remember.

The agency is the need-to-know boundary: people see the concerns their own agency recorded,
and those allocated to it. The multi-agency front door (MASH officers and managers) and the
partnership's independent scrutineers see every concern, which is their job. Administrators
manage accounts, not cases, and see none. Public reports have no agency: they reach the front
door and the scrutineers.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from tocsin.server.actors import PUBLIC, Actor, NotVisible, SystemActor
from tocsin.server.concerns.models import Child, Concern, ConcernChild
from tocsin.server.directory.models import User

__all__ = [
    "SEES_EVERY_CONCERN",
    "NotVisible",
    "access_child",
    "access_concern",
    "actor_may_reach_concern",
    "children_visible_to",
    "concerns_visible_to",
    "sees_concern",
    "visibility",
]

SEES_EVERY_CONCERN = frozenset({"mash_officer", "mash_manager", "partnership_scrutineer"})


def visibility(
    user: User, *, agency: str = "agency_id", allocated: str = "case__allocated_agency_id"
) -> Q | None:
    """The condition a concern (or a row keyed to one) meets if ``user`` may see it: None for
    nothing at all, an empty ``Q()`` for everything. ``agency`` and ``allocated`` name the
    columns holding the recording agency and the agency it is allocated to."""
    if not user.is_active or user.role == "administrator":
        return None
    if user.role in SEES_EVERY_CONCERN:
        return Q()
    if user.agency_id is None:
        return None
    # Its own concerns, and those allocated to it (a worker must see what they own).
    return Q(**{agency: user.agency_id}) | Q(**{allocated: user.agency_id})


def sees_concern(user: User, *, agency_id: str | None, allocated_agency_id: str | None) -> bool:
    """Whether ``user`` may see a concern recorded by ``agency_id`` (None: a public report)
    and allocated to ``allocated_agency_id``: :func:`visibility`'s condition, tested on
    values already read (for a bulk load, which reads its concerns once)."""
    if not user.is_active or user.role == "administrator":
        return False
    if user.role in SEES_EVERY_CONCERN:
        return True
    if user.agency_id is None:
        return False
    own = str(user.agency_id)
    return (agency_id is not None and agency_id == own) or (
        allocated_agency_id is not None and allocated_agency_id == own
    )


def concerns_visible_to(user: User) -> QuerySet[Concern]:
    """The concerns ``user`` may see."""
    condition = visibility(user)
    if condition is None:
        return Concern.objects.none()
    return Concern.objects.filter(condition)


def children_visible_to(user: User) -> QuerySet[Child]:
    """Children with at least one concern ``user`` may see."""
    visible = concerns_visible_to(user)
    return Child.objects.filter(Q(concern_links__concern__in=visible)).distinct()


def access_concern(user: User, concern_id: uuid.UUID | str) -> Concern:
    """The concern, if ``user`` may see it; :class:`NotVisible` otherwise."""
    try:
        return concerns_visible_to(user).get(pk=concern_id)
    except (Concern.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible("no such concern, or you do not have access to it") from None


def actor_may_reach_concern(actor: Actor, concern_id: uuid.UUID | str) -> Concern:
    """The concern, if ``actor`` may act on it; :class:`NotVisible` otherwise. What an action
    checks before it writes about a record: a person through :func:`access_concern`; a system
    actor (the command line run by whoever administers the server, the demo) reaches any
    concern, as :func:`~tocsin.server.actors.require_role` lets it do anything; the public
    reach a report only through its follow-up code, never by id."""
    if actor == PUBLIC:
        raise NotVisible("no such concern, or you do not have access to it")
    if isinstance(actor, SystemActor):
        try:
            return Concern.objects.get(pk=concern_id)
        except (Concern.DoesNotExist, ValidationError, ValueError, TypeError):
            raise NotVisible("no such concern, or you do not have access to it") from None
    return access_concern(actor, concern_id)


def access_child(user: User, child_id: uuid.UUID | str) -> tuple[Child, QuerySet[Concern]]:
    """The child and the concerns about them that ``user`` may see; :class:`NotVisible` if
    there are none."""
    from tocsin.server.people.merges import child_group, root_of

    refusal = "no such child, or you do not have access to them"
    try:
        requested = str(uuid.UUID(str(child_id)))
    except (ValueError, TypeError):
        raise NotVisible(refusal) from None
    # Records merged into one child are one child: every concern about any of them.
    group = child_group(root_of(requested))
    links = ConcernChild.objects.filter(child_id__in=group)
    concerns = concerns_visible_to(user).filter(pk__in=links.values("concern_id"))
    shown = {str(c) for c in links.filter(concern__in=concerns).values_list("child_id", flat=True)}
    if not shown:
        raise NotVisible(refusal)
    # The record the child is merged into heads the page, unless the reader sees nothing it
    # came with (its name, address and school are what its own agency recorded).
    head = group[0] if group[0] in shown else requested if requested in shown else min(shown)
    try:
        child = Child.objects.get(pk=head)
    except (Child.DoesNotExist, ValidationError):
        raise NotVisible(refusal) from None
    return child, concerns.order_by("-recorded_seq")
