"""What a picture says about each entity: key facts, credit state and why it has it.

The credit state comes from :mod:`queries.credit_state` (through
:func:`queries.common.credit_of`) and the reasons from :func:`queries.restrictions.restrictions`
— the same answers the API gives for "why is this entity restricted?" — turned into
:class:`~viz.view.Why` items with the measure, its legal basis, its term and the path that
reached the entity, each relationship of the path read in plain language.

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> from queries.decisions import file_decision
>>> from queries.lifecycle import DecisionRequest
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> _ = file_decision(store, DecisionRequest(subject=story.truck, behaviour_code="T-OVERLOAD",
...     act_date=date(2021, 3, 1), decision_date=date(2021, 4, 1), decision_no="9",
...     authority="吉林省交通运输厅", evidence=[{"type": "超限检测记录", "reference": "W"},
...     {"type": "行政处罚决定书", "reference": "P"}]), actor="clerk")
>>> found = statuses(store, [story.jia, story.yi], date(2021, 5, 1))
>>> found[story.jia].state, found[story.yi].state
('affected', 'clean')
>>> why = found[story.jia].why[0]
>>> why.measure, why.role, why.end
('S-OVERLOAD-ENTERPRISE', '道路运输企业（经营单位）', datetime.date(2022, 4, 1))
>>> for part in why.path[0].split(" (rule "):
...     print(part)
甲运输有限公司 operates vehicle 吉A12345
S-OVERLOAD-VEHICLE.operating_company, evaluated on 2021-03-01)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from graph.credit import CreditRecordIn
from graph.model import Edge, GraphModel, Node, NodeRef
from graph.stores.base import GraphStore
from queries.common import Entity, credit_of, names_of, step_of
from queries.lifecycle import AppliedMeasure, PathStep
from queries.restrictions import restrictions
from viz.view import NodeStatus, ViewNode, Why

__all__ = [
    "facts_of",
    "path_text",
    "statuses",
    "view_nodes",
    "why_of_entry",
    "why_of_measure",
]

#: Properties never listed among a node's facts: the name is the label, aliases are
#: bookkeeping of ingest.
_NOT_FACTS = frozenset({"name", "aliases"})


def facts_of(node: Node, model: GraphModel) -> list[str]:
    """Key facts of a node for its tooltip: each declared property with its gloss.

    >>> from graph.model import load_model
    >>> m = load_model()
    >>> car = m.make_node("Vehicle", {"plate": "吉A12345", "plate_color": "黄色"})
    >>> facts_of(car, m)
    ['plate: 吉A12345', 'plate_color: 2']
    """
    spec = model.require_kind(node.kind)
    lines = []
    for name, prop in spec.properties.items():
        value = node.props.get(name)
        if name in _NOT_FACTS or value is None or value == "":
            continue
        gloss = prop.gloss if prop.gloss and len(prop.gloss) <= 12 else ""
        lines.append(f"{name}{f' ({gloss})' if gloss else ''}: {value}")
    return lines


def path_text(steps: Sequence[PathStep], names: Mapping[NodeRef, str]) -> list[str]:
    """A propagation path read in plain language, one line per relationship."""
    lines = []
    for step in steps:
        edge = Edge(
            type=step.relationship,
            src=step.src,
            dst=step.dst,
            valid_from=step.valid_from,
            valid_to=step.valid_to,
            source=step.source,
        )
        text = step_of(edge, names, step.evaluated_on).text
        lines.append(f"{text} (rule {step.rule}, evaluated on {step.evaluated_on})")
    return lines


def why_of_measure(measure: AppliedMeasure, names: Mapping[NodeRef, str]) -> Why:
    """A measure applied to an entity, as a reason for its colour."""
    return Why(
        source_kind="measure",
        title=measure.measure_name,
        measure=measure.measure,
        status=measure.status,
        side=measure.side,
        decision_no=measure.decision_no,
        authority=measure.authority,
        behaviour=f"{measure.behaviour_name} ({measure.behaviour_code})",
        role=measure.role,
        legal_basis=list(measure.legal_basis),
        start=measure.start,
        end=measure.end,
        term=measure.term,
        path=path_text(measure.path, names),
        reference=measure.application_id,
    )


def why_of_entry(entry: CreditRecordIn) -> Why:
    """A red-list or black-list record from a file, as a reason for a colour."""
    return Why(
        source_kind="list_entry",
        title=f"{entry.kind.chinese} {entry.kind.value}",
        status="in_force",
        decision_no=entry.decision_no,
        authority=entry.authority,
        behaviour=entry.behaviour_code or entry.summary,
        start=entry.decision_date,
        end=entry.valid_until,
        reference=f"{entry.source}",
    )


def statuses(
    store: GraphStore,
    refs: Iterable[NodeRef],
    on: date,
    *,
    names: Mapping[NodeRef, str] | None = None,
) -> dict[NodeRef, NodeStatus]:
    """Credit state of each entity on ``on`` and, for those not clean (or suspended),
    every measure and list entry behind it.

    One round trip for the states, one per coloured entity for its reasons, and one for
    the names of entities on propagation paths that ``names`` does not know.
    """
    wanted = list(dict.fromkeys(refs))
    credit = credit_of(store, wanted, on)
    coloured = [r for r in wanted if credit[r].state != "clean" or credit[r].suspended]
    answers = {ref: restrictions(store, ref, on) for ref in coloured}
    known = dict(names or {})
    on_paths = {
        ref
        for answer in answers.values()
        for measure in (*answer.in_force, *answer.not_in_force)
        for step in measure.path
        for ref in (step.src, step.dst)
    }
    missing = on_paths - known.keys()
    if missing:
        known.update(names_of(store.get_nodes(missing)))
    result = {}
    for ref in wanted:
        why: list[Why] = []
        if ref in answers:
            answer = answers[ref]
            why.extend(why_of_measure(m, known) for m in answer.in_force)
            why.extend(why_of_entry(e) for e in answer.list_entries)
            why.extend(why_of_measure(m, known) for m in answer.not_in_force if _shown(m))
        result[ref] = NodeStatus(state=credit[ref].state, suspended=credit[ref].suspended, why=why)
    return result


def _shown(measure: AppliedMeasure) -> bool:
    """Measures not in force that still explain the picture: a suspended one."""
    return measure.status == "suspended"


def view_nodes(
    store: GraphStore,
    entities: dict[NodeRef, Entity],
    on: date,
    *,
    focus: Iterable[NodeRef] = (),
    ranks: dict[NodeRef, int] | None = None,
    facts: dict[NodeRef, list[str]] | None = None,
    more: dict[NodeRef, int] | None = None,
    tags: dict[NodeRef, str] | None = None,
    extra_why: dict[NodeRef, list[Why]] | None = None,
) -> list[ViewNode]:
    """View nodes of ``entities`` with their properties, credit state on ``on`` and the
    reasons for it looked up (``extra_why`` first: the question's own evidence)."""
    stored = {n.ref: n for n in store.get_nodes(entities)}
    names = {ref: e.name for ref, e in entities.items()}
    found = statuses(store, entities, on, names=names)
    focused = set(focus)
    nodes = []
    for ref, entity in entities.items():
        status = found.get(ref, NodeStatus())
        node = stored.get(ref)
        lines = [*(facts or {}).get(ref, [])]
        lines += facts_of(node, store.model) if node is not None else []
        first = (extra_why or {}).get(ref, [])
        seen = {w.reference for w in first}
        why = [*first, *(w for w in status.why if w.reference not in seen)]
        nodes.append(
            ViewNode(
                uid=ref.uid,
                kind=ref.kind,
                key=ref.key,
                name=entity.name,
                labels=entity.labels,
                props=dict(node.props) if node is not None else {},
                state=status.state,
                suspended=status.suspended,
                focus=ref in focused,
                rank=(ranks or {}).get(ref, 0),
                facts=lines,
                why=why,
                more=(more or {}).get(ref, 0),
                tag=(tags or {}).get(ref),
            )
        )
    return nodes
