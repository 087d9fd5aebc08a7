"""第三十四条 and the review points from the graph: what ties two bidders, or a bidder and the
tenderer.

* **Shared nodes and direct ties** come from one batched query over the bidders, the project
  managers they name and the tenderer / owner (:meth:`GraphStore.shared_among`).  A person
  heading two bidders (法定代表人 / 主要负责人 on the bid date) is 第34条 whatever else that person
  does; every other shared person, contact, vehicle or shareholder is a review point graded
  by the investigation settings (``links``: role classes, channel grades, former ties one
  grade lower).  Review points never come from a hub (more than ``hub_threshold`` others
  attached) or an excluded value (registered-agent address, big fund): those are noted.
* **Control** is :func:`queries.control.control` per bidder: a bidder controlling another
  (effective share above 50 % or a majority chain, or a declared actual controller), or a
  party controlling both, is 第34条 (控股关系).
* **Listed subjects within two hops** are :func:`queries.related.related` per bidder, keeping
  those whose path passes no hub and no excluded value.
"""

from __future__ import annotations

from itertools import combinations

from graph.model import Edge, NodeRef
from graph.stores.shared import SharedAmong
from queries.bidding_context import CheckContext, Owner
from queries.common import Entity, Step
from queries.config import GRADES, Grade
from queries.control import Chain, ControlResult
from queries.related import RelatedResult

__all__ = ["check_control", "check_listed", "check_shared"]

PARTIES = ("tenderer", "owner")
ROLE_WORDS = {"tenderer": "招标人 tenderer", "owner": "建设单位 project owner"}
Pair = tuple[str, str]


def _lower(grade: Grade) -> Grade:
    return GRADES[min(GRADES.index(grade) + 1, len(GRADES) - 1)]


def _strongest(grades: list[Grade]) -> Grade:
    return min(grades, key=GRADES.index) if grades else "weak"


def _who(ctx: CheckContext, owner: Owner, ref: NodeRef) -> str:
    role, uscc = owner
    if role == "manager":
        return f"{ctx.name(ref)} (project manager of {ctx.bidder_name(uscc)})"
    if role in PARTIES:
        return f"{ctx.name(ref)} ({ROLE_WORDS[role]})"
    return ctx.name(ref)


# -- control ---------------------------------------------------------------------------------
Controllers = dict[str, tuple[Entity, list[Chain], list[Step]]]


def _controllers(result: ControlResult) -> Controllers:
    """Parties that control the entity, with the chains or declarations that show it."""
    found: Controllers = {}
    for stake in result.stakes:
        if stake.controls:
            found[stake.party.uid] = (stake.party, stake.chains, [])
    for declared in result.declared:
        entity, chains, steps = found.get(declared.controller.uid, (declared.controller, [], []))
        found[declared.controller.uid] = (entity, chains, [*steps, declared.step])
    return found


def check_control(ctx: CheckContext, results: dict[str, ControlResult]) -> dict[Pair, set[str]]:
    """第34条 control findings; returns, per pair of units (by USCC), the entities a control
    finding already shows (controllers and the parties on their chains)."""
    controllers = {uid: _controllers(r) for uid, r in results.items()}
    covered: dict[Pair, set[str]] = {}
    units = [(("bidder", b.uscc), b.ref.uid) for b in ctx.bidders]
    units += [((role, p.uscc), p.ref.uid) for role, p in ctx.tender.parties()]
    for (ox, x), (oy, y) in combinations(units, 2):
        if ox[0] in PARTIES and oy[0] in PARTIES:
            continue
        cx, cy = controllers.get(x, {}), controllers.get(y, {})
        parties = [(x, y, cy.get(x)), (y, x, cx.get(y))]
        pair = covered.setdefault(_pair(ox[1], oy[1]), set())
        for holder, held, how in parties:
            if how is None:
                continue
            _controls(ctx, ox, oy, holder, held, how)
            pair.update({holder, *_on_chains(how[1])})
        common = sorted(set(cx) & set(cy) - {x, y})
        if common:
            _same_controller(ctx, ox, oy, x, y, common, cx, cy)
            pair.update(common)
            pair.update(u for c in common for u in _on_chains([*cx[c][1], *cy[c][1]]))
    return covered


