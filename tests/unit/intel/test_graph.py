"""The POLE graph core: weights, flags, detection, ranking, hotspots, patterns and layout."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.intel.graph import (
    DEFAULT_RULES,
    DENSITY,
    Mention,
    PatternRule,
    PatternRuleError,
    alerts_due,
    build_graph,
    default_resolution,
    detect,
    evaluate_patterns,
    layout,
    mentions_from_records,
    pattern_key,
    rules_from_policy,
)

AS_OF = date(2026, 12, 1)


def concern(
    cid: str,
    entities: list[tuple[str, str]],
    *,
    reporter: str = "S1",
    agency: str = "A1",
    on: date = AS_OF,
    flags: frozenset[str] = frozenset(),
) -> list[Mention]:
    """The mentions of one concern naming ``entities`` (kind, key)."""
    return [
        Mention(cid, kind, key, f"{kind} {key}", agency, reporter, on, flags)
        for kind, key in entities
    ]


def edge_between(graph, a: str, b: str):
    source, target = sorted((a, b))
    return next(e for e in graph.edges if (e.source, e.target) == (source, target))


def test_same_concern_joins_its_entities_and_keeps_the_concerns_as_evidence() -> None:
    graph = build_graph(
        concern("C1", [("child", "K1"), ("adult", "P1"), ("vehicle", "AB12CDE")]), as_of=AS_OF
    )
    assert sorted(n.id for n in graph.nodes) == ["adult:P1", "child:K1", "vehicle:AB12CDE"]
    assert len(graph.edges) == 3
    edge = edge_between(graph, "child:K1", "adult:P1")
    assert edge.concerns == ("C1",)
    assert edge.reports == 1 and edge.reporters == 1 and edge.agencies == 1
    assert edge.weight == pytest.approx(1.0)


def test_weight_counts_independent_reporter_agency_pairs_not_concerns() -> None:
    same_worker = [
        m for i in range(5) for m in concern(f"C{i}", [("child", "K1"), ("adult", "P1")])
    ]
    two_agencies = concern("D1", [("child", "K2"), ("adult", "P2")]) + concern(
        "D2", [("child", "K2"), ("adult", "P2")], reporter="S2", agency="A2"
    )
    graph = build_graph(same_worker + two_agencies, as_of=AS_OF)
    repeated = edge_between(graph, "child:K1", "adult:P1")
    independent = edge_between(graph, "child:K2", "adult:P2")
    assert repeated.reports == 5 and repeated.weight == pytest.approx(1.0)
    assert independent.reports == 2 and independent.weight == pytest.approx(2.0)
    assert independent.reporters == 2 and independent.agencies == 2


def test_weight_decays_with_recency_by_half_life() -> None:
    old = concern("C1", [("child", "K1"), ("adult", "P1")], on=AS_OF - timedelta(days=365))
    graph = build_graph(old, as_of=AS_OF, half_life_days=365)
    assert graph.edges[0].weight == pytest.approx(0.5)
    quarter = build_graph(old, as_of=AS_OF, half_life_days=365 // 2 + 1)
    assert quarter.edges[0].weight < 0.26
    # A pair's weight is taken at its latest concern.
    newer = old + concern("C2", [("child", "K1"), ("adult", "P1")])
    assert build_graph(newer, as_of=AS_OF).edges[0].weight == pytest.approx(1.0)


def test_concerns_after_as_of_are_left_out() -> None:
    future = concern("C9", [("child", "K1"), ("adult", "P1")], on=AS_OF + timedelta(days=1))
    graph = build_graph(future, as_of=AS_OF)
    assert graph.nodes == [] and graph.edges == []


def test_flags_mark_the_nodes_and_edges_of_flagged_concerns() -> None:
    mentions = concern(
        "C1", [("child", "K1"), ("phone", "+447700900001")], flags=frozenset({"cce", "drugs"})
    ) + concern("C2", [("child", "K1"), ("adult", "P1")])
    graph = build_graph(mentions, as_of=AS_OF)
    assert edge_between(graph, "child:K1", "phone:+447700900001").flags == {"cce", "drugs"}
    assert edge_between(graph, "child:K1", "adult:P1").flags == frozenset()
    node = {n.id: n for n in graph.nodes}
    assert node["child:K1"].flags == {"cce", "drugs"}
    assert node["adult:P1"].flags == frozenset()


def test_bad_mentions_are_refused_with_a_message() -> None:
    with pytest.raises(ValueError, match="kind"):
        Mention("C1", "car", "X", "X", "A1", "S1", AS_OF)
    with pytest.raises(ValueError, match="flags"):
        Mention("C1", "child", "K1", "K1", "A1", "S1", AS_OF, frozenset({"guns"}))
    clash = concern("C1", [("child", "K1")]) + concern("C1", [("adult", "P1")], reporter="S2")
    with pytest.raises(ValueError, match="must agree"):
        build_graph(clash, as_of=AS_OF)


def two_networks() -> list[Mention]:
    """Two groups: adults P1, P2 with children K1-K4 and a car; adult P9 with K7-K9 at a flat;
    and an unconnected child K0."""
    mentions: list[Mention] = []
    for i, child in enumerate(["K1", "K2", "K3", "K4"]):
        mentions += concern(
            f"C{i}",
            [("child", child), ("adult", "P1" if i % 2 else "P2"), ("vehicle", "AB12CDE")],
            reporter=f"S{i}",
            agency=f"A{i % 2}",
        )
    for i, child in enumerate(["K7", "K8", "K9"]):
        mentions += concern(
            f"D{i}",
            [("child", child), ("adult", "P9"), ("place", "flat-1")],
            reporter=f"T{i}",
            agency="A3",
        )
    mentions += concern("E1", [("child", "K0")])
    return mentions


def test_detection_finds_components_networks_ranking_and_hotspots() -> None:
    graph = build_graph(two_networks(), as_of=AS_OF)
    found = detect(graph, seed=3)
    assert [len(c) for c in found.components] == [7, 5, 1]
    net_sets = {frozenset(n.nodes) for n in found.networks}
    assert frozenset(
        {"child:K1", "child:K2", "child:K3", "child:K4", "adult:P1", "adult:P2", "vehicle:AB12CDE"}
    ) in net_sets or any({"adult:P1", "adult:P2"} <= n for n in net_sets)
    assert any(
        n >= {"child:K7", "child:K8", "child:K9", "adult:P9", "place:flat-1"} for n in net_sets
    )
    # The lone child is no network: a network needs a child and something else.
    assert all("child:K0" not in n.nodes for n in found.networks)
    top = found.adults[0]
    assert top.node == "adult:P9" and top.children == 3 and top.reporters == 3
    assert [(a.node, a.children) for a in found.adults[1:]] == [("adult:P1", 2), ("adult:P2", 2)]
    assert found.hotspots[0].node == "place:flat-1" and found.hotspots[0].children == 3
    assert found.network_of("adult:P9") is not None
    assert found.network_of("child:K0") is None


def test_detection_is_deterministic_for_a_seed() -> None:
    mentions = two_networks()
    first = detect(build_graph(mentions, as_of=AS_OF), seed=7)
    again = detect(build_graph(list(reversed(mentions)), as_of=AS_OF), seed=7)
    assert first == again


def test_cpm_method_and_bad_method() -> None:
    graph = build_graph(two_networks(), as_of=AS_OF)
    found = detect(graph, method="cpm", resolution=0.1)
    assert found.method == "cpm" and found.networks
    with pytest.raises(ValueError, match="method"):
        detect(graph, method="louvain")
    # A higher modularity resolution splits the graph into more, smaller communities.
    coarse = detect(graph, seed=0)
    fine = detect(graph, seed=0, resolution=5.0)
    assert len(fine.communities) > len(coarse.communities)


def ring_of_groups(groups: int, concerns_each: int = 6) -> list[Mention]:
    """``groups`` groups, each an adult and a place named with a different child by
    ``concerns_each`` reporters, in a ring: one concern of each group also names the next
    group's place."""
    mentions: list[Mention] = []
    for i in range(groups):
        for j in range(concerns_each):
            mentions += concern(
                f"C{i}-{j}",
                [("child", f"K{i}-{j}"), ("adult", f"P{i}"), ("place", f"H{i}")],
                reporter=f"S{i}-{j}",
            )
        mentions += concern(
            f"L{i}", [("child", f"K{i}-0"), ("place", f"H{(i + 1) % groups}")], reporter=f"T{i}"
        )
    return mentions


