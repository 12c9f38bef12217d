"""Concern narratives from varied templates, mentioning people, vehicles, phones and places.

Every template here is written in the language the appropriate language guide asks for
(DOMAIN.md section 4): the child is a child who has been exploited, adults are the ones acting.
Victim-blaming phrasing appears only when :func:`inject_victim_blaming` adds a phrase from the
one table kept for that purpose (``data/victim_blaming_phrases.toml``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tocsin.simulate._names import VictimBlamingPhrase, victim_blaming_phrases

__all__ = [
    "BACKGROUND_CATEGORIES",
    "INDICATORS",
    "Mentions",
    "background_narrative",
    "exploitation_narrative",
    "inject_victim_blaming",
]

#: Indicators recorded with concerns (SERAF's moderate and significant indicators and the
#: regional tools' critical ones; DOMAIN.md section 3).
INDICATORS: dict[str, tuple[str, ...]] = {
    "cse": (
        "missing_from_home_or_care",
        "staying_out_late",
        "unknown_adults_contacting_child",
        "worrying_phone_or_internet_use",
        "gifts_or_money_from_unknown_adults",
        "seen_in_cars_with_unknown_adults",
        "links_to_hotels_or_taxis",
        "sexually_transmitted_infection",
        "allegation_made_then_withdrawn",
        "drug_or_alcohol_use",
        "self_harm",
        "missing_school",
        "exploited_peers",
        "links_to_known_perpetrators",
    ),
    "cce": (
        "missing_from_home_or_care",
        "found_out_of_area",
        "unexplained_cash_or_phones",
        "carrying_drugs",
        "weapon_found",
        "unexplained_injuries",
        "missing_school",
        "exploited_peers",
        "links_to_known_perpetrators",
        "drug_or_alcohol_use",
    ),
}

#: Categories of the concerns that are not about exploitation.
BACKGROUND_CATEGORIES: tuple[str, ...] = (
    "neglect",
    "domestic_abuse",
    "missing",
    "school_exclusion",
    "parental_substance_misuse",
    "emotional_wellbeing",
)


@dataclass(frozen=True)
class Mentions:
    """What a narrative may mention, as the reporter wrote it."""

    adults: tuple[str, ...]
    vehicle: str | None
    phone: str | None
    place: str | None
    street: str


_CSE_OPENINGS = (
    "{child} was seen getting into a {vehicle} outside {place} late in the evening.",
    "Staff at {place} reported that {child} arrived with an adult male known as {adult}.",
    "{child} disclosed that an adult called {adult} has been giving them alcohol and "
    "cigarettes and asking them to meet at {place}.",
    "{child}'s carer reports that adults have been contacting {child} on {phone} at all hours.",
    "A taxi driver was seen dropping {child} at {place} at 2am; the vehicle was a {vehicle}.",
    "{child} returned from a missing episode with new clothes and a phone, and would not say "
    "where they came from.",
    "Youth workers saw {child} with several older men near {street}; one was known as {adult}.",
    "{child} told a teacher about an adult called {adult} who buys them things and collects "
    "them from school; {child} may have been groomed.",
)
_CSE_DETAILS = (
    "The adults appear to be facilitating communication with {child} through {phone}.",
    "{child} has had two missing episodes this month and was found at {place}.",
    "There is a concern that a perpetrator may be exploiting {child}'s vulnerability.",
    "A {vehicle} has been seen repeatedly near {child}'s home on {street}.",
    "{child} may have been sexually abused; the location is dangerous to children.",
    "{child} mentioned a flat above {place} where adults take children.",
    "Other children at {child}'s school have named {adult} as someone who gives out lifts.",
)
_CCE_OPENINGS = (
    "{child} was found in another town with cash and two phones; one number was {phone}.",
    "Police stopped a {vehicle} on {street}; {child} was a passenger and appeared frightened.",
    "{child} has been coerced into carrying drugs for an adult known as {adult}.",
    "{child} came to school with an injury they could not explain and a new phone.",
    "Staff believe {child} is being criminally exploited from an address on {street}.",
    "{child} was found at {place} with a quantity of drugs and a knife; {child} is a victim "
    "of criminal exploitation.",
    "Neighbours report children coming and going from {place} at night, including {child}.",
)
_CCE_DETAILS = (
    "{child} receives calls from {phone} and leaves immediately afterwards.",
    "An adult called {adult} is thought to control the line {child} has been made to carry.",
    "{child} may have been coerced to carry drugs internally; a health assessment is needed.",
    "{child} has been groomed by older males who drive a {vehicle}.",
    "{child} said they owe money to {adult} and are frightened of what will happen.",
    "There are concerns that {child} is being financially exploited.",
)
_CLOSINGS = (
    "Referred to the MASH for a multi-agency view.",
    "Discussed with the designated safeguarding lead; referral made today.",
    "Requesting a strategy discussion.",
    "Information shared with the police and children's social care.",
    "Consent not sought as this would place {child} at greater risk.",
    "Return home interview to be offered.",
)
_BACKGROUND = {
    "neglect": (
        "{child} has come to school hungry on several days and in the same clothes.",
        "Home visit found little food in the house and {child} caring for younger siblings.",
        "{child} has untreated dental pain and has missed health appointments.",
    ),
    "domestic_abuse": (
        "Police attended a domestic incident at {child}'s home on {street}; {child} was present.",
        "{child} told a teacher about shouting and violence between adults at home.",
        "A parent disclosed domestic abuse by a partner; {child} lives in the household.",
    ),
    "missing": (
        "{child} was reported missing overnight and returned the next morning.",
        "{child} has been missing from care three times in a month.",
    ),
    "school_exclusion": (
        "{child} has been excluded from school and is not in any education provision.",
        "{child}'s attendance has fallen below 50% this term.",
    ),
    "parental_substance_misuse": (
        "A parent was found intoxicated while caring for {child}.",
        "Drug paraphernalia was seen within reach of children at {child}'s home on {street}.",
    ),
    "emotional_wellbeing": (
        "{child} disclosed self-harm to the school nurse.",
        "{child} appears withdrawn and anxious; the family asked for help.",
    ),
}


def _fill(template: str, child: str, mentions: Mentions, rng: random.Random) -> str:
    adult = rng.choice(mentions.adults) if mentions.adults else "an unknown adult"
    return template.format(
        child=child,
        adult=adult,
        vehicle=mentions.vehicle or "car",
        phone=mentions.phone or "an unknown number",
        place=mentions.place or mentions.street,
        street=mentions.street,
    )


def exploitation_narrative(kind: str, child: str, mentions: Mentions, rng: random.Random) -> str:
    """A narrative about a child exploited sexually (``cse``) or criminally (``cce``)."""
    openings, details = (
        (_CSE_OPENINGS, _CSE_DETAILS) if kind == "cse" else (_CCE_OPENINGS, _CCE_DETAILS)
    )
    parts = [rng.choice(openings)]
    parts += rng.sample(details, k=rng.randint(1, 2))
    parts.append(rng.choice(_CLOSINGS))
    return " ".join(_fill(part, child, mentions, rng) for part in parts)


def background_narrative(category: str, child: str, mentions: Mentions, rng: random.Random) -> str:
    """A narrative for a concern that is not about exploitation."""
    parts = [rng.choice(_BACKGROUND[category]), rng.choice(_CLOSINGS)]
    return " ".join(_fill(part, child, mentions, rng) for part in parts)


def inject_victim_blaming(
    narrative: str, child_given: str, sex: str, rng: random.Random
) -> tuple[str, VictimBlamingPhrase]:
    """``narrative`` with one victim-blaming sentence added, and the phrase used.

    Used only at the configured rate, so that the language check has something to catch."""
    wrong_pronoun = "himself" if sex == "F" else "herself"
    choices = [p for p in victim_blaming_phrases() if wrong_pronoun not in p.avoid]
    phrase = rng.choice(choices)
    return f"{narrative} Worker's view: {child_given} {phrase.avoid}.", phrase
