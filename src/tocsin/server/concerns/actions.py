"""Concern actions: record a concern (with its screening), screen a child of a concern already
recorded, add information (a practitioner's note, or a public reporter's follow-up), regrade a
risk band, and record who was shown what.

Every route in (the web form, the public page, the API, bulk import, the demo) ends here. Each
action checks the role, then need-to-know (the gates) on the records it writes about, then
what was asked, and raises the refusals of :mod:`tocsin.server.actors` (``NotVisible``,
``Invalid`` with field problems, ``ActionRefused``) for the interfaces to map.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tocsin.domain import screening as screening_policy
from tocsin.domain.casework import judge_regrade, note_problems, rationale_problems, roles_for
from tocsin.domain.concerns import (
    ConcernDraft,
    ConcernEvents,
    ConcernRecorded,
    FieldProblem,
    IndicatorSeen,
    InformationAdded,
    RecordViewed,
    RiskRegraded,
    child_screened,
    concern_events,
    follow_up_code_hash,
    new_follow_up_code,
    new_reference,
    nhs_numbers,
    screening_problems,
    validate_draft,
)
from tocsin.domain.language import check_text
from tocsin.ledger import Envelope
from tocsin.server.actors import (
    PUBLIC,
    ActionRefused,
    Actor,
    Invalid,
    NotVisible,
    actor_id,
    require_role,
)
from tocsin.server.casework.actions import propose_regrade
from tocsin.server.concerns.gates import actor_may_reach_concern
from tocsin.server.concerns.models import Child, Concern, Screening
from tocsin.server.concerns.read_models import concern_by_follow_up_code_hash
from tocsin.server.directory.models import Agency, User
from tocsin.server.ledger.recording import record_event, record_events
from tocsin.server.projections import LiveSession

__all__ = [
    "FOLLOW_UP_CODE_NOT_MATCHED",
    "FOLLOW_UP_EMPTY",
    "FOLLOW_UP_TOO_LONG",
    "MAX_FOLLOW_UP",
    "PUBLIC",
    "RECORDING_ROLES",
    "ConcernInvalid",
    "RecordedConcern",
    "ScreenedChild",
    "do_add_follow_up",
    "do_add_information",
    "do_record_concern",
    "do_record_concerns",
    "do_record_view",
    "do_regrade_risk",
    "do_screen_child",
]

#: Everyone who works with children may record a concern. Analysts and the partnership's
#: scrutineers read and never record; administrators manage accounts, not cases (docs/access.md).
RECORDING_ROLES = roles_for("record_concern")
#: The longest follow-up a public reporter may add, in characters.
MAX_FOLLOW_UP = 5000
#: The follow-up's problems (English; the public pages translate them).
FOLLOW_UP_CODE_NOT_MATCHED = "We could not match that code. Check it and try again"
FOLLOW_UP_EMPTY = "Tell us the information you want to add"
FOLLOW_UP_TOO_LONG = "Keep the information under 5,000 characters"
_REASON_NEEDED = "Give the reason for changing the band; it is kept on the ledger"


class ConcernInvalid(Invalid):
    """The draft has problems; ``problems`` names each field (its path in the draft, such as
    ``children[0].date_of_birth``) and what to do."""


@dataclass(frozen=True)
class RecordedConcern:
    concern: Concern
    envelope: Envelope
    follow_up_code: str | None


def _known_children(drafts: Sequence[ConcernDraft]) -> dict[str, str]:
    """NHS number → child id for every child of ``drafts`` already recorded. Run inside the
    recording transaction: whether to record a new child is decided there."""
    numbers = nhs_numbers(drafts)
    if not numbers:
        return {}
    # values_list, not model rows: matching a number shows the person no record.
    rows = Child.objects.filter(nhs_number__in=numbers).values_list("nhs_number", "pk")
    return {number: str(pk) for number, pk in rows}


def _free_references(count: int) -> list[str]:
    """``count`` new concern references that no concern holds. Run inside the recording
    transaction, as :func:`_known_children` is."""
    references: list[str] = []
    while len(references) < count:
        wanted = {new_reference() for _ in range(count - len(references))} - set(references)
        taken = set(
            Concern.objects.filter(reference__in=wanted).values_list("reference", flat=True)
        )
        references += sorted(wanted - taken)
    return references


def _check_drafts(drafts: Sequence[ConcernDraft], today: date) -> None:
    """Every problem with every draft, as one :class:`ConcernInvalid` (field paths prefixed
    ``[index].`` in a batch), before anything is looked up or written."""
    problems: list[FieldProblem] = []
    for index, draft in enumerate(drafts):
        known_indicators = screening_policy.indicator_ids() if draft.indicators else None
        prefix = f"[{index}]." if len(drafts) > 1 else ""
        problems += [
            FieldProblem(prefix + p.field, p.message)
            for p in validate_draft(draft, today=today, indicator_ids=known_indicators)
        ]
    if problems:
        raise ConcernInvalid(problems)


def do_record_concern(
    draft: ConcernDraft,
    *,
    actor: Actor,
    agency: Agency | None = None,
    today: date | None = None,
    follow_up: bool = False,
) -> RecordedConcern:
    """Validate ``draft`` and record it (and each child's screening, if indicators were
    given) in one transaction. Practitioners record for their own agency; the public channel
    records without one and returns a follow-up code, shown once and never stored."""
    (recorded,) = do_record_concerns(
        [draft], actor=actor, agency=agency, today=today, follow_up=follow_up
    )
    return recorded


def do_record_concerns(
    drafts: Sequence[ConcernDraft],
    *,
    actor: Actor,
    agency: Agency | None = None,
    today: date | None = None,
    follow_up: bool = False,
) -> list[RecordedConcern]:
    """Record several concerns all or nothing (bulk import): every draft is validated before
    anything is written, and one transaction holds them all.

    Whether a child is new (no child with its NHS number yet) and which references are free
    are decided inside the transaction that appends, and the database holds both unique. Two
    processes recording about the same new child at once: on SQLite the second waits for the
    first's transaction and then finds the child; on PostgreSQL the second's insert fails on
    the constraint, and the recording is tried once more, when it finds the child."""
    day = today or timezone.localdate()
    if actor == PUBLIC:
        agency = None
        if any(draft.channel != "public" for draft in drafts):
            raise ActionRefused("a public report must come through the public channel")
    else:
        require_role(actor, *RECORDING_ROLES)
        if isinstance(actor, User):
            if agency is not None and agency.pk != actor.agency_id:
                raise ActionRefused("you record concerns for your own agency only")
            agency = actor.agency
        if agency is None:
            raise ActionRefused("a concern recorded by an agency needs the agency")
    _check_drafts(drafts, day)
    for attempt in range(2):
        try:
            return _record(drafts, actor=actor, agency=agency, today=day, follow_up=follow_up)
        except IntegrityError:
            # Another process recorded one of these children (or took a reference) between
            # this transaction's lookups and its insert; the next attempt finds it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _record(
    drafts: Sequence[ConcernDraft],
    *,
    actor: Actor,
    agency: Agency | None,
    today: date,
    follow_up: bool,
) -> list[RecordedConcern]:
    """One attempt at recording ``drafts``: look up, build and append in one transaction."""
    session = LiveSession("default")
    codes = [new_follow_up_code() if follow_up else None for _ in drafts]
    with transaction.atomic():
        known = _known_children(drafts)
        references = _free_references(len(drafts))
        built: list[ConcernEvents] = []
        for draft, reference, code in zip(drafts, references, codes, strict=True):
            built.append(
                concern_events(
                    draft,
                    reference=reference,
                    known_children=known,
                    agency_id=str(agency.pk) if agency else None,
                    recorded_by=str(actor.pk) if isinstance(actor, User) else None,
                    today=today,
                    follow_up_code_hash=follow_up_code_hash(code) if code else None,
                )
            )
            known = {**known, **built[-1].new_children}
        envelopes = record_events(
            [e for concern in built for e in concern.events],
            actor_id=actor_id(actor),
            session=session,
        )
    by_subject = {e.subjects[0]: e for e in envelopes if e.kind == ConcernRecorded.kind}
    results = []
    for concern, code in zip(built, codes, strict=True):
        recorded = concern.recorded
        results.append(
            RecordedConcern(
                concern=session.row(Concern, recorded.concern_id),
                envelope=by_subject[f"concern:{recorded.concern_id}"],
                follow_up_code=code,
            )
        )
    return results


@dataclass(frozen=True)
class ScreenedChild:
    """A screening recorded by :func:`do_screen_child`: the row, and its event's envelope."""

    screening: Screening
    envelope: Envelope


