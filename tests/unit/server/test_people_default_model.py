"""The linkage model shipped with the server is what its recipe makes: retraining it on the
simulated partnership gives the same model (so nobody can ship a model nobody can remake), and
the server loads it when no model is configured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tocsin.intel.linkage import MODEL_FORMAT
from tocsin.server.people.default_model import DEFAULT_MODEL, SIMULATION, train_default_model
from tocsin.server.people.known import linkage_model


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


@pytest.mark.slow
def test_the_shipped_model_is_what_its_recipe_trains() -> None:
    shipped = json.loads(DEFAULT_MODEL.read_text("utf-8"))
    trained = json.loads(json.dumps(train_default_model()))
    # Everything but Splink's random name for the linker that trained it.
    for model in (shipped, trained):
        model["settings"].pop("linker_uid", None)
    # Floats to 12 significant figures: the last bits of an EM estimate differ between
    # machines (summation order in DuckDB's threads), not the model.
    assert _rounded(trained["settings"]) == _rounded(shipped["settings"])
    assert trained["diagnostics"]["trained_on"] == f"simulate {SIMULATION}"
    assert shipped["diagnostics"]["em_failed"] == []


def test_the_server_loads_the_shipped_model_unless_another_is_configured(  # type: ignore[no-untyped-def]
    settings, tmp_path: Path
) -> None:
    model = linkage_model()
    assert model.path == DEFAULT_MODEL and model.document["format"] == MODEL_FORMAT
    other = tmp_path / "model.json"
    document = json.loads(DEFAULT_MODEL.read_text("utf-8"))
    document["diagnostics"]["note"] = "another model"
    other.write_text(json.dumps(document), "utf-8")
    settings.TOCSIN_LINKAGE_MODEL = other
    configured = linkage_model()
    assert configured.path == other and configured.sha256 != model.sha256
