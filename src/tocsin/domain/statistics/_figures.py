"""The official figures, computed from the ledger's events up to a checkpoint and nothing else.

Every figure is a pure function of the events in ledger order, the clocks policy and the
screening bands, so the same checkpoint gives the same figures however many events came later.
Counts are never lowered by a later event: a child regraded out of exploitation stays counted
among the children with exploitation concerns, and the regrading is counted, with its reason,
under "reclassified away".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from tocsin.domain.casework import DECISIONS
from tocsin.domain.clocks import CHALLENGE_OUTCOMES, ClockEvent, ClockPolicy, evaluate
from tocsin.domain.estimates import EXPLOITATION_CIN_FACTORS

__all__ = [
    "PERIODS",
    "Figure",
    "Figures",
    "LedgerEvent",
    "Regrading",
    "compute_figures",
    "payload_kinds",
    "period_of",
]

#: How concerns are grouped in time (by the ledger time they were recorded at, in UTC).
PERIODS: dict[str, str] = {"month": "Month", "quarter": "Quarter", "year": "Year"}

#: Obligations whose timeliness is an official figure (issue 17): decisions within 1 working
#: day, crime recording within 24 hours, assessments within 45 working days.
TIMELINESS = ("decision", "crime_recording", "assessment")
TIMELINESS_COLUMNS = ("Met in time", "Met late", "Overdue", "Open, not yet due", "Stopped")

#: Events whose payload counts language warnings, grouped as the figure shows them.
WARNING_GROUPS: dict[str, str] = {
    "concern.recorded": "Concerns",
    "concern.information_added": "Notes",
    "decision.recorded": "Decisions",
    "regrade.proposed": "Decisions",
    "contact.recorded": "Contacts and outcomes",
    "outcome.recorded": "Contacts and outcomes",
    "meeting.recorded": "Meetings",
    "challenge.raised": "Challenges",
    "challenge.answered": "Challenges",
}

#: Event kinds whose payloads the figures read, besides those of WARNING_GROUPS and the clocks
#: policy's (:func:`payload_kinds`).
_READ_KINDS = frozenset(
    {
        "agency.registered",
        "team.formed",
        "user.enrolled",
        "concern.recorded",
        "child.screened",
        "risk.regraded",
        "decision.recorded",
        "decision.signed_off",
        "concern.allocated",
        "record.expunged",
        "obligation.escalated",
        "escalation.closed",
        "challenge.raised",
        "challenge.answered",
        "capacity.override_set",
        "estimate.produced",
        "report.registered",
        "recommendation.responded",
    }
)

_SEXUAL, _CRIMINAL = EXPLOITATION_CIN_FACTORS
_ERASED = "(payload erased)"
_NO_AGENCY = "(no agency: public report)"
_NO_TEAM = "(no team)"
_CHALLENGE_ROWS = {**CHALLENGE_OUTCOMES, "awaiting_answer": "Awaiting an answer"}


@dataclass(frozen=True)
class LedgerEvent:
    """One ledger event as the statistics read it: the envelope's parts and the decoded payload
    (upcast to its current version), or None where the payload has been erased."""

    seq: int
    time: datetime
    kind: str
    actor: str
    subjects: tuple[str, ...]
    payload: Mapping[str, Any] | None


@dataclass(frozen=True)
class Figure:
    """One table of counts: rows by columns, before any suppression."""

    id: str
    title: str
    row_heading: str
    column_heading: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    note: str = ""
    #: a figure for each row that is not a count (a team's capacity), never suppressed.
    limits: tuple[int | None, ...] = ()
    limit_heading: str = ""
    #: stable ids of the rows, where their words come from a policy (the timeliness figure).
    row_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Regrading:
    """A screening's band lowered ("reclassified away"), with the professional's reason."""

    seq: int
    time: datetime
    concern_id: str
    child_id: str
    from_band: str
    to_band: str
    reason: str
    out_of_exploitation: bool


@dataclass(frozen=True)
class Figures:
    """Everything computed at one checkpoint."""

    size: int
    as_of: datetime | None
    period: str
    figures: tuple[Figure, ...]
    reclassified_away: tuple[Regrading, ...]
    #: the newest estimate of the hidden number produced before the checkpoint, if any.
    hidden_number: dict[str, Any] | None
    #: events below the checkpoint whose payloads were erased at the end of retention.
    erased_payloads: int
    #: the problem profile's own figures (trends, hotspots, already known, overlaps between
    #: agencies, open recommendations), read in the same pass; docs/statistics.md.
    profile: tuple[Figure, ...] = ()


def period_of(moment: datetime, period: str) -> str:
    """The period ("2025-03", "2025-Q1" or "2025") a ledger time falls in (UTC)."""
    if period == "month":
        return f"{moment.year:04d}-{moment.month:02d}"
    if period == "quarter":
        return f"{moment.year:04d}-Q{(moment.month - 1) // 3 + 1}"
    if period == "year":
        return f"{moment.year:04d}"
    raise ValueError(f"the period must be one of {', '.join(PERIODS)}, not {period!r}")


def _subject_id(subjects: Iterable[str], kind: str) -> str | None:
    prefix = f"{kind}:"
    for subject in subjects:
        if subject.startswith(prefix):
            return subject[len(prefix) :]
    return None


class _Grid:
    """Counts keyed by (row, column), laid out into a :class:`Figure` at the end."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = defaultdict(int)

    def add(self, row: str, column: str, amount: int = 1) -> None:
        self.counts[(row, column)] += amount

    def figure(
        self,
        figure_id: str,
        title: str,
        row_heading: str,
        column_heading: str,
        *,
        rows: Sequence[str] | None = None,
        columns: Sequence[str] | None = None,
        note: str = "",
    ) -> Figure:
        row_names = tuple(rows) if rows is not None else tuple(sorted({r for r, _ in self.counts}))
        column_names = (
            tuple(columns) if columns is not None else tuple(sorted({c for _, c in self.counts}))
        )
        counts = tuple(tuple(self.counts.get((r, c), 0) for c in column_names) for r in row_names)
        return Figure(
            figure_id, title, row_heading, column_heading, row_names, column_names, counts, note
        )


