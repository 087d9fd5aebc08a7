"""Hidden links (疑似关系): entities that share a phone, an e-mail, an address or a key person.

Each link is graded **hard**, **suspicious** or **weak** (after the audit rules cited in
DOMAIN-NOTES §6, configurable in ``investigations.yaml``) and carries the shared
identifier and the relationships on both sides as evidence.  A tie that ended before
``as_of`` (a former legal representative, 曾任法人) is kept one grade lower.

Very common values are **hubs**: a registered-agent address used by thousands of
companies, a nominee legal representative, a fund with stakes everywhere.  The store counts
the entities on each shared value; above ``hub_threshold`` the value is reported with its
count and never linked.  Public webmail domains never make a domain link, and values in
the exclusion list are skipped (and reported as skipped).

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> result = links(store, story.jia, as_of=date(2022, 1, 1))
>>> [(link.entity.name, link.grade) for link in result.links]
[('丙建材商行', 'hard'), ('乙物流有限公司', 'suspicious')]
>>> result.links[0].evidence[0].text
'甲运输有限公司 and 丙建材商行 share phone 13800138000'
>>> for evidence in result.links[1].evidence:
...     print(evidence.shared, evidence.grade, evidence.current)
李娜 suspicious True
王军 suspicious False
>>> for step in result.links[1].evidence[1].steps:
...     print(step.text)
王军 was legal representative of 甲运输有限公司 from 2019-03-01 until 2021-06-01
王军 has been legal representative of 乙物流有限公司 since 2021-06-01
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from graph.model import Direction, Edge, NodeRef
from graph.stores.base import GraphStore
from queries.common import Entity, Step, entities_of, resolve, step_of
from queries.config import GRADES, Grade, InvestigationConfig, load_config

__all__ = ["Evidence", "HiddenLink", "LinksResult", "SharedHub", "links"]


class Evidence(BaseModel):
    """One shared identifier (or direct tie) between the entity and another."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(description="phone, email, address, email_domain, key_person, investment")
    grade: Grade
    shared: str = Field(description="the shared value, domain or person")
    via: Entity | None = Field(description="the shared node (contact or person), if any")
    current: bool = Field(description="false when a tie on either side ended before as_of")
    steps: list[Step]
    text: str


class HiddenLink(BaseModel):
    """Another entity linked to the one asked about, graded by its strongest evidence."""

    model_config = ConfigDict(frozen=True)

    entity: Entity
    grade: Grade
    evidence: list[Evidence]


class SharedHub(BaseModel):
    """A shared value too common to link on: reported with how many entities use it."""

    model_config = ConfigDict(frozen=True)

    kind: str
    shared: str
    via: Entity | None
    attached: int = Field(
        description="other entities on it, above the hub threshold (for an e-mail domain the "
        "addresses found, counted up to the threshold + 1)"
    )


class LinksResult(BaseModel):
    """Hidden links around one entity."""

    model_config = ConfigDict(frozen=True)

    entity: Entity
    as_of: date | None
    links: list[HiddenLink]
    hubs: list[SharedHub]
    skipped: list[str] = Field(description="shared values on the exclusion list")


class _Found(BaseModel):
    """Evidence before names are attached."""

    kind: str
    grade: Grade
    shared: str
    via: NodeRef | None
    current: bool
    edges: list[Edge]


def _lower(grade: Grade) -> Grade:
    return GRADES[min(GRADES.index(grade) + 1, len(GRADES) - 1)]


def _holds(edges: list[Edge], as_of: date | None) -> bool:
    return any(e.valid_on(as_of) for e in edges)


