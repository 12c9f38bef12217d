"""Load a simulated partnership (tocsin.simulate) into Tocsin through the ordinary actions.

Everything goes through the same actions as real use: agencies, teams and staff through the
directory actions, every concern through ``do_record_concern`` as the member of staff who
raised it, validated as of the day it was raised. Nothing is written behind the ledger's back,
so ``tocsin verify`` holds for the demo like for anything else.

Which concerns are about one child rests on record linkage, as it would in life, never on
the simulator's truth. An agency's record of a child holds an NHS number only where the
simulator's noise model says the agency would know it (health always, children's services
often, schools, police and charities rarely; now and then mistyped), so most records of one
child at two agencies share no number. Before loading, the child records the concerns are about
are linked with the engine (``tocsin.intel.linkage.link_records``, DuckDB, default threshold):
the records of one cluster load as one child, the way a practitioner accepts a strong "already
known" match. ``do_record_concern`` finds a child by NHS number, so a cluster is recorded under
the number its records hold (the commonest valid one), or, where none holds one, under a number
from the part of the never-issued range no simulated resident holds
(``tocsin.simulate.SPARE_NUMBERS``), standing in for the match accepted. The agencies' lists
of exploited children, and so the estimate of the hidden number, then count linked children.
Pairs the engine scored between the review and link thresholds are kept for the clerical tray
(:func:`demo_review_pairs`).

The simulator has no public reports, so the demo adds a few: members of the public report
what they saw about some of the simulated children (by name: a neighbour does not know an NHS
number), with no indicators, as the public page records them; the front door then screens most
of them, one with an older sighting that is too old to count, so the trays, the concern pages
and the screening notice all have something to show.

Loading is at batch speed, through the bulk action path (issue 18): a few hundred concerns,
or simulated decisions, to a batch, recorded by ``do_record_concerns_in_bulk`` and
:class:`~tocsin.server.casework.bulk.BulkCaseWork`, which make each action's checks and append
its events, while the ledger's rows and the projections' wait in memory and are written once
per batch, in its one transaction. An action that refuses records nothing, as it would alone.
``load_partnership(..., bulk=False)`` runs the actions themselves one by one instead (the
benchmark's baseline, and what ``tests/unit/server/test_demo_bulk.py`` compares with).
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction

from tocsin.domain import screening as screening_policy
from tocsin.domain.concerns import (
    NOT_KNOWN,
    ChildDraft,
    ConcernDraft,
    IndicatorSeen,
    PersonDraft,
    PlaceDraft,
    VehicleDraft,
    valid_nhs_number,
)
from tocsin.domain.directory import ROLES
from tocsin.intel.linkage import (
    LinkageInputError,
    ScoredPair,
    link_records,
    records_from_simulation,
)
from tocsin.server.actors import ActionRefused, SystemActor
from tocsin.server.casework.actions import (
    DecisionOutcome,
    do_allocate,
    do_decide,
    do_record_contact,
    do_record_outcome,
    do_sign_off,
)
from tocsin.server.casework.bulk import BulkCaseWork
from tocsin.server.concerns.actions import (
    PUBLIC,
    ConcernInvalid,
    do_add_information,
    do_record_concern,
    do_record_concerns_in_bulk,
    do_screen_child,
)
from tocsin.server.concerns.models import Child, Concern
from tocsin.server.directory.actions import (
    do_enrol_user,
    do_form_team,
    do_register_agency,
    do_set_password,
)
from tocsin.server.directory.models import Agency, Team, User
from tocsin.server.ledger.recording import recording_in_bulk
from tocsin.server.people.actions import do_match_people
from tocsin.server.people.known import deferred_matching
from tocsin.simulate import SPARE_NUMBERS, valid_numbers

if TYPE_CHECKING:
    from tocsin.simulate import World

__all__ = [
    "DemoLinkage",
    "DemoLoad",
    "DemoReviewPair",
    "demo_review_pairs",
    "demo_tables",
    "link_demo_children",
    "load_partnership",
    "set_demo_passwords",
]

ACTOR = SystemActor("demo")
Progress = Callable[[str, int, int], None]
#: Actions that share one commit while loading.
BATCH = 500


@dataclass
class DemoLoad:
    """What loading a simulated partnership did."""

    agencies: int = 0
    teams: int = 0
    staff: int = 0
    concerns: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    #: the simulator's concern id: the concern recorded for it.
    recorded: dict[str, str] = field(default_factory=dict)
    #: case work drawn from the simulator's decisions.
    allocations: int = 0
    decisions: int = 0
    sign_offs: int = 0
    awaiting: int = 0
    #: the work that follows a decision: visits, case notes, outcomes.
    contacts: int = 0
    notes: int = 0
    outcomes: int = 0
    #: simulated decisions the case-work rules refused (a later one on a closed case, say).
    case_work_skipped: Counter[str] = field(default_factory=Counter)
    #: public reports added, and how many of them the front door screened.
    public_reports: int = 0
    public_screened: int = 0
    #: how the child records were linked before loading (None: no person records given).
    linkage: DemoLinkage | None = None
    #: the agency's record id of each child loaded: the child record it was loaded as.
    children: dict[str, str] = field(default_factory=dict)
    #: pattern alerts raised on the network of the loaded concerns (issue 16).
    pattern_alerts: int = 0


def _username(given: str, family: str, taken: set[str]) -> str:
    ascii_name = unicodedata.normalize("NFKD", f"{given}.{family}").encode("ascii", "ignore")
    base = re.sub(r"[^a-z0-9.]+", "", ascii_name.decode().lower()).strip(".") or "staff"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name


def _vehicle(text: str) -> VehicleDraft:
    """'red Ford Fiesta, registration UF18' → colour, make and (partial) registration."""
    description, _, registration = text.partition(", registration ")
    words = description.split()
    colour = words[0] if len(words) > 1 else ""
    make = " ".join(words[1:]) if len(words) > 1 else description
    return VehicleDraft(registration=registration.strip(), make=make, colour=colour)


@dataclass
class DemoLinkage:
    """How the child records the demo's concerns are about resolve into children."""

    #: the agency's record id: its cluster (the smallest record id in it).
    cluster_of: dict[str, str]
    #: each cluster: the NHS number its child is recorded under.
    numbers: dict[str, str]
    #: pairs scored at or above the review threshold and below the link threshold.
    review: list[ScoredPair]
    seconds: float = 0.0
    #: why linkage did not run, when it did not (too few records to train on).
    skipped: str = ""

    def nhs_number(self, record_id: str) -> str:
        """The NHS number the child of ``record_id`` is recorded under ("" if not known)."""
        cluster = self.cluster_of.get(record_id)
        return self.numbers.get(cluster, "") if cluster is not None else ""

    def for_record(self, record_id: str) -> str:
        """The same as :meth:`nhs_number` (the name the loader's call sites use)."""
        return self.nhs_number(record_id)