def test_default_resolution_keeps_small_groups_apart_in_a_big_graph() -> None:
    # Plain modularity (γ 1) merges neighbouring groups of a big enough ring (its resolution
    # limit); the default γ grows with the graph's weight, so each group stays one network.
    graph = build_graph(ring_of_groups(100), as_of=AS_OF)
    found = detect(graph, seed=0)
    assert found.resolution == pytest.approx(DENSITY * 2 * 1900.0)
    assert len(found.networks) == 100
    assert all(
        len({n.split(":")[1].split("-")[0] for n in net.children}) == 1 for net in found.networks
    )
    plain = detect(graph, seed=0, resolution=1.0)
    assert plain.resolution == 1.0 and len(plain.networks) < 60


def test_default_resolution_is_plain_modularity_on_a_small_graph() -> None:
    graph = build_graph(ring_of_groups(20), as_of=AS_OF)
    assert default_resolution(graph.graph) == 1.0
    # The communities are plain modularity's, as leidenalg finds them.
    import leidenalg

    plain = leidenalg.find_partition(
        graph.graph, leidenalg.ModularityVertexPartition, weights="weight", n_iterations=2, seed=0
    )
    assert detect(graph, seed=0).membership == list(plain.membership)


def test_sampled_betweenness_puts_a_broker_first() -> None:
    # P5 is the only bridge between two groups of children.
    mentions: list[Mention] = []
    for i in range(4):
        mentions += concern(f"L{i}", [("child", f"L{i}"), ("adult", "PL")], reporter=f"S{i}")
        mentions += concern(f"R{i}", [("child", f"R{i}"), ("adult", "PR")], reporter=f"S{i}")
    mentions += concern("B1", [("adult", "PL"), ("adult", "P5")])
    mentions += concern("B2", [("adult", "PR"), ("adult", "P5")])
    graph = build_graph(mentions, as_of=AS_OF)
    found = detect(graph, betweenness_samples=0)
    between = {a.node: a.betweenness for a in found.adults}
    assert between["adult:P5"] > 0
    assert between["adult:PL"] > between["adult:P5"]


