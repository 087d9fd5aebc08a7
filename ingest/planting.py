"""The patterns the generator plants, chosen once per seed, and the overrides they imply.

The background graph is a pure function of (seed, index); a planted pattern *overrides*
a few of those functions for a few indices (this enterprise's legal representative is that
person, this vehicle is owned by a person, these two bids name the same manager …).  The
overrides are small dictionaries; :mod:`ingest.generate_streams` consults them while
streaming, so the truth and the streamed graph cannot disagree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ingest import synth
from ingest.truth import BidRing, GroundTruth, Guakao, Hubs, Overloading, ShellGroup

if TYPE_CHECKING:
    from ingest.generate import GeneratedGraph

__all__ = ["Plan", "plan_patterns"]

#: Registered-agent addresses: a handful of hub contacts used by ~3 % of all enterprises.
AGENT_HUBS = 5
AGENT_SHARE = 0.03
#: Share of enterprises the big fund holds a small stake in.
FUND_SHARE = 0.03


@dataclass
class Plan:
    """Overrides of the background structure, and the truth they make."""

    truth: GroundTruth
    fund: int
    agent_addresses: list[int]
    lr_override: dict[int, int] = field(default_factory=dict)
    addr_override: dict[int, int] = field(default_factory=dict)
    owner_override: dict[int, int] = field(default_factory=dict)
    pm_override: dict[tuple[int, int], int] = field(default_factory=dict)
    ctrl_override: dict[int, tuple[int, float]] = field(default_factory=dict)
    loaded_override: dict[int, tuple[int, str, date]] = field(default_factory=dict)


def plan_patterns(g: GeneratedGraph, rng: random.Random) -> Plan:
    """Choose the planted patterns for ``g`` with ``rng`` (seeded by the caller)."""
    s = g.sizes
    h = g.h
    other = s.enterprise_range("other")
    fund = other.start
    agents = rng.sample(range(s.addresses), min(AGENT_HUBS, s.addresses))
    hubs = Hubs(
        agent_addresses=[f"address|{synth.address_text(h, a)}" for a in agents],
        fund=synth.enterprise_uscc(h, fund),
    )
    plan = Plan(
        truth=GroundTruth(
            scale=g.scale,
            seed=g.seed,
            shell_groups=[],
            guakao=[],
            bid_rings=[],
            overloading=[],
            hubs=hubs,
        ),
        fund=fund,
        agent_addresses=agents,
    )
    _plant_shells(g, rng, plan)
    _plant_guakao(g, rng, plan)
    _plant_rings(g, rng, plan)
    _plant_overloading(g, rng, plan)
    return plan


def _plant_shells(g: GeneratedGraph, rng: random.Random, plan: Plan) -> None:
    s = g.sizes
    candidates = [*s.enterprise_range("transport"), *s.enterprise_range("other")]
    candidates.remove(plan.fund)
    groups = max(2, s.enterprises // 400)
    chosen = rng.sample(candidates, min(len(candidates), groups * 6))
    pos = 0
    for _ in range(groups):
        size = rng.randint(3, 6)
        members = sorted(chosen[pos : pos + size])
        pos += size
        if len(members) < 3:
            break
        rep = members[0]  # the first member's own legal representative takes them all
        address = rng.randrange(s.addresses)
        for e in members:
            plan.lr_override[e] = rep
            plan.addr_override[e] = address
        plan.truth.shell_groups.append(
            ShellGroup(
                legal_rep=synth.person_id_no(g.h, rep),
                enterprises=[synth.enterprise_uscc(g.h, e) for e in members],
                shared_address=f"address|{synth.address_text(g.h, address)}",
            )
        )


def _vehicle_key(g: GeneratedGraph, v: int) -> str:
    return f"{synth.plate_for(g.h, v)}|{g.plate_color(v)}"


def _plant_guakao(g: GeneratedGraph, rng: random.Random, plan: Plan) -> None:
    s = g.sizes
    for v in sorted(rng.sample(range(s.vehicles), max(3, s.vehicles // 20))):
        owner = g.uniform_pick(s.practitioners, 46, v)
        plan.owner_override[v] = owner
        plan.truth.guakao.append(
            Guakao(
                vehicle=_vehicle_key(g, v),
                owner=synth.person_id_no(g.h, owner),
                operator=synth.enterprise_uscc(g.h, g.operator_of(v)),
            )
        )


def _plant_rings(g: GeneratedGraph, rng: random.Random, plan: Plan) -> None:
    s = g.sizes
    wanted = max(2, s.projects // 50)
    controlled: set[int] = set()
    for n, p in enumerate(rng.sample(range(s.projects), s.projects)):
        if len(plan.truth.bid_rings) >= wanted:
            break
        bidders = g.bidders_of(p)
        a, b = sorted(rng.sample(range(len(bidders)), 2))
        ea, eb = bidders[a], bidders[b]
        if n % 2 == 0:
            shared = g.managers_of(p, bidders)[a]
            plan.pm_override[(p, eb)] = shared
            link = "project_manager"
        else:
            if ea in controlled or eb in controlled:
                continue
            shared = g.uniform_pick(s.practitioners, 47, p)
            for e in (ea, eb):
                plan.ctrl_override[e] = (shared, round(rng.uniform(0.51, 0.9), 2))
                controlled.add(e)
            link = "controlling_shareholder"
        plan.truth.bid_rings.append(
            BidRing(
                project=g.project_code(p),
                bidders=[synth.enterprise_uscc(g.h, ea), synth.enterprise_uscc(g.h, eb)],
                link=link,
                shared=synth.person_id_no(g.h, shared),
                all_bidders=[synth.enterprise_uscc(g.h, e) for e in bidders],
            )
        )


def _plant_overloading(g: GeneratedGraph, rng: random.Random, plan: Plan) -> None:
    s = g.sizes
    sources = s.enterprise_range("source")
    for n, v in enumerate(sorted(rng.sample(range(s.vehicles), max(3, s.vehicles // 200)))):
        unit = sources.start + rng.randrange(len(sources))
        when = date(2022, 1, 1) + timedelta(days=rng.randrange(1000))
        ticket = f"CZ{when:%Y%m%d}{n:06d}"
        plan.loaded_override[v] = (unit, ticket, when)
        plan.truth.overloading.append(
            Overloading(
                vehicle=_vehicle_key(g, v),
                driver=synth.person_id_no(g.h, g.first_driver_of(v)),
                operator=synth.enterprise_uscc(g.h, g.operator_of(v)),
                source_unit=synth.enterprise_uscc(g.h, unit),
                weigh_ticket=ticket,
                date=when,
                overload_ratio=round(rng.uniform(0.3, 1.2), 2),
                decision_no=f"吉交执罚〔{when.year}〕{n + 1:05d}号",
            )
        )
