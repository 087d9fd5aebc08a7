"""Views of query results: related parties, paths, a decision's reach, an affiliate cluster.

Each adapter takes the answer of a ``queries/`` function and the store it came from, and
returns a :class:`~viz.view.GraphView` whose nodes are the answer's entities and whose
edges are the answer's relationships — nothing is searched again.  The store is used only
to *look up* what the answer refers to: the properties of its entities (for tooltips),
their credit state on the answer's date and the reasons for it (:mod:`viz.evidence`).

* :func:`related_view` — the seed, every entity of the answer, and for each the
  relationship by which the search reached it (the answer's ``via`` steps: a tree).
  Hubs keep their "N more", the entity limit its note.
* :func:`paths_view` — both ends and every path's entities and relationships.
* :func:`affected_view` — the decision's subject, every subject it reaches and the
  propagation paths, with this decision's measures first among the reasons.
* :func:`cluster_view` — members and ties of the clusters of a ``clusters`` answer, and
  the ties between them (the relationships of the cluster's tie types, shareholdings only
  above the control ratio: what made them one group).

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> from queries.related import related
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> result = related(store, story.jia, hops=2, as_of=date(2022, 1, 1))
>>> view = related_view(store, result)
>>> len(view.nodes) == len(result.entities) + 1, len(view.edges) == len(result.entities)
(True, True)
>>> view.title
'关联方 · Related parties of 甲运输有限公司'
"""

from __future__ import annotations

from datetime import date

from graph.model import NodeRef
from graph.stores.analysis import RATIO, ratio_types
from graph.stores.base import GraphStore
from queries.affected import Affected
from queries.clusters import ClustersResult
from queries.common import Entity, Step, names_of
from queries.config import InvestigationConfig, load_config
from queries.lifecycle import PathStep
from queries.paths import PathsResult
from queries.related import RelatedResult
from viz.evidence import view_nodes, why_of_measure
from viz.view import GraphView, ViewEdge, Why

__all__ = ["affected_view", "cluster_view", "edge_of_step", "paths_view", "related_view"]


def _today() -> date:
    return date.today()


def _filters(types: list[str] | None, direction: str) -> str:
    parts = []
    if types:
        parts.append("following only " + ", ".join(types))
    if direction != "both":
        parts.append(f"direction {direction}")
    return f" ({'; '.join(parts)})" if parts else ""


def edge_of_step(step: Step, notes: list[str] | None = None) -> ViewEdge:
    """A view edge of an evidence step (its text first among the notes)."""
    return ViewEdge(
        type=step.type,
        src=step.src,
        dst=step.dst,
        valid_from=step.valid_from,
        valid_to=step.valid_to,
        source=step.source,
        props=dict(step.props),
        notes=[step.text, *(notes or [])],
    )


def related_view(store: GraphStore, result: RelatedResult) -> GraphView:
    """The picture of a related-parties answer (``queries.related.related``)."""
    on = result.as_of or _today()
    entities = {result.seed.ref: result.seed}
    ranks = {result.seed.ref: 0}
    facts: dict[NodeRef, list[str]] = {}
    edges: dict[str, ViewEdge] = {}
    for found in result.entities:
        ref = found.entity.ref
        entities[ref] = found.entity
        ranks[ref] = found.distance
        facts[ref] = [
            f"{found.distance} hop(s) from {result.seed.name}:",
            *(f"  {step.text}" for step in found.via),
        ]
        for step in found.via:
            edge = edge_of_step(step)
            edges.setdefault(edge.eid, edge)
    more = {hub.entity.ref: hub.more for hub in result.hubs}
    left_out = [
        f"Hub {hub.entity.name}: {hub.total} neighbours match, the answer follows "
        f"{hub.shown} of them; {hub.more} more are not in the answer."
        for hub in result.hubs
    ]
    if result.truncated:
        left_out.append(
            "The search stopped at its entity limit: entities farther away are not in the answer."
        )
    left_out.append(
        "Each entity is drawn with the relationship by which the search first reached it; "
        "other relationships among these entities are not part of this answer."
    )
    seed = result.seed
    return GraphView(
        kind="related",
        title=f"关联方 · Related parties of {seed.name}",
        question=(
            f"Who is within {result.hops} hop(s) of {seed.name}"
            f"{_filters(result.types, result.direction.value)}, and in which credit state?"
        ),
        as_of=result.as_of,
        credit_on=on,
        nodes=view_nodes(
            store, entities, on, focus=[seed.ref], ranks=ranks, facts=facts, more=more
        ),
        edges=list(edges.values()),
        left_out=left_out,
    )