@dataclass
class _Reading:
    """What has been read of the events so far (names, concerns, children, decisions)."""

    agencies: dict[str, str] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)
    user_teams: dict[str, str | None] = field(default_factory=dict)
    concern_first_period: dict[str, str] = field(default_factory=dict)
    child_factors: dict[str, set[str]] = field(default_factory=dict)
    child_first_period: dict[str, str] = field(default_factory=dict)
    child_band: dict[str, str] = field(default_factory=dict)
    decisions: dict[str, tuple[str, str]] = field(default_factory=dict)  # id: (decision, concern)
    allocation: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    closed: set[str] = field(default_factory=set)
    challenges: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    team_overrides: dict[str, int] = field(default_factory=dict)
    #: the agencies (ids; None for the public) each child's concerns came from so far.
    child_agencies: dict[str, set[str | None]] = field(default_factory=dict)
    #: recommendation id: (report title, due date (ISO), answered)
    recommendations: dict[str, tuple[str, str, bool]] = field(default_factory=dict)

    def agency_name(self, agency_id: str | None) -> str:
        if agency_id is None:
            return _NO_AGENCY
        return self.agencies.get(agency_id, agency_id)

    def team_of(self, actor: str) -> str:
        team_id = (
            self.user_teams.get(actor.removeprefix("user:")) if actor.startswith("user:") else None
        )
        if team_id is None:
            return _NO_TEAM
        return self.teams.get(team_id, team_id)


def payload_kinds(policy: ClockPolicy) -> frozenset[str]:
    """The event kinds whose payloads :func:`compute_figures` reads under ``policy``: the
    figures' own and every kind the clocks policy matches. Any other event may be handed over
    with an empty payload (``{}``; None still means erased) without changing a figure, so a
    reader need not decode it (a large ledger is mostly reads recorded and sign-ins)."""
    kinds = set(_READ_KINDS) | set(WARNING_GROUPS)
    for pattern in policy.every_pattern():
        kinds.add(pattern.kind)
        if pattern.refers_to is not None:
            kinds.add(pattern.refers_to.kind)
    for rule in policy.obligations:
        kinds.update(trigger.kind for trigger in rule.triggers)
    return frozenset(kinds)


def _clock_event(event: LedgerEvent) -> ClockEvent:
    return ClockEvent(event.seq, event.time, event.kind, event.subjects, event.payload)


