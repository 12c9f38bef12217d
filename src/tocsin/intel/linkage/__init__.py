"""Record linkage: one record per person across agencies (issue 15).

Person records (:data:`PERSON_COLUMNS`, read by :func:`read_person_csv`) are normalised
(case, punctuation, transliteration, name variants from a maintained table), scored pairwise by
a Splink 5 model trained without labels, and clustered at a threshold by :func:`link_records`.
DuckDB is the default backend; Spark (``pyspark``, local mode) the one for national scale.
Vehicles, phones and places are normalised by pure functions. See docs/linkage.md.
"""

from tocsin.intel.linkage._backends import (
    BACKENDS,
    Backend,
    DuckDBBackend,
    SparkBackend,
    make_backend,
)
from tocsin.intel.linkage._evaluate import Accuracy, accuracy, records_from_simulation
from tocsin.intel.linkage._index import PersonIndex
from tocsin.intel.linkage._link import (
    DEFAULT_THRESHOLD,
    MODEL_FORMAT,
    REVIEW_THRESHOLD,
    STAGES,
    ClusterAssignment,
    LinkageResult,
    ScoredPair,
    link_records,
    load_model,
    save_model,
)
from tocsin.intel.linkage._normalise import (
    NAME_VARIANTS_VERSION,
    KnownRegistrations,
    address_key,
    e164,
    is_partial_registration,
    name_keys,
    normalise_address,
    normalise_name,
    normalise_postcode,
    normalise_registration,
    registration_candidates,
    transliterate,
)
from tocsin.intel.linkage._schema import (
    OPTIONAL_COLUMNS,
    PERSON_COLUMNS,
    REQUIRED_COLUMNS,
    LinkageInputError,
    PersonRecord,
    read_person_csv,
    validate_person_rows,
)
from tocsin.intel.linkage._train import PRIOR_LABELS, blend_m, train_with_labels

__all__ = [
    "BACKENDS",
    "DEFAULT_THRESHOLD",
    "MODEL_FORMAT",
    "NAME_VARIANTS_VERSION",
    "OPTIONAL_COLUMNS",
    "PERSON_COLUMNS",
    "PRIOR_LABELS",
    "REQUIRED_COLUMNS",
    "REVIEW_THRESHOLD",
    "STAGES",
    "Accuracy",
    "Backend",
    "ClusterAssignment",
    "DuckDBBackend",
    "KnownRegistrations",
    "LinkageInputError",
    "LinkageResult",
    "PersonIndex",
    "PersonRecord",
    "ScoredPair",
    "SparkBackend",
    "accuracy",
    "address_key",
    "blend_m",
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
    "train_with_labels",
    "transliterate",
    "validate_person_rows",
]
