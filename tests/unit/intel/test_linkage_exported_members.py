"""The public surface of tocsin.intel.linkage is pinned: adding or removing a name is a decision."""

from __future__ import annotations

import tocsin.intel.linkage


def test_public_names_are_pinned() -> None:
    assert sorted(tocsin.intel.linkage.__all__, key=str.lower) == sorted(
        [
            "Accuracy",
            "BACKENDS",
            "Backend",
            "ClusterAssignment",
            "DEFAULT_THRESHOLD",
            "DuckDBBackend",
            "KnownRegistrations",
            "LinkageInputError",
            "LinkageResult",
            "MODEL_FORMAT",
            "NAME_VARIANTS_VERSION",
            "OPTIONAL_COLUMNS",
            "PERSON_COLUMNS",
            "PRIOR_LABELS",
            "PersonIndex",
            "PersonRecord",
            "REQUIRED_COLUMNS",
            "REVIEW_THRESHOLD",
            "STAGES",
            "ScoredPair",
            "SparkBackend",
            "accuracy",
            "blend_m",
            "train_with_labels",
            "address_key",
            "e164",
            "is_partial_registration",
            "link_records",
            "load_model",
            "make_backend",
            "name_keys",
            "normalise_address",
            "normalise_name",
            "normalise_postcode",
            "normalise_registration",
            "read_person_csv",
            "records_from_simulation",
            "registration_candidates",
            "save_model",
            "transliterate",
            "validate_person_rows",
        ],
        key=str.lower,
    )


def test_every_public_name_is_documented() -> None:
    for name in tocsin.intel.linkage.__all__:
        member = getattr(tocsin.intel.linkage, name)
        if callable(member):
            assert member.__doc__, f"{name} has no docstring"
