"""The language check: every phrase of the table is caught, in its variants and at the right
offsets; suggestions describe and never assert; tables are checked when loaded. The flagged and
neutral corpora are tested in test_language_corpus.py. These files, the corpora and the phrase
table are the only places the wording to avoid may appear (DOMAIN.md section 4)."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

import tocsin.domain.language
from tocsin.domain.language import (
    LanguageWarning,
    PhraseTable,
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


# --- adults framed as partners: the age decides ---------------------------------------------


@pytest.mark.parametrize("age", range(12, 26))
def test_a_stated_age_of_18_or_more_makes_a_boyfriend_an_adult(age: int) -> None:
    # The check reads text only: a boyfriend of 15 for a 14-year-old is a peer, one of 22 is not.
    sentence = f"Her boyfriend, who is {age}, collects her from school."
    found = [w.matched for w in warnings_for("adult-called-partner", sentence)]
    assert found == ([f"boyfriend, who is {age}"] if age >= 18 else [])
    hyphenated = f"She was seen with her {age}-year-old boyfriend."
    found = [w.matched for w in warnings_for("adult-called-partner", hyphenated)]
    assert found == ([f"{age}-year-old boyfriend"] if age >= 18 else [])


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Her boyfriend is eighteen.", True),
        ("Her boyfriend is twenty-two.", True),
        ("Her boyfriend is seventeen.", False),
        ("Her boyfriend is 99.", True),
        ("Her boyfriend is 180 cm tall.", False),  # part of a longer number
        ("Her boyfriend is 18.5 miles away.", False),
        ("Her boyfriend is in his 20s.", True),  # a decade, by its own pattern
        ("Her boyfriend was 19 minutes late.", False),  # a number, not an age
        ("Her boyfriend turned 16 on the 22nd.", False),  # a day of the month
        ("Her boyfriend, 16, and his brother, 22, were at the flat.", False),
    ],
)
def test_only_an_adults_age_counts(sentence: str, flagged: bool) -> None:
    assert bool(warnings_for("adult-called-partner", sentence)) is flagged


# --- suggestions describe, and never assert --------------------------------------------------

#: An assertion of abuse that the writer may not know: "is being exploited", "has been
#: groomed", "is a victim of", "adults are using" — unless hedged with "may" or "might".
ASSERTION = re.compile(
    r"(?<!may )(?<!might )\b(?:is|are|was|were|has been|have been|had been)\s+"
    r"(?:being\s+)?(?:\w+ly\s+)?(?:abused|exploited|groomed|coerced|controlled|raped|"
    r"trafficked|abusing|exploiting|grooming|coercing|controlling|using|a victim)\b",
    re.IGNORECASE,
)

SUGGESTIONS = [(p.id, option) for p in TABLE.phrases for option in p.use_instead]


@pytest.mark.parametrize(
    "asserting",
    [
        "is being exploited by an organised crime group",
        "has been groomed",
        "was raped",
        "adults are using online technology to abuse the child",
        "is a victim of sexual exploitation",
        "has been criminally exploited",
    ],
)
def test_the_assertion_check_catches_assertions(asserting: str) -> None:
    assert ASSERTION.search(asserting), asserting


@pytest.mark.parametrize(
    "hedged",
    ["may have been groomed", "may be being criminally exploited", "may be a victim of …"],
)
def test_the_assertion_check_allows_what_is_hedged(hedged: str) -> None:
    assert not ASSERTION.search(hedged), hedged


@pytest.mark.parametrize(("phrase_id", "suggestion"), SUGGESTIONS)
def test_no_suggestion_asserts_what_the_writer_may_not_know(
    phrase_id: str, suggestion: str
) -> None:
    assert not ASSERTION.search(suggestion), f"{phrase_id}: {suggestion!r}"


@pytest.mark.parametrize(("phrase_id", "suggestion"), SUGGESTIONS)
def test_no_suggestion_draws_a_warning_itself(phrase_id: str, suggestion: str) -> None:
    written = suggestion.replace("{age}", "22")
    assert check_text(written) == [], f"{phrase_id}: {written!r}"


@pytest.mark.parametrize(
    ("sentence", "phrase_id", "first_suggestion"),
    [
        (
            "Her boyfriend who is 22 picks her up.",
            "adult-called-partner",
            "an adult aged 22 who is in contact with the child",
        ),
        (
            "Her boyfriend is twenty-two.",
            "adult-called-partner",
            "an adult aged twenty-two who is in contact with the child",
        ),
        (
            "She says she is dating a 30 year old.",
            "relationship-with-adult",
            "is in contact with an adult aged 30",
        ),
    ],
)
def test_a_stated_age_fills_the_suggestion(
    sentence: str, phrase_id: str, first_suggestion: str
) -> None:
    [warning] = warnings_for(phrase_id, sentence)
    assert warning.use_instead[0] == first_suggestion
    assert first_suggestion in warning.message
    assert all("{age}" not in option for option in warning.use_instead)


def test_without_an_age_the_age_suggestion_is_left_out() -> None:
    [warning] = warnings_for("adult-called-partner", "She has an older boyfriend.")
    phrase = TABLE.phrase("adult-called-partner")
    assert warning.use_instead == tuple(o for o in phrase.use_instead if "{age}" not in o)
    assert warning.use_instead and not any("aged" in o for o in warning.use_instead)


def test_the_issues_two_missed_sentences_are_caught_with_describing_suggestions() -> None:
    [partner] = check_text("Her boyfriend who is 22 picks her up.")
    assert partner.use_instead[0] == "an adult aged 22 who is in contact with the child"
    [choice] = check_text("She is in a relationship and chose to go with him.")
    assert (choice.phrase_id, choice.matched) == ("framed-as-choice", "chose to go with him")
    for phrase in TABLE.phrases:
        assert "is being exploited by an organised crime group" not in phrase.use_instead


# --- the source tree -----------------------------------------------------------------------


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


# --- the pattern language ---------------------------------------------------------------------


def one_phrase(
    patterns: list[str],
    examples: list[str],
    words: str = "",
    use_instead: str = '["went missing"]',
) -> PhraseTable:
    """A table of one phrase, for trying out the pattern language."""
    return parse_phrase_table(
        f"""
