"""Codes a concern is recorded with, each citing where it comes from (DOMAIN.md)."""

from __future__ import annotations

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
]

#: Children in Need census factors identified at assessment (DOMAIN.md §3; DfE CIN schema).
CIN_FACTORS: dict[str, str] = {
    "10A": "Missing",
    "11A": "Child sexual exploitation",
    "12A": "Trafficking",
    "13A": "Gangs",
    "24A": "Child criminal exploitation",
    "14A": "Socially unacceptable behaviour",
    "15A": "Self-harm",
    "19B": "Sexual abuse: child on child",
    "19C": "Sexual abuse: adult on child",
    "1A": "The child's own alcohol misuse",
    "2A": "The child's own drug misuse",
    "4A": "The child's own mental health",
    "9A": "Unaccompanied asylum-seeking child",
    "22A": "Female genital mutilation",
    "23A": "Abuse linked to faith or belief",
}

NOT_KNOWN = "NOBT"
REFUSED = "REFU"

#: Ethnicity as described, with explicit codes for "not obtained" and "refused" so that a gap
#: is recorded honestly rather than left blank (DOMAIN.md §1, Casey 2025 recommendation 4; the
#: codes are the DfE CIN schema's). A person of concern's ethnicity is never inferred.
ETHNICITY: dict[str, str] = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage",
    "WROM": "Gypsy/Roma",
    "WOTH": "Any other White background",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "CHNE": "Chinese",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean",
    "BAFR": "Black African",
    "BOTH": "Any other Black background",
    "OOTH": "Any other ethnic group",
    REFUSED: "Refused",
    NOT_KNOWN: "Information not yet obtained",
}

SEXES: dict[str, str] = {"F": "Female", "M": "Male", "X": "Other or not stated", "U": "Not known"}

#: 3x5x2 intelligence grading (DOMAIN.md §5; [verify] against College of Policing guidance).
GRADING_SOURCE: dict[str, str] = {"1": "Reliable", "2": "Untested", "3": "Not reliable"}
GRADING_INTELLIGENCE: dict[str, str] = {
    "A": "Known directly to the source",
    "B": "Known indirectly to the source and corroborated",
    "C": "Known indirectly to the source",
    "D": "Not known",
    "E": "Suspected to be false",
}
GRADING_HANDLING: dict[str, str] = {
    "P": "Lawful sharing permitted",
    "C": "Lawful sharing permitted with conditions",
}

#: How a concern reached Tocsin.
CHANNELS: dict[str, str] = {
    "practitioner": "Recorded by a practitioner",
    "public": "Reported by a member of the public",
    "import": "Imported from an agency's records",
}