def link_demo_children(
    persons: Iterable[Mapping[str, Any]],
    agencies: Iterable[Mapping[str, Any]] = (),
    progress: Progress | None = None,
) -> DemoLinkage:
    """Link the agencies' records of children (``records/persons`` rows) with the engine and
    give each cluster the NHS number its child is recorded under: the commonest valid number
    its records hold (the smallest of equals), else one from :data:`SPARE_NUMBERS` (in order of
    the clusters' ids). Mistyped numbers fail the check digit and are left out, as the form
    would refuse them. With too few records to train a model, each record is its own cluster."""
    started = time.perf_counter()
    rows = sorted(persons, key=lambda row: str(row["record_id"]))
    records = records_from_simulation(rows, agencies)
    cluster_of = {row["record_id"]: row["record_id"] for row in rows}
    review: list[ScoredPair] = []
    skipped = ""
    if progress is not None:
        progress("linking child records", 0, 1)
    try:
        result = link_records(records)
    except LinkageInputError as exc:
        skipped = str(exc)
    else:
        cluster_of = {a.record_id: a.cluster_id for a in result.assignments}
        review = result.for_review()
    held: dict[str, Counter[str]] = {}
    for row in rows:
        number = row.get("nhs_number") or ""
        counts = held.setdefault(cluster_of[row["record_id"]], Counter())
        if number and valid_nhs_number(number):
            counts[number] += 1
    spare = iter(valid_numbers(*SPARE_NUMBERS).tolist())
    numbers: dict[str, str] = {}
    for cluster in sorted(held):
        counts = held[cluster]
        if counts:
            numbers[cluster] = min(counts, key=lambda n: (-counts[n], n))
        else:
            numbers[cluster] = str(next(spare, ""))
    if progress is not None:
        progress("linking child records", 1, 1)
    return DemoLinkage(
        cluster_of=cluster_of,
        numbers=numbers,
        review=review,
        seconds=time.perf_counter() - started,
        skipped=skipped,
    )