def compute_figures(
    events: Iterable[LedgerEvent],
    *,
    size: int,
    period: str,
    policy: ClockPolicy,
    bands: Sequence[str],
) -> Figures:
    """The official figures over ``events`` (every event below the checkpoint of ``size``, in
    ledger order), grouped by ``period``; obligations are judged as of the last event's time,
    under the clocks ``policy``; ``bands`` are the screening bands, lowest first."""
    period_of(datetime(2000, 1, 1), period)  # refuse an unknown period before reading
    read = _Reading()
    profile = _ProfileGrids()
    by_agency, by_source, children, decisions = _Grid(), _Grid(), _Grid(), _Grid()
    regraded, escalations, challenges, warnings, persons = (
        _Grid(),
        _Grid(),
        _Grid(),
        _Grid(),
        _Grid(),
    )
    reclassified: list[Regrading] = []
    clock_events: list[ClockEvent] = []
    hidden_number: dict[str, Any] | None = None
    erased = 0
    as_of: datetime | None = None
    for event in events:
        if event.seq >= size:
            break
        as_of = event.time
        clock_events.append(_clock_event(event))
        payload = event.payload
        when = period_of(event.time, period)
        if payload is None:
            erased += 1
            if event.kind == "concern.recorded":
                agency = _subject_id(event.subjects[1:], "agency")
                by_agency.add(read.agency_name(agency), when)
                by_source.add(_ERASED, when)
            continue
        if event.kind in WARNING_GROUPS and payload.get("language_warnings"):
            warnings.add(
                read.team_of(event.actor),
                WARNING_GROUPS[event.kind],
                int(payload["language_warnings"]),
            )
        match event.kind:
            case "agency.registered":
                read.agencies[payload["agency_id"]] = payload["name"]
            case "team.formed":
                read.teams[payload["team_id"]] = payload["name"]
            case "user.enrolled":
                read.user_teams[payload["user_id"]] = payload.get("team_id")
            case "concern.recorded":
                concern_id = payload["concern_id"]
                read.concern_first_period[concern_id] = when
                by_agency.add(read.agency_name(payload.get("agency_id")), when)
                by_source.add(payload["channel"], when)
                factors = set(payload.get("cin_factors") or ()) & {_SEXUAL, _CRIMINAL}
                profile.concern(read, payload, when, bool(factors))
                for child_id in payload.get("children") or ():
                    if factors:
                        known = read.child_factors.setdefault(child_id, set())
                        known |= factors
                        read.child_first_period.setdefault(child_id, when)
                for person in payload.get("persons") or ():
                    code = person.get("ethnicity") if isinstance(person, Mapping) else None
                    persons.add(_ethnicity_row(code), "Persons of concern")
            case "child.screened":
                read.child_band[payload["child_id"]] = payload["band"]
            case "risk.regraded":
                read.child_band[payload["child_id"]] = payload["to_band"]
                from_band, to_band = payload["from_band"], payload["to_band"]
                if _rank(bands, to_band) < _rank(bands, from_band):
                    regraded.add(from_band, to_band)
                    reclassified.append(
                        Regrading(
                            seq=event.seq,
                            time=event.time,
                            concern_id=payload["concern_id"],
                            child_id=payload["child_id"],
                            from_band=from_band,
                            to_band=to_band,
                            reason=payload["reason"],
                            out_of_exploitation=bool(bands) and to_band == bands[0],
                        )
                    )
            case "decision.recorded":
                decision = payload["decision"]
                read.decisions[payload["decision_id"]] = (decision, payload["concern_id"])
                if not payload.get("awaiting_sign_off"):
                    decisions.add(DECISIONS.get(decision, decision), when)
            case "decision.signed_off":
                proposed = read.decisions.get(payload["decision_id"])
                if proposed is not None and payload.get("approved"):
                    decisions.add(DECISIONS.get(proposed[0], proposed[0]), when)
                    if proposed[0] in ("close", "no_further_action"):
                        read.closed.add(proposed[1])
            case "concern.allocated":
                read.allocation[payload["concern_id"]] = (
                    payload.get("team_id"),
                    payload.get("worker_id"),
                )
            case "record.expunged":
                subject = str(payload.get("subject", ""))
                if subject.startswith("concern:"):
                    read.closed.add(subject.removeprefix("concern:"))
            case "obligation.escalated":
                escalations.add(_label(policy, payload["obligation"]), f"Level {payload['level']}")
            case "challenge.raised":
                read.challenges[payload["challenge_id"]] = (when, None)
            case "challenge.answered":
                raised = read.challenges.get(payload["challenge_id"])
                if raised is not None:
                    read.challenges[payload["challenge_id"]] = (raised[0], payload["outcome"])
            case "capacity.override_set":
                if payload.get("scope") == "team" and payload.get("measure") == "caseload":
                    threshold = payload.get("threshold")
                    if threshold is None:
                        read.team_overrides.pop(payload["scope_id"], None)
                    else:
                        read.team_overrides[payload["scope_id"]] = int(threshold)
            case "estimate.produced":
                hidden_number = _estimate_summary(event.seq, payload)
            case "report.registered":
                for rec in payload.get("recommendations") or ():
                    read.recommendations[str(rec["recommendation_id"])] = (
                        payload["title"],
                        str(rec.get("due") or ""),
                        False,
                    )
            case "recommendation.responded":
                known_rec = read.recommendations.get(payload["recommendation_id"])
                if known_rec is not None:
                    read.recommendations[payload["recommendation_id"]] = (
                        known_rec[0],
                        known_rec[1],
                        True,
                    )
            case _:
                pass
    for child_id, factors in read.child_factors.items():
        children.add(_exploitation_row(factors), read.child_first_period[child_id])
    for raised_period, outcome in read.challenges.values():
        code = outcome or "awaiting_answer"
        challenges.add(_CHALLENGE_ROWS.get(code, code), raised_period)
    periods = tuple(sorted(set(read.concern_first_period.values())))
    figures = [
        by_agency.figure(
            "concerns_by_agency",
            "Concerns recorded, by agency",
            "Agency",
            "Period",
            columns=_columns(periods, by_agency),
        ),
        by_source.figure(
            "concerns_by_source",
            "Concerns recorded, by how they reached Tocsin",
            "Source",
            "Period",
            columns=_columns(periods, by_source),
        ),
        children.figure(
            "children_exploitation",
            "Children with sexual or criminal exploitation concerns",
            "Exploitation named",
            "Period of the first such concern",
            rows=("Sexual exploitation only", "Criminal exploitation only", "Both"),
            columns=_columns(periods, children),
            note=(
                "A child is counted once, from the first concern that names child sexual "
                "exploitation (CIN factor 11A) or child criminal exploitation (24A); a later "
                "regrading never removes them (see reclassified away)."
            ),
        ),
        decisions.figure(
            "decisions",
            "Decisions that took effect",
            "Decision",
            "Period",
            columns=_columns(periods, decisions),
            note="No further action and closing count only once a second person approved them.",
        ),
        *_clock_figures(policy, clock_events, as_of),
        regraded.figure(
            "reclassified_away",
            "Regradings down (reclassified away)",
            "From band",
            "To band",
            rows=tuple(b for b in reversed(bands) if any(r == b for r, _ in regraded.counts)),
            columns=tuple(b for b in reversed(bands) if any(c == b for _, c in regraded.counts)),
            note="Every lowering of a screening's band, each with a named person and a reason.",
        ),
        _current_bands(read, bands),
        escalations.figure(
            "escalations_by_level",
            "Escalations, by level reached",
            "Obligation",
            "Level",
            columns=("Level 1", "Level 2", "Level 3"),
        ),
        challenges.figure(
            "challenges",
            "Challenges and their outcomes",
            "Outcome",
            "Period raised",
            rows=tuple(_CHALLENGE_ROWS.values()),
            columns=_columns(periods, challenges),
        ),
        warnings.figure(
            "language_warnings_by_team",
            "Language warnings, by team",
            "Team",
            "Recorded in",
            columns=tuple(dict.fromkeys(WARNING_GROUPS.values())),
            note="Phrases the language check flagged (DOMAIN.md section 4), by the author's team.",
        ),
        persons.figure(
            "ethnicity_recorded",
            "Descriptions of persons of concern: ethnicity",
            "Ethnicity",
            "Descriptions",
            rows=("Recorded as described", "Not yet obtained", "Refused"),
            columns=("Persons of concern",),
            note=(
                "Each person as described in each concern (the same person in two concerns "
                "counts twice)."
            ),
        ),
        _caseload(read, policy),
    ]
    return Figures(
        size=size,
        as_of=as_of,
        period=period,
        figures=tuple(figures),
        reclassified_away=tuple(reclassified),
        hidden_number=hidden_number,
        erased_payloads=erased,
        profile=profile.figures(read, periods, as_of),
    )


