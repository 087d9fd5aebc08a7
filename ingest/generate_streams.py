"""The node and relationship streams of a :class:`~ingest.generate.GeneratedGraph`.

Records are built with ``model_construct`` from values known to be valid (the generator
rebuilds a sample of each kind through the model to prove it), which is what makes a
million nodes and three million relationships take seconds rather than minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from graph.model import Edge, Node, NodeRef
from ingest import synth

if TYPE_CHECKING:
    from ingest.generate import GeneratedGraph

__all__ = ["ENTERPRISE_KINDS", "edge_stream", "node_stream"]

_DAY = timedelta(days=1)
_SOURCE = "generator"
_OFFICER_ROLES = ("监事", "董事", "总经理", "财务负责人")
_POSITIONS = {
    "transport": ("驾驶员", "驾驶员", "驾驶员", "押运员", "安全员", "调度员"),
    "construction": ("项目经理", "技术负责人", "安全员", "施工员", "质量员"),
    "source": ("装载员", "过磅员", "安全员"),
    "supervision": ("总监理工程师", "监理工程师"),
    "other": ("职员", "财务"),
}
_RELATIONS = ("配偶", "父子", "兄弟", "姐妹", "母女")
#: Enterprise kind -> (the ``kind`` property, the name suffix).
ENTERPRISE_KINDS = {
    "transport": ("道路运输企业", "运输有限公司"),
    "construction": ("施工企业", "建设工程有限公司"),
    "source": ("货运源头单位", "砂石料场"),
    "supervision": ("监理", "工程监理有限公司"),
    "other": ("其他", "投资有限公司"),
}
_GRADES = ("AA", "A", "A", "A", "B", "B", "C", "D")
_VEHICLE_TYPES = (
    "重型半挂牵引车", "重型仓栅式货车", "重型自卸货车", "中型厢式货车", "轻型普通货车",
)  # fmt: skip
_ROAD_CLASSES = ("国道", "省道", "县道")


def _node(kind: str, key: str, props: dict[str, Any]) -> Node:
    return Node.model_construct(kind=kind, key=key, labels=(), props=props)


def _edge(
    etype: str,
    src: NodeRef,
    dst: NodeRef,
    valid_from: date | None = None,
    valid_to: date | None = None,
    props: dict[str, Any] | None = None,
) -> Edge:
    return Edge.model_construct(
        type=etype,
        src=src,
        dst=dst,
        valid_from=valid_from,
        valid_to=valid_to,
        source=_SOURCE,
        props=props or {},
    )


def node_stream(g: GeneratedGraph) -> Iterator[Node]:
    """Enterprises, persons, vehicles, projects, phones, addresses, in index order."""
    h, s = g.h, g.sizes
    for i, uscc in enumerate(g.uscc):
        kind = g.enterprise_kind(i)
        label, suffix = ENTERPRISE_KINDS[kind]
        area = synth.area_for(h, 10, i)
        props: dict[str, Any] = {
            "uscc": uscc,
            "name": synth.enterprise_name(h, i, suffix),
            "kind": label,
            "region": area.province + area.county,
            "address": address_of(g, i)[1],
            "established": g.established(i),
            "status": "注销" if h.uniform(33, i) < 0.04 else "存续",
        }
        if kind in ("construction", "supervision"):
            props["credit_grade"] = _GRADES[h.below(len(_GRADES), 34, i)]
        yield _node("Enterprise", uscc, props)
    practitioners = s.practitioners
    for i, id_no in enumerate(g.id_no):
        props = {"id_no": id_no, "name": synth.person_name(h, i)}
        if i in practitioners and h.uniform(35, i) < 0.5:
            props["qualification_no"] = f"{id_no[:6]}{h.below(10**8, 35, i, 1):08d}"
        yield _node("Person", id_no, props)
    for i, plate in enumerate(g.plate):
        color = g.plate_color(i)
        props = {
            "plate": plate,
            "plate_color": color,
            "vin": f"LZZ{h.bits(36, i) % 36**8:014d}",
            "transport_permit_no": f"{h.below(10**12, 37, i):012d}",
            "vehicle_type": _VEHICLE_TYPES[h.below(len(_VEHICLE_TYPES), 38, i)],
        }
        yield _node("Vehicle", f"{plate}|{color}", props)
    for i in range(s.projects):
        area = synth.area_for(h, 14, i)
        code = g.project_code(i)
        props = {
            "code": code,
            "name": f"{area.county}{_ROAD_CLASSES[i % 3]}{h.below(999, 39, i):03d}改扩建工程",
            "owner": f"{area.county}交通运输局",
            "region": area.province + area.county,
            "bid_opening": g.bid_opening(i),
        }
        yield _node("Project", code, props)
    for i in range(s.phones):
        value = synth.phone_number(h, i)
        yield _node("Contact", f"phone|{value}", {"channel": "phone", "value": value})
    for i in range(s.addresses):
        value = synth.address_text(h, i)
        yield _node("Contact", f"address|{value}", {"channel": "address", "value": value})


def address_of(g: GeneratedGraph, e: int) -> tuple[int, str]:
    """(address index, text) where enterprise ``e`` is registered: planted, agent hub or own."""
    plan = g.plan
    if e in plan.addr_override:
        a = plan.addr_override[e]
    elif g.h.uniform(50, e) < 0.03:
        a = plan.agent_addresses[g.h.skewed(len(plan.agent_addresses), 51, e, power=2.0)]
    else:
        a = g.h.below(g.sizes.addresses, 52, e)
    return a, synth.address_text(g.h, a)


def legal_rep_of(g: GeneratedGraph, e: int) -> int:
    """The current legal representative (person index) of enterprise ``e``."""
    return g.plan.lr_override.get(e, e)


def edge_stream(g: GeneratedGraph) -> Iterator[Edge]:
    """Every relationship group in turn."""
    yield from _enterprise_edges(g)
    yield from _person_edges(g)
    yield from _vehicle_edges(g)
    yield from _project_edges(g)


def _enterprise_edges(g: GeneratedGraph) -> Iterator[Edge]:
    h, s = g.h, g.sizes
    people = range(s.persons)
    other = s.enterprise_range("other")
    for e in range(s.enterprises):
        ent = g.enterprise(e)
        start = g.established(e)
        rep = g.person(legal_rep_of(g, e))
        if h.uniform(53, e) < 0.1:  # the legal representative changed once
            change = start + (1 + h.below(3000, 54, e)) * _DAY
            before = g.person(g.uniform_pick(s.practitioners, 55, e))
            yield _edge("LEGAL_REP_OF", before, ent, start, change)
            yield _edge("LEGAL_REP_OF", rep, ent, change)
        else:
            yield _edge("LEGAL_REP_OF", rep, ent, start)
        yield _edge("OFFICER_OF", rep, ent, start, props={"role": "执行董事"})
        officer = rep
        j = 0
        while officer == rep:
            officer = g.person(g.uniform_pick(people, 56, e, j))
            j += 1
        role = _OFFICER_ROLES[h.below(len(_OFFICER_ROLES), 57, e)]
        yield _edge("OFFICER_OF", officer, ent, start, props={"role": role})
        holders = _shareholders(g, e, other)
        for holder, ratio in holders:
            yield _edge("SHAREHOLDER_OF", holder, ent, start, props={"ratio": ratio})
        if h.uniform(58, e) < 0.15 and holders[0][1] > 0.5:
            yield _edge("ACTUAL_CONTROLLER_OF", holders[0][0], ent, start)
        if g.enterprise_kind(e) == "transport" and h.uniform(59, e) < 0.75:
            yield _edge("PRINCIPAL_OF", rep, ent, start)
        yield _edge("HAS_CONTACT", ent, g.phone(_phone_of(g, e)))
        yield _edge("HAS_CONTACT", ent, g.address(address_of(g, e)[0]))


def _phone_of(g: GeneratedGraph, e: int) -> int:
    # Most enterprises have their own number; one in five shares one (agents, relatives).
    n = g.sizes.phones
    if e < n and g.h.uniform(60, e) >= 0.2:
        return e
    return g.h.skewed(n, 61, e, power=2.0)


def _shareholders(g: GeneratedGraph, e: int, other: range) -> list[tuple[NodeRef, float]]:
    """Shareholders of ``e`` with ratios summing to 1 (the planted controller first)."""
    h, s, plan = g.h, g.sizes, g.plan
    refs: list[NodeRef] = []
    fund_ratio = round(0.01 + h.below(5, 62, e) / 100, 2) if h.uniform(63, e) < 0.03 else 0.0
    planted = plan.ctrl_override.get(e)
    if planted:
        refs.append(g.person(planted[0]))
    count = 1 + (h.uniform(64, e) < 0.7) + (h.uniform(64, e, 1) < 0.35)
    j = 0
    while len(refs) < count:
        if h.uniform(65, e, j) < 0.15 and len(other) > 1:
            ref = g.enterprise(g.pick(other, 66, e, j, power=2.0))
        else:
            ref = g.person(g.uniform_pick(range(s.persons), 67, e, j))
        j += 1
        if ref not in refs and ref != g.enterprise(e) and ref != g.enterprise(plan.fund):
            refs.append(ref)
    rest = 1.0 - fund_ratio
    ratios: list[float] = []
    if planted:
        ratios.append(planted[1])
        rest -= planted[1]
    free = len(refs) - len(ratios)
    if free:
        head = rest if free == 1 else round(rest * (0.4 + 0.5 * h.uniform(68, e)), 4)
        ratios.append(round(head, 4))
        for _ in range(1, free):
            ratios.append(round((rest - head) / (free - 1), 4))
    result = list(zip(refs, ratios, strict=True))
    if fund_ratio and e != plan.fund:
        result.append((g.enterprise(plan.fund), fund_ratio))
    return result


def _person_edges(g: GeneratedGraph) -> Iterator[Edge]:
    h, s = g.h, g.sizes
    everyone = range(s.enterprises)
    for p in s.practitioners:
        employer = g.pick(everyone, 70, p, power=2.5)
        positions = _POSITIONS[g.enterprise_kind(employer)]
        since = date(2012, 1, 1) + h.below(4300, 71, p) * _DAY
        props = {"position": positions[h.below(len(positions), 72, p)]}
        yield _edge("EMPLOYED_BY", g.person(p), g.enterprise(employer), since, props=props)
    for p in range(s.persons):
        if h.uniform(73, p) < 0.45:
            yield _edge("HAS_CONTACT", g.person(p), g.phone(h.below(s.phones, 74, p)))
        if h.uniform(75, p) < 0.15:
            other = h.below(s.persons, 76, p)
            if other != p:
                relation = _RELATIONS[h.below(len(_RELATIONS), 77, p)]
                props = {"relation": relation}
                yield _edge("ASSOCIATE_OF", g.person(p), g.person(other), props=props)


def _vehicle_edges(g: GeneratedGraph) -> Iterator[Edge]:
    h, s, plan = g.h, g.sizes, g.plan
    sources = s.enterprise_range("source")
    for v in range(s.vehicles):
        car = g.vehicle(v)
        since = date(2012, 1, 1) + h.below(4300, 80, v) * _DAY
        operator = g.enterprise(g.operator_of(v))
        owner = plan.owner_override.get(v)
        yield _edge("OWNS", g.person(owner) if owner is not None else operator, car, since)
        yield _edge("OPERATES", operator, car, since)
        for n, d in enumerate(g.drivers_of(v)):
            yield _edge("DRIVES", g.person(d), car, since + (n * 30) * _DAY)
        loaded = plan.loaded_override.get(v)
        if loaded is not None:
            unit, ticket, when = loaded
            yield _edge("LOADED", g.enterprise(unit), car, when, props={"weigh_ticket": ticket})
        elif h.uniform(81, v) < 0.5:
            unit = g.pick(sources, 82, v, power=2.0)
            when = date(2020, 1, 1) + h.below(1800, 83, v) * _DAY
            ticket = f"CZ{when:%Y%m%d}B{v:07d}"
            yield _edge("LOADED", g.enterprise(unit), car, when, props={"weigh_ticket": ticket})


def _project_edges(g: GeneratedGraph) -> Iterator[Edge]:
    plan = g.plan
    for p in range(g.sizes.projects):
        project = g.project(p)
        bidders = g.bidders_of(p)
        managers = g.managers_of(p, bidders)
        for slot, (b, m) in enumerate(zip(bidders, managers, strict=True)):
            when = g.bid_date(p, slot)
            bidder = g.enterprise(b)
            yield _edge("BID_ON", bidder, project, when, props={"date": when, "lot": "1"})
            manager = plan.pm_override.get((p, b), m)
            props = {"for_enterprise": bidder.key}
            yield _edge("MANAGES", g.person(manager), project, when, props=props)
        opening = g.bid_opening(p)
        if opening < date(2025, 1, 1):
            winner = g.enterprise(bidders[g.h.below(len(bidders), 84, p)])
            yield _edge(
                "CONTRACTED", winner, project, opening + 10 * _DAY, props={"role": "施工总承包"}
            )
