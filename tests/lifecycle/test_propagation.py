"""Propagation details: cycles, depth limits, batching, dates on both stores."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from graph.catalog import DEFAULT_CATALOG_DIR, Catalog, load_catalog
from graph.identifiers import complete_uscc
from graph.model import NodeRef
from graph.stores.base import GraphStore
from queries.decisions import file_decisions, preview
from queries.propagation import Seed, propagate
from tests.lifecycle.cases import load_bid_fraud, load_overload


def _shareholder_catalog(tmp_path: Path, *, depth: int, max_depth: int) -> Catalog:
    """The default catalog where S-SERIOUS-LIST also reaches corporate shareholders."""
    path = tmp_path / f"catalog-{depth}-{max_depth}"
    shutil.copytree(DEFAULT_CATALOG_DIR, path)
    header = yaml.safe_load((path / "catalog.yaml").read_text(encoding="utf-8"))
    header["max_depth"] = max_depth
    (path / "catalog.yaml").write_text(yaml.safe_dump(header, allow_unicode=True), "utf-8")
    measures = yaml.safe_load((path / "sanction_measures.yaml").read_text(encoding="utf-8"))
    for entry in measures["entries"]:
        if entry["code"] == "S-SERIOUS-LIST":
            entry["extends_to"] = [
                {
                    "id": "corporate_shareholder",
                    "relationship": "SHAREHOLDER_OF",
                    "direction": "in",
                    "to_kind": "Enterprise",
                    "role": "企业股东",
                    "depth": depth,
                }
            ]
    (path / "sanction_measures.yaml").write_text(
        yaml.safe_dump(measures, allow_unicode=True), "utf-8"
    )
    return load_catalog(path)


def _chain(store: GraphStore) -> list[NodeRef]:
    """A <- B <- C <- D shareholders, and A holds C (a cycle A -> C -> B -> A)."""
    m = store.model
    nodes = [
        m.make_node("Enterprise", {"uscc": complete_uscc(f"9122010100000003{i}")}) for i in range(4)
    ]
    store.upsert_nodes(nodes)
    a, b, c, d = (n.ref for n in nodes)
    store.upsert_edges(
        [
            m.make_edge("SHAREHOLDER_OF", b, a, source="s1"),
            m.make_edge("SHAREHOLDER_OF", c, b, source="s2"),
            m.make_edge("SHAREHOLDER_OF", d, c, source="s3"),
            m.make_edge("SHAREHOLDER_OF", a, c, source="s4"),
        ]
    )
    return [a, b, c, d]


def _seed(subject: NodeRef) -> Seed:
    return Seed(
        subject=subject,
        measures=("S-SERIOUS-LIST",),
        act_date=date(2026, 5, 1),
        decision_date=date(2026, 5, 20),
        decision_no="X",
    )


@pytest.mark.parametrize(
    ("depth", "max_depth", "expected"),
    [(1, 3, [0, 1]), (2, 3, [0, 1, 2]), (5, 3, [0, 1, 2, 3]), (5, 2, [0, 1, 2])],
)
def test_depth_limits_and_cycles(
    store: GraphStore, tmp_path: Path, depth: int, max_depth: int, expected: list[int]
) -> None:
    chain = _chain(store)
    catalog = _shareholder_catalog(tmp_path, depth=depth, max_depth=max_depth)
    (reached,) = propagate(store, catalog, [_seed(chain[0])])
    assert [r.subject for r in reached] == [chain[i] for i in expected]
    for r in reached:
        # the path is connected, starts at the subject and never repeats a node
        walk = [chain[0]]
        for step in r.path:
            walk.append(step.src if step.dst == walk[-1] else step.dst)
        assert walk[-1] == r.subject and len(set(walk)) == len(walk)
        assert len(r.path) <= max_depth


def test_batched_equals_one_at_a_time(store: GraphStore) -> None:
    case = load_overload(store)
    bid = load_bid_fraud(store)
    requests = [
        case.request(),
        case.request(subject=case.operator, decision_no="2"),
        case.request(subject=case.driver, decision_no="3"),
        bid.request(),
        case.request(decision_no="4", act_date=date(2024, 6, 1), decision_date=date(2024, 7, 1)),
    ]
    singles = [preview(store, r).outcome for r in requests]
    batch = file_decisions(store, requests, actor="clerk")
    assert [r.outcome.applications if r.outcome else None for r in batch] == [
        s.applications if s else None for s in singles
    ]
    # in 2024 the act happened before the driver and loader relationships began
    old = batch[4].outcome
    assert old is not None
    assert sorted(a.subject.kind + ":" + a.measure for a in old.applications) == [
        "Enterprise:S-OVERLOAD-ENTERPRISE",
        "Person:S-OFFICE-BAN",
        "Person:S-OFFICE-BAN",
        "Person:S-OVERLOAD-DRIVER",
        "Vehicle:S-OVERLOAD-VEHICLE",
    ]
    assert case.old_driver in {a.subject for a in old.applications}
