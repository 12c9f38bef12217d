"""The figures at a signed checkpoint: the checkpoint is checked against the tree first, then
the events below it are read in ledger order and handed to the core
(:func:`tocsin.domain.statistics.compute_figures`). Nothing here reads a projection, so a later
event cannot change what the figures at this checkpoint are.

The figures at a checkpoint are computed once and stored (``$TOCSIN_HOME/statistics``, keyed by
the checkpoint's size and root, the period, the clocks policy and the newest expunction): the
clocks worker computes them for the newest checkpoint each round (:func:`store_statistics`), so
the page and ``tocsin stats`` at that checkpoint answer from what it stored. A stored copy
gives the same documents, byte for byte, as figures computed fresh."""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import os
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal, overload

from django.conf import settings

from tocsin.domain.events import EventDecodeError, event_type
from tocsin.domain.screening import bands
from tocsin.domain.statistics import (
    Audience,
    Figures,
    LedgerEvent,
    compute_figures,
    document,
    figures_from_json,
    figures_to_json,
    payload_kinds,
)
from tocsin.domain.statistics import StatisticsDocument as Document
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.ledger.models import Expunction, SignedCheckpoint
from tocsin.server.ledger.recording import reading_ledger

__all__ = ["NoCheckpoint", "StatisticsAt", "ledger_events", "statistics_at", "store_statistics"]

logger = logging.getLogger(__name__)


class NoCheckpoint(LookupError):
    """There is no signed checkpoint of that size (or none at all); the message says what to do."""


@dataclass(frozen=True)
class StatisticsAt:
    """The figures at one checkpoint, with the checkpoint's root (base64)."""

    figures: Figures
    root: str
    origin: str

    def document(self, *, sees_every_concern: bool) -> Document:
        """The figures for an audience; suppressed unless it sees every concern."""
        audience = Audience(sees_every_concern, settings.TOCSIN_STATS_SUPPRESS_BELOW)
        return document(self.figures, root=self.root, origin=self.origin, audience=audience)


@cache
def _members(kind: str) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(event_type(kind)))


def _decoded(kind: str, version: int, raw: Any) -> dict[str, Any]:
    """A payload at its event's current version (upcast), with exactly its members: what
    ``Event.from_payload`` checks, without building the event (a large ledger is read whole)."""
    current = event_type(kind).upcast(version, raw)
    if not isinstance(current, dict) or current.keys() != _members(kind):
        raise EventDecodeError(f"{kind} v{version} payload has other members")
    return current


_ENVELOPE_KEYS = frozenset({"v", "seq", "time", "kind", "actor", "subjects", "commitment"})


def ledger_events(size: int, *, kinds: frozenset[str] | None = None) -> Iterator[LedgerEvent]:
    """The ledger's events below ``size``, in order, decoded at their current version; an
    erased (or undecodable) payload is None. With ``kinds``, only the payloads of those kinds
    are decoded: any other is ``{}`` (the figures do not read it). An unreadable leaf stops the
    reading: the figures would be wrong, and ``tocsin verify`` says where.

    The leaves are read as JSON, not checked member by member as ``Envelope.parse`` checks
    them: the caller has checked the tree's root at ``size`` against the signed checkpoint, so
    these are the leaves the log signed, and ``tocsin verify`` checks their form."""
    store = reading_ledger().store
    for batch in store.stream_events(size):
        for seq, kind, _subject, data, sealed in batch:
            try:
                leaf = json.loads(data)
                if not isinstance(leaf, dict) or leaf.keys() != _ENVELOPE_KEYS:
                    raise ValueError("not a leaf's members")
                version, time, actor = int(leaf["v"]), str(leaf["time"]), str(leaf["actor"])
                subjects = tuple(str(subject) for subject in leaf["subjects"])
                moment = datetime.fromisoformat(time)
            except (TypeError, ValueError) as exc:
                raise NoCheckpoint(
                    f"event {seq} cannot be read ({exc}); run tocsin verify"
                ) from None
            payload: dict[str, Any] | None = None
            if sealed is not None:
                if kinds is not None and kind not in kinds:
                    payload = {}
                else:
                    try:
                        payload = _decoded(kind, version, json.loads(sealed.body))
                    except (LookupError, EventDecodeError, TypeError, ValueError):
                        payload = None
            yield LedgerEvent(
                seq=seq,
                time=moment,
                kind=kind,
                actor=actor,
                subjects=subjects,
                payload=payload,
            )