def rule(**kwargs) -> PatternRule:
    return PatternRule(id="r", **kwargs)


def fan(children: int, reporters: int, *, days_ago: int = 0) -> list[Mention]:
    """An adult P1 linked to ``children`` children by concerns from ``reporters`` reporters."""
    mentions: list[Mention] = []
    for i in range(children):
        mentions += concern(
            f"C{i}",
            [("child", f"K{i}"), ("adult", "P1")],
            reporter=f"S{i % reporters}",
            on=AS_OF - timedelta(days=days_ago),
        )
    return mentions


@pytest.mark.parametrize(
    ("children", "reporters", "alerts"),
    [(2, 2, False), (3, 2, True), (3, 1, False), (4, 3, True)],
)
def test_linked_children_rule_thresholds(children: int, reporters: int, alerts: bool) -> None:
    graph = build_graph(fan(children, reporters), as_of=AS_OF)
    found = evaluate_patterns(graph, [rule(min_children=3, min_reporters=2)], as_of=AS_OF)
    assert [p.subject for p in found] == (["adult:P1"] if alerts else [])
    if alerts:
        assert found[0].size == children
        assert len(found[0].reporters) == reporters


@pytest.mark.parametrize(("days_ago", "alerts"), [(364, True), (365, False)])
def test_linked_children_rule_window(days_ago: int, alerts: bool) -> None:
    graph = build_graph(fan(3, 3, days_ago=days_ago), as_of=AS_OF)
    found = evaluate_patterns(graph, [rule(window_days=365)], as_of=AS_OF)
    assert bool(found) is alerts


def test_rule_subjects_and_flags_restrict_what_alerts() -> None:
    graph = build_graph(fan(3, 3), as_of=AS_OF)
    assert evaluate_patterns(graph, [rule(subject_kinds=frozenset({"place"}))], as_of=AS_OF) == []
    assert evaluate_patterns(graph, [rule(flags_any=frozenset({"cce"}))], as_of=AS_OF) == []


