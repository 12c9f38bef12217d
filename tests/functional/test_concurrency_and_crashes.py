"""Several processes appending at once never leave a gap, a duplicate or a fork; killing a
writer with SIGKILL at any moment leaves a ledger that verifies and holds every event the
writer reported as committed. Both run against SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
import signal
import threading
import time
from typing import Any

import pytest

from tests.functional.conftest import Cli
from tocsin.ledger import Envelope

pytestmark = pytest.mark.slow

WRITERS = 4
EVENTS_EACH = 30


def test_concurrent_writers_in_several_processes_leave_a_dense_verifiable_ledger(cli: Cli) -> None:
    writers = [
        cli.popen(
            "bench",
            "ledger",
            "--events",
            str(EVENTS_EACH),
            "--no-baseline",
            "--block",
            "5",
            "--report-committed",
        )
        for _ in range(WRITERS)
    ]
    reported: list[int] = []
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        reported += [int(line.split()[1]) for line in out.splitlines()]
    total = WRITERS * EVENTS_EACH
    assert sorted(reported) == list(range(total)), "each event got its own sequence number"
    leaves = json.loads(cli.run("ledger", "leaves", "--json").stdout)["leaves"]
    import base64

    seqs = [Envelope.parse(base64.b64decode(leaf)).seq for leaf in leaves]
    assert seqs == list(range(total))
    report = json.loads(cli.run("verify", "--json").stdout)
    assert report["ok"], report["problems"]
    assert report["size"] == total


KILLS = 10


def test_sigkill_at_random_moments_never_loses_a_committed_event(cli: Cli) -> None:
    chance = random.Random(20261129)  # fixed, so a failure can be replayed
    last_size = 0
    for attempt in range(KILLS):
        writer = cli.popen(
            "bench",
            "ledger",
            "--events",
            "100000",
            "--no-baseline",
            "--block",
            "50",
            "--report-committed",
        )
        committed: list[int] = []

        def read(stream=writer.stdout, sink=committed) -> None:  # type: ignore[no-untyped-def]
            for line in stream:
                if line.startswith("committed "):
                    sink.append(int(line.split()[1]))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        # Wait for the writer to be appending, then kill it at a random moment.
        deadline = time.monotonic() + 60
        while not committed and time.monotonic() < deadline and writer.poll() is None:
            time.sleep(0.02)
        assert committed, f"attempt {attempt}: the writer never committed"
        time.sleep(chance.uniform(0.0, 0.8))
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        reader.join(timeout=10)
        for stream in (writer.stdout, writer.stderr):
            if stream is not None:
                stream.close()
        report = json.loads(cli.run("verify", "--json").stdout)
        assert report["ok"], f"attempt {attempt}: {report['problems'][:5]}"
        assert report["size"] >= max(committed) + 1, (
            f"attempt {attempt}: the writer reported seq {max(committed)} committed but the "
            f"ledger holds {report['size']} events"
        )
        assert report["size"] >= last_size
        last_size = report["size"]


def test_a_ledger_being_appended_to_verifies_as_of_one_moment(cli: Cli) -> None:
    """tocsin verify reads one snapshot: appends made while it runs are not tampering."""
    cli.run("migrate", "-v", "0")
    cli.run("bench", "ledger", "--events", "200", "--no-baseline")
    writer = cli.popen("bench", "ledger", "--events", "3000", "--no-baseline")
    try:
        sizes = []
        while writer.poll() is None and len(sizes) < 4:
            report = json.loads(cli.run("verify", "--json", check=False).stdout)
            assert report["ok"], report["problems"][:5]
            sizes.append(report["size"])
    finally:
        writer.communicate(timeout=300)
    assert writer.returncode == 0
    assert sizes and sizes[0] < 3200, "the writer finished before verify could overlap it"


# --- no race on new children ------------------------------------------------------------------

RECORDERS = 6
ROUNDS = 3


def _nhs_number(seed: int) -> str:
    """A valid NHS number (modulus 11) made from ``seed``, different for each round."""
    for base in range(seed * 1000, seed * 1000 + 1000):
        digits = f"{900000000 + base:09d}"
        check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return digits + str(check)
    raise AssertionError("unreachable")


def _in_tocsin(env: dict[str, str]) -> None:
    """Set this (spawned) process up as Tocsin on the test's own database."""
    import os

    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tocsin.server.settings"
    import django

    django.setup()