@dataclass(frozen=True)
class DemoReviewPair:
    """Two records of children the engine scored as perhaps one child, loaded as two: for
    the clerical tray. ``pair`` holds the agencies' record ids, the probability and each
    comparison's weight; ``left_child`` and ``right_child`` the child records they became."""

    pair: ScoredPair
    left_child: str
    right_child: str


def demo_review_pairs(load: DemoLoad) -> list[DemoReviewPair]:
    """The pairs the engine scored between the review and link thresholds whose records were
    both loaded, as two different children, strongest first."""
    if load.linkage is None:
        return []
    found = []
    for pair in load.linkage.review:
        left, right = load.children.get(pair.left), load.children.get(pair.right)
        if left is not None and right is not None and left != right:
            found.append(DemoReviewPair(pair, left, right))
    return sorted(found, key=lambda p: (-p.pair.match_probability, p.pair.left, p.pair.right))


def _child(record: Mapping[str, Any] | None, nhs_number: str = "") -> ChildDraft:
    if record is None:
        # The agency's record of the child is not in the tables: the child is described, not
        # given a made-up name.
        return ChildDraft(description="Not described in the agency's records")
    dob = record.get("date_of_birth")
    return ChildDraft(
        nhs_number=nhs_number,
        given_name=record.get("given_name") or "",
        family_name=record.get("family_name") or "",
        aliases=[record["alias"]] if record.get("alias") else [],
        date_of_birth=date.fromisoformat(dob) if dob else None,
        sex=record.get("sex") or "U",
        address=record.get("address") or "",
        postcode=record.get("postcode") or "",
    )


def _draft(
    row: Mapping[str, Any], child: Mapping[str, Any] | None, known: set[str], nhs_number: str = ""
) -> ConcernDraft:
    raised = date.fromisoformat(row["raised_at"][:10])
    return ConcernDraft(
        children=[_child(child, nhs_number)],
        narrative=row["narrative"],
        occurred_on=raised,
        persons=[PersonDraft(names=[name], ethnicity=NOT_KNOWN) for name in row["named_people"]],
        vehicles=[_vehicle(text) for text in row["vehicles"]],
        phones=list(row["phones"]),
        places=[PlaceDraft(name=place) for place in row["places"]],
        indicators=[IndicatorSeen(i, raised) for i in row["indicators"] if i in known],
        cin_factors=list(row["cin_factors"]),
    )


def _without_wrong_dates(draft: ConcernDraft, refused: ConcernInvalid) -> ConcernDraft | None:
    """Simulated records are noisy on purpose (a date of birth swapped or wrong). A real
    practitioner would leave out what they know to be wrong: the draft without the children's
    dates of birth, when those are all that was refused (None otherwise)."""
    bad = {problem.field.split(".")[-1] for problem in refused.problems}
    if not bad <= {"date_of_birth"}:
        return None
    for child in draft.children:
        child.date_of_birth = None
    return draft


def _record(draft: ConcernDraft, actor: User, raised: date, load: DemoLoad) -> str | None:
    try:
        return str(do_record_concern(draft, actor=actor, today=raised).concern.pk)
    except ConcernInvalid as exc:
        # Try once more without what the practitioner knows to be wrong.
        again = _without_wrong_dates(draft, exc)
        if again is None:
            load.skipped[exc.problems[0].message] += 1
            return None
        try:
            return str(do_record_concern(again, actor=actor, today=raised).concern.pk)
        except ConcernInvalid as refused:
            load.skipped[refused.problems[0].message] += 1
            return None


#: The simulator's tables the demo loads.
TABLES = (
    "records/agencies",
    "records/teams",
    "records/staff",
    "records/persons",
    "records/concerns",
    "records/decisions",
)


def demo_tables(world: World) -> dict[str, list[dict[str, Any]]]:
    """The tables :func:`load_partnership` reads, as rows of dictionaries; of the person
    records (some 390,000 in a borough) only those concerns are about, the rest being
    registers the demo never shows. Nothing from ``truth/``: the demo links records itself."""
    subjects = set(world["records/concerns"].column("subject_record_id"))
    tables: dict[str, list[dict[str, Any]]] = {}
    for name in TABLES:
        table = world[name]
        if name == "records/persons":
            key = table.columns.index("record_id")
            columns = table.columns
            tables[name] = [
                dict(zip(columns, row, strict=True)) for row in table.rows if row[key] in subjects
            ]
        else:
            tables[name] = list(table.dicts())
    return tables


