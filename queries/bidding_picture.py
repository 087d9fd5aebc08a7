"""The interactive network picture of a bidding check, drawn by ``viz/`` (vis-network).

The printable report carries a static SVG (:mod:`queries.bidding_svg`); this is the
explorable picture of the same answer, built with :func:`viz.view.findings_view` from the
entities and relationships the findings cite: bidders focused and coloured by credit state,
the relationships of 第34条 / 第40条 findings emphasised, each with the rules it supports in
its tooltip.  ``viz`` is imported when a picture is asked for, so the check itself does not
depend on it.

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> from queries.bidding import TenderIn, check_bids
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> tender = TenderIn(project_code="JL-2024-001", bid_date="2024-05-28",
...                   bidders=[{"uscc": story.jia.key}, {"uscc": story.yi.key}])
>>> view = bidding_view(check_bids(store, tender, actor="doctest", record=False))
>>> sorted(n.name for n in view.nodes if n.focus), len(view.edges)
(['乙物流有限公司', '甲运输有限公司'], 4)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph.model import Edge, Node, NodeRef
from graph.stores.base import Subgraph
from queries.bidding_models import VERDICT_LABELS, BidCheckResult
from queries.common import Entity

if TYPE_CHECKING:
    from viz.view import GraphView

__all__ = ["bidding_view"]


def _node(entity: Entity) -> Node:
    return Node(kind=entity.kind, key=entity.key, labels=entity.labels, props={"name": entity.name})


def bidding_view(result: BidCheckResult) -> GraphView:
    """The findings of a check as a :class:`viz.view.GraphView`."""
    from viz.view import EdgeNote, NodeStatus, findings_view

    entities: dict[str, Entity] = {}
    edges: dict[str, Edge] = {}
    notes: dict[str, list[str]] = {}
    strong: set[str] = set()
    for bidder in result.bidders:
        entity = bidder.entity or Entity(
            uid=f"Enterprise:{bidder.uscc}", kind="Enterprise", key=bidder.uscc, name=bidder.name
        )
        entities[entity.uid] = entity
    for finding in result.findings:
        for entity in finding.entities:
            entities.setdefault(entity.uid, entity)
        steps = [*finding.steps, *(s for c in finding.chains for s in c.steps)]
        for chain in finding.chains:
            for entity in chain.nodes:
                entities.setdefault(entity.uid, entity)
        for step in steps:
            edge = Edge(
                type=step.type,
                src=NodeRef.from_uid(step.src),
                dst=NodeRef.from_uid(step.dst),
                valid_from=step.valid_from,
                valid_to=step.valid_to,
                source=step.source,
                props=step.props,
            )
            edges[edge.eid] = edge
            notes.setdefault(edge.eid, []).append(f"{finding.id} {finding.title}")
            if finding.effect != "none":
                strong.add(edge.eid)
    for edge in edges.values():
        for ref in (edge.src, edge.dst):
            entities.setdefault(
                ref.uid, Entity(uid=ref.uid, kind=ref.kind, key=ref.key, name=ref.key)
            )
    status = {}
    for bidder in result.bidders:
        uid = f"Enterprise:{bidder.uscc}"
        zh, en = VERDICT_LABELS[bidder.verdict]
        facts = [f"{zh} / {en}"]
        facts += [f"{f.id} {f.title}" for f in result.findings if bidder.uscc in f.bidders]
        state = bidder.credit.state if bidder.credit else "clean"
        status[uid] = NodeStatus(state=state, focus=True, facts=facts)
    tender = result.tender
    lot = f" 第{tender.lot}标段" if tender.lot else ""
    return findings_view(
        Subgraph(nodes=[_node(e) for e in entities.values()], edges=list(edges.values())),
        status,
        {eid: EdgeNote(notes=n, emphasis=eid in strong) for eid, n in notes.items()},
        title=f"投标人关联图 · Bidders of {tender.project_code}{lot}",
        question=f"May these bidders bid? (check {result.check_id}, bid date {tender.bid_date})",
        as_of=result.as_of,
        credit_on=result.as_of,
        left_out=[
            "Findings that compare the bids themselves (same project manager, deposit account, "
            "fingerprints) have no relationship to draw: see the report."
        ],
    )
