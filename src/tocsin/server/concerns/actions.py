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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tocsin.domain import screening as screening_policy
from tocsin.domain.bounds import CONTROL_CHARACTERS, control_characters_problem
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
from tocsin.domain.people import child_record_id
from tocsin.ledger import Envelope
from tocsin.server.actors import (
    PUBLIC,
    ActionRefused,
    Actor,
    Invalid,
    NotVisible,
    SystemActor,
    actor_id,
    require_role,
)
from tocsin.server.casework.actions import propose_regrade
from tocsin.server.concerns.gates import actor_may_reach_concern
from tocsin.server.concerns.models import Child, Concern, Screening
from tocsin.server.concerns.read_models import concern_by_follow_up_code_hash
from tocsin.server.directory.models import Agency, User
from tocsin.server.ledger.recording import BulkRecording, record_event, record_events
from tocsin.server.people.known import matches_for_concerns
from tocsin.server.people.merges import model_merges
from tocsin.server.projections import BufferedSession, LiveSession

__all__ = [
    "FOLLOW_UP_CODE_NOT_MATCHED",
    "FOLLOW_UP_EMPTY",
    "FOLLOW_UP_TOO_LONG",
    "MAX_FOLLOW_UP",
    "PUBLIC",
    "RECORDING_BATCH",
    "RECORDING_ROLES",
    "AlreadyRecorded",
    "ConcernInvalid",
    "ImportedConcerns",
    "RecordedConcern",
    "ScreenedChild",
    "already_imported",
    "do_add_follow_up",
    "do_add_information",
    "do_import_concerns",
    "do_record_concern",
    "do_record_concerns",
    "do_record_concerns_in_bulk",
    "do_record_view",
    "do_record_views",
    "do_regrade_risk",
    "do_screen_child",
    "note_event",
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
#: Concerns appended to the ledger at a time when many are recorded at once (an import): each
#: batch is one append of all its events and one insert per projection table, and the whole
#: recording stays one transaction. Large enough that a statement's fixed cost hardly counts,
#: small enough that PostgreSQL binds every parameter of the append.
RECORDING_BATCH = 500


class ConcernInvalid(Invalid):
    """The draft has problems; ``problems`` names each field (its path in the draft, such as
    ``children[0].date_of_birth``) and what to do."""


@dataclass(frozen=True)
class RecordedConcern:
    concern: Concern
    envelope: Envelope
    follow_up_code: str | None


@dataclass(frozen=True)
class AlreadyRecorded:
    """An imported row whose identity one of the agency's concerns already holds: nothing
    was recorded for it."""

    concern_id: str
    reference: str
    import_key: str


@dataclass
class ImportedConcerns:
    """What :func:`do_import_concerns` did, by the index of each draft: recorded now, or
    already recorded by an earlier import."""

    recorded: list[tuple[int, RecordedConcern]] = field(default_factory=list)
    already: list[tuple[int, AlreadyRecorded]] = field(default_factory=list)


#: ``progress(done, total)``: concerns recorded so far, of how many.
RecordingProgress = Callable[[int, int], None]


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
            for p in validate_draft(
                draft,
                today=today,
                indicator_ids=known_indicators,
                max_children=settings.TOCSIN_MAX_CHILDREN_PER_CONCERN,
            )
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
    agency = _recording_agency(drafts, actor, agency)
    _check_drafts(drafts, day)
    for attempt in range(2):
        try:
            done = _record(drafts, actor=actor, agency=agency, today=day, follow_up=follow_up)
            return [recorded for _, recorded in done.recorded]
        except IntegrityError:
            # Another process recorded one of these children (or took a reference) between
            # this transaction's lookups and its insert; the next attempt finds it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def do_import_concerns(
    drafts: Sequence[ConcernDraft],
    import_keys: Sequence[str],
    *,
    actor: User,
    today: date | None = None,
    progress: RecordingProgress | None = None,
) -> ImportedConcerns:
    """Record imported concerns all or nothing, as :func:`do_record_concerns` does, except
    those whose row identity (``import_keys``, one per draft, all different) one of the
    agency's concerns already holds: those are reported as :class:`AlreadyRecorded` and
    recorded again never, so importing the same file twice records nothing the second time.
    Which keys are taken is decided inside the recording transaction, and the database holds
    each key once per agency."""
    if len(import_keys) != len(drafts) or len(set(import_keys)) != len(import_keys):
        raise ValueError("each imported draft needs an identity of its own")
    day = today or timezone.localdate()
    agency = _recording_agency(drafts, actor, None)
    _check_drafts(drafts, day)
    for attempt in range(2):
        try:
            return _record(
                drafts,
                actor=actor,
                agency=agency,
                today=day,
                follow_up=False,
                import_keys=import_keys,
                progress=progress,
            )
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _recording_agency(
    drafts: Sequence[ConcernDraft], actor: Actor, agency: Agency | None
) -> Agency | None:
    """The agency ``actor`` records ``drafts`` for (None for the public); ActionRefused if
    they may not record them."""
    if actor == PUBLIC:
        if any(draft.channel != "public" for draft in drafts):
            raise ActionRefused("a public report must come through the public channel")
        return None
    require_role(actor, *RECORDING_ROLES)
    if not isinstance(actor, SystemActor) and any(d.channel == "pattern" for d in drafts):
        raise ActionRefused("only Tocsin's pattern alerts record through the pattern channel")
    if isinstance(actor, User):
        if agency is not None and agency.pk != actor.agency_id:
            raise ActionRefused("you record concerns for your own agency only")
        agency = actor.agency
    if agency is None:
        raise ActionRefused("a concern recorded by an agency needs the agency")
    return agency


