"""Who is who, decided by people (issue 15): a candidate match the linkage engine proposed is
confirmed or rejected at clerical review, with a reason, and the decision becomes a training
label; two child records found to be one child are merged, so that the child has one
chronology, and a merge found to be wrong is split again. Each is an event.

Pure: no Django. The server's projections and pages are in ``tocsin.server.people``.
"""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.domain.concerns import FieldProblem
from tocsin.domain.events import Event

__all__ = [
    "MAX_REASON",
    "MIN_REASON",
    "REVIEW_DECISIONS",
    "ChildrenMerged",
    "ChildrenSplit",
    "MatchReviewed",
    "merge_problems",
    "reason_problems",
    "review_problems",
]

#: What a reviewer may decide about a proposed match.
REVIEW_DECISIONS: dict[str, str] = {
    "confirmed": "The same person",
    "rejected": "Not the same person",
}
#: A reason is kept on the ledger and read by whoever reviews the decision: a few words at least.
MIN_REASON = 10
MAX_REASON = 2000


def reason_problems(reason: str, field: str = "reason") -> list[FieldProblem]:
    """A reason's problems: empty, too short to say anything, or too long."""
    text = reason.strip()
    if not text:
        return [FieldProblem(field, "Enter the reason")]
    if len(text) < MIN_REASON:
        return [FieldProblem(field, f"Enter a reason of at least {MIN_REASON} characters")]
    if len(text) > MAX_REASON:
        return [FieldProblem(field, f"Enter a reason of at most {MAX_REASON:,} characters")]
    return []


def review_problems(decision: str, reason: str) -> list[FieldProblem]:
    """What is wrong with a review's answers (nothing: an empty list)."""
    problems = []
    if decision not in REVIEW_DECISIONS:
        problems.append(
            FieldProblem("decision", "Select whether the two records are the same person")
        )
    return problems + reason_problems(reason)


def merge_problems(
    survivor: str, merged: str, *, roots: dict[str, str], reason: str
) -> list[FieldProblem]:
    """Why the child record ``merged`` may not be merged into ``survivor``: ``roots`` gives the
    record each child is currently merged into (itself when not merged). A child is merged
    only once, into a record not itself merged, and never into itself."""
    problems = reason_problems(reason)
    if roots.get(survivor, survivor) == roots.get(merged, merged):
        problems.insert(0, FieldProblem("child", "These are already one child's records"))
    elif roots.get(merged, merged) != merged:
        problems.insert(0, FieldProblem("child", "That record is already merged into another"))
    return problems


@dataclass(frozen=True)
class MatchReviewed(Event):
    kind = "people.match_reviewed"
    meaning = (
        "A person reviewed a candidate match the linkage engine proposed between two person "
        "records, and confirmed or rejected it, with the reason: a training label for the "
        "linkage model."
    )
    match_id: str
    #: the concern whose recording found the match, and the concern holding the known record.
    concern_id: str
    left_concern_id: str
    #: the two person records (``C-1234/child/0``).
    left: str
    right: str
    #: confirmed or rejected.
    decision: str
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}", f"concern:{self.left_concern_id}")


@dataclass(frozen=True)
class ChildrenMerged(Event):
    kind = "children.merged"
    meaning = (
        "Two child records were found to be one child and merged: the merged record's "
        "concerns now show in the surviving record's chronology (a split undoes it)."
    )
    merge_id: str
    survivor_id: str
    merged_id: str
    reason: str
    #: the reviewed match that showed it, if any.
    match_id: str = ""
    #: "model" when the linkage engine linked them at its link threshold as a concern was
    #: recorded (a person merges otherwise: the event's actor).
    decided_by: str = ""

    def subjects(self) -> tuple[str, ...]:
        return (f"merge:{self.merge_id}", f"child:{self.survivor_id}", f"child:{self.merged_id}")


@dataclass(frozen=True)
class ChildrenSplit(Event):
    kind = "children.split"
    meaning = (
        "A merge of two child records was found to be wrong and undone: each record has its "
        "own chronology again."
    )
    merge_id: str
    survivor_id: str
    merged_id: str
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return (f"merge:{self.merge_id}", f"child:{self.survivor_id}", f"child:{self.merged_id}")
