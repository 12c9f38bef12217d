"""Training with clerical labels (``train_with_labels``, ``blend_m``): confirmed pairs move the
model's m probabilities towards what they show, weighted against EM's estimate; rejections and
confirmations are scored by the result; a label naming an unknown record is refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tocsin.intel.linkage import (
    PRIOR_LABELS,
    LinkageInputError,
    PersonRecord,
    blend_m,
    load_model,
    train_with_labels,
)
from tocsin.server.people.default_model import DEFAULT_MODEL


def _levels(settings: dict[str, Any], name: str) -> list[float | None]:
    comparison = next(c for c in settings["comparisons"] if c["output_column_name"] == name)
    return [level.get("m_probability") for level in comparison["comparison_levels"]]


def test_blend_weighs_the_labels_against_em_by_their_number() -> None:
    em = {
        "comparisons": [
            {
                "output_column_name": "surname",
                "comparison_levels": [
                    {"m_probability": None},
                    {"m_probability": 0.5},
                    {"m_probability": 0.5},
                ],
            }
        ]
    }
    labelled = copy.deepcopy(em)
    labelled["comparisons"][0]["comparison_levels"][1]["m_probability"] = 1.0
    labelled["comparisons"][0]["comparison_levels"][2]["m_probability"] = 0.0
    blended = blend_m(em, labelled, PRIOR_LABELS)  # as many labels as EM counts for: halfway
    assert _levels(blended, "surname") == [None, 0.75, 0.25]
    few = blend_m(em, labelled, PRIOR_LABELS // 4)
    assert _levels(few, "surname") == [None, pytest.approx(0.6), pytest.approx(0.4)]
    assert _levels(em, "surname") == [None, 0.5, 0.5]  # the input is left alone


def _girl(record_id: str, first: str, surname: str, born: str, postcode: str) -> PersonRecord:
    return PersonRecord(
        record_id=record_id,
        source=f"child:{record_id[:1]}",
        first_name=first,
        surname=surname,
        date_of_birth=born,
        sex="F",
        postcode=postcode,
        middle_names=None,
        aliases=(),
        approximate_age=None,
        address=None,
        phone=None,
        email=None,
        identifier=None,
        recorded_on=None,
    )


RECORDS = [
    _girl("a1", "Zuleika", "Brightwater", "2011-03-04", "ZZ1 4QX"),
    _girl("b1", "Zuleyka", "Brightwatter", "2011-03-04", "ZZ1 4QX"),
    _girl("a2", "Maryam", "Oyelaran", "2010-07-19", "ZZ2 1AB"),
    _girl("b2", "Mariam", "Oyelaran", "2010-07-19", "ZZ9 9ZZ"),
    _girl("a3", "Ffion", "Quillfeather", "2012-01-30", "ZZ3 3CC"),
    _girl("b3", "Ffion", "Quillfeather", "2009-05-02", "ZZ3 3CC"),
]


def test_labels_move_the_model_from_the_one_in_use_when_records_are_few() -> None:
    base = load_model(DEFAULT_MODEL)
    labels = [("a1", "b1", True), ("a2", "b2", True), ("a3", "b3", False)]
    trained = train_with_labels(RECORDS, labels, base=base)
    before, after = base["settings"], trained.model["settings"]
    assert trained.diagnostics["em"].startswith("too few records")
    assert trained.diagnostics["labels"]["confirmed"] == 2
    assert trained.diagnostics["labels"]["rejected"] == 1
    # Both confirmed pairs agree exactly on date of birth: that level's m rises.
    assert _levels(after, "date_of_birth")[1] > _levels(before, "date_of_birth")[1]
    unlabelled = train_with_labels(RECORDS, [("a3", "b3", False)], base=base)
    assert _levels(unlabelled.model["settings"], "date_of_birth") == _levels(
        before, "date_of_birth"
    )


def test_a_label_naming_an_unknown_record_is_refused() -> None:
    with pytest.raises(LinkageInputError, match="'zz'"):
        train_with_labels(RECORDS, [("a1", "zz", True)], base=load_model(DEFAULT_MODEL))


def test_too_few_records_and_no_model_in_use_is_refused() -> None:
    with pytest.raises(LinkageInputError):
        train_with_labels(RECORDS, [])