def test_pattern_keys_are_stable_and_growth_alerts_again() -> None:
    first = evaluate_patterns(build_graph(fan(3, 2), as_of=AS_OF), [rule()], as_of=AS_OF)
    same = evaluate_patterns(build_graph(fan(3, 2), as_of=AS_OF), [rule()], as_of=AS_OF)
    grown = evaluate_patterns(build_graph(fan(4, 2), as_of=AS_OF), [rule()], as_of=AS_OF)
    assert first[0].key == same[0].key == grown[0].key == pattern_key("r", "adult:P1")
    assert pattern_key("r", "adult:P2") != first[0].key != pattern_key("s", "adult:P1")
    assert alerts_due(first, {}) == first
    alerted = {first[0].key: first[0].size}
    assert alerts_due(same, alerted) == []
    assert alerts_due(grown, alerted) == grown


def test_child_linked_to_a_known_network() -> None:
    graph = build_graph(two_networks(), as_of=AS_OF)
    found = detect(graph, seed=0)
    known_rule = next(r for r in DEFAULT_RULES if r.kind == "known_network")
    known = {"adult:P9": {"child:K7", "child:K8"}}
    patterns = evaluate_patterns(graph, [known_rule], as_of=AS_OF, detection=found, known=known)
    assert [(p.subject, p.children) for p in patterns] == [("adult:P9", {"child:K9"})]
    # Nothing is known: no network alert; everything already named: none either.
    assert evaluate_patterns(graph, [known_rule], as_of=AS_OF, detection=found, known={}) == []
    every = {"adult:P9": {"child:K7", "child:K8", "child:K9"}}
    assert evaluate_patterns(graph, [known_rule], as_of=AS_OF, detection=found, known=every) == []


def test_rules_from_policy_tables_and_refusals() -> None:
    rules = rules_from_policy(
        [
            {"id": "cars", "subjects": ["vehicle"], "min_children": 2, "window_days": 90},
            {"id": "known", "kind": "known_network"},
        ]
    )
    assert rules[0].subject_kinds == {"vehicle"} and rules[0].min_reporters == 2
    assert rules[1].min_children == 1
    with pytest.raises(PatternRuleError, match="unknown keys"):
        rules_from_policy([{"id": "x", "min_kids": 2}])
    with pytest.raises(PatternRuleError, match="used twice"):
        rules_from_policy([{"id": "x"}, {"id": "x"}])
    with pytest.raises(PatternRuleError, match="subjects"):
        rules_from_policy([{"id": "x", "subjects": ["child"]}])
    with pytest.raises(PatternRuleError, match="at least 1"):
        rules_from_policy([{"id": "x", "min_children": 0}])


def test_layout_is_finite_in_the_unit_square_and_deterministic() -> None:
    graph = build_graph(two_networks(), as_of=AS_OF)
    first = layout(graph, seed=1)
    assert set(first) == set(graph.node_ids)
    for x, y in first.values():
        assert math.isfinite(x) and math.isfinite(y)
        assert -1.0 <= x <= 1.0 and -1.0 <= y <= 1.0
    assert layout(graph, seed=1) == first
    part = layout(graph, ["adult:P9", "child:K7"], seed=1)
    assert set(part) == {"adult:P9", "child:K7"}
    assert layout(graph, ["child:K0"]) == {"child:K0": (0.0, 0.0)}


def test_to_json_carries_nodes_edges_and_evidence() -> None:
    graph = build_graph(two_networks(), as_of=AS_OF)
    data = graph.to_json()
    assert len(data["nodes"]) == len(graph.nodes) and len(data["edges"]) == len(graph.edges)
    edge = next(e for e in data["edges"] if e["source"] == "adult:P9")
    assert edge["concerns"] and edge["reports"] == len(edge["concerns"])
    assert graph.to_json_text().startswith("{")


def concern_row(cid: str, subject: str, **fields) -> dict:
    row = {
        "concern_id": cid,
        "agency_id": "A1",
        "raised_by": "S1",
        "raised_at": "2026-11-01T10:00:00Z",
        "subject_record_id": subject,
        "category": "cce",
        "indicators": ["carrying_drugs"],
        "named_people": [],
        "vehicles": [],
        "phones": [],
        "places": [],
    }
    row.update(fields)
    return row


def person_row(record_id: str, given: str, family: str, dob: str, alias: str | None = None):
    return {
        "record_id": record_id,
        "given_name": given,
        "family_name": family,
        "date_of_birth": dob,
        "alias": alias,
    }


