"""tocsin serve: the web server (waitress)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
from typing import Any

from django.core.management.base import CommandParser

from tocsin.server.cli.base import TocsinCommand, UsageError

logger = logging.getLogger("tocsin.worker")
_last_resent = [""]


def publish_round() -> str:
    """One round of the checkpoint worker: publish if the ledger grew; say what happened.

    Never raises: a worker must outlive one bad round (a database restart, say), and a refusal
    (a rewritten history, which must never be signed) is logged as an error for people to see.
    """
    from tocsin.server.ledger.checkpoints import (
        CheckpointRefused,
        latest_checkpoint,
        publish,
        publishing_due,
    )

    try:
        if not publishing_due():
            checkpoint = latest_checkpoint()
            return f"unchanged at size {checkpoint.size if checkpoint else 0}"
        checkpoint, new, answers = publish()
    except CheckpointRefused as exc:
        logger.error("checkpoint refused: %s", exc)
        return f"refused: {exc}"
    except Exception:
        logger.exception("checkpoint publishing failed; will retry")
        return "failed"
    witnesses = ", ".join(f"{a.url} {a.detail}" for a in answers) or "none configured"
    if not new:
        # A witness that stays unreachable is retried every round: say so when it changes.
        if answers and witnesses != _last_resent[0]:
            logger.warning(
                "checkpoint at size %d sent again; witnesses: %s", checkpoint.size, witnesses
            )
        _last_resent[0] = witnesses
        return f"unchanged at size {checkpoint.size}"
    logger.info("checkpoint signed at size %d; witnesses: %s", checkpoint.size, witnesses)
    return f"signed at size {checkpoint.size}"


#: How long the worker waits after a write before signing, to cover a burst of writes at once.
DEBOUNCE_SECONDS = 1.0


def _checkpoint_worker(interval: int, stop: threading.Event) -> None:
    """Sign and publish a checkpoint about a second after a write through this process, and
    every ``interval`` seconds when another process has grown the ledger or a witness has not
    cosigned the newest checkpoint yet."""
    from django.db import close_old_connections

    from tocsin.server.ledger.recording import LEDGER_GREW

    while not stop.is_set():
        LEDGER_GREW.wait(interval)
        LEDGER_GREW.clear()
        if stop.wait(min(DEBOUNCE_SECONDS, interval)):
            break
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
    _profile_round()
    if result.escalations or result.notify_failed:
        logger.warning(
            "clocks: %d escalations appended; notifications: %d sent, %d failed, %d waiting",
            len(result.escalations),
            result.notified,
            result.notify_failed,
            result.notify_waiting,
        )
    return f"{len(result.escalations)} escalated, {result.open} open"


def _profile_round() -> None:
    """Compute and store the statistics at the newest checkpoint (the page's default period and
    the profiles' trend period), then make the problem profile the clocks policy's [profiles]
    schedule wants, if one is due (docs/statistics.md). Never raises: a failure is logged and
    tried again next round."""
    from tocsin.server.clocks.sweep import clocks_policy
    from tocsin.server.register.profiles import run_profile_schedule
    from tocsin.server.statistics.reading import store_statistics

    try:
        spec = clocks_policy().profiles
        store_statistics(("quarter", spec.trend_period) if spec else ("quarter",))
        made = run_profile_schedule()
    except Exception:
        logger.exception("making the scheduled problem profile failed; will retry")
        return
    if made is not None:
        logger.warning("problem profile %s made and registered", made.label)


def _clocks_worker(interval: int, stop: threading.Event) -> None:
    """Every ``interval`` seconds, run the clocks (``tocsin escalate``)."""
    from django.db import close_old_connections

    while not stop.wait(interval):
        clocks_round()
        close_old_connections()


def default_processes(vendor: str, cpus: int | None = None) -> int:
    """Worker processes by database: SQLite takes one writer at a time, and its lock is
    cheapest to share between threads of one process, so one; PostgreSQL runs statements side
    by side, so one per core (at least two), each with its own interpreter and GIL."""
    if vendor == "sqlite":
        return 1
    return max(2, cpus if cpus is not None else (os.cpu_count() or 1))


#: Threads per worker process. waitress answers each request on one of these; a request
#: waiting on the database releases the GIL, so a few more threads than cores pay.
DEFAULT_THREADS = 8


def _warm_people_index() -> None:
    """Load the linkage model and build the person index once, at start, so that the first
    page checking who is already known does not wait for them (seconds on a busy machine)."""
    from django.db import connection

    from tocsin.server.people.known import known_index

    try:
        known_index()
    except Exception:  # a page builds it again, and says what went wrong there
        logging.getLogger(__name__).exception("could not build the person index at start")
    finally:
        connection.close()


def _start_workers(stop: threading.Event) -> None:
    from django.conf import settings

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


def serve_forever(
    host: str,
    port: int,
    *,
    worker: bool = True,
    threads: int = DEFAULT_THREADS,
    processes: int = 1,
) -> None:
    """Serve Tocsin's WSGI application until interrupted, with the checkpoint and clocks
    workers: in this process with ``threads`` threads, or in ``processes`` forked worker
    processes sharing one listening socket (the first of them runs the workers)."""
    from waitress import serve

    from tocsin.server.wsgi import application

    if processes <= 1:
        stop = threading.Event()
        threading.Thread(target=_warm_people_index, name="tocsin-people-index", daemon=True).start()
        if worker:
            _start_workers(stop)
        try:
            serve(application, host=host, port=port, threads=threads, ident="tocsin")
        finally:
            stop.set()
        return
    _serve_forked(host, port, worker=worker, threads=threads, processes=processes)


def _serve_forked(host: str, port: int, *, worker: bool, threads: int, processes: int) -> None:
    """Fork ``processes`` waitress servers on one socket; restart any that dies; stop them all
    on SIGTERM or Ctrl-C. The parent only supervises (it starts no threads, so forking again
    is safe)."""
    from django.db import connections
    from waitress import serve

    from tocsin.server.wsgi import application

    listening = socket.create_server((host, port), backlog=1024)
    connections.close_all()  # a connection must never be shared across a fork
    children: dict[int, int] = {}  # pid -> slot

    def spawn(slot: int) -> None:
        pid = os.fork()
        if pid:
            children[pid] = slot
            return
        status = 0
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            stop = threading.Event()
            threading.Thread(
                target=_warm_people_index, name="tocsin-people-index", daemon=True
            ).start()
            if worker and slot == 0:
                _start_workers(stop)
            serve(application, sockets=[listening], threads=threads, ident="tocsin")
        except BaseException:
            logger.exception("worker process %d stopped", os.getpid())
            status = 1
        finally:
            os._exit(status)

    stopping = [False]

    def stop_all(signum: int, frame: object) -> None:
        stopping[0] = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {s: signal.signal(s, stop_all) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for slot in range(processes):
            spawn(slot)
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries
                continue
            if pid not in children:
                continue
            slot = children.pop(pid)
            if not stopping[0]:
                logger.warning("worker process %d ended (status %d); starting another", pid, status)
                time.sleep(1)
                spawn(slot)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        listening.close()


class Command(TocsinCommand):
    help = (
        "Serve Tocsin over HTTP with waitress (put a TLS-terminating proxy in front), with the "
        "worker that signs a checkpoint and sends it to the witnesses within seconds of every "
        "write (at most TOCSIN_CHECKPOINT_INTERVAL seconds after it), and the clocks worker "
        "that runs `tocsin escalate` every TOCSIN_CLOCKS_INTERVAL seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
        )
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument(
            "--processes",
            type=int,
            default=None,
            help="worker processes sharing the port (default: 1 on SQLite; on PostgreSQL one "
            "per core, at least 2)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=DEFAULT_THREADS,
            help=f"threads per worker process (default {DEFAULT_THREADS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import connection

        if options["processes"] is not None and options["processes"] < 1:
            raise UsageError("--processes must be at least 1")
        if options["threads"] < 1:
            raise UsageError("--threads must be at least 1")
        processes = options["processes"] or default_processes(connection.vendor)
        self.stdout.write(
            f"Tocsin on http://{options['host']}:{options['port']}/ ({processes} "
            f"process{'es' if processes > 1 else ''} of {options['threads']} threads, "
            f"{connection.vendor}; Ctrl-C stops)"
        )
        serve_forever(
            options["host"], options["port"], threads=options["threads"], processes=processes
        )
