"""A deterministic generator of realistic credit graphs, for benchmarks and demos.

``generate(scale, seed)`` plans a graph of about ``scale`` nodes and ``3 * scale``
relationships and returns a :class:`GeneratedGraph` that *streams* them: nothing but a
few key lists and the planted patterns is held in memory, and iterating twice gives the
same nodes and relationships in the same order.

Shape (fractions of ``scale``): enterprises 18 % (road transport 40 % of them, construction
25 %, loading-source units 10 %, supervision 5 %, other 20 %), persons 40 %, vehicles 18 %,
projects 3 %, phone numbers 13 %, addresses 8 %.  Degrees are heavy-tailed: fleets,
employers, bidders and shareholders are drawn with a skewed sampler, five registered-agent
addresses host thousands of enterprises at 1M scale and one fund holds small stakes in 3 %
of all enterprises.  Planted patterns are listed in :attr:`GeneratedGraph.truth`.

>>> g = generate(600, seed=1)
>>> nodes = list(g.nodes())
>>> len(nodes) == g.sizes.total_nodes
True
>>> edges = list(g.edges())
>>> 2.5 < len(edges) / len(nodes) < 3.5
True
>>> [e.eid for e in generate(600, seed=1).edges()][:3] == [e.eid for e in edges[:3]]
True
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from graph.exc import InvalidModel
from graph.model import Edge, GraphModel, Node, NodeRef, load_model
from ingest import synth
from ingest.canonical import Format, Manifest, credit_rows_of_truth, write_canonical
from ingest.generate_streams import ENTERPRISE_KINDS, edge_stream, node_stream
from ingest.planting import Plan, plan_patterns
from ingest.synth import Hasher
from ingest.truth import GroundTruth

__all__ = ["GeneratedGraph", "Sizes", "generate", "write_generated"]

#: Smallest scale that still plants every pattern.
MIN_SCALE = 200
#: How many of each node kind and relationship type are rebuilt through the model and compared.
VALIDATED_SAMPLE = 25
SOURCE = "generator"
_DAY = timedelta(days=1)


class Sizes(BaseModel):
    """Node counts per kind and the index ranges of enterprise kinds."""

    model_config = ConfigDict(frozen=True)

    enterprises: int
    persons: int
    vehicles: int
    projects: int
    phones: int
    addresses: int

    @classmethod
    def for_scale(cls, scale: int) -> Sizes:
        """Split ``scale`` nodes over the kinds.

        >>> Sizes.for_scale(1000).total_nodes
        1000
        """
        if scale < MIN_SCALE:
            raise ValueError(f"scale must be at least {MIN_SCALE}")
        e, v, j, ph, ad = (round(scale * f) for f in (0.18, 0.18, 0.03, 0.13, 0.08))
        return cls(
            enterprises=e,
            persons=scale - e - v - j - ph - ad,
            vehicles=v,
            projects=j,
            phones=ph,
            addresses=ad,
        )

    @property
    def total_nodes(self) -> int:
        """All nodes."""
        return (
            self.enterprises
            + self.persons
            + self.vehicles
            + self.projects
            + self.phones
            + self.addresses
        )

    def enterprise_range(self, kind: str) -> range:
        """Indices of the enterprises of one kind (contiguous blocks)."""
        bounds = {"transport": 0.0, "construction": 0.40, "source": 0.65}
        bounds |= {"supervision": 0.75, "other": 0.80, "end": 1.0}
        names = list(bounds)
        i = names.index(kind)
        lo, hi = (round(self.enterprises * bounds[n]) for n in names[i : i + 2])
        return range(lo, hi)

    @property
    def practitioners(self) -> range:
        """Persons outside the legal-representative block: drivers, employees, managers."""
        return range(self.enterprises, self.persons)


class GeneratedGraph:
    """A planned graph: stream :meth:`nodes` and :meth:`edges`; read :attr:`truth`."""

    def __init__(self, scale: int, seed: int, model: GraphModel | None = None) -> None:
        self.scale = scale
        self.seed = seed
        self.model = model or load_model()
        self.sizes = Sizes.for_scale(scale)
        self.h = Hasher(seed)
        self.plan: Plan = plan_patterns(self, random.Random(seed))
        self.truth: GroundTruth = self.plan.truth

    # -- keys (pure functions of the index, cached as lists for speed) ----------------------
    @cached_property
    def uscc(self) -> list[str]:
        """USCC of every enterprise by index."""
        return [synth.enterprise_uscc(self.h, i) for i in range(self.sizes.enterprises)]

    @cached_property
    def id_no(self) -> list[str]:
        """ID number of every person by index."""
        return [synth.person_id_no(self.h, i) for i in range(self.sizes.persons)]

    @cached_property
    def plate(self) -> list[str]:
        """Plate of every vehicle by index."""
        return [synth.plate_for(self.h, i) for i in range(self.sizes.vehicles)]

    def enterprise(self, i: int) -> NodeRef:
        """Reference of enterprise ``i``."""
        return NodeRef("Enterprise", self.uscc[i])

    def person(self, i: int) -> NodeRef:
        """Reference of person ``i``."""
        return NodeRef("Person", self.id_no[i])

    def vehicle(self, i: int) -> NodeRef:
        """Reference of vehicle ``i`` (key ``plate|colour``)."""
        return NodeRef("Vehicle", f"{self.plate[i]}|{self.plate_color(i)}")

    def project(self, i: int) -> NodeRef:
        """Reference of project ``i``."""
        return NodeRef("Project", self.project_code(i))

    def phone(self, i: int) -> NodeRef:
        """Reference of phone contact ``i``."""
        return NodeRef("Contact", f"phone|{synth.phone_number(self.h, i)}")

    def address(self, i: int) -> NodeRef:
        """Reference of address contact ``i``."""
        return NodeRef("Contact", f"address|{synth.address_text(self.h, i)}")

    def plate_color(self, i: int) -> str:
        """Yellow (2) for most trucks, blue (1) for one in ten."""
        return "1" if self.h.uniform(30, i) < 0.1 else "2"

    def project_code(self, i: int) -> str:
        """e.g. ``JLJT-2023-000042``."""
        return f"JLJT-{self.bid_opening(i).year}-{i:06d}"

    def bid_opening(self, i: int) -> date:
        """Bid opening date of project ``i`` (2019-2025)."""
        return date(2019, 1, 1) + self.h.below(2555, 31, i) * _DAY

    def established(self, i: int) -> date:
        """Registration date of enterprise ``i`` (2000-2021)."""
        return date(2000, 1, 1) + self.h.below(8000, 32, i) * _DAY

    def enterprise_kind(self, i: int) -> str:
        """transport / construction / source / supervision / other."""
        for name in ENTERPRISE_KINDS:
            if i in self.sizes.enterprise_range(name):
                return name
        raise IndexError(i)  # pragma: no cover - ranges cover every index

    # -- background structure (pure functions; planting overrides some of them) -------------
    def pick(self, block: range, stream: int, i: int, j: int = 0, power: float = 3.0) -> int:
        """A skewed draw from an index block (hubs scattered through it)."""
        return block.start + self.h.skewed(len(block), stream, i, j, power)

    def uniform_pick(self, block: range, stream: int, i: int, j: int = 0) -> int:
        """A uniform draw from an index block."""
        return block.start + self.h.below(len(block), stream, i, j)

    def operator_of(self, v: int) -> int:
        """The transport company operating vehicle ``v`` (fleets are heavy-tailed)."""
        return self.pick(self.sizes.enterprise_range("transport"), 40, v)

    def drivers_of(self, v: int) -> list[int]:
        """One to three distinct drivers of vehicle ``v``."""
        count = 1 + (self.h.uniform(41, v) < 0.55) + (self.h.uniform(41, v, 1) < 0.25)
        drivers: list[int] = []
        j = 0
        while len(drivers) < count:
            d = self.uniform_pick(self.sizes.practitioners, 42, v, j)
            j += 1
            if d not in drivers:
                drivers.append(d)
        return drivers

    def bidders_of(self, p: int) -> list[int]:
        """Three to eight distinct construction companies bidding on project ``p``."""
        block = self.sizes.enterprise_range("construction")
        count = min(len(block), 3 + self.h.below(6, 43, p))
        bidders: list[int] = []
        j = 0
        while len(bidders) < count:
            b = self.pick(block, 44, p, j, power=2.0)
            j += 1
            if b not in bidders:
                bidders.append(b)
        return bidders

    def managers_of(self, p: int, bidders: list[int]) -> list[int]:
        """Distinct project managers named by the bidders (before planting)."""
        managers: list[int] = []
        j = 0
        while len(managers) < len(bidders):
            m = self.uniform_pick(self.sizes.practitioners, 45, p, j)
            j += 1
            if m not in managers:
                managers.append(m)
        return managers

    def bid_date(self, p: int, slot: int) -> date:
        """Distinct submission dates per bidder slot (MANAGES identity includes the date)."""
        return self.bid_opening(p) - (slot + 1) * _DAY

    def first_driver_of(self, v: int) -> int:
        """The vehicle's main driver."""
        return self.drivers_of(v)[0]

    # -- streams -----------------------------------------------------------------------------
    def nodes(self) -> Iterator[Node]:
        """Every node, kind by kind, each built fast and a sample rebuilt through the model."""
        return _validated(node_stream(self), self._check_node)

    def edges(self) -> Iterator[Edge]:
        """Every relationship, type group by type group (no two share an identity)."""
        return _validated(edge_stream(self), self._check_edge)

    def _check_node(self, node: Node) -> None:
        rebuilt = self.model.make_node(node.kind, node.props)
        if rebuilt != node:
            raise InvalidModel(f"generator built {node!r}, the model builds {rebuilt!r}")

    def _check_edge(self, edge: Edge) -> None:
        rebuilt = self.model.make_edge(
            edge.type,
            edge.src,
            edge.dst,
            valid_from=edge.valid_from,
            valid_to=edge.valid_to,
            source=edge.source,
            props=edge.props,
        )
        if rebuilt != edge:
            raise InvalidModel(f"generator built {edge!r}, the model builds {rebuilt!r}")


