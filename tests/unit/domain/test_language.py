"""The language check: every phrase of the table is caught, in its variants and at the right
offsets; appropriate language is left alone; tables are checked when loaded. This file and the
phrase table are the only places the wording to avoid may appear (DOMAIN.md section 4)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

import tocsin.domain.language
from tocsin.domain.language import (
    LanguageWarning,
    PhraseTableError,
    check_fields,
    check_text,
    default_phrase_table,
    load_phrase_table,
    parse_phrase_table,
)

TABLE = default_phrase_table()
ROOT = Path(__file__).resolve().parents[3]

#: The "Avoid" column of DOMAIN.md section 4, row by row.
DOMAIN_ROWS = {
    "Putting themselves at risk",
    "Sexual activity with …",
    "Sexually active since [age under 13]",
    "Has been contacting adults via phone/internet",
    "Offering her drugs seemingly in return for sex",
    "Involved in CSE/CCE",
    "Sending explicit pictures to an adult",
    "Associating with / in a relationship with / spending time with",
    "Child prostitute",
    '"Recruited", "working", "drug runner"',
    '"Money mule"; "plugging"',
    '"Risky choices" / "poor decisions"',
}

#: Notes written the way the guide asks: none of these may draw a warning.
NEUTRAL = [
    "Adults have been contacting the child through social media.",
    "The location is dangerous to children.",
    "She was groomed by an older man.",
    "Police recorded the disclosure as a crime.",
    "A perpetrator may be exploiting the child's vulnerability.",
    "He has been criminally exploited by an organised crime group.",
    "She is a victim of sexual exploitation.",
    "The adult is facilitating communication with a child online.",
    "Adults are using online technology to abuse the child.",
    "He was coerced into carrying drugs internally.",
    "She has been financially exploited; adults used her bank account to move money.",
    "The child disclosed that she was raped at the flat on Dale Street.",
    "He may have been sexually abused by a family friend.",
    "A man aged about thirty has been seen waiting outside the school gates.",
    "The taxi firm on Mill Lane was named in two separate concerns.",
    "The child was found in another town with two phones and £400 in cash.",
    "Staff at the hotel reported a child arriving late at night with an adult.",
    "The Risky Business project referred the child to the service.",
    "It would be risky to share the foster carer's address with the family.",
    "A strategy discussion was held within 24 hours of the referral.",
    "Police, health and social care agreed to begin a section 47 enquiry.",
    "The social worker spent time with the child at school.",
    "Professionals involved in CSE work met on Tuesday.",
    "Concerns associated with the address were shared at the MACE meeting.",
    "He was plugging in his phone charger at the station.",
    "The service recruited two new youth workers this year.",
    "Her key worker has a trusting relationship with her.",
    "The team is working with the family to find a safe placement.",
    "The school nurse is working closely with the child's GP.",
    "The child said she felt safe with her foster carer.",
    "Her mother reported her missing at 11pm and she returned the next morning.",
    "An older male picked the child up in a grey car registered to a hire company.",
    "The child has a sexually transmitted infection and has been referred for support.",
    "The adults at the address put her at risk.",
    "Her placement puts her at risk of further harm.",
    "The decision to close the case was reviewed by the team manager.",
    "The panel decided to hold a review conference within three months.",
    "Police seized drugs and a knife from the flat.",
    "The child was given gifts and money by adults she did not know.",
    "The adult gave the child drugs to groom her.",
    "Intelligence suggests the group is exploiting several children from the estate.",
    "The child's friend is also being exploited by the same adults.",
    "The girl was moved between hotels by adults, which may be trafficking.",
    "A National Referral Mechanism referral was made; the child's consent is not needed.",
    "Her brother was recruited into the army last year.",
    "The youth worker is working for the council's early help team.",
    "She sent a message to her social worker asking for help.",
    "He shared photos of his dog with the youth worker.",
    "The line manager reviewed the notes before the conference.",
    "She works as a youth worker for a local charity.",
    "The child attended the sexual health clinic with a support worker.",
    "Her older sister picks her up from school on Fridays.",
    "The child has been placed in a residential home out of area.",
    "He was seen with an adult in a car on the ring road at 2am.",
    "Adults are targeting children at the park, so the park is unsafe for them.",
    "The adults exploited her vulnerability after her father died.",
    "She talked to her teacher about the men at the takeaway.",
    "He messaged his social worker on Tuesday.",
    "The child's phone was examined and messages from adults were found.",
    "The man sent indecent images to the child.",
    "She is being coerced and controlled by an adult she met online.",
]


def warnings_for(phrase_id: str, text: str) -> list[LanguageWarning]:
    return [w for w in check_text(text) if w.phrase_id == phrase_id]


# --- the public surface ---------------------------------------------------------------------


def test_public_names_are_pinned() -> None:
    assert sorted(tocsin.domain.language.__all__) == [
        "LanguageWarning",
        "Phrase",
        "PhraseTable",
        "PhraseTableError",
        "check_fields",
        "check_text",
        "default_phrase_table",
        "load_phrase_table",
        "parse_phrase_table",
    ]
    for name in tocsin.domain.language.__all__:
        value = getattr(tocsin.domain.language, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert (value.__doc__ or "").strip(), name


# --- the default table ----------------------------------------------------------------------


def test_default_table_is_versioned_and_cited() -> None:
    assert TABLE.version >= 1
    assert "language guide" in TABLE.source
    assert TABLE.source_url.startswith("https://www.childrenssociety.org.uk/")


def test_every_row_of_the_domain_table_is_covered() -> None:
    assert {phrase.row for phrase in TABLE.phrases} == DOMAIN_ROWS


def test_every_phrase_has_two_examples_an_alternative_and_a_reason() -> None:
    for phrase in TABLE.phrases:
        assert len(phrase.examples) >= 2, phrase.id
        assert phrase.use_instead and phrase.why, phrase.id


EXAMPLES = [(p.id, example) for p in TABLE.phrases for example in p.examples]


@pytest.mark.parametrize(("phrase_id", "sentence"), EXAMPLES)
def test_every_example_is_caught_at_its_offsets(phrase_id: str, sentence: str) -> None:
    found = warnings_for(phrase_id, sentence)
    assert found, f"{phrase_id} missed {sentence!r}"
    for warning in found:
        assert sentence[warning.start : warning.end] == warning.matched
        assert warning.matched.strip() == warning.matched


@pytest.mark.parametrize(("phrase_id", "sentence"), EXAMPLES)
def test_examples_are_caught_inside_longer_notes(phrase_id: str, sentence: str) -> None:
    prefix = "Visit on 3 May.\nSeen at home with mum — café visit earlier. 🙂 "
    note = f"{prefix}{sentence}\nNext visit booked."
    alone = warnings_for(phrase_id, sentence)
    inside = warnings_for(phrase_id, note)
    assert [(w.start - len(prefix), w.end - len(prefix)) for w in inside] == [
        (w.start, w.end) for w in alone
    ]


@pytest.mark.parametrize(
    ("phrase_id", "sentence"),
    [(p.id, s) for p in TABLE.phrases for s in p.not_examples],
)
def test_counter_examples_are_not_caught(phrase_id: str, sentence: str) -> None:
    assert warnings_for(phrase_id, sentence) == []


def test_the_simulators_injected_phrases_are_all_caught() -> None:
    from tocsin.simulate import victim_blaming_phrases

    for phrase in victim_blaming_phrases():
        note = f"The school reports that the child {phrase.avoid}."
        assert check_text(note), phrase.avoid


# --- variants -------------------------------------------------------------------------------


@pytest.mark.parametrize("verb", ["put", "puts", "putting", "placed", "placing"])
@pytest.mark.parametrize("pronoun", ["herself", "himself", "themselves", "themself"])
def test_pronoun_and_tense_variants(verb: str, pronoun: str) -> None:
    sentence = f"Staff think the child {verb} {pronoun} at risk at the park."
    [warning] = check_text(sentence)
    assert warning.phrase_id == "putting-self-at-risk"
    assert warning.matched == f"{verb} {pronoun} at risk"


@pytest.mark.parametrize(
    ("phrase_id", "sentence", "matched"),
    [
        ("putting-self-at-risk", "SHE IS PUTTING HERSELF AT RISK.", "PUTTING HERSELF AT RISK"),
        ("putting-self-at-risk", "He put himself\nat risk.", "put himself\nat risk"),
        ("sexual-activity", "There was sexual activity with him.", "sexual activity with"),
        ("sexually-active", "She is Sexually Active.", "Sexually Active"),
        ("contacting-adults", "She had been calling older men.", "had been calling older men"),
        ("contacting-adults", "He contacts adults online.", "contacts adults online"),
        ("in-return-for-sex", "Given vapes in exchange for sex.", "in exchange for sex"),
        ("involved-in-exploitation", "His involvement in gangs.", "involvement in gangs"),
        ("sending-explicit-images", "He sends nudes.", "sends nudes"),
        ("associating-with", "She associates with men there.", "associates with"),
        ("associating-with", "He hung out with older lads.", "hung out with older"),
        ("child-prostitute", "A teenage prostitute, the file says.", "teenage prostitute"),
        ("child-prostitute", "She sold herself for a bed.", "sold herself"),
        ("recruited-working-runner", "He works for the dealers.", "works for the dealers"),
        ("recruited-working-runner", "Drug-runners were seen.", "Drug-runners"),
        ("money-mule", "He acted as a mule.", "acted as a mule"),
        ("plugging", "She plugged drugs.", "plugged drugs"),
        ("risky-choices", "More bad decisions at the weekend.", "bad decisions"),
        ("risky-choices", "Poor decision-making is noted.", "Poor decision-making"),
    ],
)
def test_case_spacing_and_word_form_variants(phrase_id: str, sentence: str, matched: str) -> None:
    assert [w.matched for w in warnings_for(phrase_id, sentence)] == [matched]


@pytest.mark.parametrize(
    "sentence",
    [
        "He was misplacing himself at risk of nothing.",  # "placing" inside another word
        "The boat had a sextant; it was sold sextants.",  # "sold sex" inside "sextants"
        "She disputes the CSEC figures.",  # "CSE" inside an acronym
        "The unplugging drugs cabinet was fixed.",  # "plugging" inside "unplugging"
        "They reviewed the promiscuously written old policy.",  # no whole word
    ],
)
def test_no_hits_inside_other_words(sentence: str) -> None:
    assert check_text(sentence) == []


def test_offsets_are_exact_and_in_order() -> None:
    text = "Mum says she is involved in CSE.\nShe keeps making risky choices; she is plugging."
    found = check_text(text)
    assert [(w.phrase_id, w.start, w.end, w.matched) for w in found] == [
        ("involved-in-exploitation", 16, 31, "involved in CSE"),
        ("risky-choices", 50, 63, "risky choices"),
        ("plugging", 69, 80, "is plugging"),
    ]
    for warning in found:
        assert text[warning.start : warning.end] == warning.matched


def test_one_wording_is_reported_once_per_phrase() -> None:
    # Two patterns of one phrase overlap here; the longest match wins, reported once.
    found = check_text("He sent nude photos of himself to a man.")
    assert [(w.phrase_id, w.matched) for w in found] == [
        ("sending-explicit-images", "sent nude photos of himself to")
    ]


# --- appropriate language -------------------------------------------------------------------


def test_at_least_forty_neutral_sentences() -> None:
    assert len(NEUTRAL) >= 40
    assert len(set(NEUTRAL)) == len(NEUTRAL)


@pytest.mark.parametrize("sentence", NEUTRAL)
def test_appropriate_language_draws_no_warning(sentence: str) -> None:
    assert check_text(sentence) == [], [w.matched for w in check_text(sentence)]


def test_a_whole_note_in_appropriate_language_draws_no_warning() -> None:
    assert check_text(" ".join(NEUTRAL)) == []
    assert check_text("\n".join(NEUTRAL)) == []


def test_wording_to_avoid_appears_only_in_the_phrase_table_and_its_tests() -> None:
    suffixes = {".py", ".toml", ".html", ".jinja", ".md", ".txt", ".mjs", ".js", ".scss"}
    paths = [ROOT / "README.md"]
    for folder in ("src", "docs", "frontend"):
        paths += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.is_file()
            and p.suffix in suffixes
            and "node_modules" not in p.parts
            and "build" not in p.parts
        ]
    offending = []
    for path in paths:
        relative = str(path.relative_to(ROOT)).lower()
        # The phrase tables (ours and the simulator's) and files about them hold the wording
        # on purpose, as data or as documentation of what is checked.
        if "language" in relative or "phrase" in relative:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for warning in check_text(text):
            line = text.count("\n", 0, warning.start) + 1
            offending.append(f"{relative}:{line}: {warning.matched!r} ({warning.phrase_id})")
    assert offending == [], "\n".join(offending)


# --- the API for forms and counting ---------------------------------------------------------


def test_check_fields_returns_only_fields_with_warnings() -> None:
    found = check_fields(
        {
            "narrative": "She has been associating with older males.",
            "where": "Outside the takeaway on Mill Lane.",
            "summary": None,
            "notes": "",
            "actions": "Staff fear he is putting himself at risk; he is involved in CCE.",
        }
    )
    assert list(found) == ["narrative", "actions"]
    assert [w.phrase_id for w in found["actions"]] == [
        "putting-self-at-risk",
        "involved-in-exploitation",
    ]
    assert sum(len(w) for w in found.values()) == 3


def test_a_warning_explains_itself_and_serialises() -> None:
    [warning] = check_text("He is a drug runner.")
    assert "criminally exploited" in warning.message
    assert warning.table_version == TABLE.version
    payload = json.loads(json.dumps(warning.as_dict()))
    assert payload["start"] == 8 and payload["end"] == 19
    assert payload["use_instead"] == list(warning.use_instead)


def test_empty_text_has_no_warnings() -> None:
    assert check_text("") == []
    assert check_fields({}) == {}


# --- loading other tables -------------------------------------------------------------------

GOOD = """
version = 3
title = "Local additions"
source = "Partnership language working group, 2025"
source_url = "https://example.invalid/language"

