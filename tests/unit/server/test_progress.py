"""The shared progress of long commands: plain lines on a stream that is not a terminal, every
few seconds, with the count, the share, the time so far and the time left; nothing for a
command shorter than the interval."""

from __future__ import annotations

import io
import time

from tocsin.server.cli.progress import (
    PlainProgress,
    command_progress,
    format_duration,
    simulation_progress,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_durations_read_plainly() -> None:
    assert format_duration(0.4) == "0 s"
    assert format_duration(59) == "59 s"
    assert format_duration(118) == "1 min 58 s"
    assert format_duration(120) == "2 min"
    assert format_duration(2 * 3600 + 5 * 60 + 10) == "2 h 5 min"


def test_a_line_every_interval_with_the_count_and_the_time_left() -> None:
    clock, out = Clock(), io.StringIO()
    progress = PlainProgress("tocsin demo", out, interval=5.0, clock=clock)
    progress("concerns", 0, 1000)
    clock.now += 2
    progress("concerns", 100, 1000)
    assert out.getvalue() == ""  # nothing within the first interval
    clock.now += 3
    progress("concerns", 250, 1000)
    clock.now += 1
    progress("concerns", 300, 1000)
    lines = out.getvalue().splitlines()
    assert lines == ["tocsin demo: concerns 250 of 1,000 (25%); 5 s so far, about 15 s left"]
    clock.now += 14
    progress("concerns", 1000, 1000)
    assert (
        out.getvalue().splitlines()[-1]
        == "tocsin demo: concerns 1,000 of 1,000 (100%); 20 s so far, done"
    )


def test_a_short_command_prints_nothing() -> None:
    clock, out = Clock(), io.StringIO()
    progress = PlainProgress("tocsin verify", out, interval=5.0, clock=clock)
    progress("events", 0, 10)
    clock.now += 1
    progress("events", 10, 10)
    assert out.getvalue() == ""


def test_each_phase_has_its_own_count_and_a_phase_without_a_total_shows_its_count() -> None:
    clock, out = Clock(), io.StringIO()
    progress = PlainProgress("tocsin escalate", out, interval=0.0, clock=clock)
    progress("replaying", 10, 0)
    clock.now += 70
    progress("obligations", 3, 6)
    assert out.getvalue().splitlines() == [
        "tocsin escalate: replaying 10; 0 s so far",
        "tocsin escalate: obligations 3 of 6 (50%); 0 s so far",
    ]


def test_the_ticker_writes_while_a_step_is_slow() -> None:
    out = io.StringIO()
    with command_progress("tocsin simulate", stream=out, terminal=False, interval=0.05) as progress:
        progress("simulating", 1, 8)
        time.sleep(0.3)
    assert "tocsin simulate: simulating 1 of 8 (12%)" in out.getvalue()


def test_a_terminal_gets_bars_that_go_when_the_command_ends() -> None:
    out = io.StringIO()
    with command_progress("tocsin verify", stream=out, terminal=True) as progress:
        progress("events", 5, 10)
        progress("events", 10, 10)
    assert "tocsin verify:" not in out.getvalue()


def test_the_simulation_is_counted_in_hundredths_weighted_by_stage() -> None:
    from tocsin.simulate import STAGES

    reports: list[tuple[str, int, int]] = []
    update = simulation_progress(lambda *report: reports.append(report))
    for index, stage in enumerate(STAGES):
        update(stage, index, len(STAGES))
    update("done", len(STAGES), len(STAGES))
    counts = [done for _, done, _ in reports]
    assert counts[0] == 0 and counts[-1] == 100 and counts == sorted(counts)
    assert {phase for phase, _, _ in reports} == {"simulating"}
    assert {total for _, _, total in reports} == {100}
    # The registers take about half the work: the bar jumps across them, not across "truth".
    registers = STAGES.index("registers")
    assert counts[registers + 1] - counts[registers] > 40