def already_imported(agency: Agency, keys: Sequence[str]) -> dict[str, AlreadyRecorded]:
    """The concerns of ``agency`` holding any of the import row identities ``keys``, by key
    (looked up in batches; for a dry run, and inside the recording transaction)."""
    found: dict[str, AlreadyRecorded] = {}
    unique = list(keys)
    for start in range(0, len(unique), RECORDING_BATCH):
        # values_list, not model rows: knowing a row was imported shows nobody a record.
        rows = Concern.objects.filter(
            agency=agency, import_key__in=unique[start : start + RECORDING_BATCH]
        ).values_list("import_key", "pk", "reference")
        for key, pk, reference in rows:
            found[key] = AlreadyRecorded(str(pk), reference, key)
    return found


def _record(
    drafts: Sequence[ConcernDraft],
    *,
    actor: Actor,
    agency: Agency | None,
    today: date,
    follow_up: bool,
    import_keys: Sequence[str] | None = None,
    progress: RecordingProgress | None = None,
) -> ImportedConcerns:
    """One attempt at recording ``drafts``: look up, build and append in one transaction,
    :data:`RECORDING_BATCH` concerns to an append, each batch's projection rows written
    together (:class:`BufferedSession`)."""
    outcome = ImportedConcerns()
    codes = [new_follow_up_code() if follow_up else None for _ in drafts]
    with transaction.atomic():
        already = (
            already_imported(agency, import_keys) if import_keys and agency is not None else {}
        )
        for index, key in enumerate(import_keys or ()):
            if key in already:
                outcome.already.append((index, already[key]))
        fresh = [
            index
            for index in range(len(drafts))
            if import_keys is None or import_keys[index] not in already
        ]
        known = _known_children([drafts[index] for index in fresh])
        references = iter(_free_references(len(fresh)))
        for start in range(0, len(fresh), RECORDING_BATCH):
            batch = fresh[start : start + RECORDING_BATCH]
            built: list[ConcernEvents] = []
            for index in batch:
                code = codes[index]
                built.append(
                    concern_events(
                        drafts[index],
                        reference=next(references),
                        known_children=known,
                        agency_id=str(agency.pk) if agency else None,
                        recorded_by=str(actor.pk) if isinstance(actor, User) else None,
                        today=today,
                        follow_up_code_hash=follow_up_code_hash(code) if code else None,
                        import_key=import_keys[index] if import_keys else None,
                    )
                )
                known.update(built[-1].new_children)
            session = BufferedSession("default")
            # The already-known check: this batch's children and adults scored against
            # everyone known (and each other) inside the transaction, each concern's findings
            # appended after it (as recording it alone would), so replay needs no model.
            matched = {m.concern_id: m for m in matches_for_concerns(built, today)}
            # Two child records the engine links at its link threshold are one child: merged
            # (a split undoes it), so the child has one chronology.
            merges = model_merges(
                list(matched.values()),
                {
                    child_record_id(c.recorded.reference, position): child_id
                    for c in built
                    for position, child_id in enumerate(c.recorded.children)
                },
            )
            events = []
            for concern in built:
                events += concern.events
                if concern.recorded.concern_id in matched:
                    events.append(matched[concern.recorded.concern_id])
                    events += merges.get(concern.recorded.concern_id, [])
            envelopes = record_events(
                events,
                actor_id=actor_id(actor),
                session=session,
            )
            session.flush()
            by_subject = {e.subjects[0]: e for e in envelopes if e.kind == ConcernRecorded.kind}
            for index, concern in zip(batch, built, strict=True):
                recorded = concern.recorded
                outcome.recorded.append(
                    (
                        index,
                        RecordedConcern(
                            concern=session.row(Concern, recorded.concern_id),
                            envelope=by_subject[f"concern:{recorded.concern_id}"],
                            follow_up_code=codes[index],
                        ),
                    )
                )
            if progress is not None:
                progress(start + len(batch), len(fresh))
    return outcome