def _columns(periods: tuple[str, ...], grid: _Grid) -> tuple[str, ...]:
    return tuple(sorted(set(periods) | {c for _, c in grid.counts}))


def _rank(bands: Sequence[str], band: str) -> int:
    return bands.index(band) if band in bands else -1


def _label(policy: ClockPolicy, obligation: str) -> str:
    try:
        return policy.obligation(obligation).label
    except LookupError:
        return obligation


def _ethnicity_row(code: object) -> str:
    if code == "REFU":
        return "Refused"
    if code in (None, "", "NOBT"):
        return "Not yet obtained"
    return "Recorded as described"


def _exploitation_row(factors: set[str]) -> str:
    if factors >= {_SEXUAL, _CRIMINAL}:
        return "Both"
    return "Sexual exploitation only" if _SEXUAL in factors else "Criminal exploitation only"


def _estimate_summary(seq: int, payload: Mapping[str, Any]) -> dict[str, Any]:
    result = payload.get("result") or {}
    return {
        "seq": seq,
        "estimate_id": payload.get("estimate_id"),
        "period_from": payload.get("period_from"),
        "period_to": payload.get("period_to"),
        "method": payload.get("method"),
        "lists": len(payload.get("lists") or ()),
        "observed": result.get("observed"),
        "estimate": result.get("estimate"),
        "ci": result.get("ci"),
        "ci_level": result.get("ci_level"),
        "warnings": list(result.get("warnings") or ()),
    }