def load_partnership(
    tables: Mapping[str, Iterable[Mapping[str, Any]]],
    progress: Progress | None = None,
    *,
    batch: int = BATCH,
    bulk: bool = True,
) -> DemoLoad:
    """Load agencies, teams, staff and concerns from simulator tables (``records/...``; the
    child records concerns are about are first linked, :func:`link_demo_children`, so that the
    records of one cluster load as one child), then, given ``records/decisions``, the case
    work drawn from the simulator's decisions (allocations, decisions, sign-offs, proposals
    awaiting one). ``batch`` concerns, or simulated decisions, share a commit (1: one commit
    per action, the benchmark's baseline). With ``bulk`` (the default), each batch goes through
    the bulk action path (:func:`do_record_concerns_in_bulk`, :class:`BulkCaseWork`): the same
    checks and events as the actions one by one, with the ledger's rows and the projections'
    written once per batch; without it, each action runs alone (in the batch's transaction)."""
    report = progress or (lambda phase, done, total: None)
    load = DemoLoad()
    agencies: dict[str, Agency] = {}
    teams: dict[str, Team] = {}
    staff: dict[str, User] = {}
    with transaction.atomic():
        for row in tables["records/agencies"]:
            agencies[row["agency_id"]] = do_register_agency(row["name"], row["sector"], actor=ACTOR)
        for row in tables["records/teams"]:
            teams[row["team_id"]] = do_form_team(
                agencies[row["agency_id"]], row["name"], actor=ACTOR
            )
        taken: set[str] = set()
        for row in tables["records/staff"]:
            staff[row["staff_id"]] = do_enrol_user(
                _username(row["given_name"], row["family_name"], taken),
                f"{row['given_name']} {row['family_name']}",
                agencies[row["agency_id"]],
                row["role"],
                team=teams.get(row["team_id"]),
                actor=ACTOR,
            )
    load.agencies, load.teams, load.staff = len(agencies), len(teams), len(staff)
    concerns = list(tables["records/concerns"])
    subjects = {row["subject_record_id"] for row in concerns}
    persons = {
        row["record_id"]: row for row in tables["records/persons"] if row["record_id"] in subjects
    }
    known = screening_policy.indicator_ids()
    nhs_numbers = load.linkage = link_demo_children(
        persons.values(), tables["records/agencies"], report
    )
    report("concerns", 0, len(concerns))
    # Who is already known: scored once for every concern after the load (one check of the
    # whole partnership), not while each is recorded.
    with deferred_matching():
        for start in range(0, len(concerns), batch):
            chunk = concerns[start : start + batch]
            if bulk:
                _load_concerns_in_bulk(chunk, staff, persons, known, nhs_numbers, load)
                report("concerns", start + len(chunk), len(concerns))
                continue
            with _commit_together(batch):
                for done, row in enumerate(chunk, start=start + 1):
                    _load_concern(row, staff, persons, known, nhs_numbers, load)
                    if done % 50 == 0:
                        report("concerns", done, len(concerns))
        report("concerns", len(concerns), len(concerns))
        load.children = _children_loaded(nhs_numbers)
        if "records/decisions" in tables:
            _case_work(list(tables["records/decisions"]), staff, load, report, batch, bulk)
        with transaction.atomic():
            _public_reports(concerns, persons, staff, load, report)
    report("matching people", 0, 1)
    # Every concern of this fresh partnership, oldest first (the bulk path defers nothing: it
    # does not score while recording, so the list is read from the projection).
    recorded = Concern.objects.order_by("recorded_seq").values_list("pk", flat=True)
    do_match_people([str(pk) for pk in recorded], actor=ACTOR)
    report("matching people", 1, 1)
    _pattern_alerts(load, report)
    return load