version = 1
title = "Trial"
source = "Tests"
source_url = "https://example.invalid/"
[words]
{words}
[[phrase]]
id = "trial"
row = "Trial"
avoid = "trial"
use_instead = {use_instead}
why = "For the tests."
patterns = {json.dumps(patterns)}
examples = {json.dumps(examples)}
"""
    )


@pytest.mark.parametrize(
    ("text", "caught"),
    [
        ("aged 18", True),
        ("aged 99", True),
        ("aged 17", False),
        ("aged 100", False),
        ("aged 180", False),
        ("aged 18.5", False),
        ("aged 20s", False),
        ("aged 30's", False),
        ("aged 22nd", False),
        ("aged eighteen", True),
        ("aged nineteen", True),
        ("aged twenty-one", True),
        ("aged forty five", True),
        ("aged seventeen", False),
    ],
)
def test_adult_age_is_an_age_of_18_to_99(text: str, caught: bool) -> None:
    table = one_phrase(["aged {adult_age}"], ["She was aged 18.", "Aged twenty."])
    assert bool(check_text(text, table)) is caught


def test_parentheses_stand_for_themselves() -> None:
    table = one_phrase(["boyfriend ({adult_age})"], ["Her boyfriend (22).", "A boyfriend (30)"])
    assert [w.matched for w in check_text("Her boyfriend (25) came.", table)] == ["boyfriend (25)"]
    assert check_text("Her boyfriend 25 came.", table) == []


def test_word_lists_may_use_other_word_lists() -> None:
    table = one_phrase(
        ["![{others}] boyfriend"],
        ["Her boyfriend came.", "The boyfriend came."],
        words='family = ["mum", "sister"]\nothers = ["{family}\'s", "{family}\'s new"]',
    )
    assert check_text("Her mum's boyfriend came.", table) == []
    assert check_text("Her sister’s new boyfriend came.", table) == []
    assert [w.matched for w in check_text("Her boyfriend came.", table)] == ["boyfriend"]


def test_a_word_list_that_refers_to_itself_is_refused() -> None:
    with pytest.raises(PhraseTableError, match=r"refers to itself \(others -> family -> others\)"):
        one_phrase(
            ["{others} boyfriend"],
            ["Mum's boyfriend.", "Mum's boyfriend came."],
            words='family = ["mum", "{others}"]\nothers = ["{family}\'s"]',
        )


def test_matching_patterns_names_the_patterns_a_sentence_exercises() -> None:
    phrase = TABLE.phrase("adult-called-partner")
    found = TABLE.matching_patterns(phrase, "Her 22-year-old boyfriend and her older boyfriend.")
    assert len(found) == 2 and all(source in phrase.patterns for source in found)
    assert TABLE.matching_patterns(phrase, "Her boyfriend is 15.") == ()


@pytest.mark.parametrize(
    ("use_instead", "message"),
    [
        ('["went missing at {time}"]', "may hold only the placeholder"),
        ('["went missing with an adult aged {age}"]', "at least one suggestion without"),
        ('["went missing", "went with an adult aged {age}"]', r"no pattern uses \{adult_age\}"),
    ],
)
def test_suggestion_placeholders_are_checked(use_instead: str, message: str) -> None:
    with pytest.raises(PhraseTableError, match=message):
        one_phrase(["absconded"], ["She absconded.", "He absconded."], use_instead=use_instead)


def test_the_built_in_word_list_cannot_be_redefined() -> None:
    with pytest.raises(PhraseTableError, match="'adult_age' is built in"):
        one_phrase(["absconded"], ["She absconded.", "He absconded."], words='adult_age = ["18"]')


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
        (('"[abscond|', '"*abscond|'), r"the character '\*' is not allowed"),
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


def test_the_one_search_knows_where_optional_words_and_word_lists_begin() -> None:
    """might_match groups the patterns by the characters they can begin with: an optional
    first word, a word list, the built-in age and the case of the text all count."""
    table = one_phrase(
        ["[older |]boyfriend", "{who} said", "{adult_age} year old"],
        ["a boyfriend", "Kay said", "a 22 year old"],
        words='who = ["he", "Kay"]',
    )
    for text in (
        "a boyfriend",
        "an older boyfriend",
        "kay said",
        "KAY SAID",
        "He said",
        "a 22 year old",
        "twenty-two year old",
    ):
        assert table.might_match(text), text
    for text in ("a girlfriend", "older", "kay did", "a 12 year old", "they said", "okay said"):
        assert not table.might_match(text), text