def _clock_figures(
    policy: ClockPolicy, clock_events: list[ClockEvent], as_of: datetime | None
) -> list[Figure]:
    timeliness, overdue = _Grid(), _Grid()
    labels = {rule.id: rule.label for rule in policy.obligations}
    if as_of is not None:
        for ob in evaluate(policy, clock_events, as_of).obligations:
            label = labels.get(ob.obligation, ob.obligation)
            if ob.obligation in TIMELINESS:
                timeliness.add(label, _timeliness_column(ob.status, ob.met_in_time))
            if ob.status == "overdue":
                overdue.add(label, f"Level {min(max(ob.level, 1), 3)}")
    judged = tuple(o for o in TIMELINESS if o in labels)
    timeliness_figure = timeliness.figure(
        "timeliness",
        "Obligations met in time",
        "Obligation",
        "Where it stands",
        rows=tuple(labels[o] for o in judged),
        columns=TIMELINESS_COLUMNS,
        note=(
            "Decisions within 1 working day, crime recording within 24 hours of a "
            "disclosure, assessments within 45 working days, judged as of the checkpoint."
        ),
    )
    return [
        replace(timeliness_figure, row_keys=judged),
        overdue.figure(
            "overdue_obligations",
            "Obligations overdue at the checkpoint, by level reached",
            "Obligation",
            "Level",
            columns=("Level 1", "Level 2", "Level 3"),
        ),
    ]


def _timeliness_column(status: str, in_time: bool | None) -> str:
    if status == "met":
        return "Met in time" if in_time else "Met late"
    if status == "overdue":
        return "Overdue"
    if status == "open":
        return "Open, not yet due"
    return "Stopped"


def _current_bands(read: _Reading, bands: Sequence[str]) -> Figure:
    grid = _Grid()
    for band in read.child_band.values():
        grid.add(band, "Children")
    return grid.figure(
        "children_by_band",
        "Children screened, by current band",
        "Band",
        "Children",
        rows=tuple(reversed(bands)),
        columns=("Children",),
        note="Each child's band after the latest screening or regrading.",
    )


def _caseload(read: _Reading, policy: ClockPolicy) -> Figure:
    grid = _Grid()
    for concern_id, (team_id, worker_id) in read.allocation.items():
        if concern_id in read.closed or team_id is None:
            continue
        column = "Allocated to a worker" if worker_id else "Waiting for a worker"
        grid.add(team_id, column)
    team_ids = sorted({t for t, _ in grid.counts}, key=lambda t: read.teams.get(t, t))
    base = grid.figure(
        "caseload",
        "Open cases against capacity, by team",
        "Team",
        "Open cases",
        rows=team_ids,
        columns=("Allocated to a worker", "Waiting for a worker"),
        note=(
            "Cases allocated to a team and not closed; capacity is the clocks policy's, or "
            "the team's own."
        ),
    )
    default = policy.capacity.team_caseload if policy.capacity is not None else None
    return replace(
        base,
        rows=tuple(read.teams.get(t, t) for t in team_ids),
        limits=tuple(read.team_overrides.get(t, default) for t in team_ids),
        limit_heading="Capacity",
    )


