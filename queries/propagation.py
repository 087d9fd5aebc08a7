"""Propagation: which linked subjects a decision's measures reach, and by which path.

Measures travel along their catalog ``extends_to`` rules only.  Each rule names a
relationship, a direction read from the holder, the kind reached, and the date the
relationship is evaluated on (usually the act date): a legal representative who took
office after the act is not reached, one who left after it still is.  The reached subject
receives the rule's measure and, through that measure's own rules, may pass it on
(vehicle → operating company → its legal representative).

Breadth-first, so every subject is reached by a shortest path; a path never visits a node
twice (cycle protection); a rule may be followed ``depth`` times in a row; no path is
longer than the catalog's ``max_depth``.  Many decisions propagate **together**: each
level costs one store round trip per (relationship, direction) in use, whatever the
number of decisions — the relationships are fetched regardless of date and each decision
filters them on its own date.

>>> from graph.catalog import load_catalog
>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> catalog = load_catalog()
>>> seed = Seed(subject=story.truck, measures=("S-OVERLOAD-VEHICLE",),
...     act_date=date(2021, 3, 1), decision_date=date(2021, 4, 1), decision_no="D1")
>>> for r in propagate(store, catalog, [seed])[0]:
...     print(r.subject.kind, r.measure, r.role, len(r.path))
Vehicle S-OVERLOAD-VEHICLE None 0
Enterprise S-OVERLOAD-ENTERPRISE 道路运输企业（经营单位） 1
Person S-OVERLOAD-DRIVER 驾驶人 1
Person S-OFFICE-BAN 法定代表人 2
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from pydantic import BaseModel, ConfigDict

from graph.catalog import NAMED_IN_DECISION, Catalog, PropagationRule
from graph.model import Direction, Edge, NodeRef
from graph.stores.base import GraphStore
from queries.lifecycle import PathStep

__all__ = ["Reached", "Seed", "propagate"]


class Seed(BaseModel):
    """One decision to propagate: its subject, direct measures, dates and named persons."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: NodeRef
    measures: tuple[str, ...]
    act_date: date
    decision_date: date
    decision_no: str
    named: tuple[NodeRef, ...] = ()


class Reached(BaseModel):
    """A subject a decision reaches, the measure it receives and the path that justifies it."""

    model_config = ConfigDict(frozen=True)

    subject: NodeRef
    measure: str
    role: str | None
    rule: str | None
    path: tuple[PathStep, ...]


@dataclass(frozen=True)
class _Item:
    seed: int
    subject: NodeRef
    measure: str
    path: tuple[PathStep, ...]
    visited: frozenset[str]
    via: tuple[str, str] | None = None  # (measure, rule id) that reached this holder
    repeat: int = 0


def _endpoint(edge: Edge, holder: NodeRef, direction: Direction) -> NodeRef | None:
    """The far end of ``edge`` if it leaves ``holder`` the way ``direction`` says."""
    if edge.src == edge.dst:
        return None
    if edge.src == holder and direction in (Direction.OUT, Direction.BOTH):
        return edge.dst
    if edge.dst == holder and direction in (Direction.IN, Direction.BOTH):
        return edge.src
    return None


def _share_enough(edge: Edge, rule: PropagationRule) -> bool:
    """Whether ``edge`` carries more than the rule's ``ratio_above`` (no threshold: True)."""
    if rule.ratio_above is None:
        return True
    ratio = edge.props.get("ratio")
    return ratio is not None and float(ratio) > rule.ratio_above


def propagate(store: GraphStore, catalog: Catalog, seeds: Sequence[Seed]) -> list[list[Reached]]:
    """For each seed, every (subject, measure) it reaches, the seed's own first, BFS order."""
    results: list[dict[tuple[str, str], Reached]] = [{} for _ in seeds]
    frontier: list[_Item] = []
    for i, seed in enumerate(seeds):
        for code in seed.measures:
            catalog.require_measure(code)
            results[i][(seed.subject.uid, code)] = Reached(
                subject=seed.subject, measure=code, role=None, rule=None, path=()
            )
            frontier.append(_Item(i, seed.subject, code, (), frozenset({seed.subject.uid})))
    for _ in range(catalog.header.max_depth):
        if not frontier:
            break
        frontier = _step(store, catalog, seeds, frontier, results)
    return [list(found.values()) for found in results]