[words]
self = ["herself", "himself"]

[[phrase]]
id = "absconded"
row = "Absconded"
avoid = "absconded"
use_instead = ["went missing"]
why = "It criminalises a child who has gone missing."
patterns = ["[abscond|absconds|absconded|absconding]"]
examples = ["She absconded from the home.", "He keeps absconding."]
not_examples = ["She went missing from the home."]
"""


def test_a_partnership_can_load_its_own_table(tmp_path: Path) -> None:
    path = tmp_path / "local.toml"
    path.write_text(GOOD, encoding="utf-8")
    table = load_phrase_table(path)
    assert table.version == 3 and table.origin == str(path)
    assert [w.matched for w in check_text("She absconded; she absconded again.", table)] == [
        "absconded",
        "absconded",
    ]
    assert check_text("She is putting herself at risk.", table) == []
    assert table.phrase("absconded").use_instead == ("went missing",)
    with pytest.raises(LookupError, match="absconded"):
        table.phrase("nothing-like-this")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("version = 3", "version = 0"), "'version' must be a whole number"),
        (("version = 3", 'version = "3"'), "'version' must be a whole number"),
        (('title = "Local additions"\n', ""), "'title' must be non-empty text"),
        (("version = 3", "colour = 1\nversion = 3"), "unknown key 'colour'"),
        (('id = "absconded"', 'id = "Absconded!"'), "needs an 'id' of lower-case words"),
        (('why = "It criminalises a child who has gone missing."\n', ""), "add 'why'"),
        (('use_instead = ["went missing"]', "use_instead = []"), "'use_instead' must be a list"),
        (
            (
                'examples = ["She absconded from the home.", "He keeps absconding."]',
                'examples = ["She absconded."]',
            ),
            "at least 2 example sentences",
        ),
        (
            ('"He keeps absconding."', '"He keeps running away."'),
            "no pattern catches the example 'He keeps running away.'",
        ),
        (
            (
                'not_examples = ["She went missing from the home."]',
                'not_examples = ["She absconded."]',
            ),
            "counter-example 'She absconded.' is caught",
        ),
        (('"[abscond|', '"{them} [abscond|'), "no such word list"),
        (('"[abscond|', '"(abscond|'), r"the character '\(' is not allowed"),
        (('"[abscond|absconds|absconded|absconding]"', '"[abscond|absconds"'), "no matching ']'"),
        (('"[abscond|absconds|absconded|absconding]"', '"[abscond|]"'), "can match nothing"),
        (
            ('"[abscond|absconds|absconded|absconding]"', '"![a] abscond ![b] x"'),
            "very start or end",
        ),
        (("[[phrase]]", "[[phrase]]\nid = 'x'\n[[phrase]]"), "unknown key|add "),
        (('[words]\nself = ["herself", "himself"]', "words = 3"), r"\[words\] must be a table"),
    ],
)
def test_malformed_tables_are_refused_with_a_reason(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(PhraseTableError, match=message):
        parse_phrase_table(GOOD.replace(old, new, 1), origin="local.toml")


def test_duplicate_ids_are_refused() -> None:
    entry = GOOD[GOOD.index("[[phrase]]") :]
    with pytest.raises(PhraseTableError, match="'absconded' is used twice"):
        parse_phrase_table(GOOD + entry)


def test_unreadable_or_broken_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PhraseTableError, match="cannot read phrase table"):
        load_phrase_table(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("version = [", encoding="utf-8")
    with pytest.raises(PhraseTableError, match=r"broken\.toml is not valid TOML"):
        load_phrase_table(broken)
    empty = tmp_path / "empty.toml"
    empty.write_text(GOOD[: GOOD.index("[[phrase]]")], encoding="utf-8")
    with pytest.raises(PhraseTableError, match=r"at least one \[\[phrase\]\]"):
        load_phrase_table(empty)
