"""The witness over HTTP: a small WSGI application, served multi-threaded by waitress.

    POST /add-checkpoint            C2SP tlog-witness (answers 200, 400, 403, 404, 409, 413, 422)
    GET  /checkpoint?origin=ORIGIN  the latest checkpoint this witness cosigned for ORIGIN,
                                    with the log's signature and this witness's cosignature
    GET  /vkey                      this witness's verifier key (cosignature/v1, type 0x04)

Request bodies are never logged; they are capped at :data:`MAX_REQUEST_BYTES`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from tocsin.witness._config import LOGS_FILE, STATE_DB, load_logs, load_witness_key
from tocsin.witness._core import Witness, WitnessResponse

__all__ = ["MAX_REQUEST_BYTES", "create_server", "make_app", "open_witness"]

MAX_REQUEST_BYTES = 64 * 1024
"""An add-checkpoint body: 64 lines of proof and a checkpoint with its signatures fit easily."""

_log = logging.getLogger("tocsin.witness")
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    411: "Length Required",
    413: "Content Too Large",
    422: "Unprocessable Content",
    500: "Internal Server Error",
}


def _read_body(environ: dict[str, Any], limit: int) -> bytes | WitnessResponse:
    raw_length = environ.get("CONTENT_LENGTH") or ""
    if not raw_length:
        stream = environ["wsgi.input"]
        body = stream.read(limit + 1)
    else:
        # WSGI decodes headers as Latin-1, where "²" and "³" are digits to str.isdigit but
        # not to int(): only ASCII digits are a length.
        if not raw_length.isascii() or not raw_length.isdigit():
            return WitnessResponse.text(400, "the Content-Length header is not a number")
        length = int(raw_length)
        if length > limit:
            return WitnessResponse.text(413, f"the request body is larger than {limit} bytes")
        body = environ["wsgi.input"].read(length)
    if len(body) > limit:
        return WitnessResponse.text(413, f"the request body is larger than {limit} bytes")
    return bytes(body)


def make_app(witness: Witness, *, max_body: int = MAX_REQUEST_BYTES) -> Callable[..., Any]:
    """The WSGI application serving ``witness``."""

    def route(environ: dict[str, Any]) -> WitnessResponse:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if path == "/add-checkpoint":
            if method != "POST":
                return WitnessResponse.text(405, "use POST for /add-checkpoint")
            body = _read_body(environ, max_body)
            if isinstance(body, WitnessResponse):
                return body
            return witness.add_checkpoint(body)
        if path == "/checkpoint":
            if method not in ("GET", "HEAD"):
                return WitnessResponse.text(405, "use GET for /checkpoint")
            origins = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=4).get("origin")
            if not origins or len(origins) != 1:
                return WitnessResponse.text(400, "give one log origin: /checkpoint?origin=...")
            latest = witness.latest(origins[0])
            if latest is None:
                return WitnessResponse.text(404, "this witness has cosigned nothing for that log")
            return WitnessResponse(200, "text/plain; charset=utf-8", latest[1].encode())
        if path == "/vkey":
            if method not in ("GET", "HEAD"):
                return WitnessResponse.text(405, "use GET for /vkey")
            return WitnessResponse.text(200, witness.signer.vkey)
        return WitnessResponse.text(404, "not found: this witness serves /add-checkpoint")

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            response = route(environ)
        except ValueError as exc:
            # e.g. a query string that parse_qs refuses; never a server error.
            response = WitnessResponse.text(400, f"bad request: {exc}")
        except Exception:
            _log.exception("the witness failed on a %s request", environ.get("REQUEST_METHOD"))
            response = WitnessResponse.text(500, "internal error; see the witness's log")
        headers = [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(response.body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        start_response(f"{response.status} {_REASONS.get(response.status, 'Error')}", headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else response.body]

    return app


def open_witness(state: Path, logs: Path | None = None) -> Witness:
    """A :class:`Witness` from a state folder (key and SQLite file) and a logs file
    (default ``<state>/logs.toml``). Raises ``WitnessConfigError`` when either is unusable."""
    signer = load_witness_key(state)
    known = load_logs(logs if logs is not None else state / LOGS_FILE)
    return Witness(state / STATE_DB, signer, known)


def create_server(
    witness: Witness, host: str = "127.0.0.1", port: int = 0, threads: int = 8
) -> Any:
    """A waitress server for ``witness`` (not yet running: call ``.run()``; ``.close()`` to stop).

    ``port=0`` picks a free port; read it from ``server.effective_port``.
    """
    from waitress import create_server as waitress_server

    return waitress_server(
        make_app(witness),
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=MAX_REQUEST_BYTES,
        ident="tocsin-witness",
        clear_untrusted_proxy_headers=True,
    )