def _validated(items: Iterator[Any], check: Callable[[Any], None]) -> Iterator[Any]:
    """Pass items through, rebuilding the first :data:`VALIDATED_SAMPLE` of each kind/type."""
    seen: dict[str, int] = {}
    for item in items:
        name = getattr(item, "kind", None) or item.type
        n = seen.get(name, 0)
        if n < VALIDATED_SAMPLE:
            check(item)
            seen[name] = n + 1
        yield item


def generate(scale: int, seed: int = 0, model: GraphModel | None = None) -> GeneratedGraph:
    """Plan a graph of about ``scale`` nodes and ``3 * scale`` relationships for ``seed``.

    >>> g = generate(1000, seed=7)
    >>> g.sizes.enterprises, len(g.truth.shell_groups) > 0, len(g.truth.overloading) > 0
    (180, True, True)
    """
    return GeneratedGraph(scale, seed, model)


def write_generated(graph: GeneratedGraph, out: Path, fmt: Format = "csv") -> Manifest:
    """Write ``graph`` as a canonical directory plus ``truth.json`` (the planted patterns).

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> manifest = write_generated(generate(300, seed=2), out)
    >>> manifest.files["nodes/enterprise.csv"], (out / "truth.json").exists()
    (54, True)
    """
    manifest = write_canonical(
        graph.model,
        out,
        graph.nodes(),
        graph.edges(),
        credit_rows_of_truth(graph.truth),
        fmt=fmt,
        generator={"scale": graph.scale, "seed": graph.seed},
    )
    (out / "truth.json").write_text(graph.truth.model_dump_json(indent=1) + "\n", "utf-8")
    return manifest
