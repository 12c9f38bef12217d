"""Tolerances for the statistical tests: a rate passes when it lies within a few standard
errors of the configured value (the worlds are seeded, so a pass is reproducible; the margin
says how far the generator may drift before a test catches it)."""

from __future__ import annotations

import math

SIGMAS = 4.5


def assert_rate(successes: int, trials: int, expected: float, label: str) -> None:
    """Fail unless ``successes / trials`` is within SIGMAS binomial standard errors of
    ``expected`` (plus half a percentage point for rounding in the generator)."""
    assert trials > 0, f"{label}: no trials"
    observed = successes / trials
    error = math.sqrt(max(expected * (1 - expected), 1e-4) / trials)
    margin = SIGMAS * error + 0.005
    assert abs(observed - expected) <= margin, (
        f"{label}: observed {observed:.4f} over {trials} trials, configured {expected:.4f}, "
        f"allowed +/- {margin:.4f}"
    )


def assert_count(observed: int, expected: float, label: str) -> None:
    """Fail unless a Poisson count is within SIGMAS standard deviations (plus 3%)."""
    margin = SIGMAS * math.sqrt(expected) + 0.03 * expected
    assert abs(observed - expected) <= margin, (
        f"{label}: observed {observed}, expected {expected:.1f}, allowed +/- {margin:.1f}"
    )
