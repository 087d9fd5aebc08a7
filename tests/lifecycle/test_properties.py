"""Property tests: random dated graphs and random event orders keep the invariants.

* no measure without a catalog entry and a path (each step a stored relationship valid
  on the rule's date; the path connected, without repeated nodes, within max_depth);
* the reached set equals an independent oracle of the overloading rules;
* nothing in force while suspended, after repair, after revocation or after expiry; the
  end is the term's end moved by exactly the closed suspensions;
* restrictions() and credit_states() agree with the statuses;
* both stores give the same answers (so the invariants checked on the memory store hold on
  Neo4j too), and the server-side Cypher predicate agrees.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.catalog import NAMED_IN_DECISION, load_catalog
from graph.exc import ConflictError
from graph.identifiers import complete_id_no, complete_uscc
from graph.model import Edge, NodeRef, load_model
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore
from graph.stores.neo4j import Neo4jStore
from queries.affected import affected
from queries.credit_state import IN_FORCE_CYPHER, credit_states
from queries.decisions import file_decision
from queries.lifecycle import DecisionRequest, EvidenceItem, Refused
from queries.objections import decide_objection, file_objection, repair
from queries.restrictions import restrictions

MODEL = load_model()
CATALOG = load_catalog()
VEHICLE = MODEL.make_node("Vehicle", {"plate": "吉C54321", "plate_color": "2"})
ENTERPRISES = [
    MODEL.make_node("Enterprise", {"uscc": complete_uscc(f"9122010100000005{i}")}) for i in range(3)
]
PERSONS = [
    MODEL.make_node("Person", {"id_no": complete_id_no(f"1101011985020200{i}")}) for i in range(4)
]
V = VEHICLE.ref
ES = [n.ref for n in ENTERPRISES]
PS = [n.ref for n in PERSONS]
DATES = [
    None,
    date(2025, 6, 1),
    date(2026, 1, 1),
    date(2026, 3, 1),
    date(2026, 6, 1),
    date(2027, 1, 1),
]
#: relationship type -> (sources, targets) drawn from the pool
SHAPES = {
    "OPERATES": (ES, [V]),
    "OWNS": (ES + PS, [V]),
    "DRIVES": (PS, [V]),
    "LOADED": (ES, [V]),
    "LEGAL_REP_OF": (PS, ES),
    "PRINCIPAL_OF": (PS, ES),
    "SHAREHOLDER_OF": (ES + PS, ES),
}
SLOW = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def edges(draw: st.DrawFn) -> Edge:
    kind = draw(st.sampled_from(sorted(SHAPES)))
    sources, targets = SHAPES[kind]
    start = draw(st.sampled_from(DATES))
    end = draw(st.sampled_from([d for d in DATES if d is None or start is None or d > start]))
    return MODEL.make_edge(
        kind,
        draw(st.sampled_from(sources)),
        draw(st.sampled_from(targets)),
        valid_from=start,
        valid_to=end,
        source=f"h:{kind}",
    )


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    act = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 300)))
    decided = act + timedelta(days=draw(st.integers(0, 60)))
    ops = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["object", "rejected", "upheld", "repair"]),
                st.integers(-10, 900),
            ),
            max_size=5,
        )
    )
    return {
        "edges": draw(st.lists(edges(), max_size=14)),
        "act": act,
        "decided": decided,
        "ops": ops,
    }


def _run(store: GraphStore, sc: dict[str, Any]) -> str:
    """Load the graph, file the decision, play the events (refusals are part of the game)."""
    store.clear()
    store.upsert_nodes([VEHICLE, *ENTERPRISES, *PERSONS])
    store.upsert_edges(sc["edges"])
    request = DecisionRequest(
        subject=V,
        behaviour_code="T-OVERLOAD",
        act_date=sc["act"],
        decision_date=sc["decided"],
        decision_no="P-1",
        authority="prop",
        evidence=[
            EvidenceItem(type="超限检测记录", reference="w"),
            EvidenceItem(type="行政处罚决定书", reference="p"),
        ],
    )
    decision_id = file_decision(store, request, actor="prop", catalog=CATALOG).decision.id
    objection: str | None = None
    for op, offset in sc["ops"]:
        day = sc["decided"] + timedelta(days=offset)
        try:
            if op == "object":
                change = file_objection(
                    store, decision_id, received=day, by="o", reason="r", actor="p", catalog=CATALOG
                )
                objection = change.objection.id if change.objection else None
            elif op in ("rejected", "upheld") and objection is not None:
                decide_objection(
                    store,
                    objection,
                    outcome=op,
                    on=day,
                    by="b",
                    actor="p",
                    catalog=CATALOG,
                )
            elif op == "repair":
                repair(
                    store,
                    decision_id,
                    on=day,
                    attested=["obligations_fulfilled", "public_pledge"],
                    actor="p",
                    catalog=CATALOG,
                )
        except (ConflictError, Refused):
            continue
    return decision_id


def _oracle(sc: dict[str, Any]) -> set[tuple[NodeRef, str]]:
    """The overloading rules written out by hand, independent of the engine."""
    on = sc["act"]
    stored = {e.eid: e for e in sc["edges"]}  # a later edge with the same identity replaces
    valid = [e for e in stored.values() if e.valid_on(on)]
    expected = {(V, "S-OVERLOAD-VEHICLE")}
    companies = {
        e.src for e in valid if e.type in ("OPERATES", "OWNS") and e.src.kind == "Enterprise"
    }
    expected |= {(c, "S-OVERLOAD-ENTERPRISE") for c in companies}
    expected |= {(e.src, "S-OVERLOAD-DRIVER") for e in valid if e.type == "DRIVES"}
    expected |= {(e.src, "S-OVERLOAD-SOURCE") for e in valid if e.type == "LOADED"}
    expected |= {
        (e.src, "S-OFFICE-BAN")
        for e in valid
        if e.type in ("LEGAL_REP_OF", "PRINCIPAL_OF") and e.dst in companies
    }
    return expected


def _query_days(sc: dict[str, Any]) -> list[date]:
    days = {sc["decided"] + timedelta(days=o) for _, o in sc["ops"]}
    days |= {sc["decided"] + timedelta(days=o) for o in (-1, 0, 1, 200, 364, 365, 400, 800, 1100)}
    days |= {d - timedelta(days=1) for d in list(days)}
    return sorted(days)


def _check_invariants(store: GraphStore, sc: dict[str, Any], decision_id: str) -> None:
    by_eid = {e.eid: e for e in sc["edges"]}
    result = affected(store, decision_id, as_of=sc["decided"])
    apps = result.measures
    assert {(m.subject, m.measure) for m in apps} == _oracle(sc)
    for m in apps:
        measure = CATALOG.require_measure(m.measure)  # no measure outside the catalog
        assert m.subject.kind in measure.subject_kinds
        assert m.direct == (not m.path) == (m.subject == V)
        walk = [V]
        for step in m.path:
            assert step.relationship != NAMED_IN_DECISION
            edge = by_eid[step.eid or ""]  # a stored relationship ...
            assert (edge.type, edge.src, edge.dst) == (step.relationship, step.src, step.dst)
            assert edge.valid_on(step.evaluated_on) and step.evaluated_on == sc["act"]
            walk.append(step.src if step.dst == walk[-1] else step.dst)
        assert walk[-1] == m.subject and len(set(walk)) == len(walk)
        assert len(m.path) <= CATALOG.header.max_depth
    decision = result.decision
    life = decision.lifecycle
    closed = sum((s.end - s.start).days for s in life.suspensions if s.end is not None)
    for day in _query_days(sc):
        seen = affected(store, decision_id, as_of=day).measures
        for m in seen:
            base = decision.start
            assert m.end is None or m.end == _base_end(m.term, base) + timedelta(days=closed)
            if m.status != "in_force":
                continue
            assert m.start <= day
            assert all(
                not (s.start <= day and (s.end is None or day < s.end)) for s in life.suspensions
            )
            assert life.repaired_on is None or day < life.repaired_on
            assert life.revoked_on is None or day < life.revoked_on
            assert m.end is None or day < m.end
        in_force = {(m.subject, m.measure) for m in seen if m.status == "in_force"}
        refs = sorted({m.subject for m in seen})
        states = credit_states(store, refs, day)
        for ref in refs:
            mine = {(ref, x.measure) for x in restrictions(store, ref, day).in_force}
            assert mine == {p for p in in_force if p[0] == ref}
            assert states[ref].measures == sorted(x for r, x in in_force if r == ref)


def _base_end(term: str | None, start: date) -> date:
    from graph.catalog import add_period

    assert term is not None
    return add_period(start, term)


@SLOW
@given(sc=scenarios())
def test_invariants_hold(memory_store: MemoryStore, sc: dict[str, Any]) -> None:
    decision_id = _run(memory_store, sc)
    _check_invariants(memory_store, sc, decision_id)


def _answers(store: GraphStore, sc: dict[str, Any], decision_id: str) -> list[Any]:
    out: list[Any] = []
    for day in _query_days(sc):
        result = affected(store, decision_id, as_of=day)
        out.append(result.model_dump(mode="json", exclude={"decision": {"filed_by"}}))
        refs = [V, *ES, *PS]
        out.append(
            {r.uid: s.model_dump(mode="json") for r, s in credit_states(store, refs, day).items()}
        )
    return out


@pytest.mark.neo4j
@pytest.mark.slow
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sc=scenarios())
def test_both_stores_agree(
    memory_store: MemoryStore, neo4j_store: Neo4jStore, sc: dict[str, Any]
) -> None:
    memory_id = _run(memory_store, sc)
    neo4j_id = _run(neo4j_store, sc)
    assert memory_id == neo4j_id
    _check_invariants(memory_store, sc, memory_id)  # equal answers: they hold on Neo4j too
    assert _answers(memory_store, sc, memory_id) == _answers(neo4j_store, sc, neo4j_id)
    # the server-side predicate (for joins by other questions) says the same as status_on
    query = (
        "MATCH (a:MeasureApplication) WHERE " + IN_FORCE_CYPHER + " RETURN a.id AS id ORDER BY id"
    )
    for day in _query_days(sc):
        records = neo4j_store.driver.execute_query(
            query, {"as_of": day}, database_=neo4j_store.database
        ).records
        server = [r["id"] for r in records]
        local = sorted(
            m.application_id
            for m in affected(memory_store, memory_id, as_of=day).measures
            if m.status == "in_force"
        )
        assert server == local
