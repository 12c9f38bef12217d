"""The linkage model shipped with Tocsin: trained without labels on the simulator's records of
a small partnership (seed 1), so a new deployment can score concerns from its first day.
Regenerate it (after changing the model's comparisons or the simulator) with::

    python -m tocsin.server.people.default_model

A deployment with records of its own retrains with ``tocsin link train`` and points
``TOCSIN_LINKAGE_MODEL`` at the result (docs/linkage.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_MODEL", "SIMULATION", "train_default_model"]

#: Where the shipped model lives (package data).
DEFAULT_MODEL = Path(__file__).with_name("data") / "default_model.json"
#: The simulated partnership it is trained on.
SIMULATION: dict[str, int | str] = {"seed": 1, "scale": "small"}


def train_default_model() -> dict[str, Any]:
    """Train the default model on the simulated partnership, as the shipped file holds it."""
    from tocsin.intel.linkage import link_records, records_from_simulation
    from tocsin.simulate import simulate

    world = simulate(int(SIMULATION["seed"]), str(SIMULATION["scale"]))
    records = records_from_simulation(
        world["records/persons"].dicts(), world["records/agencies"].dicts()
    )
    result = link_records(records)
    diagnostics = {**result.diagnostics, "trained_on": f"simulate {SIMULATION}"}
    return {**result.model, "diagnostics": diagnostics}


def main() -> None:
    """Write the default model to :data:`DEFAULT_MODEL`."""
    document = train_default_model()
    DEFAULT_MODEL.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", "utf-8")
    sys.stdout.write(f"wrote {DEFAULT_MODEL}\n")


if __name__ == "__main__":
    main()
