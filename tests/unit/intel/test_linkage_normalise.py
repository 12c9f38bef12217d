"""Normalisation and the input schema of the linkage engine (pure functions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.intel.linkage import (
    KnownRegistrations,
    LinkageInputError,
    address_key,
    e164,
    is_partial_registration,
    name_keys,
    normalise_address,
    normalise_name,
    normalise_postcode,
    normalise_registration,
    read_person_csv,
    registration_candidates,
    transliterate,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("O'Brien-Smith ", "obrien smith"),
        ("  JOÃO ", "joao"),
        ("Łukasz", "lukasz"),
        ("...", None),
        (None, None),
    ],
)
def test_names_lose_case_punctuation_and_accents(raw: str | None, expected: str | None) -> None:
    assert normalise_name(raw) == expected


def test_cyrillic_is_romanised() -> None:
    assert transliterate("Олена Шевченко") == "olena shevchenko"


@pytest.mark.parametrize(
    ("one", "other"),
    [("Mo", "Mohamed"), ("Tom", "Thomas"), ("Mohammed", "Muhammad"), ("Олена", "Elena")],
)
def test_variants_and_familiar_forms_share_a_key(one: str, other: str) -> None:
    assert set(name_keys(one)) & set(name_keys(other))


def test_unrelated_names_share_no_key() -> None:
    assert not set(name_keys("Thomas")) & set(name_keys("James"))
    assert name_keys(None) == []


def test_phones_are_e164() -> None:
    assert e164("07700 900123") == "+447700900123"
    assert e164("+44 (0)7700-900123") == "+447700900123"
    assert e164("123") is None
    assert e164("not a phone") is None
    assert e164(None) is None


def test_partial_registrations_are_candidates_for_whole_ones() -> None:
    assert normalise_registration("yx19 klm") == "YX19KLM"
    assert is_partial_registration("YX19")
    assert is_partial_registration("YX19K")
    assert not is_partial_registration("YX19 KLM")
    known = ["YX19 KLM", "YX19 ABC", "YX18 KAA"]
    assert registration_candidates("YX19K", known) == ["YX19KLM"]
    assert registration_candidates("YX19", known) == ["YX19ABC", "YX19KLM"]
    assert registration_candidates("YX19 KLM", known) == ["YX19KLM"]
    assert registration_candidates("", known) == []
    assert registration_candidates("YX19KLMX", known) == []


def test_known_registrations_answer_as_a_scan_of_them_would() -> None:
    """The binary search finds what normalising and scanning every known plate finds."""
    known = ["yx19 klm", "YX19-ABC", "YX18 KAA", "YX1", "AB12CDE", "YX19KLM", "ZZ99ZZZ", "Y"]
    index = KnownRegistrations(known)
    plates = {normalise_registration(k) for k in known}
    for asked in ["YX19K", "YX19", "yx 1", "Y", "YX19KLM", "YX19KLN", "AB", "ZZ", "A", "Q"]:
        prefix = normalise_registration(asked)
        scanned = sorted(p for p in plates if p and prefix and p.startswith(prefix))
        if not is_partial_registration(prefix):
            scanned = [p for p in scanned if p == prefix]
        assert index.candidates(asked) == scanned, asked


def test_places_are_normalised() -> None:
    assert normalise_postcode("zz119tp") == "ZZ11 9TP"
    assert normalise_postcode("not a postcode") is None
    assert normalise_address("1 Sorrelby Ave., Wyrmford") == "1 sorrelby avenue wyrmford"
    assert address_key("1 Sorrelby Ave", "zz11 9tp") == "ZZ11 9TP|1"
    assert address_key(None, "ZZ11 9TP") is None


HEADER = "record_id,source,first_name,surname,date_of_birth,sex,approximate_age\n"


def _csv(tmp_path: Path, body: bytes | str) -> Path:
    path = tmp_path / "people.csv"
    path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    return path


def test_a_good_file_is_read(tmp_path: Path) -> None:
    records = read_person_csv(_csv(tmp_path, HEADER + "r1,police,Amy,Khan,2010-03-04,F,\n"))
    assert records[0].first_name == "Amy"
    assert records[0].date_of_birth == "2010-03-04"
    assert records[0].aliases == ()


@pytest.mark.parametrize(
    ("body", "row", "column"),
    [
        ("record_id,source,first_name,surname\n", 0, "date_of_birth"),
        (HEADER.replace("sex", "sexx") + "r1,p,A,B,,,\n", 0, "sexx"),
        (HEADER + "r1,police,Amy,Khan,04/03/2010,F,\n", 1, "date_of_birth"),
        (HEADER + "r1,police,Amy,Khan,2010-02-30,F,\n", 1, "date_of_birth"),
        (HEADER + "r1,police,Amy,Khan,,Q,\n", 1, "sex"),
        (HEADER + "r1,police,Amy,Khan,,,ten\n", 1, "approximate_age"),
        (HEADER + "r1,police,Amy,Khan,,,\nr1,school,Amy,Khan,,,\n", 2, "record_id"),
        (HEADER + "r1,,Amy,Khan,,,\n", 1, "source"),
    ],
)
def test_bad_rows_name_the_row_and_column(tmp_path: Path, body: str, row: int, column: str) -> None:
    with pytest.raises(LinkageInputError) as caught:
        read_person_csv(_csv(tmp_path, body))
    assert caught.value.row == row
    assert caught.value.column == column
    assert f"row {row}" in str(caught.value)


def test_a_bad_encoding_names_the_row_and_column(tmp_path: Path) -> None:
    body = (HEADER + "r1,police,Amy,Khan,,,\nr2,police,Zo").encode() + b"\xe9,Ng,,,\n"
    with pytest.raises(LinkageInputError) as caught:
        read_person_csv(_csv(tmp_path, body))
    assert (caught.value.row, caught.value.column) == (2, "first_name")
    assert "UTF-8" in str(caught.value)
