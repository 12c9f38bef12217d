"""The oversight body's witness: C2SP tlog-witness over HTTP, standalone; and the client the
log uses to talk to one (:class:`WitnessClient`).

It holds only checkpoints (never entries), checks each new checkpoint of a known log against
the last one it cosigned with a consistency proof, and answers with a ``cosignature/v1``.
It has its own state folder and SQLite file and imports nothing from Django or Tocsin's
server, so it can run on a machine the log's operator does not control.

Errors raised here::

    ValueError
    └── WitnessConfigError   the state folder, key or logs file is missing or wrong
"""

from tocsin.witness._client import WitnessClient, WitnessReply
from tocsin.witness._config import (
    KEY_FILE,
    LOGS_FILE,
    STATE_DB,
    VKEY_FILE,
    KnownLog,
    WitnessConfigError,
    init_witness,
    load_logs,
    load_witness_key,
)
from tocsin.witness._core import (
    MAX_PROOF_LINES,
    TLOG_SIZE_CONTENT_TYPE,
    Witness,
    WitnessResponse,
    parse_add_checkpoint,
)
from tocsin.witness._http import MAX_REQUEST_BYTES, create_server, make_app, open_witness

__all__ = [
    "KEY_FILE",
    "LOGS_FILE",
    "MAX_PROOF_LINES",
    "MAX_REQUEST_BYTES",
    "STATE_DB",
    "TLOG_SIZE_CONTENT_TYPE",
    "VKEY_FILE",
    "KnownLog",
    "Witness",
    "WitnessClient",
    "WitnessConfigError",
    "WitnessReply",
    "WitnessResponse",
    "create_server",
    "init_witness",
    "load_logs",
    "load_witness_key",
    "make_app",
    "open_witness",
    "parse_add_checkpoint",
]
