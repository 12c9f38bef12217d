"""tocsin serve: the web server (waitress)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management.base import CommandParser

from tocsin.server.cli.base import TocsinCommand

logger = logging.getLogger("tocsin.worker")


def _checkpoint_worker(interval: int, stop: threading.Event) -> None:
    """Every ``interval`` seconds, sign and publish a checkpoint if the ledger has grown."""
    from django.db import close_old_connections

    from tocsin.server.ledger.checkpoints import CheckpointRefused, publish

    while not stop.wait(interval):
        try:
            checkpoint, new, answers = publish()
        except CheckpointRefused as exc:
            # Refusing is the point: a rewritten history must never be signed. Say so loudly.
            logger.error("checkpoint refused: %s", exc)
        except Exception:  # a worker must outlive one bad round (a database restart, say)
            logger.exception("checkpoint publishing failed; will retry")
        else:
            if new:
                logger.warning(
                    "checkpoint signed at size %d; witnesses: %s",
                    checkpoint.size,
                    ", ".join(f"{a.url} {a.detail}" for a in answers) or "none configured",
                )
        finally:
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
    try:
        serve(application, host=host, port=port, threads=8, ident="tocsin")
    finally:
        stop.set()


class Command(TocsinCommand):
    help = (
        "Serve Tocsin over HTTP with waitress (put a TLS-terminating proxy in front), with the "
        "worker that signs and publishes checkpoints every TOCSIN_CHECKPOINT_INTERVAL seconds "
        "when the ledger has grown."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
        )
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Tocsin on http://{options['host']}:{options['port']}/ (Ctrl-C stops)")
        serve_forever(options["host"], options["port"])
