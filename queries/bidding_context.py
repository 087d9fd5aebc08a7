"""What the checks of a bidding check share: the tender, the settings, the nodes and
relationships read so far (for names, evidence and the data version), and one way to make
a finding.

Everything the check reads from the store goes through :meth:`CheckContext.remember`, so
the data version digests exactly what the answer rests on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.model import Edge, Node, NodeRef
from graph.stores.base import GraphStore, StoredRecord
from queries.bidding_config import BiddingConfig, LawText, Rule
from queries.bidding_input import BidderIn, TenderIn
from queries.bidding_models import Category, Finding, HubNote, SharedValue
from queries.common import Entity, Step, display_name, step_of
from queries.config import Grade, InvestigationConfig

__all__ = ["CheckContext", "Owner"]

#: Who a member of the batched query stands for: ("bidder", uscc), ("manager", uscc) —
#: the project manager the bidder named — or ("tenderer" | "owner", uscc).
Owner = tuple[str, str]


@dataclass
class CheckContext:
    """The state of one check while it runs."""

    store: GraphStore
    tender: TenderIn
    config: BiddingConfig
    investigation: InvestigationConfig
    nodes: dict[NodeRef, Node] = field(default_factory=dict)
    edges: dict[str, Edge] = field(default_factory=dict)
    records: dict[str, StoredRecord] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)
    findings: dict[str, Finding] = field(default_factory=dict)
    hubs: dict[str, HubNote] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seen: dict[str, Entity] = field(default_factory=dict)
    _names: dict[NodeRef, str] | None = None

    # -- the tender ---------------------------------------------------------------------------
    @property
    def as_of(self) -> date:
        """The date measures and relationships are evaluated on."""
        return self.tender.evaluated_on

    @property
    def bidders(self) -> list[BidderIn]:
        """The bids, in the order given."""
        return self.tender.bidders

    def bidder(self, uscc: str) -> BidderIn:
        """The bid of a bidder."""
        return next(b for b in self.tender.bidders if b.uscc == uscc)

    def bidder_of(self, ref: NodeRef) -> BidderIn | None:
        """The bid whose bidder is ``ref``, if any."""
        if ref.kind != "Enterprise":
            return None
        return next((b for b in self.tender.bidders if b.uscc == ref.key), None)

    def owners(self) -> dict[str, list[Owner]]:
        """Members of the batched query (uid) and whom each stands for."""
        found: dict[str, list[Owner]] = {}
        for bid in self.bidders:
            found.setdefault(bid.ref.uid, []).append(("bidder", bid.uscc))
            if bid.manager_ref is not None:
                found.setdefault(bid.manager_ref.uid, []).append(("manager", bid.uscc))
        for role, party in self.tender.parties():
            found.setdefault(party.ref.uid, []).append((role, party.uscc))
        return found

    # -- what was read ------------------------------------------------------------------------
    def remember(
        self,
        nodes: Iterable[Node] = (),
        edges: Iterable[Edge] = (),
        records: Iterable[StoredRecord] = (),
        other: Iterable[Any] = (),
    ) -> None:
        """Keep what the store answered (names, evidence, data version)."""
        self._names = None
        for node in nodes:
            self.nodes[node.ref] = node
        for edge in edges:
            self.edges[edge.eid] = edge
        for record in records:
            self.records[record.rid] = record
        for item in other:
            self.extra.append(json.dumps(item, sort_keys=True, ensure_ascii=False, default=str))

    def evidence_digest(self) -> str:
        """SHA-256 over every node, relationship, record and answer read, in a stable order."""
        digest = hashlib.sha256()
        for node in sorted(self.nodes.values(), key=lambda n: n.ref.uid):
            digest.update(node.model_dump_json().encode())
        for eid in sorted(self.edges):
            digest.update(self.edges[eid].model_dump_json().encode())
        for rid in sorted(self.records):
            digest.update(self.records[rid].model_dump_json().encode())
        for item in sorted(self.extra):
            digest.update(item.encode())
        return digest.hexdigest()

    # -- names and evidence ---------------------------------------------------------------------
    def names(self) -> dict[NodeRef, str]:
        """Display names of the nodes read, and the names the bids gave for the rest."""
        if self._names is not None:
            return self._names
        found = {ref: display_name(node) for ref, node in self.nodes.items()}
        for bid in self.bidders:
            if bid.name:
                found.setdefault(bid.ref, bid.name)
            if bid.manager_ref is not None and bid.project_manager_name:
                found.setdefault(bid.manager_ref, bid.project_manager_name)
        for _, party in self.tender.parties():
            if party.name:
                found.setdefault(party.ref, party.name)
        self._names = found
        return found

    def entity(self, ref: NodeRef) -> Entity:
        """The entity view of a node read, or of what the bids say about it."""
        node = self.nodes.get(ref)
        if node is not None:
            return Entity.of(node)
        if ref.uid in self.seen:
            return self.seen[ref.uid]
        return Entity(uid=ref.uid, kind=ref.kind, key=ref.key, name=self.names().get(ref, ref.key))

    def name(self, ref: NodeRef) -> str:
        """The display name of a node."""
        return self.entity(ref).name

    def bidder_name(self, uscc: str) -> str:
        """A bidder's name (the store's, else the bid's, else the USCC)."""
        return self.name(NodeRef("Enterprise", uscc))

    def step(self, edge: Edge) -> Step:
        """The evidence step of a relationship, read on the date of the check."""
        return step_of(edge, self.names(), self.as_of, self.investigation)

    def law(self, *keys: str) -> list[LawText]:
        """Legal bases by their keys in the settings."""
        return [self.config.law[k] for k in keys]

    # -- findings -------------------------------------------------------------------------------
    def add(
        self,
        rule: Rule,
        category: Category,
        bidders: Sequence[str],
        key: str,
        *,
        title: str,
        text: str,
        law: Sequence[str],
        grade: Grade | None = None,
        shared: Sequence[SharedValue] = (),
        edges: Sequence[Edge] = (),
        steps: Sequence[Step] = (),
        entities: Sequence[NodeRef | Entity] = (),
        current: bool = True,
        **evidence: Any,
    ) -> Finding:
        """Record a finding (the first with the same rule, bidders and key wins)."""
        ordered = sorted(dict.fromkeys(bidders))
        finding_id = Finding.make_id(rule, ordered, key)
        if finding_id in self.findings:
            return self.findings[finding_id]
        unique = list({e.eid: e for e in edges}.values())
        ends = [r for e in unique for r in (e.src, e.dst)]
        ends += [NodeRef.from_uid(u) for s in steps for u in (s.src, s.dst)]
        finding = Finding(
            id=finding_id,
            rule=rule,
            category=category,
            effect=self.config.effects[rule],
            grade=grade,
            bidders=ordered,
            title=title,
            text=text,
            legal_basis=self.law(*law),
            shared=list(shared),
            steps=[*(self.step(e) for e in unique), *steps],
            entities=self._entities([*entities, *ends]),
            current=current,
            **evidence,
        )
        self.findings[finding_id] = finding
        return finding

    def _entities(self, items: Sequence[NodeRef | Entity]) -> list[Entity]:
        """Entity views, the given ones first (they carry names the store gave elsewhere)."""
        found: dict[str, Entity] = {}
        for item in items:
            if isinstance(item, Entity):
                self.seen.setdefault(item.uid, item)
        for item in items:
            uid = item.uid
            if uid not in found:
                ref = item.ref if isinstance(item, Entity) else item
                found[uid] = self.entity(ref)
        return list(found.values())

    def hub(self, via: Node, bidders: Iterable[str], attached: int, reason: str) -> None:
        """Note a shared value that links nobody (too common, or excluded)."""
        uid = via.ref.uid
        known = self.hubs.get(uid)
        together = sorted({*bidders, *(known.bidders if known else [])})
        self.hubs[uid] = HubNote(
            shared=Entity.of(via),
            bidders=together,
            attached=attached,
            reason="excluded" if reason == "excluded" else "hub",
        )