def _register_agency(env: dict[str, str], answers: Any) -> None:
    _in_tocsin(env)
    from tocsin.server.actors import SystemActor
    from tocsin.server.directory.actions import do_register_agency

    answers.put(
        str(do_register_agency("Northgate Council", "council", actor=SystemActor("test")).pk)
    )


def _record_about_the_same_new_child(
    env: dict[str, str], agency_id: str, start: Any, answers: Any, worker: int
) -> None:
    _in_tocsin(env)
    from datetime import date

    from tocsin.domain.concerns import ChildDraft, ConcernDraft, language_warning_count
    from tocsin.server.actors import SystemActor
    from tocsin.server.concerns.actions import do_record_concern
    from tocsin.server.concerns.models import Child
    from tocsin.server.directory.models import Agency

    agency = Agency.objects.get(pk=agency_id)
    for round_ in range(ROUNDS):
        draft = ConcernDraft(
            children=[ChildDraft(given_name="Amara", nhs_number=_nhs_number(round_))],
            narrative=f"Seen getting into a car after school (worker {worker}).",
        )
        # Everything slow happens before the barrier (the connection, the phrase table), so
        # that the recorders reach the lookup together.
        Child.objects.filter(nhs_number="").exists()
        language_warning_count(draft)
        start.wait(timeout=120)
        try:
            recorded = do_record_concern(
                draft, actor=SystemActor("test"), agency=agency, today=date(2026, 11, 29)
            )
        except Exception as exc:  # reported to the test, which fails on it
            answers.put((round_, worker, "failed", f"{type(exc).__name__}: {exc}"))
        else:
            answers.put((round_, worker, "recorded", str(recorded.concern.pk)))


def _children_by_nhs_number(env: dict[str, str], answers: Any) -> None:
    _in_tocsin(env)
    from tocsin.server.concerns.models import Child, ConcernChild

    answers.put(
        (
            sorted(Child.objects.values_list("nhs_number", flat=True)),
            sorted(ConcernChild.objects.values_list("child__nhs_number", flat=True)),
        )
    )


def _in_a_process(ctx: Any, target: Any, *args: Any) -> Any:
    answers = ctx.Queue()
    process = ctx.Process(target=target, args=(*args, answers))
    process.start()
    answer = answers.get(timeout=120)
    process.join(timeout=60)
    assert process.exitcode == 0
    return answer


def test_recorders_in_several_processes_about_one_new_child_leave_one_child_record(
    cli: Cli,
) -> None:
    """Each round, several processes record a concern about the same child, new to Tocsin, at
    the same moment: exactly one child record is made, and every concern is linked to it."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    agency_id = _in_a_process(ctx, _register_agency, cli.env)
    start = ctx.Barrier(RECORDERS)
    answers = ctx.Queue()
    recorders = [
        ctx.Process(
            target=_record_about_the_same_new_child,
            args=(cli.env, agency_id, start, answers, worker),
        )
        for worker in range(RECORDERS)
    ]
    for recorder in recorders:
        recorder.start()
    outcomes = [answers.get(timeout=300) for _ in range(RECORDERS * ROUNDS)]
    for recorder in recorders:
        recorder.join(timeout=60)
        assert recorder.exitcode == 0
    failures = [outcome for outcome in outcomes if outcome[2] != "recorded"]
    assert not failures, f"recording failed: {failures}"
    children, links = _in_a_process(ctx, _children_by_nhs_number, cli.env)
    numbers = [_nhs_number(round_) for round_ in range(ROUNDS)]
    assert children == numbers, (
        f"one child record for each child, however many recorded at once: {len(children)} "
        f"records for {len(numbers)} children"
    )
    assert links == sorted(numbers * RECORDERS)