def do_screen_child(
    concern_id: uuid.UUID | str,
    child_id: uuid.UUID | str,
    observations: Sequence[IndicatorSeen],
    *,
    actor: Actor,
    today: date | None = None,
) -> ScreenedChild:
    """Screen the child ``child_id`` of the concern ``concern_id`` as of ``today``, on the
    indicators seen (``observations``), if ``actor`` may see the concern (:class:`NotVisible`
    otherwise): a ``child.screened`` with a screening of its own, beside any the concern has.
    For any concern, a public report included (it arrives with no indicators); the case's band
    and the child's band across concerns follow, through the appliers.

    :class:`Invalid` names each problem: ``child`` (not a child of this concern),
    ``indicators`` (none given), ``indicators[i]`` (an indicator the scheme does not have, a
    date after ``today``)."""
    if actor == PUBLIC:
        raise ActionRefused("practitioners screen children; the public report what they saw")
    require_role(actor, *roles_for("screen"))
    day = today or timezone.localdate()
    seen = list(observations)
    session = LiveSession("default")
    with transaction.atomic():
        concern = actor_may_reach_concern(actor, concern_id)
        children = {str(pk) for pk in concern.child_links.values_list("child_id", flat=True)}
        problems = screening_problems(
            str(child_id), children, seen, today=day, indicator_ids=screening_policy.indicator_ids()
        )
        if problems:
            raise Invalid(problems)
        event = child_screened(
            screening_id=str(uuid.uuid4()),
            concern_id=str(concern.pk),
            child_id=str(child_id),
            indicators=seen,
            as_of=day,
        )
        envelope = record_event(event, actor_id=actor_id(actor), session=session)
    return ScreenedChild(session.row(Screening, event.screening_id), envelope)


