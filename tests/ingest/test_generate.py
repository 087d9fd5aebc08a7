"""The generator: deterministic, valid identifiers, ~3 relationships per node, planted truth."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from graph.identifiers import validate_id_no, validate_plate, validate_uscc
from graph.model import Edge, GraphModel, Node, NodeRef
from ingest.generate import GeneratedGraph, Sizes, generate
from ingest.synth import AREAS, Hasher, areas_in, person_id_no

SCALE = 2_000


@pytest.fixture(scope="module")
def graph() -> GeneratedGraph:
    return generate(SCALE, seed=11)


@pytest.fixture(scope="module")
def nodes(graph: GeneratedGraph) -> list[Node]:
    return list(graph.nodes())


@pytest.fixture(scope="module")
def edges(graph: GeneratedGraph) -> list[Edge]:
    return list(graph.edges())


def test_same_seed_same_graph(nodes: list[Node], edges: list[Edge]) -> None:
    again = generate(SCALE, seed=11)
    assert list(again.nodes()) == nodes
    assert list(again.edges()) == edges
    assert again.truth == generate(SCALE, seed=11).truth


def test_other_seed_other_graph(nodes: list[Node], graph: GeneratedGraph) -> None:
    other = generate(SCALE, seed=12)
    assert {n.key for n in other.nodes()} != {n.key for n in nodes}
    assert other.truth != graph.truth


def test_sizes_and_ratio(graph: GeneratedGraph, nodes: list[Node], edges: list[Edge]) -> None:
    assert len(nodes) == SCALE == graph.sizes.total_nodes
    assert 2.8 <= len(edges) / len(nodes) <= 3.2
    kinds = Counter(n.kind for n in nodes)
    assert kinds["Enterprise"] == graph.sizes.enterprises
    assert set(kinds) == {"Enterprise", "Person", "Vehicle", "Project", "Contact"}
    with pytest.raises(ValueError, match="at least"):
        Sizes.for_scale(10)


def test_keys_unique_and_every_edge_has_its_endpoints(nodes: list[Node], edges: list[Edge]) -> None:
    uids = [n.ref.uid for n in nodes]
    assert len(uids) == len(set(uids))
    eids = [e.eid for e in edges]
    assert len(eids) == len(set(eids))  # nothing would collapse in a store
    known = set(uids)
    assert all(e.src.uid in known and e.dst.uid in known for e in edges)


def test_every_record_fits_the_model(
    model: GraphModel, nodes: list[Node], edges: list[Edge]
) -> None:
    # the generator validates a sample; here we validate all of a small graph
    for node in nodes:
        assert model.make_node(node.kind, node.props) == node
    for edge in edges:
        rebuilt = model.make_edge(
            edge.type,
            edge.src,
            edge.dst,
            valid_from=edge.valid_from,
            valid_to=edge.valid_to,
            source=edge.source,
            props=edge.props,
        )
        assert rebuilt == edge


def test_identifiers_validate_with_real_area_codes() -> None:
    h = Hasher(5)
    for i in range(0, 200_000, 997):
        id_no = person_id_no(h, i)
        assert validate_id_no(id_no) == id_no  # stdnum checks the birthplace in the birth year
    assert len(AREAS) > 2000
    assert len(areas_in(1960)[0]) < len(AREAS)  # fewer counties existed in 1960


def test_identifiers_of_graph(nodes: list[Node]) -> None:
    for node in nodes:
        if node.kind == "Enterprise":
            assert validate_uscc(node.key) == node.key
        elif node.kind == "Vehicle":
            assert validate_plate(node.props["plate"]) == node.props["plate"]


def test_heavy_tail(graph: GeneratedGraph, edges: list[Edge]) -> None:
    degree: Counter[str] = Counter()
    for e in edges:
        degree[e.src.uid] += 1
        degree[e.dst.uid] += 1
    values = sorted(degree.values(), reverse=True)
    median = values[len(values) // 2]
    assert values[0] >= 20 * median
    fund = NodeRef("Enterprise", graph.truth.hubs.fund).uid
    holdings = sum(1 for e in edges if e.type == "SHAREHOLDER_OF" and e.src.uid == fund)
    assert holdings >= 5
    agent = NodeRef("Contact", graph.truth.hubs.agent_addresses[0]).uid
    assert degree[agent] >= 1


def _by_type(edges: list[Edge], etype: str) -> list[Edge]:
    return [e for e in edges if e.type == etype]


def test_planted_shell_groups(graph: GeneratedGraph, edges: list[Edge]) -> None:
    current = {
        (e.src.key, e.dst.key) for e in _by_type(edges, "LEGAL_REP_OF") if e.valid_to is None
    }
    contacts = {(e.src.key, e.dst.key) for e in _by_type(edges, "HAS_CONTACT")}
    assert graph.truth.shell_groups
    for group in graph.truth.shell_groups:
        assert len(group.enterprises) >= 3
        for uscc in group.enterprises:
            assert (group.legal_rep, uscc) in current
            assert (uscc, group.shared_address) in contacts


def test_planted_guakao(graph: GeneratedGraph, edges: list[Edge]) -> None:
    owns = {(e.src.uid, e.dst.key) for e in _by_type(edges, "OWNS")}
    operates = {(e.src.key, e.dst.key) for e in _by_type(edges, "OPERATES")}
    assert graph.truth.guakao
    for case in graph.truth.guakao:
        assert (f"Person:{case.owner}", case.vehicle) in owns
        assert (case.operator, case.vehicle) in operates
    person_owned = {v for src, v in owns if src.startswith("Person:")}
    assert person_owned == {c.vehicle for c in graph.truth.guakao}


def test_planted_bid_rings(graph: GeneratedGraph, edges: list[Edge]) -> None:
    bids = {(e.src.key, e.dst.key) for e in _by_type(edges, "BID_ON")}
    manages = {
        (e.src.key, e.dst.key, e.props["for_enterprise"]) for e in _by_type(edges, "MANAGES")
    }
    holds = {(e.src.key, e.dst.key): e.props["ratio"] for e in _by_type(edges, "SHAREHOLDER_OF")}
    links = Counter(r.link for r in graph.truth.bid_rings)
    assert links["project_manager"] >= 1 and links["controlling_shareholder"] >= 1
    for ring in graph.truth.bid_rings:
        for bidder in ring.bidders:
            assert (bidder, ring.project) in bids
            if ring.link == "project_manager":
                assert (ring.shared, ring.project, bidder) in manages
            else:
                assert holds[(ring.shared, bidder)] > 0.5
        assert set(ring.bidders) < set(ring.all_bidders)


def test_planted_overloading(graph: GeneratedGraph, edges: list[Edge]) -> None:
    drives = {(e.src.key, e.dst.key) for e in _by_type(edges, "DRIVES")}
    operates = {(e.src.key, e.dst.key) for e in _by_type(edges, "OPERATES")}
    loaded = {(e.src.key, e.dst.key, e.props["weigh_ticket"]) for e in _by_type(edges, "LOADED")}
    assert graph.truth.overloading
    for case in graph.truth.overloading:
        assert (case.driver, case.vehicle) in drives
        assert (case.operator, case.vehicle) in operates
        assert (case.source_unit, case.vehicle, case.weigh_ticket) in loaded
        assert date(2022, 1, 1) <= case.date
        assert case.decision_no.endswith("号")