def test_mentions_from_records_resolve_without_the_truth() -> None:
    persons = [
        person_row("R1", "Kyle", "Evans", "2010-01-02"),
        person_row("R2", "KYLE", "Evans", "2010-01-02"),  # another agency's record
        person_row("R3", "Chris", "Hughes", "1990-01-01", alias="Prince"),
        person_row("R4", "Dan", "Ode", "1991-01-01", alias="Zed"),
        person_row("R5", "Sam", "Roe", "1992-01-01", alias="Zed"),
    ]
    concerns = [
        concern_row(
            "C1",
            "R1",
            named_people=["Chris Hughes", "'Zed'"],
            vehicles=["red Ford Fiesta, registration UF18 BVR"],
            phones=["07700 900688"],
            places=["Spice Kitchen, Wyrmford"],
        ),
        concern_row(
            "C2",
            "R2",
            named_people=["'Prince'"],
            vehicles=["a silver car, registration UF18"],
            category="cse",
            indicators=[],
        ),
        concern_row("C3", "R1"),
    ]
    mentions = mentions_from_records(concerns, persons)
    by_concern: dict[str, set[str]] = {}
    for m in mentions:
        by_concern.setdefault(m.concern_id, set()).add(m.node_id)
    child = "child:kyle|evans|2010-01-02"
    assert by_concern["C1"] == {
        child,
        "adult:chris|hughes",
        "vehicle:UF18BVR",
        "phone:+447700900688",
        "place:spice kitchen wyrmford",
    }  # 'Zed' is two people's alias: left out, not guessed
    # The alias resolves to the one person holding it; the partial plate to the one it can be.
    assert by_concern["C2"] == {child, "adult:chris|hughes", "vehicle:UF18BVR"}
    flags = {m.concern_id: m.flags for m in mentions}
    assert flags["C1"] == {"cce", "drugs"} and flags["C2"] == {"cse"}
    assert "C3" in by_concern
    assert "C3" not in {
        m.concern_id for m in mentions_from_records(concerns, persons, only_with_entities=True)
    }
    keyed = mentions_from_records(concerns, persons, person_keys={"R1": "P7", "R2": "P7"})
    assert {m.node_id for m in keyed if m.kind == "child"} == {"child:P7"}


_ENTITY = st.tuples(
    st.sampled_from(["child", "adult", "vehicle", "phone", "place"]),
    st.sampled_from(["1", "2", "3", "4"]),
)
_CONCERN = st.tuples(
    st.lists(_ENTITY, min_size=1, max_size=4),
    st.sampled_from(["S1", "S2", "S3"]),
    st.sampled_from(["A1", "A2"]),
    st.integers(min_value=0, max_value=800),
    st.frozensets(st.sampled_from(["cse", "cce", "drugs", "weapons"]), max_size=2),
)


def _mentions(concerns) -> list[Mention]:
    out: list[Mention] = []
    for i, (entities, reporter, agency, days, flags) in enumerate(concerns):
        out += concern(
            f"C{i}",
            entities,
            reporter=reporter,
            agency=agency,
            on=AS_OF - timedelta(days=days),
            flags=flags,
        )
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(_CONCERN, max_size=12), st.randoms(use_true_random=False))
def test_graph_invariants(concerns, shuffle) -> None:
    mentions = _mentions(concerns)
    graph = build_graph(mentions, as_of=AS_OF)
    shuffled = list(mentions)
    shuffle.shuffle(shuffled)
    again = build_graph(shuffled, as_of=AS_OF)
    assert again.nodes == graph.nodes and again.edges == graph.edges
    by_concern: dict[str, set[str]] = {}
    for m in mentions:
        by_concern.setdefault(m.concern_id, set()).add(m.node_id)
    for edge in graph.edges:
        assert edge.source < edge.target
        assert edge.concerns == tuple(
            sorted(c for c, named in by_concern.items() if {edge.source, edge.target} <= named)
        )
        # Each independent reporter-agency pair adds at most 1, and at least its recency.
        assert 0 < edge.weight <= min(edge.reports, edge.reporters * edge.agencies) + 1e-9
        assert edge.flags == frozenset().union(*(graph.evidence[c].flags for c in edge.concerns))
    found = detect(graph, seed=1)
    assert sorted(n for c in found.communities for n in c) == sorted(graph.node_ids)
    for network in found.networks:
        assert network.children and network.nodes - network.children
