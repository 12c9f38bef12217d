"""The public surface of tocsin.intel.graph is pinned: adding or removing a name is a decision."""

from __future__ import annotations

import tocsin.intel.graph


def test_public_names_are_pinned() -> None:
    assert sorted(tocsin.intel.graph.__all__, key=str.lower) == sorted(
        [
            "AdultRank",
            "alerts_due",
            "build_graph",
            "ConcernEvidence",
            "DEFAULT_RULES",
            "default_resolution",
            "DENSITY",
            "detect",
            "Detection",
            "Edge",
            "ENTITY_KINDS",
            "evaluate_patterns",
            "FLAGS",
            "Hotspot",
            "layout",
            "mentions_from_records",
            "Mention",
            "METHODS",
            "Network",
            "Node",
            "node_id",
            "Pattern",
            "pattern_key",
            "PatternRule",
            "PatternRuleError",
            "PoleGraph",
            "RULE_KINDS",
            "rules_from_policy",
        ],
        key=str.lower,
    )