def paths_view(store: GraphStore, result: PathsResult) -> GraphView:
    """The picture of a paths answer (``queries.paths.paths``)."""
    on = result.as_of or _today()
    entities = {result.a.ref: result.a, result.b.ref: result.b}
    ranks = {result.a.ref: 0, result.b.ref: 0}
    on_paths: dict[str, list[int]] = {}
    steps: dict[str, Step] = {}
    for number, path in enumerate(result.paths, start=1):
        for entity in path.nodes:
            entities.setdefault(entity.ref, entity)
            ranks.setdefault(entity.ref, number)
        for step in path.steps:
            eid = edge_of_step(step).eid
            steps.setdefault(eid, step)
            on_paths.setdefault(eid, []).append(number)
    edges = [
        edge_of_step(step, [f"on path {', '.join(map(str, on_paths[eid]))}"])
        for eid, step in steps.items()
    ]
    left_out = []
    if not result.paths:
        left_out.append(
            f"No path of at most {result.max_hops} relationships joins them"
            f"{_filters(result.types, result.direction.value)}."
        )
    elif len(result.paths) >= result.k:
        left_out.append(
            f"Only the {result.k} shortest paths are drawn; longer ones may exist (k={result.k})."
        )
    a, b = result.a, result.b
    return GraphView(
        kind="paths",
        title=f"查关系 · How {a.name} and {b.name} are connected",
        question=(
            f"Which are the {result.k} shortest paths of at most {result.max_hops} "
            f"relationships between {a.name} and {b.name}"
            f"{_filters(result.types, result.direction.value)}?"
        ),
        as_of=result.as_of,
        credit_on=on,
        nodes=view_nodes(store, entities, on, focus=[a.ref, b.ref], ranks=ranks),
        edges=edges,
        left_out=left_out,
    )


def _path_edge(step: PathStep) -> ViewEdge:
    return ViewEdge(
        type=step.relationship,
        src=step.src.uid,
        dst=step.dst.uid,
        valid_from=step.valid_from,
        valid_to=step.valid_to,
        source=step.source,
        notes=[f"propagation rule {step.rule}, evaluated on {step.evaluated_on}"],
    )


def affected_view(store: GraphStore, result: Affected) -> GraphView:
    """The picture of a decision's reach (``queries.affected.affected``)."""
    decision = result.decision
    subject = decision.request.subject
    refs: dict[NodeRef, None] = {subject: None}
    edges: dict[str, ViewEdge] = {}
    for measure in result.measures:
        refs[measure.subject] = None
        for step in measure.path:
            refs.setdefault(step.src)
            refs.setdefault(step.dst)
            edge = _path_edge(step)
            edges.setdefault(edge.eid, edge)
    stored = store.get_nodes(refs)
    names = names_of(stored)
    entities = {ref: Entity.of(node) for node in stored if (ref := node.ref) in refs} | {
        ref: _missing(ref) for ref in refs if ref not in names
    }
    this_decision: dict[NodeRef, list[Why]] = {}
    ranks: dict[NodeRef, int] = {subject: 0}
    for measure in result.measures:
        this_decision.setdefault(measure.subject, []).append(why_of_measure(measure, names))
        ranks[measure.subject] = min(ranks.get(measure.subject, 99), len(measure.path))
    facts = {
        ref: [f"Decision {decision.request.decision_no}: {len(whys)} measure(s) on this subject"]
        for ref, whys in this_decision.items()
    }
    request = decision.request
    subject_name = entities[subject].name
    return GraphView(
        kind="affected",
        title=f"联合惩戒范围 · Who decision {request.decision_no} ({request.authority}) reaches",
        question=(
            f"{subject_name} was listed for {decision.behaviour_name} "
            f"({request.behaviour_code}) on {decision.start}: who does the decision reach, "
            f"under which measure, legal basis, term and path? The listing is "
            f"{result.status.replace('_', ' ')} on {result.as_of}."
        ),
        as_of=result.as_of,
        credit_on=result.as_of,
        nodes=view_nodes(
            store,
            entities,
            result.as_of,
            focus=[subject],
            ranks=ranks,
            facts=facts,
            extra_why=this_decision,
        ),
        edges=list(edges.values()),
    )


