"""Risk exposure (关联风险, advisory): a score for an entity from the listed subjects around it.

**Advisory only.**  The score helps a human decide where to look; it is not one of the
legal measures of the catalog (四张清单), nothing restricts anyone because of it, and every
answer says so (:data:`ADVISORY`).

Each subject within ``max_hops`` whose credit state has a severity (``listed``,
``affected`` by a measure) contributes

    severity(state) × decay^(distance - 1) × Π weight(type) over the relationships of a path

taken on the heaviest of its shortest paths (up to ``paths_per_subject`` of them are
examined); the score is the sum of the contributions.  Weights, decay, severities and
bands are configuration.  Every contribution carries its paths.

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> result = risk(store, story.jia, as_of=date(2022, 1, 1))
>>> result.score, result.band, result.contributions
(0.0, 'low', [])
>>> result.advisory.startswith("Advisory")
True
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from graph.model import NodeRef
from graph.stores.base import GraphStore
from queries.common import Credit, Entity, Step, names_of, resolve, step_of
from queries.config import InvestigationConfig, load_config
from queries.related import related

__all__ = ["ADVISORY", "Contribution", "RiskPath", "RiskResult", "risk"]

ADVISORY = (
    "Advisory risk exposure, for a human reader. It is not a credit measure of the catalog "
    "(四张清单): no sanction, restriction or refusal may be based on it (目录外不得惩戒)."
)


class RiskPath(BaseModel):
    """A path from the entity to a listed subject and its weight."""

    model_config = ConfigDict(frozen=True)

    weight: float = Field(description="decay^(hops-1) × product of relationship weights")
    steps: list[Step]
    text: str


class Contribution(BaseModel):
    """What one subject around the entity adds to the score, and why."""

    model_config = ConfigDict(frozen=True)

    subject: Entity
    credit: Credit
    distance: int
    severity: float
    score: float = Field(description="severity × the weight of the heaviest path")
    paths: list[RiskPath]


class RiskResult(BaseModel):
    """The advisory risk exposure of an entity."""

    model_config = ConfigDict(frozen=True)

    advisory: str = ADVISORY
    entity: Entity
    own_credit: Credit = Field(description="the entity's own state (not part of the score)")
    as_of: date | None
    score: float
    band: str
    contributions: list[Contribution]
    examined: int = Field(description="entities examined around the entity")
    truncated: bool = Field(description="the entity limit stopped the search")
    max_hops: int
    decay: float


def risk(
    store: GraphStore,
    key: str | NodeRef,
    *,
    as_of: date | None = None,
    max_hops: int | None = None,
    config: InvestigationConfig | None = None,
) -> RiskResult:
    """The advisory risk score of ``key`` from listed subjects within ``max_hops``."""
    config = config or load_config()
    cfg = config.risk
    hops = cfg.max_hops if max_hops is None else max_hops
    types = sorted(t for t, w in cfg.weights.items() if w > 0)
    node = resolve(store, key)
    around = related(
        store,
        node.ref,
        hops=hops,
        types=types,
        as_of=as_of,
        limit=cfg.limit,
        per_node_cap=cfg.per_node_cap,
        config=config,
    )
    contributions = []
    for found in around.entities:
        severity = cfg.severity.get(found.credit.state, 0.0)
        if severity <= 0:
            continue
        walks = store.k_shortest_paths(
            node.ref,
            found.entity.ref,
            k=cfg.paths_per_subject,
            max_hops=found.distance,
            types=types,
            as_of=as_of,
        )
        refs = {r for w in walks for r in w.nodes}
        names = names_of(store.get_nodes(refs))
        paths = []
        for walk in walks:
            weight = cfg.decay ** (len(walk.edges) - 1)
            for edge in walk.edges:
                weight *= cfg.weights.get(edge.type, 0.0)
            steps = [step_of(e, names, as_of, config) for e in walk.edges]
            paths.append(
                RiskPath(
                    weight=round(weight, 9), steps=steps, text="; ".join(s.text for s in steps)
                )
            )
        paths.sort(key=lambda p: -p.weight)
        best = paths[0].weight if paths else 0.0
        contributions.append(
            Contribution(
                subject=found.entity,
                credit=found.credit,
                distance=found.distance,
                severity=severity,
                score=round(severity * best, 9),
                paths=paths,
            )
        )
    contributions.sort(key=lambda c: (-c.score, c.subject.uid))
    score = round(sum(c.score for c in contributions), 6)
    band = next(
        (name for name, floor in sorted(cfg.bands.items(), key=lambda b: -b[1]) if score >= floor),
        "low",
    )
    return RiskResult(
        entity=around.seed,
        own_credit=around.credit,
        as_of=as_of,
        score=score,
        band=band,
        contributions=contributions,
        examined=len(around.entities),
        truncated=around.truncated,
        max_hops=hops,
        decay=cfg.decay,
    )