def _on_chains(chains: list[Chain]) -> set[str]:
    """Every entity on the chains (the parties in between included)."""
    return {e.uid for c in chains for e in c.nodes}


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def _controls(
    ctx: CheckContext,
    ox: Owner,
    oy: Owner,
    holder: str,
    held: str,
    how: tuple[Entity, list[Chain], list[Step]],
) -> None:
    entity, chains, steps = how
    held_ref, holder_ref = NodeRef.from_uid(held), NodeRef.from_uid(holder)
    share = max((c.share for c in chains), default=None)
    detail = "; ".join([c.text for c in chains] + [s.text for s in steps])
    party = next((o for o in (ox, oy) if o[0] in PARTIES), None)
    if party is None:
        ctx.add(
            "control",
            "article_34",
            [ox[1], oy[1]],
            f"{holder}>{held}",
            title="存在控股或管理关系 / one bidder controls the other",
            text=f"{entity.name} controls {ctx.name(held_ref)}"
            + (f" (effective {share:.0%})" if share else "")
            + f": {detail}",
            law=["art34_2"],
            steps=steps,
            chains=chains,
            entities=[holder_ref, held_ref],
        )
        return
    bidder = ox if party is oy else oy
    ctx.add(
        "tenderer_link",
        "article_34",
        [bidder[1]],
        f"control|{holder}>{held}",
        title="与招标人存在控股关系 / control relation with the tenderer",
        text=f"{entity.name} controls {ctx.name(held_ref)} ({ROLE_WORDS[party[0]]} and bidder): "
        f"{detail}",
        law=["art34_1"],
        steps=steps,
        chains=chains,
        entities=[holder_ref, held_ref],
    )


def _same_controller(
    ctx: CheckContext,
    ox: Owner,
    oy: Owner,
    x: str,
    y: str,
    common: list[str],
    cx: Controllers,
    cy: Controllers,
) -> None:
    names = ", ".join(cx[c][0].name for c in common)
    chains = [c for uid in common for c in (*cx[uid][1], *cy[uid][1])]
    steps = [s for uid in common for s in (*cx[uid][2], *cy[uid][2])]
    refs = [NodeRef.from_uid(u) for u in (x, y, *common)]
    party = next((o for o in (ox, oy) if o[0] in PARTIES), None)
    text = f"{ctx.name(refs[0])} and {ctx.name(refs[1])} are both controlled by {names}"
    if party is None:
        ctx.add(
            "same_controller",
            "article_34",
            [ox[1], oy[1]],
            "|".join(common),
            title="受同一主体控制 / under the same controller",
            text=text,
            law=["art34_2"],
            steps=steps,
            chains=chains,
            entities=refs,
        )
        return
    bidder = ox if party is oy else oy
    ctx.add(
        "tenderer_link",
        "article_34",
        [bidder[1]],
        "controller|" + "|".join(common),
        title="与招标人受同一主体控制 / under the same controller as the tenderer",
        text=text,
        law=["art34_1"],
        steps=steps,
        chains=chains,
        entities=refs,
    )


# -- shared nodes and direct ties --------------------------------------------------------
def check_shared(
    ctx: CheckContext, shared: list[SharedAmong], covered: dict[Pair, set[str]]
) -> None:
    """第34条 same head, tenderer links and review points from the batched query."""
    owners = ctx.owners()
    for item in shared:
        ctx.remember(nodes=[item.via], edges=[e for _, es in item.members for e in es])
    for item in shared:
        if item.uid in owners:
            for member, edges in item.members:
                for ox in owners[item.uid]:
                    for oy in owners.get(member.uid, []):
                        _direct(ctx, item, ox, member, oy, edges, covered)
        for (m1, e1), (m2, e2) in combinations(item.members, 2):
            for ox in owners.get(m1.uid, []):
                for oy in owners.get(m2.uid, []):
                    _via(ctx, item, (m1, ox, e1), (m2, oy, e2), covered)


def _same_unit(ox: Owner, oy: Owner) -> bool:
    return ox[1] == oy[1] and ox[0] not in PARTIES and oy[0] not in PARTIES


