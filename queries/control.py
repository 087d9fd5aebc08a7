"""Control (股权穿透 / 实际控制人): who owns and controls an entity, and what a party controls.

Ownership is traced through ``SHAREHOLDER_OF`` chains by the store (a quantified path
pattern on Neo4j with the date predicate inside it; products and sums on the server).
A party's **effective share** is the product of the ratios along each chain, summed over
its chains.  A party **controls** the entity when its effective share is above the
control threshold (50 %) or when it holds more than half at every step of a chain (a
majority chain).  **Beneficial owners** (受益所有人) are natural persons with at least 25 %
or control.  The **actual controller** is the one declared by a source
(``ACTUAL_CONTROLLER_OF``) if any, else the controlling party that no other controlling
party stands above.  Every figure comes with its chains.

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> result = control(store, story.yi, as_of=date(2022, 1, 1))
>>> [(s.party.name, s.share, s.controls, s.beneficial_owner) for s in result.stakes]
[('李娜', 0.6, True, True)]
>>> [e.name for e in result.actual_controller], result.basis
(['李娜'], '李娜 controls 乙物流有限公司 with an effective 60% (above 50%)')
>>> control(store, story.li, reverse=True).stakes[0].chains[0].text
'李娜 holds 60% of 乙物流有限公司 since 2018-01-01'
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from graph.model import Direction, NodeRef
from graph.stores.analysis import OwnershipStake
from graph.stores.base import GraphStore, Path
from queries.common import Entity, Step, entities_of, resolve, step_of
from queries.config import InvestigationConfig, load_config

__all__ = ["Chain", "ControlResult", "Declared", "Stake", "control"]

CONTROL_TYPE = "ACTUAL_CONTROLLER_OF"
SHARE_TYPE = "SHAREHOLDER_OF"


class Chain(BaseModel):
    """One ownership chain, from the entity asked about to the party (or the reverse)."""

    model_config = ConfigDict(frozen=True)

    share: float = Field(description="product of the ratios along the chain")
    majority: bool = Field(description="every holding on the chain is above the control threshold")
    nodes: list[Entity]
    steps: list[Step]
    text: str


class Stake(BaseModel):
    """A party above (a holder) or below (a holding) the entity, with its effective share."""

    model_config = ConfigDict(frozen=True)

    party: Entity
    share: float = Field(description="effective share: products summed over chains")
    direct: float | None = Field(description="the direct holding, if the two are adjacent")
    ultimate: bool = Field(description="holder with no recorded holder of its own (upward only)")
    controls: bool
    beneficial_owner: bool
    chains: list[Chain]
    chains_not_shown: int = Field(0, description="chains below min_chain_share")


class Declared(BaseModel):
    """An actual controller asserted by a source (``ACTUAL_CONTROLLER_OF``)."""

    model_config = ConfigDict(frozen=True)

    controller: Entity
    controlled: Entity
    step: Step


class ControlResult(BaseModel):
    """Ownership and control around one entity (upward) or below one party (downward)."""

    model_config = ConfigDict(frozen=True)

    entity: Entity
    direction: Literal["up", "down"]
    as_of: date | None
    beneficial_owner_threshold: float
    control_threshold: float
    stakes: list[Stake]
    declared: list[Declared]
    actual_controller: list[Entity] = Field(description="upward only; empty when none qualifies")
    basis: str = Field(
        description="how the actual controller was determined, or what is controlled"
    )


def control(
    store: GraphStore,
    key: str | NodeRef,
    *,
    reverse: bool = False,
    as_of: date | None = None,
    max_hops: int | None = None,
    config: InvestigationConfig | None = None,
) -> ControlResult:
    """Owners and controller of ``key`` or, with ``reverse``, everything ``key`` holds."""
    config = config or load_config()
    settings = config.control
    hops = settings.max_hops if max_hops is None else max_hops
    node = resolve(store, key)
    stakes = store.ownership(
        node.ref, upstream=not reverse, max_hops=hops, as_of=as_of, via=SHARE_TYPE
    )
    direction = Direction.OUT if reverse else Direction.IN
    declared_edges = store.expand(
        [node.ref], types=[CONTROL_TYPE], direction=direction, as_of=as_of
    )
    refs = {node.ref} | {r for s in stakes for c in s.chains for r in c.nodes}
    refs |= {r for e in declared_edges for r in (e.src, e.dst)}
    entities = entities_of(store, refs)
    names = {ref: e.name for ref, e in entities.items()}
    # Parties through which a chain passes have holders (upward) of their own.
    intermediate = {r for s in stakes for c in s.chains for r in c.nodes[1:-1]}
    views = [_stake(s, entities, names, intermediate, reverse, hops, as_of, config) for s in stakes]
    views.sort(key=lambda v: (-v.share, v.party.uid))
    declared = [
        Declared(
            controller=entities[e.src],
            controlled=entities[e.dst],
            step=step_of(e, names, as_of, config),
        )
        for e in declared_edges
    ]
    entity = entities[node.ref]
    if reverse:
        held = [v.party.name for v in views if v.controls]
        controller: list[Entity] = []
        basis = f"{entity.name} controls {len(held)} of {len(views)} holdings" + (
            f" ({', '.join(held[:5])}{', …' if len(held) > 5 else ''})" if held else ""
        )
    else:
        controller, basis = _actual_controller(entity, views, stakes, declared, config)
    return ControlResult(
        entity=entity,
        direction="down" if reverse else "up",
        as_of=as_of,
        beneficial_owner_threshold=settings.beneficial_owner,
        control_threshold=settings.control,
        stakes=views,
        declared=declared,
        actual_controller=controller,
        basis=basis,
    )


def _chain(
    path: Path,
    entities: dict[NodeRef, Entity],
    names: dict[NodeRef, str],
    as_of: date | None,
    config: InvestigationConfig,
) -> Chain:
    share = 1.0
    majority = True
    for edge in path.edges:
        ratio = float(edge.props.get("ratio") or 0.0)
        share *= ratio
        majority = majority and ratio > config.control.control
    steps = [step_of(e, names, as_of, config) for e in path.edges]
    return Chain(
        share=round(share, 12),
        majority=majority,
        nodes=[entities[r] for r in path.nodes],
        steps=steps,
        text="; ".join(s.text for s in steps),
    )


def _stake(
    stake: OwnershipStake,
    entities: dict[NodeRef, Entity],
    names: dict[NodeRef, str],
    intermediate: set[NodeRef],
    reverse: bool,
    hops: int,
    as_of: date | None,
    config: InvestigationConfig,
) -> Stake:
    settings = config.control
    chains = [_chain(p, entities, names, as_of, config) for p in stake.chains]
    share = round(stake.share, 12)
    controls = share > settings.control or any(c.majority for c in chains)
    direct = next((c.share for c in chains if len(c.steps) == 1), None)
    party = entities[stake.party]
    person = party.kind == "Person"
    deepest = min((len(c.steps) for c in chains), default=0)
    ultimate = not reverse and stake.party not in intermediate and (person or deepest < hops)
    shown = [c for c in chains if c.share >= settings.min_chain_share or c.majority]
    return Stake(
        party=party,
        share=share,
        direct=direct,
        ultimate=ultimate,
        controls=controls,
        beneficial_owner=not reverse
        and person
        and (share >= settings.beneficial_owner or controls),
        chains=shown,
        chains_not_shown=len(chains) - len(shown),
    )


def _actual_controller(
    entity: Entity,
    views: list[Stake],
    stakes: list[OwnershipStake],
    declared: list[Declared],
    config: InvestigationConfig,
) -> tuple[list[Entity], str]:
    if declared:
        sources = sorted({d.step.source or "an unnamed source" for d in declared})
        return (
            sorted({d.controller for d in declared}, key=lambda e: e.uid),
            f"declared by {', '.join(sources)} ({CONTROL_TYPE})",
        )
    controlling = {v.party.ref: v for v in views if v.controls}
    if not controlling:
        pct = _pct(config.control.control)
        return [], f"no party controls {entity.name} (none above {pct} or by a majority chain)"
    # A controlling party lies above another when it appears beyond it on a chain.
    below_another = {
        r
        for s in stakes
        if s.party in controlling
        for c in s.chains
        for r in c.nodes[1:-1]
        if r in controlling
    }
    top = [v for ref, v in sorted(controlling.items()) if ref not in below_another]
    if len(top) != 1:
        names = ", ".join(v.party.name for v in top)
        return [v.party for v in top], f"several parties qualify: {names}"
    chosen = top[0]
    if chosen.share > config.control.control:
        how = f"with an effective {_pct(chosen.share)} (above {_pct(config.control.control)})"
    else:
        how = f"through a chain of majority holdings ({_pct(chosen.share)} effective)"
    return [chosen.party], f"{chosen.party.name} controls {entity.name} {how}"


def _pct(value: float) -> str:
    pct = value * 100
    return f"{pct:.0f}%" if abs(pct - round(pct)) < 1e-9 else f"{pct:.2f}%"