def do_add_information(concern_id: uuid.UUID | str, text: str, *, actor: Actor) -> Envelope:
    """Add a practitioner's case note to the concern ``concern_id``, if ``actor`` may see it
    (:class:`NotVisible` otherwise; a public reporter adds information with
    :func:`do_add_follow_up`)."""
    if actor == PUBLIC:
        raise ActionRefused("a public reporter adds information with the follow-up code")
    require_role(actor, *roles_for("add_information"))
    cleaned = text.strip()
    with transaction.atomic():
        concern = actor_may_reach_concern(actor, concern_id)
        problems = note_problems(cleaned)
        if problems:
            raise Invalid([FieldProblem(field, message) for field, message in problems])
        event = InformationAdded(
            note_id=str(uuid.uuid4()),
            concern_id=str(concern.pk),
            channel="practitioner",
            text=cleaned,
            language_warnings=len(check_text(cleaned)),
        )
        return record_event(event, actor_id=actor_id(actor))


def do_add_follow_up(code: str, text: str) -> Envelope:
    """Add a public reporter's information to the report their follow-up ``code`` belongs to.
    The code is the reporter's only key: a code that matches nothing is a field problem, the
    same whether no report or another's was meant, so asking reveals nothing."""
    problems: list[FieldProblem] = []
    cleaned = text.strip()
    if not cleaned:
        problems.append(FieldProblem("text", FOLLOW_UP_EMPTY))
    elif len(cleaned) > MAX_FOLLOW_UP:
        problems.append(FieldProblem("text", FOLLOW_UP_TOO_LONG))
    with transaction.atomic():
        concern = concern_by_follow_up_code_hash(follow_up_code_hash(code))
        if concern is None:
            problems.insert(0, FieldProblem("code", FOLLOW_UP_CODE_NOT_MATCHED))
        if problems or concern is None:
            raise Invalid(problems)
        event = InformationAdded(
            note_id=str(uuid.uuid4()),
            concern_id=str(concern.pk),
            channel="public",
            text=cleaned,
            language_warnings=len(check_text(cleaned)),
        )
        return record_event(event, actor_id=actor_id(PUBLIC))