def _quiet(ctx: CheckContext, item: SharedAmong, bidders: list[str]) -> bool:
    """Whether a hub or an excluded value: noted, never a review point."""
    via = item.via
    if ctx.config.is_excluded(item.uid, via.key, ctx.investigation):
        ctx.hub(via, bidders, item.attached, "excluded")
        return True
    if item.attached - 1 > ctx.config.hub(ctx.investigation):
        ctx.hub(via, bidders, item.attached, "hub")
        return True
    return False


def _roles(ctx: CheckContext, edges: list[Edge], via: NodeRef) -> list[tuple[str, Edge]]:
    classes = ctx.investigation.links.person_roles
    return [(classes.get(e.type, "staff"), e) for e in edges if e.src == via]


def _via(
    ctx: CheckContext,
    item: SharedAmong,
    side1: tuple[NodeRef, Owner, list[Edge]],
    side2: tuple[NodeRef, Owner, list[Edge]],
    covered: dict[Pair, set[str]],
) -> None:
    (m1, ox, e1), (m2, oy, e2) = side1, side2
    if _same_unit(ox, oy) or (ox[0] in PARTIES and oy[0] in PARTIES):
        return
    via = item.via.ref
    day = ctx.as_of
    heads = set(ctx.config.heads)
    if ox[0] == oy[0] == "bidder" and via.kind == "Person":
        h1 = [e for e in e1 if e.type in heads and e.src == via and e.valid_on(day)]
        h2 = [e for e in e2 if e.type in heads and e.src == via and e.valid_on(day)]
        if h1 and h2:
            ctx.add(
                "same_head",
                "article_34",
                [ox[1], oy[1]],
                item.uid,
                title="单位负责人为同一人 / the same head of unit",
                text=f"{ctx.name(via)} is head of unit (法定代表人/主要负责人) of both "
                f"{ctx.name(m1)} and {ctx.name(m2)} on {day}",
                law=["art34_2"],
                edges=[*h1, *h2],
                entities=[via, m1, m2],
            )
            return
    bidders = [o[1] for o in (ox, oy) if o[0] not in PARTIES]
    if ox[0] == oy[0] == "bidder" and item.uid in covered.get(_pair(ox[1], oy[1]), set()):
        return  # the controlling party: a 第34条 finding says it already
    if _quiet(ctx, item, bidders):
        return
    grade, what = _grade(ctx, item, ox, oy, e1, e2)
    current = any(e.valid_on(day) for e in e1) and any(e.valid_on(day) for e in e2)
    grade = grade if current else _lower(grade)
    thing = (
        ctx.name(via)
        if via.kind == ctx.investigation.links.contact_kind
        else (f"{what} {ctx.name(via)}")
    )
    text = f"{_who(ctx, ox, m1)} and {_who(ctx, oy, m2)} share {thing}"
    text += "" if current else " (a former tie)"
    _review(ctx, ox, oy, item.uid, grade, text, [*e1, *e2], [via, m1, m2], current)


def _grade(
    ctx: CheckContext, item: SharedAmong, ox: Owner, oy: Owner, e1: list[Edge], e2: list[Edge]
) -> tuple[Grade, str]:
    """The strength of a shared node and the words for it."""
    links = ctx.investigation.links
    via = item.via.ref
    if via.kind == links.contact_kind:
        channel = str(item.via.props.get("channel", "contact"))
        return links.channel_grades.get(channel, "weak"), channel
    if via.kind == "Vehicle":
        return ctx.config.vehicle_grade, "vehicle"
    managers = ox[0] == "manager" or oy[0] == "manager"
    if via.kind == "Enterprise" and managers:
        return ctx.config.manager_tie_grade, "the employer"
    r1, r2 = _roles(ctx, e1, via), _roles(ctx, e2, via)
    if r1 and r2:
        grades = [links.person_grade(a, b) for a, _ in r1 for b, _ in r2]
        what = "the person" if via.kind == "Person" else "the shareholder"
        return _strongest(grades), what
    return "weak", "an investment in" if not r1 and not r2 else "a holding chain through"


