"""A small partnership with one planted network, made through the ordinary actions: an adult
(spelt two ways), his car (once seen only in part) and a flat linked to four children by
concerns from three reporters in two agencies, and an unrelated concern naming nobody shared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tests.factories import make_agency, make_user
from tocsin.domain.concerns import ChildDraft, ConcernDraft, PersonDraft, PlaceDraft, VehicleDraft
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.directory.models import Agency, User

__all__ = ["AS_OF", "NetworkWorld", "add_linked_concern", "make_network_world"]

AS_OF = date(2026, 11, 30)
_NARRATIVE = (
    "Adults have been contacting the child and a car has been seen collecting her; the child "
    "may have been groomed."
)


@dataclass
class NetworkWorld:
    council: Agency
    police: Agency
    partnership: Agency
    reporters: list[User]
    analyst: User
    practitioner: User
    concern_ids: list[str]


def _child(n: int) -> ChildDraft:
    return ChildDraft(given_name=f"Lily{n}", family_name="Netherby", date_of_birth=date(2011, 1, n))


def add_linked_concern(
    reporter: User, n: int, *, on: date, name: str = "Mohammed Khan", plate: str = "YX19 KLM"
) -> str:
    """A concern about child ``n`` naming the adult, the car and the flat."""
    draft = ConcernDraft(
        children=[_child(n)],
        narrative=_NARRATIVE,
        occurred_on=on,
        persons=[PersonDraft(names=[name])],
        vehicles=[VehicleDraft(registration=plate, make="Vauxhall", colour="black")],
        places=[PlaceDraft(name="Flat 3, 12 Quarry Lane", postcode="ZZ9 4QT")],
        cin_factors=["11A"],
    )
    return str(do_record_concern(draft, actor=reporter, today=AS_OF).concern.pk)


def make_network_world(*, partnership: bool = True) -> NetworkWorld:
    council = make_agency("Quarrington Council", "council")
    police = make_agency("Quarrington Police", "police")
    scrutiny = (
        make_agency("Quarrington Safeguarding Partnership", "partnership")
        if partnership
        else council
    )
    reporters = [
        make_user(council, username="net-social-worker"),
        make_user(council, username="net-youth-worker"),
        make_user(police, role="police_officer", username="net-officer"),
    ]
    analyst = make_user(scrutiny, role="analyst", username="net-analyst")
    practitioner = make_user(council, username="net-practitioner")
    ids = [
        add_linked_concern(reporters[0], 1, on=date(2026, 6, 1)),
        add_linked_concern(reporters[0], 2, on=date(2026, 7, 1), name="Mohamed Khan"),
        add_linked_concern(reporters[1], 3, on=date(2026, 8, 1), plate="YX19"),
        add_linked_concern(reporters[2], 4, on=date(2026, 9, 1)),
    ]
    unrelated = ConcernDraft(
        children=[_child(9)],
        narrative="The child has been missing from school.",
        occurred_on=date(2026, 9, 5),
        phones=["07700 900456"],
    )
    ids.append(str(do_record_concern(unrelated, actor=reporters[1], today=AS_OF).concern.pk))
    return NetworkWorld(council, police, scrutiny, reporters, analyst, practitioner, ids)