def do_record_concerns_in_bulk(
    recording: BulkRecording,
    entries: Sequence[tuple[ConcernDraft, Actor, date]],
    *,
    amend: Callable[[ConcernDraft, ConcernInvalid], ConcernDraft | None] | None = None,
) -> list[RecordedConcern | ConcernInvalid | ActionRefused]:
    """Record each ``(draft, actor, today)`` as :func:`do_record_concern` would record it alone
    (the same checks, the same events, children matched by NHS number, among them the
    children of earlier entries), through a bulk load's ``recording``: its events wait with
    the load's and are written when it flushes. Each entry stands alone: a refusal, returned
    in its place, records nothing of that entry and leaves the others be. ``amend(draft,
    refusal)`` may give a draft its problems refused a second chance in its place (checked
    again, once), as someone asked to correct a form would. The recording is flushed first,
    so that the lookups see everything recorded before."""
    recording.flush()
    results: list[RecordedConcern | ConcernInvalid | ActionRefused | None] = []
    valid: list[tuple[int, ConcernDraft, Actor, Agency | None, date]] = []
    for draft, actor, day in entries:
        try:
            agency = _recording_agency([draft], actor, None)
            try:
                _check_drafts([draft], day)
            except ConcernInvalid as exc:
                again = amend(draft, exc) if amend is not None else None
                if again is None:
                    raise
                draft = again
                _check_drafts([draft], day)
        except (ConcernInvalid, ActionRefused) as exc:
            results.append(exc)
            continue
        valid.append((len(results), draft, actor, agency, day))
        results.append(None)
    known = _known_children([draft for _, draft, _, _, _ in valid])
    references = iter(_free_references(len(valid)))
    for position, draft, actor, agency, day in valid:
        built = concern_events(
            draft,
            reference=next(references),
            known_children=known,
            agency_id=str(agency.pk) if agency else None,
            recorded_by=str(actor.pk) if isinstance(actor, User) else None,
            today=day,
            follow_up_code_hash=None,
        )
        known.update(built.new_children)
        envelopes = recording.record(built.events, actor_id=actor_id(actor))
        concern_id = built.recorded.concern_id
        envelope = next(e for e in envelopes if e.subjects[0] == f"concern:{concern_id}")
        results[position] = RecordedConcern(
            concern=recording.session.row(Concern, concern_id),
            envelope=envelope,
            follow_up_code=None,
        )
    return [result for result in results if result is not None]


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
    with transaction.atomic():
        concern = actor_may_reach_concern(actor, concern_id)
        event = note_event(str(concern.pk), text)
        return record_event(event, actor_id=actor_id(actor))


def note_event(concern_id: str, text: str) -> InformationAdded:
    """What adding a practitioner's case note ``text`` to the concern ``concern_id`` records,
    or the field problems that refuse it."""
    cleaned = text.strip()
    problems = note_problems(cleaned)
    if problems:
        raise Invalid([FieldProblem(field, message) for field, message in problems])
    return InformationAdded(
        note_id=str(uuid.uuid4()),
        concern_id=concern_id,
        channel="practitioner",
        text=cleaned,
        language_warnings=len(check_text(cleaned)),
    )


def do_add_follow_up(code: str, text: str) -> Envelope:
    """Add a public reporter's information to the report their follow-up ``code`` belongs to.
    The code is the reporter's only key: a code that matches nothing is a field problem, the
    same whether no report or another's was meant, so asking reveals nothing."""
    problems: list[FieldProblem] = []
    cleaned = text.strip()
    if not cleaned:
        problems.append(FieldProblem("text", FOLLOW_UP_EMPTY))
    elif control_characters_problem(text, free_text=True) is not None:
        problems.append(FieldProblem("text", CONTROL_CHARACTERS))
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
    return do_record_views([(viewer, purpose, shown)])[0]


def do_record_views(
    views: Sequence[tuple[Actor, str, Sequence[str]]],
) -> list[Envelope | None]:
    """Append one ``record.viewed`` for each (viewer, purpose, shown), all in one transaction
    (the reads of several requests answered at once: ``tocsin.server.reads``); None for a
    view that showed nothing."""
    events: list[RecordViewed] = []
    actors: list[str] = []
    index: list[int | None] = []
    for viewer, purpose, shown in views:
        subjects = sorted(set(shown))
        if not subjects:
            index.append(None)
            continue
        index.append(len(events))
        actors.append(actor_id(viewer))
        events.append(
            RecordViewed(
                view_id=str(uuid.uuid4()), viewer=actors[-1], purpose=purpose, shown=subjects
            )
        )
    envelopes = record_events(events, actor_id=actors) if events else []
    return [None if i is None else envelopes[i] for i in index]