def _step(
    store: GraphStore,
    catalog: Catalog,
    seeds: Sequence[Seed],
    frontier: list[_Item],
    results: list[dict[tuple[str, str], Reached]],
) -> list[_Item]:
    """One breadth-first level for every seed at once."""
    wanted: list[tuple[_Item, PropagationRule, int]] = []
    holders: dict[tuple[str, Direction], set[NodeRef]] = defaultdict(set)
    for item in frontier:
        measure = catalog.measures[item.measure]
        for rule in catalog.rules_from(measure, item.subject.kind):
            count = item.repeat + 1 if item.via == (measure.code, rule.id) else 1
            if count > rule.depth:
                continue
            wanted.append((item, rule, count))
            if rule.relationship != NAMED_IN_DECISION:
                holders[(rule.relationship, rule.direction)].add(item.subject)
    # One round trip per (relationship, direction): all dates, filtered per seed below.
    incident: dict[tuple[str, Direction], dict[NodeRef, list[Edge]]] = {}
    for (relationship, direction), refs in sorted(holders.items()):
        by_node: dict[NodeRef, list[Edge]] = defaultdict(list)
        edges = store.expand(sorted(refs), types=[relationship], direction=direction)
        for edge in edges:
            by_node[edge.src].append(edge)
            if edge.dst != edge.src:
                by_node[edge.dst].append(edge)
        incident[(relationship, direction)] = by_node
    following: list[_Item] = []
    for item, rule, count in wanted:
        seed = seeds[item.seed]
        on = seed.act_date if rule.evaluated_at == "act_date" else seed.decision_date
        measure = catalog.measures[item.measure]
        target = catalog.target_measure(measure, rule)
        rule_name = f"{measure.code}.{rule.id}"
        for other, make_step in _candidates(item, rule, rule_name, on, seed, incident):
            if other.uid in item.visited or other.kind != rule.to_kind:
                continue
            key = (other.uid, target.code)
            if key in results[item.seed]:
                continue
            path = (*item.path, make_step())
            results[item.seed][key] = Reached(
                subject=other, measure=target.code, role=rule.role, rule=rule_name, path=path
            )
            following.append(
                _Item(
                    item.seed,
                    other,
                    target.code,
                    path,
                    item.visited | {other.uid},
                    via=(measure.code, rule.id) if target.code == measure.code else None,
                    repeat=count,
                )
            )
    return following


def _candidates(
    item: _Item,
    rule: PropagationRule,
    rule_name: str,
    on: date,
    seed: Seed,
    incident: dict[tuple[str, Direction], dict[NodeRef, list[Edge]]],
) -> list[tuple[NodeRef, Callable[[], PathStep]]]:
    """Subjects one rule reaches from one holder on date ``on``, each with its step (built
    only when the subject is kept)."""
    if rule.relationship == NAMED_IN_DECISION:
        return [
            (
                person,
                partial(
                    PathStep,
                    relationship=NAMED_IN_DECISION,
                    src=item.subject,
                    dst=person,
                    source=f"decision {seed.decision_no}",
                    rule=rule_name,
                    evaluated_on=on,
                ),
            )
            for person in seed.named
        ]
    found: list[tuple[NodeRef, Callable[[], PathStep]]] = []
    for edge in incident[(rule.relationship, rule.direction)].get(item.subject, ()):
        other = _endpoint(edge, item.subject, rule.direction)
        if other is None or not edge.valid_on(on) or not _share_enough(edge, rule):
            continue
        step = partial(
            PathStep,
            relationship=edge.type,
            src=edge.src,
            dst=edge.dst,
            valid_from=edge.valid_from,
            valid_to=edge.valid_to,
            source=edge.source,
            eid=edge.eid,
            rule=rule_name,
            evaluated_on=on,
        )
        found.append((other, step))
    return found