def _children_loaded(linkage: DemoLinkage) -> dict[str, str]:
    """The child record each linked record was loaded as, found by its cluster's number."""
    wanted = sorted(set(linkage.numbers.values()) - {""})
    child_of: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        # values_list, not model rows: finding the child shows nobody a record.
        rows = Child.objects.filter(nhs_number__in=wanted[start : start + 500]).values_list(
            "nhs_number", "pk"
        )
        child_of.update((number, str(pk)) for number, pk in rows)
    return {
        record: child_of[number]
        for record in linkage.cluster_of
        if (number := linkage.nhs_number(record)) in child_of
    }


def _pattern_alerts(load: DemoLoad, report: Progress) -> None:
    """The pattern alerts the planted groups raise (issue 16), as of the last day a concern
    happened on, so that the window of the policy's rules covers the simulated year."""
    from django.db.models import Max

    from tocsin.server.concerns.models import Concern
    from tocsin.server.networks.alerts import do_raise_pattern_alerts

    last = Concern.objects.aggregate(last=Max("occurred_on"))["last"]
    if last is None:
        return
    report("pattern alerts", 0, 1)
    try:
        # The alerts' people are scored in one check after they are all raised, as the
        # loaded concerns were, rather than one check an alert.
        with deferred_matching() as deferred:
            run = do_raise_pattern_alerts(as_of=last)
    except ActionRefused:
        load.skipped["pattern alerts: no partnership agency"] += 1
        return
    do_match_people(deferred.concern_ids, actor=ACTOR)
    load.pattern_alerts = len(run.raised)
    report("pattern alerts", 1, 1)


def _commit_together(batch: int) -> AbstractContextManager[object]:
    """One transaction for a batch of actions (each action's own becomes a savepoint in it);
    none for a batch of one, where each action commits alone."""
    return transaction.atomic() if batch > 1 else nullcontext()


def _load_concerns_in_bulk(
    rows: list[Mapping[str, Any]],
    staff: Mapping[str, User],
    persons: Mapping[str, Mapping[str, Any]],
    known: set[str],
    nhs_numbers: DemoLinkage,
    load: DemoLoad,
) -> None:
    """A batch of concerns, as :func:`_load_concern` loads each, in one bulk recording."""
    entries: list[tuple[ConcernDraft, User, date]] = []
    loaded: list[str] = []
    for row in rows:
        author = staff.get(row["raised_by"])
        if author is None or author.role == "administrator":
            load.skipped["raised by someone who may not record concerns"] += 1
            continue
        record_id = row["subject_record_id"]
        draft = _draft(row, persons.get(record_id), known, nhs_numbers.for_record(record_id))
        entries.append((draft, author, date.fromisoformat(row["raised_at"][:10])))
        loaded.append(row["concern_id"])
    with recording_in_bulk() as recording:
        results = do_record_concerns_in_bulk(recording, entries, amend=_without_wrong_dates)
    for simulated, result in zip(loaded, results, strict=True):
        if isinstance(result, ConcernInvalid):
            load.skipped[result.problems[0].message] += 1
            continue
        if isinstance(result, ActionRefused):
            load.skipped[str(result)] += 1
            continue
        load.concerns += 1
        load.recorded[simulated] = str(result.concern.pk)


def _load_concern(
    row: Mapping[str, Any],
    staff: Mapping[str, User],
    persons: Mapping[str, Mapping[str, Any]],
    known: set[str],
    nhs_numbers: DemoLinkage,
    load: DemoLoad,
) -> None:
    author = staff.get(row["raised_by"])
    if author is None or author.role == "administrator":
        load.skipped["raised by someone who may not record concerns"] += 1
        return
    raised = date.fromisoformat(row["raised_at"][:10])
    record_id = row["subject_record_id"]
    draft = _draft(row, persons.get(record_id), known, nhs_numbers.for_record(record_id))
    recorded = _record(draft, author, raised, load)
    if recorded is not None:
        load.concerns += 1
        load.recorded[row["concern_id"]] = recorded


