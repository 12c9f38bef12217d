"""Concerns: what is recorded about children at risk, the codes it is recorded with, its
validation, its events and the events recording one appends. Plain Python; imports nothing
from Django."""

from tocsin.domain.concerns._codes import (
    CHANNELS,
    CIN_FACTORS,
    ETHNICITY,
    GRADING_HANDLING,
    GRADING_INTELLIGENCE,
    GRADING_SOURCE,
    NOT_KNOWN,
    REFUSED,
    SEXES,
)
from tocsin.domain.concerns._draft import (
    ChildDraft,
    ConcernDraft,
    FieldProblem,
    Grading,
    IndicatorSeen,
    PersonDraft,
    PlaceDraft,
    VehicleDraft,
    normalise_phone,
    normalise_postcode,
    normalise_registration,
    valid_nhs_number,
    validate_draft,
)
from tocsin.domain.concerns._events import (
    ChildRecorded,
    ChildScreened,
    ConcernRecorded,
    InformationAdded,
    RecordViewed,
    RiskRegraded,
)
from tocsin.domain.concerns._recording import child_screened, language_warning_count
from tocsin.domain.concerns._references import (
    follow_up_code_hash,
    new_follow_up_code,
    new_reference,
)

__all__ = [
    "CHANNELS",
    "CIN_FACTORS",
    "ETHNICITY",
    "GRADING_HANDLING",
    "GRADING_INTELLIGENCE",
    "GRADING_SOURCE",
    "NOT_KNOWN",
    "REFUSED",
    "SEXES",
    "ChildDraft",
    "ChildRecorded",
    "ChildScreened",
    "ConcernDraft",
    "ConcernRecorded",
    "FieldProblem",
    "Grading",
    "IndicatorSeen",
    "InformationAdded",
    "PersonDraft",
    "PlaceDraft",
    "RecordViewed",
    "RiskRegraded",
    "VehicleDraft",
    "child_screened",
    "follow_up_code_hash",
    "language_warning_count",
    "new_follow_up_code",
    "new_reference",
    "normalise_phone",
    "normalise_postcode",
    "normalise_registration",
    "valid_nhs_number",
    "validate_draft",
]
