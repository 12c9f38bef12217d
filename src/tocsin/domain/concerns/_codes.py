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

#: Children in Need census factors identified at the end of assessment, every one the DfE
#: schema allows (DOMAIN.md §3 lists the ones exploitation work uses most). Typed from
#: CIN_schema_2024.xsd (assessmentfactorstype) in SocialFinanceDigitalLabs/liia-tools; check
#: each year's DfE specification.
CIN_FACTORS: dict[str, str] = {
    "1A": "Alcohol misuse by the child",
    "1B": "Alcohol misuse by the parents or carers",
    "1C": "Alcohol misuse by another person in the household",
    "2A": "Drug misuse by the child",
    "2B": "Drug misuse by the parents or carers",
    "2C": "Drug misuse by another person in the household",
    "3A": "Domestic abuse: the child is the subject",
    "3B": "Domestic abuse: the parents or carers are the subject",
    "3C": "Domestic abuse: another person in the household is the subject",
    "4A": "Mental health of the child",
    "4B": "Mental health of the parents or carers",
    "4C": "Mental health of another person in the household",
    "5A": "Learning disability of the child",
    "5B": "Learning disability of the parents or carers",
    "5C": "Learning disability of another person in the household",
    "6A": "Physical disability or illness of the child",
    "6B": "Physical disability or illness of the parents or carers",
    "6C": "Physical disability or illness of another person in the household",
    "7A": "Young carer",
    "8B": "Privately fostered: overseas child who intends to return",
    "8C": "Privately fostered: overseas child who intends to stay",
    "8D": "Privately fostered: UK child in an educational placement",
    "8E": "Privately fostered: UK child in an alternative family arrangement",
    "8F": "Privately fostered: other",
    "9A": "Unaccompanied asylum-seeking child",
    "10A": "Missing",
    "11A": "Child sexual exploitation",
    "12A": "Trafficking",
    "13A": "Gangs",
    "14A": "Socially unacceptable behaviour",
    "15A": "Self-harm",
    "16A": "Neglect",
    "17A": "Emotional abuse",
    "18B": "Physical abuse: child on child",
    "18C": "Physical abuse: adult on child",
    "19B": "Sexual abuse: child on child",
    "19C": "Sexual abuse: adult on child",
    "20": "Other",
    "21": "No factors identified",
    "22A": "Female genital mutilation",
    "23A": "Abuse linked to faith or belief",
    "24A": "Child criminal exploitation",
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
    "pattern": "Raised by a pattern alert on the network graph",
}