#: What members of the public report (synthetic, in the language DOMAIN.md asks for), and the
#: indicators the front door reads in each when it screens the report.
_PUBLIC_REPORTS = (
    (
        "A neighbour saw adults in a grey car collect the child from outside the flats late "
        "at night, several times this month.",
        ("seen_in_cars_with_unknown_adults", "staying_out_late"),
    ),
    (
        "A shop worker says the child has come in with new phones and cash that adults seem "
        "to have given them, and looked frightened.",
        ("unexplained_cash_or_phones", "gifts_or_money_from_unknown_adults"),
    ),
    (
        "A parent at the school gates saw an adult meet the child at the station and take "
        "them out of town on a school day.",
        ("found_out_of_area", "missing_school"),
    ),
    (
        "A taxi driver was asked to take the child and an adult to a hotel at night and is "
        "worried about what is happening to the child.",
        ("links_to_hotels_or_taxis", "missing_from_home_or_care"),
    ),
    (
        "A relative says the child has been missing overnight twice and came back with "
        "injuries nobody will explain.",
        ("missing_from_home_or_care", "unexplained_injuries"),
    ),
    (
        "Someone who runs a youth club says adults they do not know keep messaging the child, "
        "and the child has stopped coming.",
        ("unknown_adults_contacting_child", "worrying_phone_or_internet_use"),
    ),
)
#: One report in this many is left at the front door unscreened, as in life.
_UNSCREENED_EVERY = 4
#: One screening in this many also records an older sighting, too old to count.
_OLD_SIGHTING_EVERY = 3