def links(
    store: GraphStore,
    key: str | NodeRef,
    *,
    as_of: date | None = None,
    hub_threshold: int | None = None,
    config: InvestigationConfig | None = None,
) -> LinksResult:
    """Entities that share a contact or a key person with ``key``, graded, with evidence."""
    config = config or load_config()
    cfg = config.links
    hub = cfg.hub_threshold if hub_threshold is None else hub_threshold
    node = resolve(store, key)
    seed = node.ref
    found: dict[NodeRef, list[_Found]] = {}
    hubs: list[tuple[str, str, NodeRef | None, int]] = []
    skipped: list[str] = []
    emails: list[tuple[str, Edge]] = []

    contacts = store.shared_neighbours(
        seed,
        types=[cfg.contact_type],
        hub_threshold=hub,
        as_of=as_of,
        include_ended=cfg.include_ended,
    )
    for shared in contacts:
        via = shared.via
        channel = str(via.props.get("channel", "contact"))
        value = str(via.props.get("value", via.key))
        if via.key in cfg.excluded:
            skipped.append(via.key)
            continue
        if channel == "email" and _holds(shared.mine, as_of) and "@" in value:
            emails.append((value, shared.mine[0]))
        if shared.hub:
            hubs.append((channel, value, via.ref, shared.total))
            continue
        grade = cfg.channel_grades.get(channel, "weak")
        for other, edges in shared.others:
            current = _holds(shared.mine, as_of) and _holds(edges, as_of)
            found.setdefault(other, []).append(
                _Found(
                    kind=channel,
                    grade=grade if current else _lower(grade),
                    shared=value,
                    via=via.ref,
                    current=current,
                    edges=[*shared.mine, *edges],
                )
            )
    _domain_links(store, seed, emails, as_of, hub, config, found, hubs)
    if seed.kind in cfg.person_link_kinds:
        _person_links(store, seed, as_of, hub, config, found, hubs)
        _investments(store, seed, as_of, config, found)

    refs = {seed} | set(found) | {f.via for fs in found.values() for f in fs if f.via}
    refs |= {r for fs in found.values() for f in fs for e in f.edges for r in (e.src, e.dst)}
    refs |= {via for _, _, via, _ in hubs if via}
    entities = entities_of(store, refs)
    names = {ref: e.name for ref, e in entities.items()}
    me = entities[seed]
    result = []
    for other, items in found.items():
        evidence = [
            _evidence(f, me, entities[other], entities, names, as_of, config) for f in items
        ]
        evidence.sort(key=lambda e: (GRADES.index(e.grade), e.kind, e.shared))
        result.append(
            HiddenLink(entity=entities[other], grade=evidence[0].grade, evidence=evidence)
        )
    result.sort(key=lambda link: (GRADES.index(link.grade), -len(link.evidence), link.entity.uid))
    return LinksResult(
        entity=me,
        as_of=as_of,
        links=result,
        hubs=[
            SharedHub(kind=k, shared=s, via=entities.get(v) if v else None, attached=n)
            for k, s, v, n in hubs
        ],
        skipped=sorted(skipped),
    )


def _evidence(
    f: _Found,
    me: Entity,
    other: Entity,
    entities: dict[NodeRef, Entity],
    names: dict[NodeRef, str],
    as_of: date | None,
    config: InvestigationConfig,
) -> Evidence:
    steps = [step_of(e, names, as_of, config) for e in f.edges]
    if f.kind == "investment":
        text = "; ".join(s.text for s in steps)
    elif f.kind == "key_person":
        text = f"{me.name} and {other.name} share {f.shared}: " + "; ".join(s.text for s in steps)
    elif f.kind == "email_domain":
        text = f"{me.name} and {other.name} use e-mail addresses at {f.shared}"
    else:
        text = f"{me.name} and {other.name} share {f.kind} {f.shared}"
    if not f.current:
        text += " (a former tie)"
    return Evidence(
        kind=f.kind,
        grade=f.grade,
        shared=f.shared,
        via=entities.get(f.via) if f.via else None,
        current=f.current,
        steps=steps,
        text=text,
    )


