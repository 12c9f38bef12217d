"""The configuration: presets, overrides, TOML files and validation with one clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.simulate import SCALES, SimulationConfigError, load_config, preset, simulate


@pytest.mark.parametrize("scale", SCALES)
def test_every_preset_is_valid(scale: str) -> None:
    config = preset(scale)
    assert config.validate() is config


def test_presets_have_the_sizes_the_issue_asks_for() -> None:
    assert preset("borough").population.residents == 260_000
    assert preset("borough").population.years == 10
    assert preset("region").population.residents >= 1_000_000
    assert 1 <= preset("region").partnership.councils <= 3


def test_overrides_change_only_what_they_name() -> None:
    base = preset("small")
    changed = base.with_overrides({"noise": {"typo_rate": 0.5}, "population": {"years": 2}})
    assert changed.noise.typo_rate == 0.5
    assert changed.population.years == 2
    assert changed.noise.nickname_rate == base.noise.nickname_rate
    assert base.noise.typo_rate != 0.5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nosuch": {}}, "unknown configuration section 'nosuch'"),
        ({"noise": {"nosuch": 1}}, "unknown parameter noise.nosuch"),
        ({"noise": {"typo_rate": 1.5}}, "noise.typo_rate must be between"),
        ({"noise": {"typo_rate": "high"}}, "noise.typo_rate must be a number"),
        ({"population": {"years": 2.5}}, "population.years must be a whole number"),
        ({"population": {"postcode_area": "Z9"}}, "population.postcode_area"),
        ({"partnership": {"councils": 4}}, "partnership.councils must be between"),
        ({"reporting": {"agency_shares": {"police": 1.0}}}, "reporting.agency_shares"),
        ({"identification": {"dependence": {"police+police": 0.1}}}, "two different sectors"),
        (
            {"identification": {"heterogeneity": 0.9, "dependence": {"council+police": -0.9}}},
            "impossible correlation",
        ),
        ({"exploitation": {"group_size_min": 9, "group_size_max": 3}}, "group_size_min"),
    ],
)
def test_bad_values_are_refused_with_a_message_naming_them(
    overrides: dict[str, dict[str, object]], message: str
) -> None:
    with pytest.raises(SimulationConfigError, match=message):
        preset("small").with_overrides(overrides)


def test_unknown_scale_and_bad_seed_are_refused() -> None:
    with pytest.raises(SimulationConfigError, match="unknown scale 'huge'"):
        preset("huge")
    with pytest.raises(SimulationConfigError, match="unknown scale"):
        simulate(1, "huge")
    with pytest.raises(SimulationConfigError, match="seed"):
        simulate(-1, "small")


def test_unknown_culture_is_refused() -> None:
    config = preset("small").with_overrides({"population": {"culture_weights": {"martian": 1}}})
    with pytest.raises(SimulationConfigError, match="unknown culture 'martian'"):
        simulate(1, "small", config)


def test_toml_file_overrides_the_preset(tmp_path: Path) -> None:
    path = tmp_path / "rates.toml"
    path.write_text(
        "[population]\nresidents = 5000\n\n[identification.rates]\n"
        "council = 0.9\npolice = 0.1\nhealth = 0.1\neducation = 0.1\nyouth = 0.1\n"
        "voluntary = 0.1\n",
        encoding="utf-8",
    )
    config = load_config(path, "small")
    assert config.population.residents == 5000
    assert config.identification.rates["council"] == 0.9


def test_unreadable_or_malformed_toml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SimulationConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml", "small")
    bad = tmp_path / "bad.toml"
    bad.write_text("[population\n", encoding="utf-8")
    with pytest.raises(SimulationConfigError, match="is not TOML"):
        load_config(bad, "small")


def test_as_dict_lists_every_section() -> None:
    sections = preset("small").as_dict()
    assert list(sections) == [
        "partnership",
        "population",
        "exploitation",
        "identification",
        "reporting",
        "noise",
        "failures",
    ]
