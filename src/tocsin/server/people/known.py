"""The already-known check in the server: the linkage model (loaded once per process), an index
of every person record (built at first use, then kept up to date by adding what was recorded
since), and scoring a concern's children and adults against it while it is being recorded.

The index is a cache of the ``PersonRecord`` projection, never a source of truth: what scoring
found is appended as a ``people.matched`` event, so replay rebuilds the matches without the
model. The cache checks the ledger before each use and is rebuilt when the history it was built
from is not the database's (another database, a rolled-back test).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from tocsin.domain.concerns import ChildRecorded, ConcernDraft, ConcernEvents
from tocsin.domain.people import PeopleMatched, person_records
from tocsin.intel.linkage import (
    DEFAULT_THRESHOLD,
    REVIEW_THRESHOLD,
    PersonIndex,
    PersonRecord,
    ScoredPair,
    load_model,
)
from tocsin.server.concerns.models import Child
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.people.default_model import DEFAULT_MODEL
from tocsin.server.people.models import PersonRecord as PersonRecordRow

__all__ = [
    "LINK_THRESHOLD",
    "REVIEW_THRESHOLD",
    "DeferredMatching",
    "LinkageModel",
    "deferred_matching",
    "draft_records",
    "forget_index",
    "known_index",
    "linkage_model",
    "linkage_record",
    "matched_events",
    "matches_for_concerns",
    "score_records",
]

#: Pairs at or above this are the same person (confirmed by the model); pairs from
#: :data:`REVIEW_THRESHOLD` up to it are proposed for clerical review.
LINK_THRESHOLD = DEFAULT_THRESHOLD
#: Rebuild the index (refreshing term frequencies) once this share of it was added since.
_REBUILD_SHARE = 0.25
_COLUMNS = (
    "id",
    "source",
    "kind",
    "first_name",
    "middle_names",
    "surname",
    "aliases",
    "date_of_birth",
    "approximate_age",
    "sex",
    "address",
    "postcode",
    "identifier",
    "recorded_on",
    "recorded_seq",
)


@dataclass(frozen=True)
class LinkageModel:
    """The model the server scores with, and its identity (the file's SHA-256)."""

    document: dict[str, Any]
    sha256: str
    path: Path


def linkage_model() -> LinkageModel:
    """The model named by ``TOCSIN_LINKAGE_MODEL``, or the shipped default; loaded once."""
    configured = getattr(settings, "TOCSIN_LINKAGE_MODEL", None)
    return _load(Path(configured) if configured else DEFAULT_MODEL)


@lru_cache(maxsize=4)
def _load(path: Path) -> LinkageModel:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return LinkageModel(load_model(path), digest, path)


def linkage_record(row: Mapping[str, Any]) -> PersonRecord:
    """A person record's columns (projection row or :func:`person_records` dictionary) as the
    linkage engine reads them. The record's kind is part of its source, so a child and an
    adult are never blocked together on the source-free rules' account alone."""
    born = row.get("date_of_birth")
    recorded = row.get("recorded_on")
    sex = row.get("sex")
    return PersonRecord(
        record_id=str(row.get("id") or row.get("record_id")),
        source=f"{row['kind']}:{row['source']}",
        first_name=row.get("first_name") or None,
        middle_names=row.get("middle_names") or None,
        surname=row.get("surname") or None,
        aliases=tuple(row.get("aliases") or ()),
        date_of_birth=born.isoformat() if isinstance(born, dt.date) else (born or None),
        approximate_age=row.get("approximate_age"),
        sex=sex if sex in ("M", "F", "X") else None,
        address=row.get("address") or None,
        postcode=row.get("postcode") or None,
        phone=None,
        email=None,
        identifier=row.get("identifier") or None,
        recorded_on=recorded.isoformat() if isinstance(recorded, dt.date) else (recorded or None),
    )


class _Index:
    """The cached index and what it was built from."""

    def __init__(self) -> None:
        self.index: PersonIndex | None = None
        self.model_sha: str = ""
        self.seq = -1
        self.leaf: bytes = b""
        self.built_size = 0
        self.kinds: dict[str, str] = {}


_lock = threading.RLock()
_cache = _Index()


def forget_index() -> None:
    """Drop the cached index (the next check rebuilds it)."""
    global _cache
    with _lock:
        _cache = _Index()


def _leaf_at(seq: int) -> bytes:
    data = LedgerLeaf.objects.filter(seq=seq).values_list("data", flat=True).first()
    return bytes(data) if data is not None else b""


def _rows(since: int) -> list[dict[str, Any]]:
    # values(), not model rows: the index shows nobody a record.
    return list(
        PersonRecordRow.objects.filter(recorded_seq__gt=since)
        .order_by("recorded_seq", "id")
        .values(*_COLUMNS)
    )


def known_index() -> tuple[PersonIndex | None, dict[str, str]]:
    """The index of every person record now in the database (None while there are none),
    with each record's kind (child or adult). Call inside the recording transaction."""
    global _cache
    model = linkage_model()
    with _lock:
        cache = _cache
        stale = (
            cache.index is None
            or cache.model_sha != model.sha256
            or _leaf_at(cache.seq) != cache.leaf
        )
        if stale:
            cache = _Index()
        rows = _rows(cache.seq)
        if rows and cache.index is not None:
            index = cache.index
            added = [linkage_record(r) for r in rows if r["id"] not in cache.index]
            if cache.built_size and len(index) + len(added) > cache.built_size * (
                1 + _REBUILD_SHARE
            ):
                cache = _Index()
                rows = _rows(-1)
            elif added:
                index.add(added)
        if cache.index is None and rows:
            cache.index = PersonIndex([linkage_record(r) for r in rows], model.document)
            cache.built_size = len(rows)
            cache.model_sha = model.sha256
        for row in rows:
            cache.kinds[row["id"]] = row["kind"]
        if rows:
            cache.seq = max(r["recorded_seq"] for r in rows)
            cache.leaf = _leaf_at(cache.seq)
        _cache = cache
        return cache.index, cache.kinds


def score_records(
    records: Sequence[Mapping[str, Any]], *, among_known: bool = False
) -> list[ScoredPair]:
    """The known records each of ``records`` (:func:`person_records` dictionaries) may be,
    at or above the review threshold, child with child and adult with adult only."""
    if not records:
        return []
    with _lock:
        index, kinds = known_index()
        if index is None and not among_known:
            return []
        new = [linkage_record(r) for r in records]
        kinds = {**kinds, **{r["record_id"]: r["kind"] for r in records}}
        if among_known:
            if index is None:
                index = PersonIndex(new, linkage_model().document)
                _cache.index, _cache.built_size = index, len(new)
                _cache.model_sha = linkage_model().sha256
            else:
                index.add([r for r in new if r.record_id not in index])
            _cache.kinds.update({r["record_id"]: r["kind"] for r in records})
        assert index is not None
        pairs = index.check(new, threshold=REVIEW_THRESHOLD, among_known=among_known)
    return [p for p in pairs if kinds.get(p.left) == kinds.get(p.right)]


def draft_records(
    draft: ConcernDraft, *, agency_id: str | None, today: dt.date
) -> list[dict[str, Any]]:
    """The person records ``draft`` would add, before it is recorded (for the check-your-
    answers page): numbered as the concern's will be, under a reference not yet given."""
    payload = draft.as_payload()
    children = [
        (
            f"draft-{n}",
            {
                **child,
                "nhs_number": "".join(ch for ch in child.get("nhs_number", "") if ch.isdigit()),
            },
        )
        for n, child in enumerate(payload["children"])
    ]
    return person_records(
        concern_id="",
        reference="(this concern)",
        agency_id=agency_id,
        recorded_on=today.isoformat(),
        children=children,
        persons=payload["persons"],
    )


def _concern_records(
    built: ConcernEvents, today: dt.date, children: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    recorded = built.recorded
    return person_records(
        concern_id=recorded.concern_id,
        reference=recorded.reference,
        agency_id=recorded.agency_id,
        recorded_on=today.isoformat(),
        children=[(c, children[c]) for c in recorded.children],
        persons=recorded.persons,
    )


@dataclass
class DeferredMatching:
    """The concerns recorded while matching was deferred, in order (see
    :func:`deferred_matching`)."""

    concern_ids: list[str] = field(default_factory=list)


_deferred: ContextVar[DeferredMatching | None] = ContextVar(
    "tocsin_deferred_matching", default=None
)


@contextmanager
def deferred_matching() -> Iterator[DeferredMatching]:
    """Record concerns without scoring them one by one (a bulk load such as the demo): their
    ids are collected, and the caller scores them all at once afterwards with
    ``tocsin.server.people.actions.do_match_people``, which finds the same matches."""
    collected = DeferredMatching()
    token = _deferred.set(collected)
    try:
        yield collected
    finally:
        _deferred.reset(token)


def matches_for_concerns(built: Iterable[ConcernEvents], today: dt.date) -> list[PeopleMatched]:
    """Score the children and adults of concerns about to be recorded (one batch) against
    everyone known and against each other, in one check: a ``people.matched`` for each
    concern that has candidate matches, to append after the concerns. Nothing while
    :func:`deferred_matching` is on (the concerns are noted for a later bulk check)."""
    concerns = list(built)
    deferred = _deferred.get()
    if deferred is not None:
        deferred.concern_ids += [c.recorded.concern_id for c in concerns]
        return []
    # Children this batch records (an earlier concern of the batch may name a child a
    # later one names again), and the children already recorded, as first described.
    new = {
        e.child_id: e.payload()
        for concern in concerns
        for e in concern.events
        if isinstance(e, ChildRecorded)
    }
    already = {c for concern in concerns for c in concern.recorded.children} - set(new)
    known: dict[str, Mapping[str, Any]] = {
        str(row["id"]): row
        for row in Child.objects.filter(pk__in=already).values(
            "id",
            "given_name",
            "family_name",
            "aliases",
            "date_of_birth",
            "approximate_age",
            "sex",
            "address",
            "postcode",
            "nhs_number",
        )
    }
    children = {**known, **new}
    records_by_concern = {
        c.recorded.concern_id: _concern_records(c, today, children) for c in concerns
    }
    records = [r for rs in records_by_concern.values() for r in rs]
    return matched_events(records)


def matched_events(records: Sequence[Mapping[str, Any]]) -> list[PeopleMatched]:
    """Score ``records`` (:func:`person_records` dictionaries, in the order they were
    recorded) against everyone known and each other: a ``people.matched`` for each concern
    with candidate matches."""
    if not records:
        return []
    if len({r["concern_id"] for r in records}) == 1 and known_index()[0] is None:
        return []  # the first concern: nobody to match, and a concern names each person once
    model = linkage_model()
    pairs = score_records(records, among_known=True)
    concern_of = {r["record_id"]: r["concern_id"] for r in records}
    order = {r["record_id"]: n for n, r in enumerate(records)}
    by_concern: dict[str, list[dict[str, Any]]] = {}
    for pair in pairs:
        if concern_of.get(pair.left) == concern_of[pair.right]:
            continue  # two people of one concern: a concern names each person once
        by_concern.setdefault(concern_of[pair.right], []).append(
            {
                "left": pair.left,
                "right": pair.right,
                "probability": round(pair.match_probability, 6),
                "match_weight": round(pair.match_weight, 4),
                "weights": {k: round(v, 4) for k, v in sorted(pair.weights.items())},
                "status": "confirmed" if pair.match_probability >= LINK_THRESHOLD else "proposed",
            }
        )
    return [
        PeopleMatched(
            concern_id=concern_id,
            model=model.sha256,
            link_threshold=LINK_THRESHOLD,
            review_threshold=REVIEW_THRESHOLD,
            # Ties in the order the records were recorded, not by their ids (which hold
            # references drawn at random), so that one load gives one ledger however batched.
            pairs=sorted(
                found,
                key=lambda p: (
                    -p["probability"],
                    order.get(p["left"], -1),
                    p["left"],
                    order.get(p["right"], -1),
                    p["right"],
                ),
            ),
        )
        for concern_id, found in by_concern.items()
    ]