def _domain_links(
    store: GraphStore,
    seed: NodeRef,
    emails: list[tuple[str, Edge]],
    as_of: date | None,
    hub: int,
    config: InvestigationConfig,
    found: dict[NodeRef, list[_Found]],
    hubs: list[tuple[str, str, NodeRef | None, int]],
) -> None:
    """Other entities with an e-mail address at the same (non-webmail) domain."""
    cfg = config.links
    mine = {edge.dst for _, edge in emails}
    done: set[str] = set()
    for value, my_edge in emails:
        domain = value.rsplit("@", 1)[1].lower()
        if domain in cfg.webmail_domains or domain in done:
            continue
        done.add(domain)
        contacts = store.with_suffix(cfg.contact_kind, "value", f"@{domain}", limit=hub + 1)
        others = [c for c in contacts if c not in mine]
        if len(contacts) > hub:
            hubs.append(("email_domain", domain, None, len(contacts)))
            continue
        if not others:
            continue
        edges = store.expand(others, types=[cfg.contact_type], direction=Direction.IN, as_of=as_of)
        users = {e.src for e in edges if e.src != seed}
        if len(users) > hub:
            hubs.append(("email_domain", domain, None, len(users)))
            continue
        for edge in edges:
            if edge.src == seed:
                continue
            found.setdefault(edge.src, []).append(
                _Found(
                    kind="email_domain",
                    grade=cfg.email_domain_grade,
                    shared=domain,
                    via=None,
                    current=True,
                    edges=[my_edge, edge],
                )
            )


def _person_links(
    store: GraphStore,
    seed: NodeRef,
    as_of: date | None,
    hub: int,
    config: InvestigationConfig,
    found: dict[NodeRef, list[_Found]],
    hubs: list[tuple[str, str, NodeRef | None, int]],
) -> None:
    """Other entities in which the same person (or holder) holds a key role."""
    cfg = config.links
    roles = cfg.person_roles
    shared_people = store.shared_neighbours(
        seed, types=sorted(roles), hub_threshold=hub, as_of=as_of, include_ended=cfg.include_ended
    )
    for shared in shared_people:
        via = shared.via.ref
        mine = [e for e in shared.mine if e.dst == seed and e.src == via]
        if not mine:
            continue  # the seed holds a role in `via`, not the other way round
        if shared.hub:
            hubs.append(
                ("key_person", str(shared.via.props.get("name", via.key)), via, shared.total)
            )
            continue
        for other, edges in shared.others:
            theirs = [e for e in edges if e.dst == other and e.src == via]
            if not theirs or other.kind not in cfg.person_link_kinds:
                continue
            best: tuple[int, Grade, bool] | None = None
            for a in mine:
                for b in theirs:
                    current = a.valid_on(as_of) and b.valid_on(as_of)
                    grade = cfg.person_grade(roles[a.type], roles[b.type])
                    grade = grade if current else _lower(grade)
                    rank = GRADES.index(grade)
                    if best is None or rank < best[0]:
                        best = (rank, grade, current)
            assert best is not None
            found.setdefault(other, []).append(
                _Found(
                    kind="key_person",
                    grade=best[1],
                    shared=str(shared.via.props.get("name", via.key)),
                    via=via,
                    current=best[2],
                    edges=[*mine, *theirs],
                )
            )


def _investments(
    store: GraphStore,
    seed: NodeRef,
    as_of: date | None,
    config: InvestigationConfig,
    found: dict[NodeRef, list[_Found]],
) -> None:
    """A direct shareholding or declared control between the entity and another."""
    cfg = config.links
    for edge in store.expand([seed], types=list(cfg.investment_types), as_of=as_of):
        other = edge.dst if edge.src == seed else edge.src
        if other.kind not in cfg.person_link_kinds:
            continue
        found.setdefault(other, []).append(
            _Found(
                kind="investment",
                grade=cfg.investment_grade,
                shared=edge.type,
                via=None,
                current=True,
                edges=[edge],
            )
        )
