"""Which child records are one child: the merges in force, walked up to the record a child is
merged into (its root) and down to every record merged into a root (its group). A chronology
gathers its child's whole group; a merged record's page sends the reader to its root."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import ValidationError

from tocsin.domain.identity import ChildrenMerged
from tocsin.domain.people import PeopleMatched
from tocsin.server.people.models import ChildMerge, PersonRecord

__all__ = [
    "child_group",
    "group_of",
    "merge_in_force",
    "model_merges",
    "root_of",
    "roots_of",
]

#: Merges do not chain without bound: a guard against a cycle a bug might one day write.
_MAX_DEPTH = 100


def _key(child_id: uuid.UUID | str) -> str:
    return str(child_id)


def roots_of(child_ids: Iterable[uuid.UUID | str]) -> dict[str, str]:
    """The record each of ``child_ids`` is merged into, through every merge in force (itself
    when it is not merged): one query per level of merging."""
    roots = {_key(c): _key(c) for c in child_ids}
    frontier = set(roots.values())
    for _ in range(_MAX_DEPTH):
        if not frontier:
            break
        up = {
            str(merged): str(survivor)
            for merged, survivor in ChildMerge.objects.filter(
                merged_id__in=frontier, split_seq__isnull=True
            ).values_list("merged_id", "survivor_id")
        }
        if not up:
            break
        for child, root in roots.items():
            if root in up:
                roots[child] = up[root]
        frontier = set(up.values())
    return roots


def root_of(child_id: uuid.UUID | str) -> str:
    """The record ``child_id`` is merged into (itself when it is not merged)."""
    return roots_of([child_id])[_key(child_id)]


def child_group(root_id: uuid.UUID | str) -> list[str]:
    """``root_id`` and every record merged into it, directly or through another: one query per
    level of merging."""
    group = [_key(root_id)]
    frontier = {_key(root_id)}
    for _ in range(_MAX_DEPTH):
        down = [
            str(merged)
            for merged in ChildMerge.objects.filter(
                survivor_id__in=frontier, split_seq__isnull=True
            ).values_list("merged_id", flat=True)
        ]
        if not down:
            break
        group += down
        frontier = set(down)
    return group


def group_of(child_id: uuid.UUID | str) -> list[str]:
    """Every record of the child ``child_id`` is one record of: its root's group."""
    return child_group(root_of(child_id))


def merge_in_force(merge_id: uuid.UUID | str) -> ChildMerge | None:
    """The merge, if it exists and no split has undone it."""
    try:
        merge: ChildMerge = ChildMerge.objects.get(pk=merge_id, split_seq__isnull=True)
    except (ChildMerge.DoesNotExist, ValidationError, ValueError, TypeError):
        return None
    return merge


_MODEL_MERGES = uuid.UUID("5d1f0c52-8a57-4f0e-9d55-3c2b6f7a9e14")


def model_merges(
    matched: Sequence[PeopleMatched], child_of: Mapping[str, str]
) -> dict[str, list[ChildrenMerged]]:
    """For each concern of ``matched``, the merges its confirmed child matches make: two child
    records the engine linked at its link threshold are one child, so the newer record (or the
    record it is merged into) is merged into the known one's, unless they are one child's
    records already. ``child_of`` gives the child record of person records not yet stored
    (those of the batch being recorded); the rest are looked up."""
    confirmed = [
        (m.concern_id, pair)
        for m in matched
        for pair in m.pairs
        if pair["status"] == "confirmed" and "/child/" in pair["left"]
    ]
    if not confirmed:
        return {}
    wanted = {pair[side] for _, pair in confirmed for side in ("left", "right")} - set(child_of)
    children = dict(child_of)
    for record_id, child_id in PersonRecord.objects.filter(pk__in=wanted).values_list(
        "id", "child_id"
    ):
        if child_id is not None:
            children[record_id] = str(child_id)
    known = {
        children[r] for _, pair in confirmed for r in (pair["left"], pair["right"]) if r in children
    }
    parent = dict(roots_of(known))

    def find(child: str) -> str:
        while parent.get(child, child) != child:
            child = parent[child]
        return child

    merges: dict[str, list[ChildrenMerged]] = {}
    for concern_id, pair in confirmed:
        left, right = children.get(pair["left"]), children.get(pair["right"])
        if left is None or right is None:
            continue
        survivor, merged = find(left), find(right)
        if survivor == merged:
            continue
        parent[merged] = survivor
        merges.setdefault(concern_id, []).append(
            ChildrenMerged(
                merge_id=str(uuid.uuid5(_MODEL_MERGES, f"{pair['left']}|{pair['right']}")),
                survivor_id=survivor,
                merged_id=merged,
                reason=(
                    f"Linked by the linkage model: {pair['probability']:.1%} likely one child, "
                    "at or above its link threshold"
                ),
                decided_by="model",
            )
        )
    return merges