def _checkpoint(size: int | None) -> SignedCheckpoint:
    checkpoints = SignedCheckpoint.objects.order_by("-size")
    found = checkpoints.first() if size is None else checkpoints.filter(size=size).first()
    if found is None:
        if size is None:
            raise NoCheckpoint("the log has signed no checkpoint yet; run tocsin ledger publish")
        raise NoCheckpoint(
            f"the log signed no checkpoint of size {size}; tocsin ledger checkpoint shows the "
            "newest (statistics are computed only at signed checkpoints)"
        )
    return found


#: Figures already computed, by (size, root, period, clocks policy, newest expunction): the
#: figures at a checkpoint never change unless a payload below it is erased (an expunction,
#: itself an event), so a page asked again is answered without reading the ledger again.
_COMPUTED: OrderedDict[tuple[int, bytes, str, str, int], Figures] = OrderedDict()
_KEEP = 8


def _newest_expunction() -> int:
    newest = Expunction.objects.order_by("-seq").values_list("seq", flat=True).first()
    return -1 if newest is None else int(newest)


#: How many stored computations are kept (the newest); older checkpoints are computed again.
_KEEP_STORED = 60


def _stored_path(key: tuple[int, bytes, str, str, int]) -> Path:
    size, root, period, digest, expunction = key
    name = f"{size}-{root.hex()}-{period}-{digest[:16]}-{expunction}.json"
    return Path(settings.TOCSIN_HOME) / "statistics" / name


def _read_stored(key: tuple[int, bytes, str, str, int]) -> Figures | None:
    try:
        return figures_from_json(_stored_path(key).read_text("utf-8"))
    except (OSError, ValueError, LookupError, TypeError):
        return None  # none stored, or unreadable: computed again


def _store(key: tuple[int, bytes, str, str, int], figures: Figures) -> None:
    path = _stored_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(figures_to_json(figures), "utf-8")
        partial.replace(path)
        kept = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[_KEEP_STORED:]:
            old.unlink(missing_ok=True)
    except OSError:
        logger.warning("could not store the statistics at %s", path, exc_info=True)


def store_statistics(periods: Iterable[str] = ("quarter", "month")) -> list[str]:
    """Compute the figures at the newest signed checkpoint for each of ``periods`` and store
    them (the clocks worker does this each round), unless stored already; the periods it
    computed. None of it without a checkpoint."""
    computed = []
    for period in periods:
        try:
            if statistics_at(period=period, only_stored=True) is None:
                statistics_at(period=period)
                computed.append(period)
        except NoCheckpoint:
            break
    return computed


@overload
def statistics_at(
    size: int | None = None, *, period: str = "quarter", only_stored: Literal[False] = False
) -> StatisticsAt: ...


@overload
def statistics_at(
    size: int | None = None, *, period: str = "quarter", only_stored: bool
) -> StatisticsAt | None: ...


def statistics_at(
    size: int | None = None, *, period: str = "quarter", only_stored: bool = False
) -> StatisticsAt | None:
    """The figures at the signed checkpoint of ``size`` (the newest if None), grouped by
    ``period``. Refuses (:class:`NoCheckpoint`) if there is none, or if the tree's root at that
    size is no longer the one the log signed (history rewritten: run tocsin verify)."""
    checkpoint = _checkpoint(size)
    root = bytes(checkpoint.root)
    if reading_ledger().root(checkpoint.size) != root:
        raise NoCheckpoint(
            f"the tree's root at size {checkpoint.size} is not the one the log signed there: "
            "the history was rewritten; run tocsin verify"
        )
    policy = clocks_policy()
    key = (checkpoint.size, root, period, policy.digest, _newest_expunction())
    figures = _COMPUTED.get(key) or _read_stored(key)
    if figures is None and only_stored:
        return None
    if figures is None:
        figures = compute_figures(
            ledger_events(checkpoint.size, kinds=payload_kinds(policy)),
            size=checkpoint.size,
            period=period,
            policy=policy,
            bands=bands(),
        )
        _store(key, figures)
    if key not in _COMPUTED:
        _COMPUTED[key] = figures
        while len(_COMPUTED) > _KEEP:
            _COMPUTED.popitem(last=False)
    return StatisticsAt(
        figures=figures,
        root=base64.b64encode(root).decode("ascii"),
        origin=settings.TOCSIN_LEDGER_ORIGIN,
    )
