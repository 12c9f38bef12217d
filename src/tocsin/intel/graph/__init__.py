"""Organised networks made visible (issue 16): the POLE graph of people, objects and locations
built from concerns, network detection on it, and pattern rules that raise alerts.

    graph = build_graph(mentions, as_of=date(2026, 12, 1))       # Mention per entity per concern
    found = detect(graph, seed=0)                                 # components, Leiden, networks
    positions = layout(graph, seed=0)                             # for the network view
    patterns = evaluate_patterns(graph, DEFAULT_RULES, as_of=..., detection=found, known=...)
    due = alerts_due(patterns, alerted={key: size_at_last_alert})

Pure core: ``igraph`` and ``leidenalg``, nothing from Django. See docs/networks.md.

Errors raised here::

    ValueError                 a malformed mention, or a bad parameter
    └── PatternRuleError       a malformed pattern rule in the policy file
"""

from tocsin.intel.graph._detect import (
    DENSITY,
    METHODS,
    AdultRank,
    Detection,
    Hotspot,
    Network,
    default_resolution,
    detect,
    layout,
)
from tocsin.intel.graph._model import (
    ENTITY_KINDS,
    FLAGS,
    ConcernEvidence,
    Edge,
    Mention,
    Node,
    PoleGraph,
    build_graph,
    node_id,
)
from tocsin.intel.graph._patterns import (
    DEFAULT_RULES,
    RULE_KINDS,
    Pattern,
    PatternRule,
    PatternRuleError,
    alerts_due,
    evaluate_patterns,
    pattern_key,
    rules_from_policy,
)
from tocsin.intel.graph._records import mentions_from_records

__all__ = [
    "DEFAULT_RULES",
    "DENSITY",
    "ENTITY_KINDS",
    "FLAGS",
    "METHODS",
    "RULE_KINDS",
    "AdultRank",
    "ConcernEvidence",
    "Detection",
    "Edge",
    "Hotspot",
    "Mention",
    "Network",
    "Node",
    "Pattern",
    "PatternRule",
    "PatternRuleError",
    "PoleGraph",
    "alerts_due",
    "build_graph",
    "default_resolution",
    "detect",
    "evaluate_patterns",
    "layout",
    "mentions_from_records",
    "node_id",
    "pattern_key",
    "rules_from_policy",
]