def _direct(
    ctx: CheckContext,
    item: SharedAmong,
    ox: Owner,
    member: NodeRef,
    oy: Owner,
    edges: list[Edge],
    covered: dict[Pair, set[str]],
) -> None:
    if _same_unit(ox, oy) or (ox[0] in PARTIES and oy[0] in PARTIES):
        return
    via = item.via.ref
    pair = ox[0] == oy[0] == "bidder"
    if pair and covered.get(_pair(ox[1], oy[1]), set()) & {via.uid, member.uid}:
        return  # a control finding says it already
    links = ctx.investigation.links
    current = any(e.valid_on(ctx.as_of) for e in edges)
    if ox[0] == "manager" or oy[0] == "manager":
        grade = ctx.config.manager_tie_grade
    elif pair:
        grade = links.investment_grade
    else:
        grade = "hard"
    grade = grade if current else _lower(grade)
    text = "; ".join(ctx.step(e).text for e in edges)
    text = f"{_who(ctx, ox, via)} — {_who(ctx, oy, member)}: {text}"
    key = "direct|" + "|".join(sorted(e.eid for e in edges))
    _review(ctx, ox, oy, key, grade, text, edges, [via, member], current)


def _review(
    ctx: CheckContext,
    ox: Owner,
    oy: Owner,
    key: str,
    grade: Grade,
    text: str,
    edges: list[Edge],
    refs: list[NodeRef],
    current: bool,
) -> None:
    party = next((o for o in (ox, oy) if o[0] in PARTIES), None)
    if party is not None:
        bidder = oy if party is ox else ox
        ctx.add(
            "tenderer_link",
            "article_34",
            [bidder[1]],
            key,
            title=f"与{ROLE_WORDS[party[0]].split()[0]}存在关联 / linked to the {party[0]}",
            text=text,
            law=["art34_1"],
            grade=grade,
            edges=edges,
            entities=refs,
            current=current,
        )
        return
    managers = ox[0] == "manager" or oy[0] == "manager"
    ctx.add(
        "advisory",
        "advisory",
        [ox[1], oy[1]],
        key,
        title="项目经理与其他投标人关联（提示）/ project manager tied to another bidder"
        if managers
        else "投标人之间存在关联（提示）/ bidders linked (review point)",
        text=text,
        law=["local_staff"] if managers else ["art40_1"],
        grade=grade,
        edges=edges,
        entities=refs,
        current=current,
    )


# -- listed subjects nearby ---------------------------------------------------------------
def check_listed(ctx: CheckContext, results: dict[str, RelatedResult]) -> None:
    """Review points: listed subjects within ``listed_hops`` of a bidder, not through a hub."""
    members = set(ctx.owners())
    states = set(ctx.config.listed_states)
    grades: dict[int, Grade] = {1: "hard", 2: "suspicious"}
    for uscc, result in results.items():
        quiet = {h.entity.uid for h in result.hubs} | set(ctx.hubs)
        ctx.remember(other=[(e.entity.uid, e.distance, e.credit.state) for e in result.entities])
        known = {e.entity.uid: e.entity for e in result.entities}
        for found in result.entities:
            if found.credit.state not in states or found.entity.uid in members:
                continue
            passed = {s.src for s in found.via} | {s.dst for s in found.via}
            passed -= {result.seed.uid, found.entity.uid}
            if passed & quiet or any(
                ctx.config.is_excluded(uid, NodeRef.from_uid(uid).key, ctx.investigation)
                for uid in passed
            ):
                continue
            route = "; ".join(s.text for s in found.via)
            ctx.add(
                "advisory",
                "advisory",
                [uscc],
                "listed|" + found.entity.uid,
                title=f"{found.distance}跳内有失信主体（提示）/ listed subject within "
                f"{found.distance} hop{'s' if found.distance > 1 else ''}",
                text=f"{found.entity.name} ({found.credit.state}, measures "
                f"{', '.join(found.credit.measures) or 'black-list record'}) is "
                f"{found.distance} hop(s) from {ctx.bidder_name(uscc)}: {route}",
                law=["credit_query"],
                grade=grades.get(found.distance, "weak"),
                steps=found.via,
                entities=[result.seed, found.entity, *(known[u] for u in passed if u in known)],
            )
