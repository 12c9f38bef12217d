"""Progress for long commands, one way everywhere: ``with command_progress("demo") as progress``
gives a ``progress(phase, done, total)`` callback.

- On a terminal (standard error), rich draws one bar per phase with its count, the share done,
  the time spent and an estimate of the time left; the bars go when the command ends.
- Otherwise (a pipe, a log file, CI) a plain line goes to standard error every
  ``TOCSIN_PROGRESS_INTERVAL`` seconds while a phase runs (``tocsin demo: concerns 4,200 of
  28,650 (15%); 21 s so far, about 1 min 58 s left``), and one more when each phase that has
  been reported ends; a command shorter than the interval prints nothing. A background
  ticker keeps the lines coming while one step of a phase takes longer than the interval.

The lines carry phase names and counts only, never a record's content. ``total`` may be 0 when
a phase does not know its size yet: the count is shown without a share or an estimate.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

__all__ = [
    "PlainProgress",
    "Progress",
    "command_progress",
    "format_duration",
    "simulation_progress",
]

#: Called as ``progress(phase, done, total)`` by anything long a command runs.
Progress = Callable[[str, int, int], None]

#: Seconds between plain lines when the setting is not available (outside Django).
DEFAULT_INTERVAL = 5.0


def format_duration(seconds: float) -> str:
    """``4 s``, ``1 min 58 s``, ``2 h 5 min``: short, and plain in a log."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@dataclass
class _Phase:
    name: str
    started: float
    done: int = 0
    total: int = 0
    #: the count and time when the estimate's rate starts (the phase's first report).
    first_done: int = 0
    shown: bool = False
    finished: bool = False


class PlainProgress:
    """The plain-line reporter: call it as a :data:`Progress`; :meth:`start` and :meth:`stop`
    run the ticker that writes a line while a step takes longer than ``interval``
    (``interval`` 0 writes a line on every report and runs no ticker). ``clock`` is for tests."""

    def __init__(
        self,
        label: str,
        stream: TextIO,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self._phases: dict[str, _Phase] = {}
        self._current: _Phase | None = None
        self._began = clock()
        self._last_line = self._began
        self._spoken = False
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._ticker: threading.Thread | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = self.clock()
        with self._lock:
            state = self._phases.get(phase)
            if state is None:
                state = self._phases[phase] = _Phase(phase, now, done, total, first_done=done)
            state.done, state.total = done, max(total, 0)
            self._current = state
            ending = state.total > 0 and done >= state.total and not state.finished
            if ending:
                state.finished = True
            # The end of a phase is told once anything has been: the log then shows each
            # phase closing, and a short command stays silent.
            if (ending and self._spoken) or now - self._last_line >= self.interval:
                self._write(state, now)

    def _write(self, state: _Phase, now: float) -> None:
        self.stream.write(self.line(state, now) + "\n")
        self.stream.flush()
        self._last_line = now
        self._spoken = state.shown = True

    def line(self, state: _Phase, now: float) -> str:
        """One phase's line: its count, its share, the time so far and the time left."""
        elapsed = now - state.started
        text = f"{self.label}: {state.name} {state.done:,}"
        if state.total > 0:
            share = min(state.done / state.total, 1.0)
            text += f" of {state.total:,} ({share:.0%})"
        text += f"; {format_duration(elapsed)} so far"
        if state.total > 0 and state.done >= state.total:
            return text + ", done"
        left = self._time_left(state, elapsed)
        if left is not None:
            text += f", about {format_duration(left)} left"
        return text

    @staticmethod
    def _time_left(state: _Phase, elapsed: float) -> float | None:
        progressed = state.done - state.first_done
        if state.total <= 0 or progressed <= 0 or elapsed <= 0:
            return None
        return (state.total - state.done) * elapsed / progressed

    def start(self) -> None:
        if self.interval > 0:
            self._ticker = threading.Thread(target=self._tick, name="progress", daemon=True)
            self._ticker.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._ticker is not None:
            self._ticker.join()

    def _tick(self) -> None:
        while not self._stopped.wait(min(self.interval, 1.0)):
            now = self.clock()
            with self._lock:
                state = self._current
                due = now - self._last_line >= self.interval
                if state is not None and not state.finished and due:
                    self._write(state, now)


def _interval() -> float:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        return float(settings.TOCSIN_PROGRESS_INTERVAL)
    except (ImproperlyConfigured, AttributeError):  # no Django settings: a library caller
        return DEFAULT_INTERVAL


@contextmanager
def command_progress(
    label: str,
    *,
    stream: TextIO | None = None,
    terminal: bool | None = None,
    interval: float | None = None,
) -> Iterator[Progress]:
    """A :data:`Progress` for the command called ``label`` (``tocsin demo``), drawn on
    ``stream`` (default standard error): rich bars when it is a terminal, plain lines every
    ``interval`` seconds (default ``TOCSIN_PROGRESS_INTERVAL``) when it is not."""
    out = stream if stream is not None else sys.stderr
    on_terminal = terminal if terminal is not None else _isatty(out)
    if on_terminal:
        with _bars(out) as update:
            yield update
        return
    plain = PlainProgress(label, out, _interval() if interval is None else interval)
    plain.start()
    try:
        yield plain
    finally:
        plain.stop()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def _bars(stream: TextIO) -> Iterator[Progress]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("so far,"),
        TimeRemainingColumn(),
        TextColumn("left"),
    )
    with Progress(*columns, console=Console(file=stream), transient=True) as bars:
        tasks: dict[str, Any] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bars.add_task(phase, total=total if total > 0 else None)
            bars.update(tasks[phase], completed=done, total=total if total > 0 else None)

        yield update


#: How the simulator's time divides among its stages (CPU seconds at borough scale, seed 1,
#: measured 2026-12-07), so that its bar moves with the work and not with the stage count.
_SIMULATION_STAGES = {
    "population": 0.4,
    "partnership": 0.1,
    "exploitation": 0.2,
    "registers": 5.5,
    "identification": 0.1,
    "concerns": 2.2,
    "decisions": 0.6,
    "truth": 1.7,
}


def simulation_progress(progress: Progress, phase: str = "simulating") -> Progress:
    """A callback for :func:`tocsin.simulate.simulate`, whose reports are its stages
    (``stage``, stages done, stages in all): reported to ``progress`` as ``phase``, counted in
    hundredths of the work, each stage weighted by its usual share of the time."""
    weights = list(_SIMULATION_STAGES.values())
    names = list(_SIMULATION_STAGES)
    whole = sum(weights)

    def update(stage: str, done: int, total: int) -> None:
        if stage in _SIMULATION_STAGES:
            finished = sum(weights[: names.index(stage)])
        else:  # "done", or a stage this table does not know yet: by the stage count
            finished = whole * done / max(total, 1)
        progress(phase, round(100 * finished / whole), 100)

    return update
