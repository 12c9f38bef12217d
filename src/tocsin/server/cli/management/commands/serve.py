"""tocsin serve: the web server (waitress)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management.base import CommandParser

from tocsin.server.cli.base import TocsinCommand

logger = logging.getLogger("tocsin.worker")


def publish_round() -> str:
    """One round of the checkpoint worker: publish if the ledger grew; say what happened.

    Never raises: a worker must outlive one bad round (a database restart, say), and a refusal
    (a rewritten history, which must never be signed) is logged as an error for people to see.
    """
    from tocsin.server.ledger.checkpoints import CheckpointRefused, publish

    try:
        checkpoint, new, answers = publish()
    except CheckpointRefused as exc:
        logger.error("checkpoint refused: %s", exc)
        return f"refused: {exc}"
    except Exception:
        logger.exception("checkpoint publishing failed; will retry")
        return "failed"
    if not new:
        return f"unchanged at size {checkpoint.size}"
    witnesses = ", ".join(f"{a.url} {a.detail}" for a in answers) or "none configured"
    logger.warning("checkpoint signed at size %d; witnesses: %s", checkpoint.size, witnesses)
    return f"signed at size {checkpoint.size}"


def _checkpoint_worker(interval: int, stop: threading.Event) -> None:
    """Every ``interval`` seconds, sign and publish a checkpoint if the ledger has grown."""
    from django.db import close_old_connections

    while not stop.wait(interval):
        publish_round()
        close_old_connections()


def clocks_round() -> str:
    """One round of the clocks worker: sweep, and say what happened. Never raises."""
    from tocsin.server.clocks.sweep import sweep

    try:
        result = sweep()
    except Exception:
        logger.exception("the clocks sweep failed; will retry")
        return "failed"
    if result.escalations:
        logger.warning(
            "clocks: %d escalations appended, %d notifications sent",
            len(result.escalations),
            result.notified,
        )
    return f"{len(result.escalations)} escalated, {result.open} open"


def _clocks_worker(interval: int, stop: threading.Event) -> None:
    """Every ``interval`` seconds, run the clocks (``tocsin escalate``)."""
    from django.db import close_old_connections

    while not stop.wait(interval):
        clocks_round()
        close_old_connections()


def serve_forever(host: str, port: int, *, worker: bool = True) -> None:
    """Serve Tocsin's WSGI application until interrupted, with the checkpoint worker."""
    from django.conf import settings
    from waitress import serve

    from tocsin.server.wsgi import application

    stop = threading.Event()
    if worker:
        threading.Thread(
            target=_checkpoint_worker,
            args=(settings.TOCSIN_CHECKPOINT_INTERVAL, stop),
            name="tocsin-checkpoints",
            daemon=True,
        ).start()
        threading.Thread(
            target=_clocks_worker,
            args=(settings.TOCSIN_CLOCKS_INTERVAL, stop),
            name="tocsin-clocks",
            daemon=True,
        ).start()
    try:
        serve(application, host=host, port=port, threads=8, ident="tocsin")
    finally:
        stop.set()


class Command(TocsinCommand):
    help = (
        "Serve Tocsin over HTTP with waitress (put a TLS-terminating proxy in front), with the "
        "worker that signs and publishes checkpoints every TOCSIN_CHECKPOINT_INTERVAL seconds "
        "when the ledger has grown, and the clocks worker that runs `tocsin escalate` every "
        "TOCSIN_CLOCKS_INTERVAL seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
        )
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Tocsin on http://{options['host']}:{options['port']}/ (Ctrl-C stops)")
        serve_forever(options["host"], options["port"])