def do_regrade_risk(
    concern_id: uuid.UUID | str,
    screening_id: uuid.UUID | str,
    band: str,
    reason: str,
    *,
    actor: Actor,
) -> Envelope:
    """A professional override of the band of the screening ``screening_id`` of the concern
    ``concern_id``, if ``actor`` may see that concern (:class:`NotVisible` otherwise). The
    reason is kept on the ledger and the screening with its indicators stays as it was.

    The screening domain's override rules decide (``judge_regrade``): lowering a band from
    moderate or above does not take effect here. It is recorded as a ``regrade.proposed``
    awaiting a second person (the envelope says which kind), and the band stays until a
    manager with authority signs it off (``tocsin.server.casework.actions.do_sign_off``).
    Every route (page, API, import, command line) comes through here, so none can skip it.
    """
    require_role(actor, *roles_for("regrade"))
    with transaction.atomic():
        concern = actor_may_reach_concern(actor, concern_id)
        screening = _screening_of(concern, screening_id)
        problems: list[FieldProblem] = []
        if band not in screening_policy.bands():
            problems.append(FieldProblem("band", "Choose the band"))
        if not reason.strip():
            problems.append(FieldProblem("reason", _REASON_NEEDED))
        elif rationale_problems(reason):
            problems.append(FieldProblem("reason", rationale_problems(reason)[0]))
        if band == screening.current_band:
            problems.append(FieldProblem("band", "Choose a band different from the current one"))
        if problems:
            raise Invalid(problems)
        try:
            _, needs_second_person = judge_regrade(
                screening_policy.scheme(), screening.current_band, band, reason, actor_id(actor)
            )
        except screening_policy.OverrideError as exc:
            raise Invalid([FieldProblem("band", str(exc))]) from None
        if needs_second_person:
            return propose_regrade(concern, screening, band, reason.strip(), actor=actor)
        event = RiskRegraded(
            regrading_id=str(uuid.uuid4()),
            screening_id=str(screening.pk),
            concern_id=str(concern.pk),
            child_id=str(screening.child_id),
            from_band=screening.current_band,
            to_band=band,
            reason=reason.strip(),
        )
        return record_event(event, actor_id=actor_id(actor))


def _screening_of(concern: Concern, screening_id: uuid.UUID | str) -> Screening:
    """One of ``concern``'s screenings, read inside the action's transaction (so the band it
    regrades from is the band as it is now)."""
    try:
        return concern.screenings.get(pk=screening_id)
    except (Screening.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible("no such screening") from None


def do_record_view(viewer: Actor, purpose: str, shown: Sequence[str]) -> Envelope | None:
    """Append one ``record.viewed`` listing every record shown on one request."""
    subjects = sorted(set(shown))
    if not subjects:
        return None
    event = RecordViewed(
        view_id=str(uuid.uuid4()), viewer=actor_id(viewer), purpose=purpose, shown=subjects
    )
    return record_event(event, actor_id=actor_id(viewer))
