"""Every configuration parameter is documented in docs/simulator.md (a new parameter without a
line in the docs fails the build)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tocsin.simulate import SimulationConfig

DOC = Path(__file__).resolve().parents[3] / "docs" / "simulator.md"


def test_every_parameter_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    config = SimulationConfig()
    missing = []
    for section in dataclasses.fields(config):
        if f"### `[{section.name}]`" not in text:
            missing.append(section.name)
        for parameter in dataclasses.fields(getattr(config, section.name)):
            if f"`{parameter.name}`" not in text:
                missing.append(f"{section.name}.{parameter.name}")
    assert missing == []