_NAMING = "Naming sexual or criminal exploitation"
_NOT_NAMING = "Not naming exploitation"
_KNOWN = "Already known to another agency"
_NOT_KNOWN = "Not known to another agency before"
_REC_COLUMNS = ("Answered", "Open, not yet due", "Open, past its due date")
#: the most postcode districts the hotspots figure lists (the most concerns first).
HOTSPOTS_SHOWN = 15


def postcode_district(postcode: object) -> str | None:
    """The outward code ("ZZ1" of "ZZ1 2AB"): an area of some thousands of addresses, never
    one household; None if there is no postcode."""
    text = str(postcode or "").strip().upper()
    if not text:
        return None
    outward = text.split()[0] if " " in text else text[:-3]
    return outward or None


class _ProfileGrids:
    """The problem profile's figures, read in the same pass as the statistics."""

    def __init__(self) -> None:
        self.trend, self.known, self.hotspots = _Grid(), _Grid(), _Grid()

    def concern(
        self, read: _Reading, payload: Mapping[str, Any], when: str, exploitation: bool
    ) -> None:
        self.trend.add(when, _NAMING if exploitation else _NOT_NAMING)
        agency = payload.get("agency_id")
        children = list(payload.get("children") or ())
        if children:
            before = [read.child_agencies.get(child_id, set()) for child_id in children]
            known = any(agencies - {agency} for agencies in before)
            self.known.add(when, _KNOWN if known else _NOT_KNOWN)
            for child_id in children:
                read.child_agencies.setdefault(child_id, set()).add(agency)
        districts = {
            postcode_district(place.get("postcode"))
            for place in payload.get("places") or ()
            if isinstance(place, Mapping)
        }
        for district in sorted(d for d in districts if d):
            self.hotspots.add(district, "Concerns naming a place there")

    def figures(
        self, read: _Reading, periods: tuple[str, ...], as_of: datetime | None
    ) -> tuple[Figure, ...]:
        overlaps = _Grid()
        for agencies in read.child_agencies.values():
            names = sorted(read.agency_name(a) for a in agencies)
            for i, first in enumerate(names):
                for second in names[i + 1 :]:
                    overlaps.add(f"{first} and {second}", "Children known to both")
        ranked = sorted(self.hotspots.counts.items(), key=lambda item: (-item[1], item[0][0]))
        recommendations = _Grid()
        today = as_of.date().isoformat() if as_of is not None else ""
        for title, due, answered in read.recommendations.values():
            if answered:
                column = _REC_COLUMNS[0]
            else:
                column = _REC_COLUMNS[2] if due and due < today else _REC_COLUMNS[1]
            recommendations.add(title, column)
        return (
            self.trend.figure(
                "trend",
                "Concerns recorded, by period",
                "Period",
                "Concerns",
                rows=tuple(sorted(periods)),
                columns=(_NAMING, _NOT_NAMING),
                note="Every concern, by the period it was recorded in: those naming child "
                "sexual exploitation (CIN factor 11A) or child criminal exploitation (24A), and "
                "the rest.",
            ),
            self.hotspots.figure(
                "hotspots",
                "Hotspots: postcode districts named most often",
                "Postcode district",
                "Concerns",
                rows=tuple(row for (row, _), _n in ranked[:HOTSPOTS_SHOWN]),
                columns=("Concerns naming a place there",),
                note=f"The {HOTSPOTS_SHOWN} postcode districts (the first half of a postcode) "
                "named by the most concerns; a concern counts once per district.",
            ),
            self.known.figure(
                "already_known",
                "Concerns about a child already known to another agency",
                "Period",
                "Already known",
                rows=tuple(sorted({r for r, _ in self.known.counts})),
                columns=(_KNOWN, _NOT_KNOWN),
                note="A concern about a child counts as already known when an earlier concern "
                "about any of its children came from another agency (or from the public when "
                "an agency records it). Concerns about no child are not counted.",
            ),
            overlaps.figure(
                "agency_overlaps",
                "Children known to two or more agencies, by pair",
                "Agencies",
                "Children",
                columns=("Children known to both",),
                note="A child counts under every pair of agencies whose concerns named them.",
            ),
            recommendations.figure(
                "open_recommendations",
                "Recommendations of registered reports, by report",
                "Report",
                "Where it stands",
                columns=_REC_COLUMNS,
                note="Every recommendation on the register at the checkpoint; past its due date "
                "means not answered by the day of the checkpoint.",
            ),
        )
