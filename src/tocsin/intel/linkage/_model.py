"""The person-linkage model on Splink 5: prepared columns, blocking rules, comparisons and
unsupervised training. Backend-free: a :class:`~tocsin.intel.linkage._backends.Backend`
supplies the Splink database API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

from tocsin.intel.linkage._normalise import (
    e164,
    name_keys,
    normalise_address,
    normalise_name,
    normalise_postcode,
)
from tocsin.intel.linkage._schema import PersonRecord

__all__ = [
    "PREPARED_COLUMNS",
    "model_in_dialect",
    "prepare_records",
    "settings",
    "training_plan",
]

_EPOCH = dt.date(1970, 1, 1)

#: The columns the model compares, derived from a :class:`PersonRecord` by
#: :func:`prepare_records`.
PREPARED_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "source",
    "first_name",
    "first_name_keys",
    "surname",
    "surname_keys",
    "alias_keys",
    "dob",
    "dob_swapped",
    "dob_days",
    "birth_year",
    "sex",
    "postcode",
    "postcode_district",
    "address",
    "phone",
    "email",
    "identifier",
)


def _birth_year(record: PersonRecord) -> int | None:
    if record.date_of_birth is not None:
        return int(record.date_of_birth[:4])
    if record.approximate_age is not None and record.recorded_on is not None:
        return int(record.recorded_on[:4]) - record.approximate_age
    return None


def _prepared(record: PersonRecord) -> dict[str, Any]:
    dob = record.date_of_birth
    swapped = None
    days = None
    if dob is not None:
        year, month, day = dob.split("-")
        if int(day) <= 12 and day != month:
            swapped = f"{year}-{day}-{month}"
        days = (dt.date.fromisoformat(dob) - _EPOCH).days
    first = normalise_name(record.first_name)
    surname = normalise_name(record.surname)
    aliases = sorted({k for a in record.aliases for k in name_keys(a) if not k.startswith("f:")})
    postcode = normalise_postcode(record.postcode)
    identifier = "".join(ch for ch in (record.identifier or "").upper() if ch.isalnum())
    return {
        "unique_id": record.record_id,
        "source": record.source,
        "first_name": first,
        "first_name_keys": name_keys(first) or None,
        "surname": surname,
        "surname_keys": name_keys(surname) or None,
        "alias_keys": aliases or None,
        "dob": dob,
        "dob_swapped": swapped,
        "dob_days": days,
        "birth_year": _birth_year(record),
        "sex": record.sex,
        "postcode": postcode,
        "postcode_district": postcode.split(" ")[0] if postcode else None,
        "address": normalise_address(record.address),
        "phone": e164(record.phone),
        "email": (record.email or "").strip().lower() or None,
        "identifier": identifier or None,
    }


def prepare_records(records: Sequence[PersonRecord]) -> dict[str, list[Any]]:
    """The prepared columns of ``records``, column by column (ready for Arrow)."""
    rows = [_prepared(r) for r in records]
    return {column: [row[column] for row in rows] for column in PREPARED_COLUMNS}


def _first_name() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="first_name",
        comparison_levels=[
            cll.NullLevel("first_name"),
            cll.ExactMatchLevel("first_name", term_frequency_adjustments=True),
            cll.ArrayIntersectLevel("first_name_keys", 1).configure(
                label_for_charts="spelling variant or familiar form"
            ),
            cll.JaroWinklerLevel("first_name", 0.92),
            cll.JaroWinklerLevel("first_name", 0.8),
            cll.ElseLevel(),
        ],
    )


def _surname() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            cll.NullLevel("surname"),
            cll.ExactMatchLevel("surname", term_frequency_adjustments=True),
            cll.ArrayIntersectLevel("surname_keys", 1).configure(
                label_for_charts="spelling variant"
            ),
            cll.DamerauLevenshteinLevel("surname", 1),
            cll.JaroWinklerLevel("surname", 0.88),
            cll.ElseLevel(),
        ],
    )


def _date_of_birth() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            cll.CustomLevel(
                "(birth_year_l IS NULL OR birth_year_r IS NULL)", "date of birth missing"
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel(
                "(dob_l = dob_swapped_r OR dob_swapped_l = dob_r)", "day and month swapped"
            ),
            cll.CustomLevel("abs(dob_days_l - dob_days_r) <= 62", "within two months"),
            cll.CustomLevel(
                "(substr(dob_l, 6, 5) = substr(dob_r, 6, 5) "
                "AND abs(birth_year_l - birth_year_r) = 1)",
                "same day, a year out",
            ),
            cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 1", "birth year within one"),
            cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 5", "birth year within five"),
            cll.ElseLevel(),
        ],
    )


def _place() -> cl.CustomComparison:
    """Where the person lives or can be reached, as one comparison: address, postcode and
    phone agree together for a household, so scoring them separately would count one piece
    of evidence (living together) three times."""
    return cl.CustomComparison(
        output_column_name="place",
        comparison_levels=[
            cll.CustomLevel(
                "((postcode_l IS NULL OR postcode_r IS NULL) AND "
                "(address_l IS NULL OR address_r IS NULL) AND "
                "(phone_l IS NULL OR phone_r IS NULL))",
                "no place to compare",
            ).configure(is_null_level=True),
            cll.CustomLevel(
                "(address_l = address_r OR phone_l = phone_r)", "same address or phone"
            ),
            cll.ExactMatchLevel("postcode").configure(label_for_charts="same postcode"),
            cll.ExactMatchLevel("postcode_district").configure(label_for_charts="same district"),
            cll.ElseLevel(),
        ],
    )


#: Optional comparisons, used only when the records hold the field.
_OPTIONAL_COMPARISONS: dict[str, Callable[[], Any]] = {
    "alias_keys": lambda: cl.ArrayIntersectAtSizes("alias_keys", [1]),
    "sex": lambda: cl.ExactMatch("sex"),
    "email": lambda: cl.ExactMatch("email"),
    "identifier": lambda: cl.ExactMatch("identifier"),
}


def comparisons_for(prepared: dict[str, list[Any]]) -> list[Any]:
    """The comparisons: names, date of birth and place always; the optional fields only
    where at least two records hold a value (a field nobody records cannot be trained)."""
    chosen: list[Any] = [_first_name(), _surname(), _date_of_birth(), _place()]
    for column, make in _OPTIONAL_COMPARISONS.items():
        if sum(v is not None for v in prepared[column]) >= 2:
            chosen.append(make())
    return chosen


#: Blocking rules for prediction: a pair is scored when it agrees on one of these. Together
#: they survive any single kind of noise and most pairs of them.
BLOCKING_RULES = (
    ("surname", "dob"),
    ("first_name", "dob"),
    ("first_name", "surname"),
    ("dob", "postcode"),
    ("surname", "postcode"),
    ("first_name", "postcode"),
    ("identifier",),
    ("phone", "birth_year"),
)


def _settings_with(comparisons: list[Any]) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in BLOCKING_RULES],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
    )


def settings(prepared: dict[str, list[Any]]) -> SettingsCreator:
    """The Splink settings for deduplicating ``prepared`` records."""
    return _settings_with(comparisons_for(prepared))


_ALL_COMPARISONS: dict[str, Callable[[], Any]] = {
    "first_name": _first_name,
    "surname": _surname,
    "date_of_birth": _date_of_birth,
    "place": _place,
    **_OPTIONAL_COMPARISONS,
}


def model_in_dialect(model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A trained model (Splink's settings dictionary) for a backend of another SQL dialect.
    Splink keeps each level's condition as SQL text in the dialect it was trained in (DuckDB
    quotes names with double quotes, which Spark reads as strings; function names differ), so
    the comparisons are rebuilt for ``dialect`` and the trained probabilities copied across."""
    if model.get("sql_dialect") in (None, dialect):
        return model
    names = [c["output_column_name"] for c in model["comparisons"]]
    unknown = [n for n in names if n not in _ALL_COMPARISONS]
    if unknown:
        raise ValueError(f"the model has comparisons this version does not know: {unknown}")
    target = _settings_with([_ALL_COMPARISONS[n]() for n in names]).create_settings_dict(dialect)
    for trained, rebuilt in zip(model["comparisons"], target["comparisons"], strict=True):
        if len(trained["comparison_levels"]) != len(rebuilt["comparison_levels"]):
            raise ValueError(f"the model's {trained['output_column_name']} levels differ")
        for old, new in zip(
            trained["comparison_levels"], rebuilt["comparison_levels"], strict=True
        ):
            for key in ("m_probability", "u_probability", "tf_minimum_u_value"):
                if old.get(key) is not None:
                    new[key] = old[key]
    target["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    target["sql_dialect"] = dialect
    return target


def training_plan() -> dict[str, Any]:
    """How the model is trained without labels: a prior from deterministic rules at an
    assumed recall, u from random pairs, then m by EM over two blockings that between them
    train every comparison."""
    return {
        "deterministic_rules": [
            "l.first_name = r.first_name AND l.surname = r.surname AND l.dob = r.dob",
            "l.identifier = r.identifier",
        ],
        "deterministic_recall": 0.7,
        "u_max_pairs": 1_000_000,
        "em_blockings": [("surname", "dob"), ("first_name", "postcode")],
    }
