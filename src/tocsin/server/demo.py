"""Load a simulated partnership (tocsin.simulate) into Tocsin through the ordinary actions.

Everything goes through the same actions as real use: agencies, teams and staff through the
directory actions, every concern through ``do_record_concern`` as the member of staff who
raised it, validated as of the day it was raised. Nothing is written behind the ledger's back,
so ``tocsin verify`` holds for the demo like for anything else.

Every child in the demo carries an NHS number, so that concerns about the same child from
different agencies share one child record (``do_record_concern`` matches children by NHS
number): that is what gives the agencies' lists their overlaps, which the estimate of the
hidden number needs. The numbers come from the range the NHS never issues (999 000 0000 to
999 999 9999) and are given to each true person (``truth/record_identity``) in the order
they first appear, so that every agency's record of a child has the same number.

The simulator has no public reports, so the demo adds a few: members of the public report
what they saw about some of the simulated children (by name: a neighbour does not know an NHS
number), with no indicators, as the public page records them; the front door then screens most
of them, one with an older sighting that is too old to count, so the trays, the concern pages
and the screening notice all have something to show.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

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
)
from tocsin.domain.directory import ROLES
from tocsin.server.actors import ActionRefused, SystemActor
from tocsin.server.casework.actions import (
    do_allocate,
    do_decide,
    do_record_contact,
    do_record_outcome,
    do_sign_off,
)
from tocsin.server.concerns.actions import (
    PUBLIC,
    ConcernInvalid,
    do_add_information,
    do_record_concern,
    do_screen_child,
)
from tocsin.server.directory.actions import (
    do_enrol_user,
    do_form_team,
    do_register_agency,
    do_set_password,
)
from tocsin.server.directory.models import Agency, Team, User

__all__ = ["DemoLoad", "DemoNhsNumbers", "load_partnership", "set_demo_passwords"]

ACTOR = SystemActor("demo")
Progress = Callable[[str, int, int], None]


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


class DemoNhsNumbers:
    """Synthetic NHS numbers, one per true person, in the range the NHS never issues."""

    _FIRST = 999_000_000  # the first nine digits; the tenth is the modulus-11 check digit

    def __init__(self, identities: Mapping[str, str]) -> None:
        self._identities = identities
        self._given: dict[str, str] = {}
        self._next = self._FIRST

    def for_record(self, record_id: str) -> str:
        """The NHS number of the person behind an agency's record ("" if not known)."""
        person = self._identities.get(record_id)
        if person is None:
            return ""
        number = self._given.get(person)
        if number is None:
            number = self._given[person] = self._issue()
        return number

    def _issue(self) -> str:
        while self._next <= 999_999_999:
            stem = str(self._next)
            self._next += 1
            total = sum(int(d) * (10 - i) for i, d in enumerate(stem))
            check = (11 - total % 11) % 11
            if check != 10:  # no valid number has this stem
                return stem + str(check)
        return ""  # the range is used up (over 900,000 children): no number, as before


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


def _record(draft: ConcernDraft, actor: User, raised: date, load: DemoLoad) -> str | None:
    try:
        return str(do_record_concern(draft, actor=actor, today=raised).concern.pk)
    except ConcernInvalid as exc:
        # Simulated records are noisy on purpose (a date of birth swapped or wrong). A real
        # practitioner would leave out what they know to be wrong: do the same, once.
        bad = {problem.field.split(".")[-1] for problem in exc.problems}
        if bad <= {"date_of_birth"}:
            for child in draft.children:
                child.date_of_birth = None
            try:
                return str(do_record_concern(draft, actor=actor, today=raised).concern.pk)
            except ConcernInvalid as again:
                load.skipped[again.problems[0].message] += 1
                return None
        else:
            load.skipped[exc.problems[0].message] += 1
            return None