def _missing(ref: NodeRef) -> Entity:
    """An entity the answer names but the store no longer holds."""
    return Entity(uid=ref.uid, kind=ref.kind, key=ref.key, name=f"{ref.key} (not in the store)")


def cluster_view(
    store: GraphStore, result: ClustersResult, *, config: InvestigationConfig | None = None
) -> GraphView:
    """The picture of a clusters answer (``queries.clusters.clusters``), usually the
    cluster around one entity."""
    cfg = (config or load_config()).clusters
    on = result.as_of or _today()
    entities: dict[NodeRef, Entity] = {}
    ranks: dict[NodeRef, int] = {}
    facts: dict[NodeRef, list[str]] = {}
    for number, cluster in enumerate(result.clusters, start=1):
        label = f"cluster {number} ({cluster.size} enterprises, anchor {cluster.anchor})"
        for entity in (*cluster.members, *cluster.ties):
            entities.setdefault(entity.ref, entity)
            ranks.setdefault(entity.ref, number)
            facts.setdefault(entity.ref, []).append(
                f"{'member' if entity.kind == 'Enterprise' else 'tie'} of {label}"
                + (" — a Louvain community of a larger group" if cluster.community else "")
            )
    focus = [result.around.ref] if result.around is not None else []
    if result.around is not None:
        entities.setdefault(result.around.ref, result.around)
    ties = store.subgraph(entities, types=list(cfg.types), as_of=result.as_of)
    with_ratio = set(ratio_types(store.model))
    edges = [
        ViewEdge(
            type=e.type,
            src=e.src.uid,
            dst=e.dst.uid,
            valid_from=e.valid_from,
            valid_to=e.valid_to,
            source=e.source,
            props=dict(e.props),
            notes=(
                [f"a tie: above the control ratio of {cfg.control_ratio:.0%}"]
                if e.type in with_ratio
                else []
            ),
        )
        for e in ties.edges
        if e.type not in with_ratio or float(e.props.get(RATIO) or 0.0) > cfg.control_ratio
    ]
    left_out = [
        f"{hub.entity.name} is tied to {hub.ties} entities: a hub, reported and not followed "
        "(it joins no group)."
        for hub in result.hubs
    ]
    if result.truncated:
        left_out.append("The group around the entity hit the largest size followed.")
    if result.around is not None and not result.clusters:
        left_out.append(
            f"{result.around.name} belongs to no group of at least two enterprises tied by "
            "control, legal representatives, principals or officers."
        )
    if result.components > len(result.clusters) and result.around is None:
        left_out.append(f"{len(result.clusters)} of {result.components} groups are drawn.")
    around = result.around.name if result.around is not None else "the whole graph"
    return GraphView(
        kind="cluster",
        title=f"企业族群 · Affiliate cluster of {around}",
        question=(
            f"Which enterprises form one group with {around} through control, legal "
            "representatives, principals or officers?"
        ),
        as_of=result.as_of,
        credit_on=on,
        nodes=view_nodes(store, entities, on, focus=focus, ranks=ranks, facts=facts),
        edges=edges,
        left_out=left_out,
    )