def _public_reports(
    concerns: list[Mapping[str, Any]],
    persons: Mapping[str, Mapping[str, Any]],
    staff: Mapping[str, User],
    load: DemoLoad,
    progress: Progress,
) -> None:
    """Public reports about some of the simulated children (one for about every thirtieth
    concern, at least six), recorded as the public page records them; the front door's
    first MASH officer screens all but every fourth, the day after each arrived."""
    officer = next((u for u in staff.values() if u.role == "mash_officer"), None)
    known = screening_policy.indicator_ids()
    wanted = min(60, max(6, len(concerns) // 30))
    step = max(1, len(concerns) // wanted)
    chosen = concerns[::step][:wanted]
    for number, row in enumerate(chosen):
        progress("public reports", number, len(chosen))
        child = persons.get(row["subject_record_id"])
        if child is None or not (child.get("given_name") or child.get("alias")):
            continue
        narrative, indicators = _PUBLIC_REPORTS[number % len(_PUBLIC_REPORTS)]
        reported = date.fromisoformat(row["raised_at"][:10])
        draft = ConcernDraft(
            children=[
                ChildDraft(
                    given_name=child.get("given_name") or "",
                    family_name=child.get("family_name") or "",
                    aliases=[child["alias"]] if child.get("alias") else [],
                )
            ],
            narrative=narrative,
            occurred_on=reported,
            channel="public",
        )
        try:
            report = do_record_concern(draft, actor=PUBLIC, today=reported).concern
        except ConcernInvalid as exc:
            load.skipped[exc.problems[0].message] += 1
            continue
        load.public_reports += 1
        if officer is None or number % _UNSCREENED_EVERY == _UNSCREENED_EVERY - 1:
            continue
        screened_on = reported + timedelta(days=1)
        seen = [IndicatorSeen(i, reported) for i in indicators if i in known]
        if number % _OLD_SIGHTING_EVERY == 0 and "carrying_drugs" in known:
            seen.append(IndicatorSeen("carrying_drugs", reported - timedelta(days=430)))
        link = report.child_links.get()
        try:
            do_screen_child(report.pk, link.child_id, seen, actor=officer, today=screened_on)
        except ActionRefused as exc:
            load.case_work_skipped[str(exc)] += 1
            continue
        load.public_screened += 1
    progress("public reports", len(chosen), len(chosen))


#: The rationale a simulated decision records (synthetic, in the language DOMAIN.md asks for).
_RATIONALES = {
    "no_further_action": "Checks with the school and health found nothing further to act on",
    "early_help": "Family agreed to early help; no indicators of significant harm",
    "assessment": "Indicators of exploitation need a child and family assessment",
    "strategy_discussion": "Reasonable cause to suspect significant harm from exploitation",
    "crime_recorded": "Disclosure of a sexual offence against a child: crime recorded",
}

#: What came of each simulated decision, once its work is done (synthetic wording).
_OUTCOMES = {
    "no_further_action": ("no_further_action", "Checks complete; no role for children's services"),
    "early_help": ("early_help", "Family accepted support from the early help team"),
    "assessment": ("child_in_need_plan", "Assessment completed; child in need plan agreed"),
    "strategy_discussion": (
        "child_protection_plan",
        "Conference agreed a child protection plan for the risk of exploitation",
    ),
    "crime_recorded": ("police_action", "Investigation under way; the adult named was arrested"),
}
_VISIT = (
    "Visited at home: seen {alone}. Talked about school, friends and who she spends time with; "
    "she described adults who give her lifts and gifts."
)
_NOTE = "Checked with the school: attendance has fallen this term and she has a new phone."


def _front_door_managers(staff: Mapping[str, User]) -> dict[str, User]:
    """One MASH manager for each agency with a front-door team (the simulator names none):
    enrolled through the ordinary action, as a synthetic person."""
    managers: dict[str, User] = {}
    for person in staff.values():
        agency = person.agency
        if person.role != "mash_officer" or agency is None or str(agency.pk) in managers:
            continue
        managers[str(agency.pk)] = do_enrol_user(
            f"mash-manager-{len(managers) + 1}",
            f"{agency.name} MASH manager",
            agency,
            "mash_manager",
            team=person.team,
            actor=ACTOR,
        )
    return managers


class _CaseWorkActions(Protocol):
    """The case-work actions :func:`_work_on` takes: one by one, or in bulk."""

    def allocate(self, concern_id: str, *, worker: User, actor: User) -> object: ...

    def decide(
        self, concern_id: str, decision: str, rationale: str, *, actor: User
    ) -> DecisionOutcome: ...

    def sign_off(self, decision_id: str, approve: bool, reason: str, *, actor: User) -> object: ...

    def record_contact(
        self,
        concern_id: str,
        *,
        with_whom: str,
        method: str,
        happened_on: date | None,
        made: bool | None,
        seen_alone: bool | None = None,
        summary: str,
        actor: User,
    ) -> object: ...

    def add_information(self, concern_id: str, text: str, *, actor: User) -> object: ...

    def record_outcome(
        self, concern_id: str, outcome: str, summary: str, *, actor: User
    ) -> object: ...


class _OneByOne:
    """The case-work actions themselves, each in its own transaction."""

    def allocate(self, concern_id: str, *, worker: User, actor: User) -> object:
        return do_allocate(concern_id, worker_id=str(worker.pk), actor=actor)

    def decide(
        self, concern_id: str, decision: str, rationale: str, *, actor: User
    ) -> DecisionOutcome:
        return do_decide(concern_id, decision, rationale, actor=actor)

    def sign_off(self, decision_id: str, approve: bool, reason: str, *, actor: User) -> object:
        return do_sign_off(decision_id, approve, reason, actor=actor)

    def record_contact(
        self,
        concern_id: str,
        *,
        with_whom: str,
        method: str,
        happened_on: date | None,
        made: bool | None,
        seen_alone: bool | None = None,
        summary: str,
        actor: User,
    ) -> object:
        return do_record_contact(
            concern_id,
            with_whom=with_whom,
            method=method,
            happened_on=happened_on,
            made=made,
            seen_alone=seen_alone,
            summary=summary,
            actor=actor,
        )

    def add_information(self, concern_id: str, text: str, *, actor: User) -> object:
        return do_add_information(concern_id, text, actor=actor)

    def record_outcome(self, concern_id: str, outcome: str, summary: str, *, actor: User) -> object:
        return do_record_outcome(concern_id, outcome, summary, actor=actor)


def _case_work(
    decisions: list[Mapping[str, Any]],
    staff: Mapping[str, User],
    load: DemoLoad,
    report: Progress,
    batch: int,
    bulk: bool = False,
) -> None:
    """The simulator's decisions as case work: the front door allocates what it decides to
    act on to a worker and records the decision; no further action waits for the MASH
    manager, who signs most off. The newest stay awaiting sign-off, and concerns the simulator
    never decided stay at the front door, so the trays are full as in life."""
    managers = _front_door_managers(staff)
    workers: dict[str, list[User]] = {}
    for person in staff.values():
        if person.role == "practitioner" and person.agency_id and person.team_id:
            workers.setdefault(str(person.agency_id), []).append(person)
    screening = [d for d in decisions if d["kind"] in ("screening_decision", "crime_recorded")]
    times = sorted(d["made_at"] for d in screening)
    # The newest twentieth are still at the front door, undecided; proposals made in the
    # twentieth before them still await the MASH manager.
    waiting_from = times[-max(1, len(times) // 20)] if times else ""
    signing_from = times[-max(2, len(times) // 10)] if times else ""
    people = [*staff.values(), *managers.values()]
    report("case work", 0, len(screening))
    for start in range(0, len(screening), batch):
        chunk = screening[start : start + batch]
        if bulk:
            with recording_in_bulk() as recording:
                work = BulkCaseWork(recording, people)
                work.prefetch(
                    load.recorded[row["concern_id"]]
                    for row in chunk
                    if row["concern_id"] in load.recorded
                )
                for done, row in enumerate(chunk, start=start + 1):
                    _work_on(
                        row, done, staff, managers, workers, waiting_from, signing_from, load, work
                    )
            report("case work", start + len(chunk), len(screening))
            continue
        with _commit_together(batch):
            for done, row in enumerate(chunk, start=start + 1):
                _work_on(row, done, staff, managers, workers, waiting_from, signing_from, load)
                if done % 50 == 0:
                    report("case work", done, len(screening))
    report("case work", len(screening), len(screening))


def _work_on(
    row: Mapping[str, Any],
    done: int,
    staff: Mapping[str, User],
    managers: Mapping[str, User],
    workers: Mapping[str, list[User]],
    waiting_from: str,
    signing_from: str,
    load: DemoLoad,
    actions: _CaseWorkActions | None = None,
) -> None:
    """One simulated decision (the ``done``-th) as case work, through the actions (one by
    one, or ``actions`` in bulk)."""
    act = actions or _OneByOne()
    concern_id = load.recorded.get(row["concern_id"])
    decider = staff.get(row["made_by"])
    outcome = row["outcome"] if row["kind"] == "screening_decision" else "crime_recorded"
    if concern_id is None or decider is None or outcome not in _RATIONALES:
        return
    if row["made_at"] >= waiting_from:
        return
    owner: User | None = None
    try:
        if outcome in ("assessment", "strategy_discussion", "early_help"):
            team = workers.get(str(decider.agency_id), [])
            if team:
                owner = team[done % len(team)]
                act.allocate(concern_id, worker=owner, actor=decider)
                load.allocations += 1
        result = act.decide(concern_id, outcome, _RATIONALES[outcome], actor=decider)
        load.decisions += 1
        manager = managers.get(str(decider.agency_id))
        settled = not result.awaiting_sign_off
        if result.awaiting_sign_off and row["made_at"] < signing_from and manager:
            act.sign_off(result.decision_id, True, "Agreed: checks are complete", actor=manager)
            load.sign_offs += 1
            settled = True
        elif result.awaiting_sign_off:
            load.awaiting += 1
        if owner is not None:
            _follow_up_work(concern_id, owner, row, done, load, act)
        # The older decisions have run their course: what came of them is recorded.
        if settled and row["made_at"] < signing_from:
            code, summary = _OUTCOMES[outcome]
            act.record_outcome(concern_id, code, summary, actor=owner or decider)
            load.outcomes += 1
    except ActionRefused as exc:
        load.case_work_skipped[str(exc)] += 1


def _follow_up_work(
    concern_id: str,
    owner: User,
    row: Mapping[str, Any],
    done: int,
    load: DemoLoad,
    act: _CaseWorkActions,
) -> None:
    """What an allocated worker does next: a home visit (every fifth one tried and not made)
    and a note of what the school said."""
    day = min(date.fromisoformat(row["made_at"][:10]), date.today())
    made = done % 5 != 0
    alone = done % 3 != 0
    act.record_contact(
        concern_id,
        with_whom="child",
        method="home_visit",
        happened_on=day,
        made=made,
        seen_alone=alone if made else None,
        summary=_VISIT.format(alone="alone" if alone else "with her mother present")
        if made
        else "Nobody answered at the address; a card was left and the school told.",
        actor=owner,
    )
    load.contacts += 1
    act.add_information(concern_id, _NOTE, actor=owner)
    load.notes += 1


def set_demo_passwords(make_password: Callable[[], str]) -> list[dict[str, str]]:
    """Give one active person in each role a new password; return their sign-in details."""
    chosen = []
    for role in ROLES:
        user = (
            User.objects.filter(role=role, is_active=True, agency__isnull=False)
            .order_by("enrolled_seq")
            .first()
        )
        if user is None:
            continue
        password = make_password()
        do_set_password(user, password, actor=ACTOR)
        chosen.append(
            {
                "role": role,
                "username": user.username,
                "password": password,
                "name": user.display_name,
                "agency": user.agency.name if user.agency else "",
            }
        )
    return chosen
