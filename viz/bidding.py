"""The picture of a bidding check (``queries.bidding.check_bids``): bidders and what ties them.

Nodes are the bidders of the check and every entity its findings name or pass through
(heads, project managers, controllers, shared contacts, ownership chains); lines are the
relationships the findings give as evidence, each with the findings it supports.  Lines
of a finding that decides a verdict (effect *ineligible* or *needs review*) are drawn thick
and dark red; advisory links (review points, not verdicts) thin.  Bidders are the focus,
each with its verdict (a bidder the graph does not hold is drawn too, and says so);
coloured entities carry their measures as in every picture.  Hubs the check refused to
link, and what it could not look at, are in the footer.

>>> from datetime import date
>>> from queries.bidding_models import VERDICT_LABELS
>>> VERDICT_LABELS["ineligible"]
('投标无效或应否决', 'ineligible')
"""

from __future__ import annotations

from graph.model import NodeRef
from graph.stores.base import GraphStore
from queries.bidding_models import CATEGORY_LABELS, VERDICT_LABELS, BidCheckResult, Finding
from queries.common import Entity, Step, entities_of
from viz.evidence import view_nodes
from viz.view import GraphView, ViewEdge
from viz.views import edge_of_step

__all__ = ["bidding_view"]


def _steps(finding: Finding) -> list[Step]:
    return [*finding.steps, *(s for chain in finding.chains for s in chain.steps)]


def _line(finding: Finding) -> str:
    zh, en = CATEGORY_LABELS.get(finding.category, (finding.category, ""))
    return f"{finding.id} [{zh} / {en}] {finding.title}: {finding.text}"


def bidding_view(store: GraphStore, result: BidCheckResult) -> GraphView:
    """The picture of a bidding check's answer."""
    on = result.as_of
    entities: dict[NodeRef, Entity] = {}
    ranks: dict[NodeRef, int] = {}
    facts: dict[NodeRef, list[str]] = {}
    focus: list[NodeRef] = []
    tags: dict[NodeRef, str] = {}
    for bidder in result.bidders:
        entity = bidder.entity or Entity(
            uid=f"Enterprise:{bidder.uscc}", kind="Enterprise", key=bidder.uscc, name=bidder.name
        )
        ref = entity.ref
        entities[ref] = entity
        ranks[ref] = 0
        focus.append(ref)
        zh, en = VERDICT_LABELS[bidder.verdict]
        tags[ref] = en
        facts[ref] = [f"投标人 bidder: {zh} {en}"]
        if bidder.entity is None:
            facts[ref].append("not in the graph: no enterprise with this USCC is stored")
        facts[ref] += [f"  decided by {fid}" for fid in bidder.reasons]
        facts[ref] += [f"  review point {fid}" for fid in bidder.review_points]
    edges: dict[str, ViewEdge] = {}
    for finding in result.findings:
        for entity in (*finding.entities, *(m.subject for m in finding.measures)):
            entities.setdefault(entity.ref, entity)
            ranks.setdefault(entity.ref, 1)
        for chain in finding.chains:
            for entity in chain.nodes:
                entities.setdefault(entity.ref, entity)
                ranks.setdefault(entity.ref, 2)
        for step in _steps(finding):
            edge = edge_of_step(step, [_line(finding)])
            known = edges.get(edge.eid)
            notes = [*known.notes, _line(finding)] if known else edge.notes
            strong = finding.effect != "none" or (known is not None and known.emphasis)
            edges[edge.eid] = edge.model_copy(update={"notes": notes, "emphasis": strong})
    ends = {NodeRef.from_uid(uid) for e in edges.values() for uid in (e.src, e.dst)}
    for ref, entity in entities_of(store, ends - entities.keys()).items():
        entities[ref] = entity
        ranks.setdefault(ref, 2)
    kept = {ref.uid for ref in entities}
    drawn = [e for e in edges.values() if e.src in kept and e.dst in kept]
    left_out = [
        f"{hub.shared.name} is shared by {', '.join(hub.bidders)} but attached to "
        f"{hub.attached} entities ({hub.reason}): not taken as a link."
        for hub in result.hubs
    ]
    left_out += result.notes
    if len(drawn) < len(edges):
        left_out.append(
            f"{len(edges) - len(drawn)} evidence relationships name entities no longer stored."
        )
    tender = result.tender
    project = tender.project_name or tender.project_code
    lot = f" lot {tender.lot}" if tender.lot else ""
    return GraphView(
        kind="findings",
        title=f"投标审查 · Bidding check of {project}{lot}",
        question=(
            f"May these {len(tender.bidders)} bidders bid on {tender.project_code}{lot} "
            f"on {on}? Findings: {len(result.findings)}; verdicts: "
            + ", ".join(f"{v} {n}" for v, n in result.verdicts.items() if n)
            + f" (check {result.check_id})."
        ),
        as_of=on,
        credit_on=on,
        nodes=view_nodes(store, entities, on, focus=focus, ranks=ranks, facts=facts, tags=tags),
        edges=drawn,
        left_out=left_out,
    )