def load_partnership(
    tables: Mapping[str, Iterable[Mapping[str, Any]]], progress: Progress | None = None
) -> DemoLoad:
    """Load agencies, teams, staff and concerns from simulator tables (``records/...``, and
    ``truth/record_identity`` for the children's NHS numbers: without it every concern gets
    a child record of its own), then, given ``records/decisions``, the case work drawn from
    the simulator's decisions (allocations, decisions, sign-offs, proposals awaiting one)."""
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
    persons = {row["record_id"]: row for row in tables["records/persons"]}
    concerns = list(tables["records/concerns"])
    known = screening_policy.indicator_ids()
    nhs_numbers = DemoNhsNumbers(
        {row["record_id"]: row["person_id"] for row in tables.get("truth/record_identity", ())}
    )
    for done, row in enumerate(concerns, start=1):
        author = staff.get(row["raised_by"])
        if author is None or author.role == "administrator":
            load.skipped["raised by someone who may not record concerns"] += 1
            continue
        raised = date.fromisoformat(row["raised_at"][:10])
        record_id = row["subject_record_id"]
        draft = _draft(row, persons.get(record_id), known, nhs_numbers.for_record(record_id))
        recorded = _record(draft, author, raised, load)
        if recorded is not None:
            load.concerns += 1
            load.recorded[row["concern_id"]] = recorded
        if done % 200 == 0:
            report("concerns", done, len(concerns))
    report("concerns", len(concerns), len(concerns))
    if "records/decisions" in tables:
        _case_work(list(tables["records/decisions"]), staff, load, report)
    _public_reports(concerns, persons, staff, load)
    return load


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
) -> None:
    """Public reports about some of the simulated children (one for about every thirtieth
    concern, at least six), recorded as the public page records them; the front door's
    first MASH officer screens all but every fourth, the day after each arrived."""
    officer = next((u for u in staff.values() if u.role == "mash_officer"), None)
    known = screening_policy.indicator_ids()
    wanted = min(60, max(6, len(concerns) // 30))
    step = max(1, len(concerns) // wanted)
    for number, row in enumerate(concerns[::step][:wanted]):
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


def _case_work(
    decisions: list[Mapping[str, Any]],
    staff: Mapping[str, User],
    load: DemoLoad,
    report: Progress,
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
    for done, row in enumerate(screening, start=1):
        concern_id = load.recorded.get(row["concern_id"])
        decider = staff.get(row["made_by"])
        outcome = row["outcome"] if row["kind"] == "screening_decision" else "crime_recorded"
        if concern_id is None or decider is None or outcome not in _RATIONALES:
            continue
        if row["made_at"] >= waiting_from:
            continue
        owner: User | None = None
        try:
            if outcome in ("assessment", "strategy_discussion", "early_help"):
                team = workers.get(str(decider.agency_id), [])
                if team:
                    owner = team[done % len(team)]
                    do_allocate(concern_id, worker_id=str(owner.pk), actor=decider)
                    load.allocations += 1
            result = do_decide(concern_id, outcome, _RATIONALES[outcome], actor=decider)
            load.decisions += 1
            manager = managers.get(str(decider.agency_id))
            settled = not result.awaiting_sign_off
            if result.awaiting_sign_off and row["made_at"] < signing_from and manager:
                do_sign_off(result.decision_id, True, "Agreed: checks are complete", actor=manager)
                load.sign_offs += 1
                settled = True
            elif result.awaiting_sign_off:
                load.awaiting += 1
            if owner is not None:
                _follow_up_work(concern_id, owner, row, done, load)
            # The older decisions have run their course: what came of them is recorded.
            if settled and row["made_at"] < signing_from:
                code, summary = _OUTCOMES[outcome]
                do_record_outcome(concern_id, code, summary, actor=owner or decider)
                load.outcomes += 1
        except ActionRefused as exc:
            load.case_work_skipped[str(exc)] += 1
        if done % 200 == 0:
            report("case work", done, len(screening))
    report("case work", len(screening), len(screening))


def _follow_up_work(
    concern_id: str, owner: User, row: Mapping[str, Any], done: int, load: DemoLoad
) -> None:
    """What an allocated worker does next: a home visit (every fifth one tried and not made)
    and a note of what the school said."""
    day = min(date.fromisoformat(row["made_at"][:10]), date.today())
    made = done % 5 != 0
    alone = done % 3 != 0
    do_record_contact(
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
    do_add_information(concern_id, _NOTE, actor=owner)
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
