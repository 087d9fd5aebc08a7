"""The production store: Neo4j over Bolt with the official driver.

The driver is injected (never created here), reads are auto-commit queries in sessions with
``READ_ACCESS`` so a ``neo4j://`` cluster routes them to secondaries, writes are
idempotent ``MERGE`` transaction functions over ``UNWIND $rows`` batches, and the database
name is always passed.  Schema constraints are created idempotently before data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date
from functools import partial
from itertools import islice
from operator import attrgetter
from typing import Any, TypeVar

import neo4j
from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import (
    ConnectionPoolError,
    ConstraintError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph.exc import ConflictError, SchemaViolation, StoreUnavailable
from graph.model import (
    Direction,
    Edge,
    GraphModel,
    Node,
    NodeRef,
    trusted_edge,
)
from graph.stores import cypher, cypher_queries, record_cypher, search
from graph.stores import shared as shared_cypher
from graph.stores.analysis import (
    Expansion,
    Levels,
    OwnershipStake,
    Reached,
    SharedNeighbour,
    ratio_types,
)
from graph.stores.base import (
    FieldValue,
    GraphCounts,
    Neighbourhood,
    Path,
    StoredRecord,
    Subgraph,
    take_level,
)

__all__ = ["Neo4jStore", "edge_row", "node_row"]

# What the driver raises while a server is down, restarting or overloaded (once its own
# retries are spent): the caller may retry later, so they become StoreUnavailable (503).
# TransientError covers DatabaseUnavailable (a database still starting), terminated
# transactions at shutdown, deadlocks and leader switches; ConnectionPoolError an exhausted
# pool; ServiceUnavailable (with IncompleteCommit) and SessionExpired a lost connection.
_UNAVAILABLE = (ServiceUnavailable, SessionExpired, TransientError, ConnectionPoolError, OSError)

T = TypeVar("T")
# Rows per UNWIND transaction: large enough to amortise a round trip, small enough to keep
# a transaction's memory modest on a 2-core / 24 GB machine.
DEFAULT_BATCH = 5_000


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


#: Rows per statement of a pipelined write transaction (see ``_write_pipelined``).
CHUNK_ROWS = 1_000


_node_order = attrgetter("kind", "key")  # by kind, then key: a stable lock order
_edge_order = attrgetter("src", "dst")  # by source, then target (NodeRef tuples)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _row(
    head: list[Any], props: Mapping[str, Any], properties: Sequence[str], dated: Collection[str]
) -> list[Any]:
    """A write row: ``head`` then the value of each of ``properties`` (dates as ISO text)."""
    values: list[Any] = [props.get(p) for p in properties]
    if dated:
        for i, name in enumerate(properties):
            if name in dated and values[i] is not None:
                values[i] = values[i].isoformat()
    return head + values


def node_row(node: Node, properties: Sequence[str], dated: Collection[str]) -> list[Any]:
    """The row of :func:`graph.stores.cypher.upsert_nodes` for ``node``.

    >>> from graph.model import Node
    >>> node_row(Node(kind="Project", key="P1", props={"name": "路"}), ["bid_opening", "name"],
    ...          {"bid_opening"})
    ['Project:P1', 'P1', None, '路']
    """
    return _row([node.ref.uid, node.key], node.props, properties, dated)


def edge_row(edge: Edge, properties: Sequence[str], dated: Collection[str]) -> list[Any]:
    """The row of :func:`graph.stores.cypher.upsert_edges` for ``edge``.

    >>> from datetime import date
    >>> from graph.model import Edge, NodeRef
    >>> edge = Edge(type="OWNS", src=NodeRef(kind="Person", key="1"),
    ...             dst=NodeRef(kind="Vehicle", key="2"), valid_from=date(2024, 5, 28))
    >>> edge_row(edge, [], ())[3:]
    ['2024-05-28', None, None]
    """
    src, dst, start, end = edge.src, edge.dst, edge.valid_from, edge.valid_to
    head: list[Any] = [f"{src[0]}:{src[1]}", f"{dst[0]}:{dst[1]}", edge.eid]  # NodeRef.uid
    head += (_iso(start), _iso(end), edge.source)
    return _row(head, edge.props, properties, dated)


class _Rows(list[list[Any]]):
    """Write rows whose ``repr`` is short: the driver (6.4) formats every RUN's parameters
    for its debug log whether or not debug logging is on, 1.8 ms per 1,000-row chunk."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _statements(
    build: Callable[..., cypher.Query],
    head: tuple[Any, ...],
    members: list[T],
    to_row: Callable[[T], list[Any]],
) -> list[Callable[[], cypher.Query]]:
    """One deferred ``build(*head, rows)`` per chunk of ``CHUNK_ROWS`` members: a chunk's
    rows are made just before it is sent, while the server executes the chunk before."""

    def statement(chunk: list[T]) -> Callable[[], cypher.Query]:
        return lambda: build(*head, _Rows(map(to_row, chunk)))

    return [statement(members[i : i + CHUNK_ROWS]) for i in range(0, len(members), CHUNK_ROWS)]


def _native(value: Any) -> Any:
    """neo4j.time values back to the standard library's."""
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


class Neo4jStore:
    """Neo4j-backed :class:`~graph.stores.base.GraphStore`."""

    def __init__(
        self,
        driver: Driver,
        model: GraphModel,
        *,
        database: str = "neo4j",
        batch_size: int = DEFAULT_BATCH,
        owns_driver: bool = False,
    ) -> None:
        self.driver = driver
        self.owns_driver = owns_driver
        self.model = model
        self.database = database
        self.batch_size = batch_size
        self._schema_ready = False
        self._search_ready = False
        self._record_schema_ready = False
        self._layouts: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}

    # -- plumbing ------------------------------------------------------------------------------
    def _guard(self, work: Callable[[], T]) -> T:
        try:
            return work()
        except _UNAVAILABLE as err:
            raise StoreUnavailable(f"Neo4j at {self.database!r} is unreachable: {err}") from err

    def _read(self, query: str, params: dict[str, Any]) -> list[neo4j.Record]:
        # An auto-commit query in a read session: one round trip (RUN and PULL), where
        # ``execute_query`` spends a second on BEGIN/COMMIT and keeps driver-wide bookmarks,
        # about 0.3 ms of Python per call (measured: 0.75 -> 0.47 ms CPU for a lookup).  A
        # read changes nothing, so it needs neither retry nor causal chaining here: writes go
        # through their own sessions, and a failed read is a 503 the caller may repeat.
        def run() -> list[neo4j.Record]:
            with self.driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS
            ) as session:
                return list(session.run(query, params))

        return self._guard(run)

    def _write(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self._write_pipelined([lambda: (query, params)])[0]

    def ensure_schema(self) -> None:
        """Create the uniqueness constraints (idempotent; done once per store object)."""
        if self._schema_ready:
            return
        statements = cypher.constraint_statements(
            self.model.base_label, sorted(self.model.nodes), sorted(self.model.edges)
        )
        if named := search.searchable_kinds(self.model):  # the name index (search_nodes)
            statements.append(search.fulltext_index_statement(named))
        for statement in statements:
            self._write(statement, {})
        self._schema_ready = True

    def ping(self) -> None:
        """Return if the store answers; raise :class:`~graph.exc.StoreUnavailable` otherwise."""
        self._guard(lambda: self.driver.verify_connectivity(database=self.database))

    def close(self) -> None:
        """Close the driver if this store was handed ownership of it (by the factory)."""
        if self.owns_driver:
            self.driver.close()

    def clear(self) -> None:
        """Remove every node and relationship, in batches (auto-commit transactions)."""
        query = (
            f"MATCH (n:`{self.model.base_label}`) "
            "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        )

        records = (  # credit state beside the graph (graph/stores/record_cypher.py)
            "MATCH (r:`Record`) CALL (r) { DETACH DELETE r } IN TRANSACTIONS OF 10000 ROWS"
        )

        def run() -> None:
            with self.driver.session(database=self.database) as session:
                session.run(query).consume()
                session.run(records).consume()

        self._guard(run)

    # -- writes ----------------------------------------------------------------------------------
    def upsert_nodes(self, nodes: Iterable[Node]) -> int:
        """Create or update nodes by key (properties merged, labels added); returns the count."""
        return self._write_nodes(nodes, cypher.upsert_nodes)

    def create_nodes(self, nodes: Iterable[Node]) -> int:
        """Create nodes the caller knows to be absent (ingest asked :meth:`get_nodes`), with
        ``CREATE`` instead of ``MERGE``: the same graph as :meth:`upsert_nodes` for new
        nodes, cheaper for the server.  If one exists after all (another writer), its
        transaction fails the uid constraint and :class:`~graph.exc.ConflictError` is raised:
        upserting the same nodes then is correct (transactions before it are committed)."""
        try:
            return self._write_nodes(nodes, cypher.create_nodes)
        except ConstraintError as err:
            raise ConflictError(f"a node to create exists already: {err}") from err

    def _write_nodes(self, nodes: Iterable[Node], build: Callable[..., cypher.Query]) -> int:
        self.ensure_schema()
        count = 0
        for batch in _batches(nodes, self.batch_size):
            groups: dict[tuple[str, tuple[str, ...]], list[Node]] = defaultdict(list)
            for node in batch:
                self.model.check_node(node)
                groups[(node.kind, node.labels)].append(node)
            statements: list[Callable[[], cypher.Query]] = []
            for (kind, labels), members in groups.items():
                members.sort(key=_node_order)  # a stable lock order between writers
                properties, dated = self.row_layout(kind)
                statements += _statements(
                    build,
                    (self.model.base_label, kind, labels, properties, dated),
                    members,
                    partial(node_row, properties=properties, dated=dated),
                )
            self._write_pipelined(statements)
            count += len(batch)
        return count

    def upsert_edges(self, edges: Iterable[Edge]) -> int:
        """Create or update relationships by identity; those with a missing endpoint are skipped."""
        return self._write_edges(edges, cypher.upsert_edges)

    def create_edges(self, edges: Iterable[Edge]) -> int:
        """Create relationships believed new with ``CREATE`` instead of ``MERGE`` (same
        graph as :meth:`upsert_edges` when none exists; those with a missing endpoint are
        skipped).  One that exists already (or two with one identity) fails the eid
        constraint: :class:`~graph.exc.ConflictError`, and upserting them all is correct."""
        try:
            return self._write_edges(edges, cypher.create_edges)
        except ConstraintError as err:
            raise ConflictError(f"a relationship to create exists already: {err}") from err

    def _write_edges(self, edges: Iterable[Edge], build: Callable[..., cypher.Query]) -> int:
        self.ensure_schema()
        count = 0
        for batch in _batches(edges, self.batch_size):
            groups: dict[str, list[Edge]] = defaultdict(list)
            for edge in batch:
                self.model.check_edge(edge)
                groups[edge.type].append(edge)
            statements: list[Callable[[], cypher.Query]] = []
            for edge_type, members in groups.items():
                members.sort(key=_edge_order)
                spec = self.model.edges[edge_type]
                properties, dated = self.row_layout(edge_type)
                statements += _statements(
                    build,
                    (self.model.base_label, edge_type, spec.labels_source, properties, dated),
                    members,
                    partial(edge_row, properties=properties, dated=dated),
                )
            results = self._write_pipelined(statements)
            count += sum(r["written"] for records in results for r in records)
        return count

    def row_layout(self, name: str) -> tuple[tuple[str, ...], frozenset[str]]:
        """A node kind's or relationship type's declared properties in the order of its
        write rows (:func:`node_row`, :func:`edge_row`), and those of them that are dates.

        >>> from graph.model import load_model
        >>> Neo4jStore(None, load_model()).row_layout("BID_ON")
        (('date', 'lot'), frozenset({'date'}))
        """
        layout = self._layouts.get(name)
        if layout is None:
            kind = self.model.nodes.get(name)
            specs = kind.properties if kind is not None else self.model.edges[name].properties
            properties = tuple(sorted(specs))
            dated = frozenset(p for p in properties if specs[p].type == "date")
            layout = self._layouts[name] = (properties, dated)
        return layout

    def _write_pipelined(
        self, statements: list[Callable[[], cypher.Query]]
    ) -> list[list[dict[str, Any]]]:
        """Run ``statements`` (each made when it is due) in one write transaction, pipelined:
        each is sent before the results of the one before are read, so the server executes
        a chunk while the client makes and packs the next.  One statement at a time, the
        server sat idle while the client built and packed the rows."""

        def work(tx: ManagedTransaction) -> list[list[dict[str, Any]]]:
            results = [tx.run(*statement()) for statement in statements]
            return [[record.data() for record in result] for result in results]

        def run() -> list[list[dict[str, Any]]]:
            with self.driver.session(database=self.database) as session:
                return session.execute_write(work)

        return self._guard(run)

    # -- reads -----------------------------------------------------------------------------------
    def _to_node(self, uid: str, labels: list[str], props: dict[str, Any]) -> Node:
        ref = NodeRef.from_uid(uid)
        extra = tuple(sorted(set(labels) - {self.model.base_label, ref.kind}))
        clean = {k: _native(v) for k, v in props.items() if k not in ("uid", "key")}
        return Node(kind=ref.kind, key=ref.key, labels=extra, props=clean)

    @staticmethod
    def _to_edge(edge_type: str, src: str, dst: str, props: dict[str, Any]) -> Edge:
        values = {k: _native(v) for k, v in props.items()}
        return Edge.model_construct(
            type=edge_type,
            src=NodeRef.from_uid(src),
            dst=NodeRef.from_uid(dst),
            valid_from=values.get("valid_from"),
            valid_to=values.get("valid_to"),
            source=values.get("source"),
            props={k: v for k, v in values.items() if k not in cypher.EDGE_BOOKKEEPING},
        )

    def get_node(self, ref: NodeRef) -> Node | None:
        """The node with this kind and key, or None."""
        records = self._read(*cypher.get_nodes(self.model.base_label, [ref.uid]))
        if not records:
            return None
        record = records[0]
        return self._to_node(record["uid"], record["labels"], record["props"])

    def expand(
        self,
        frontier: Sequence[NodeRef],
        *,
        types: Sequence[str] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: date | None = None,
    ) -> list[Edge]:
        """Relationships of the given types and direction touching the frontier, valid on as_of."""
        checked = self.model.require_edge_types(types)
        uids = sorted({r.uid for r in frontier})
        query, params = cypher.expand_frontier(
            self.model.base_label, uids, checked, direction, as_of
        )
        [record] = self._read(query, params)
        iso = date.fromisoformat
        edges = [
            trusted_edge(
                edge_type,
                NodeRef.from_uid(src),
                NodeRef.from_uid(dst),
                None if valid_from is None else iso(valid_from),
                None if valid_to is None else iso(valid_to),
                source,
                {k: _native(v) for k, v in props},
            )
            for edge_type, src, dst, valid_from, valid_to, source, props in record["edges"]
        ]
        return sorted(edges, key=lambda e: e.eid)

    def neighbourhood(
        self,
        seeds: Sequence[NodeRef],
        *,
        hops: int,
        types: Sequence[str] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: date | None = None,
        limit: int | None = None,
    ) -> Neighbourhood:
        """Breadth-first k-hop expansion from the seeds, stopping at ``limit`` nodes."""
        checked = self.model.require_edge_types(types)
        frontier = sorted({s.uid for s in seeds})
        distances: dict[str, int] = {}
        truncated = False
        for depth in range(max(hops, 1)):
            query, params = cypher.neighbours(
                self.model.base_label, frontier, checked, direction, as_of
            )
            [record] = self._read(query, params)
            if depth == 0:  # the first round trip also says which seeds exist
                distances = dict.fromkeys(record["found"], 0)
                if hops == 0:
                    break
            frontier, truncated = take_level(distances, record["next"], depth + 1, limit)
            if truncated or not frontier:
                break
        return Neighbourhood(
            distances={NodeRef.from_uid(u): d for u, d in distances.items()}, truncated=truncated
        )

    def subgraph(
        self,
        refs: Iterable[NodeRef],
        *,
        types: Sequence[str] | None = None,
        as_of: date | None = None,
    ) -> Subgraph:
        """The given nodes (those that exist) and the relationships among them."""
        checked = self.model.require_edge_types(types)
        uids = sorted({r.uid for r in refs})
        records = self._read(*cypher.get_nodes(self.model.base_label, uids))
        nodes = sorted(
            (self._to_node(r["uid"], r["labels"], r["props"]) for r in records),
            key=lambda n: n.ref.uid,
        )
        query, params = cypher.subgraph_edges(self.model.base_label, uids, checked, as_of)
        edges = [
            self._to_edge(r["type"], r["src"], r["dst"], r["props"])
            for r in self._read(query, params)
        ]
        return Subgraph(nodes=nodes, edges=sorted(edges, key=lambda e: e.eid))

    def shortest_paths(
        self,
        a: NodeRef,
        b: NodeRef,
        *,
        max_hops: int,
        types: Sequence[str] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: date | None = None,
        limit: int = 100,
    ) -> list[Path]:
        """All shortest paths from a to b (at most ``limit``), filters applied while expanding."""
        if a == b or max_hops < 1:
            return []
        checked = self.model.require_edge_types(types)
        query, params = cypher.shortest_paths(
            self.model.base_label, a.uid, b.uid, max_hops, checked, direction, as_of
        )
        paths = [
            Path(
                nodes=[NodeRef.from_uid(u) for u in record["nodes"]],
                edges=[
                    self._to_edge(e["type"], e["src"], e["dst"], e["props"])
                    for e in record["edges"]
                ],
            )
            for record in self._read(query, params)
        ]
        paths.sort(key=lambda p: (tuple(n.uid for n in p.nodes), p.signature))
        return paths[:limit]

    def counts(self) -> GraphCounts:
        """Nodes per kind and relationships per type."""
        nodes = {k: self._read(*cypher.count_nodes(k))[0]["n"] for k in self.model.nodes}
        edges = {t: self._read(*cypher.count_edges(t))[0]["n"] for t in self.model.edges}
        return GraphCounts(nodes=nodes, edges=edges)

    # -- records beside the graph (credit state) --------------------------------------------
    def _ensure_record_schema(self) -> None:
        if self._record_schema_ready:
            return
        for statement in record_cypher.schema_statements():
            self._write(statement, {})
        self._record_schema_ready = True

    def put_records(self, records: Iterable[StoredRecord], *, new: bool = False) -> int:
        """Create or replace records by (collection, id) in one transaction; append-only
        collections (and every record when ``new``) refuse an existing id with
        :class:`~graph.exc.ConflictError`."""
        batch = list(records)
        if not batch:
            return 0
        self._ensure_record_schema()
        statements = record_cypher.put_records(batch, create=new)

        def work(tx: ManagedTransaction) -> None:
            for query, params in statements:
                tx.run(query, params).consume()

        def run() -> None:
            with self.driver.session(database=self.database) as session:
                session.execute_write(work)

        try:
            self._guard(run)
        except ConstraintError as err:
            raise ConflictError(f"record exists in an append-only collection: {err}") from err
        return len(batch)

    def get_records(self, collection: str, ids: Sequence[str]) -> list[StoredRecord]:
        """The records of ``collection`` with these ids (those that exist), in the order asked."""
        found = {
            r["props"]["id"]: record_cypher.from_props(r["props"])
            for r in self._read(*record_cypher.get_records(collection, list(ids)))
        }
        return [found[i] for i in ids if i in found]

    def find_records(
        self,
        collections: Sequence[str],
        *,
        subjects: Sequence[str] | None = None,
        groups: Sequence[str] | None = None,
        where: dict[str, FieldValue] | None = None,
    ) -> list[StoredRecord]:
        """Records of the collections about any of ``subjects`` (uids), in any of ``groups``,
        whose fields equal ``where``; sorted by (collection, id); one round trip."""
        query, params = record_cypher.find_records(
            collections, subjects=subjects, groups=groups, where=where
        )
        found = [record_cypher.from_props(r["props"]) for r in self._read(query, params)]
        return sorted(found, key=lambda r: (r.collection, r.id))

    # -- search by name ------------------------------------------------------------------------
    def search_nodes(
        self, text: str, *, kinds: Sequence[str] | None = None, limit: int = 10
    ) -> list[search.NodeMatch]:
        """Nodes of ``kinds`` whose name resembles ``text``, best first (full-text candidates
        re-ranked with the memory store's scoring)."""
        wanted = search.searchable_kinds(self.model, kinds)
        if not wanted or not text.strip() or limit < 1:
            return []
        if not self._search_ready:  # a store loaded by older code lacks the index
            self.ensure_schema()
            self._read("CALL db.awaitIndex($index, 300)", {"index": search.SEARCH_INDEX})
            self._search_ready = True
        found = {
            r["uid"]: self._to_node(r["uid"], r["labels"], r["props"])
            for r in self._read(*search.fulltext_query(text, wanted, limit))
        }
        names = {
            uid: node.props[search.NAME_PROPERTY]
            for uid, node in found.items()
            if isinstance(node.props.get(search.NAME_PROPERTY), str)
        }
        return [
            search.NodeMatch(node=found[uid], score=score)
            for uid, score in search.rank_names(text, names, limit=limit)
        ]

    # -- investigations (Cypher in graph/stores/cypher_queries.py) ---------------------------
    def get_nodes(self, refs: Iterable[NodeRef]) -> list[Node]:
        """The nodes with these references (those that exist), sorted by uid; one round trip."""
        uids = sorted({r.uid for r in refs})
        records = self._read(*cypher.get_nodes(self.model.base_label, uids))
        nodes = (self._to_node(r["uid"], r["labels"], r["props"]) for r in records)
        return sorted(nodes, key=lambda n: n.ref.uid)

    def expand_capped(
        self,
        frontier: Sequence[NodeRef],
        *,
        cap: int,
        types: Sequence[str] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: date | None = None,
        ratio_above: float | None = None,
        exclude: Collection[NodeRef] = (),
    ) -> list[Expansion]:
        """Per frontier node (by uid): its distinct neighbours counted by the engine and the
        first ``cap`` by uid (less ``exclude``), each with its relationship of smallest eid."""
        checked = self.model.require_edge_types(types)
        query, params = cypher_queries.expand_capped(
            self.model.base_label,
            sorted({r.uid for r in frontier}),
            checked,
            direction,
            as_of,
            cap,
            ratio_types(self.model),
            ratio_above,
            sorted({r.uid for r in exclude}),
        )
        found = [
            Expansion.model_construct(
                node=NodeRef.from_uid(record["uid"]),
                total=record["total"],
                shown=record["capped"],
                neighbours=[
                    Reached.model_construct(
                        node=self._to_node(row["uid"], row["labels"], row["props"]),
                        edge=self._edge_of(row["edge"]),
                    )
                    for row in record["shown"]
                ],
            )
            for record in self._read(query, params)
        ]
        return sorted(found, key=lambda e: e.node.uid)

    def _edge_of(self, row: dict[str, Any]) -> Edge:
        return self._to_edge(row["type"], row["src"], row["dst"], row["props"])

    def k_shortest_paths(
        self,
        a: NodeRef,
        b: NodeRef,
        *,
        k: int,
        max_hops: int,
        types: Sequence[str] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: date | None = None,
    ) -> list[Path]:
        """Up to ``k`` paths among the trails of the ``k`` shortest lengths (those revisiting
        a node dropped), by (length, node uids, eids); filters applied while expanding."""
        if a == b or max_hops < 1 or k < 1:
            return []
        checked = self.model.require_edge_types(types)
        query, params = cypher_queries.k_shortest_paths(
            self.model.base_label, a.uid, b.uid, k, max_hops, checked, direction, as_of
        )
        return [
            Path(
                nodes=[NodeRef.from_uid(u) for u in record["nodes"]],
                edges=[self._edge_of(e) for e in record["edges"]],
            )
            for record in self._read(query, params)
        ]

    def ownership(
        self,
        ref: NodeRef,
        *,
        upstream: bool,
        max_hops: int,
        as_of: date | None = None,
        min_share: float = 0.0,
        via: str = "SHAREHOLDER_OF",
    ) -> list[OwnershipStake]:
        """Holders above (or holdings below) ``ref`` through simple ``via`` chains, with the
        product of ratios per chain and the sum per party, by party uid."""
        self.model.require_edge_kind(via)
        query, params = cypher_queries.ownership(
            self.model.base_label, ref.uid, upstream, max_hops, as_of, min_share, via
        )
        stakes = [
            OwnershipStake(
                party=NodeRef.from_uid(record["party"]),
                share=record["share"],
                chains=[
                    Path(
                        nodes=[NodeRef.from_uid(u) for u in chain["nodes"]],
                        edges=[self._edge_of(e) for e in chain["edges"]],
                    )
                    for chain in record["chains"]
                ],
            )
            for record in self._read(query, params)
        ]
        return sorted(stakes, key=lambda s: s.party.uid)

    def shared_neighbours(
        self,
        ref: NodeRef,
        *,
        types: Sequence[str],
        hub_threshold: int,
        as_of: date | None = None,
        include_ended: bool = False,
    ) -> list[SharedNeighbour]:
        """Nodes one hop from ``ref`` and the others attached to each (counted; listed up to
        ``hub_threshold``); ``include_ended`` keeps ties that ended before ``as_of``."""
        checked = self.model.require_edge_types(types) or ()
        if not checked:
            return []
        query, params = cypher_queries.shared_neighbours(
            self.model.base_label, ref.uid, checked, as_of, include_ended, hub_threshold
        )
        return [
            SharedNeighbour(
                via=self._to_node(record["uid"], record["labels"], record["props"]),
                mine=[self._edge_of(e) for e in record["mine"]],
                total=record["total"],
                hub=record["total"] > hub_threshold,
                others=[
                    (NodeRef.from_uid(o["uid"]), [self._edge_of(e) for e in o["edges"]])
                    for o in record["others"]
                ],
            )
            for record in self._read(query, params)
        ]

    def with_suffix(self, kind: str, prop: str, suffix: str, *, limit: int) -> list[NodeRef]:
        """Up to ``limit`` nodes of ``kind`` whose ``prop`` ends with ``suffix``, by uid."""
        if prop not in self.model.require_kind(kind).properties:
            raise SchemaViolation(f"{kind} has no property {prop!r}")
        ready: set[tuple[str, str]] = getattr(self, "_suffix_indexes", set())
        if (kind, prop) not in ready:  # a text index serves ENDS WITH; created once
            self._write(cypher_queries.suffix_index_statement(kind, prop), {})
            ready.add((kind, prop))
            self._suffix_indexes = ready
        query, params = cypher_queries.with_suffix(kind, prop, suffix, limit)
        return [NodeRef.from_uid(r["uid"]) for r in self._read(query, params)]

    def edge_endpoints(
        self,
        *,
        types: Sequence[str] | None = None,
        as_of: date | None = None,
        ratio_above: float | None = None,
    ) -> Iterator[tuple[NodeRef, NodeRef]]:
        """(source, target) of every matching relationship, streamed (whole-graph analytics)."""
        checked = self.model.require_edge_types(types)
        query, params = cypher_queries.component_edges(
            self.model.base_label, checked, as_of, ratio_types(self.model), ratio_above
        )

        def stream() -> Iterator[tuple[NodeRef, NodeRef]]:
            try:
                with self.driver.session(
                    database=self.database, default_access_mode=neo4j.READ_ACCESS
                ) as session:
                    for record in session.run(query, params):
                        yield NodeRef.from_uid(record["a"]), NodeRef.from_uid(record["b"])
            except (ServiceUnavailable, SessionExpired, OSError) as err:
                raise StoreUnavailable(f"Neo4j at {self.database!r} is unreachable: {err}") from err

        return stream()

    # -- bulk reads -------------------------------------------------------------------------------
    def _stream(self, query: str, params: dict[str, Any]) -> Iterator[neo4j.Record]:
        try:
            with self.driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS
            ) as session:
                yield from session.run(query, params)
        except (ServiceUnavailable, SessionExpired, OSError) as err:
            raise StoreUnavailable(f"Neo4j at {self.database!r} is unreachable: {err}") from err

    def iter_nodes(self) -> Iterator[Node]:
        """Every node, streamed in no promised order (whole-graph checksum and export)."""
        for r in self._stream(*cypher.all_nodes(self.model.base_label)):
            yield self._to_node(r["uid"], r["labels"], r["props"])

    def iter_edges(self) -> Iterator[Edge]:
        """Every relationship, streamed in no promised order (whole-graph checksum and export)."""
        for r in self._stream(*cypher.all_edges(self.model.base_label)):
            yield self._to_edge(r["type"], r["src"], r["dst"], r["props"])

    # -- bidding checks -----------------------------------------------------------------------
    def shared_among(
        self,
        refs: Sequence[NodeRef],
        *,
        types: Sequence[str],
        as_of: date | None = None,
        include_ended: bool = False,
    ) -> list[shared_cypher.SharedAmong]:
        """Nodes one hop from two or more of ``refs`` (or one hop from a ref while being one),
        each with its relationships to those refs and its count of attached nodes; by uid."""
        checked = self.model.require_edge_types(types) or ()
        if not checked or not refs:
            return []
        uids = [r.uid for r in refs]
        query = shared_cypher.shared_among_cypher(self.model.base_label, checked, include_ended)
        return [
            shared_cypher.from_record(record, self._to_node, self._edge_of)
            for record in self._read(query, shared_cypher.params_of(uids, as_of))
        ]

    def expand_levels(
        self,
        seed: NodeRef,
        *,
        hops: int,
        cap: int,
        limit: int,
        types: Sequence[str] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: date | None = None,
    ) -> Levels | None:
        """A capped breadth-first search from ``seed`` in one engine call: per level the
        ``expand_capped`` of its new nodes (see :class:`~graph.stores.analysis.Levels`);
        None when the seed does not exist."""
        checked = self.model.require_edge_types(types)
        query, params = cypher_queries.expand_levels(
            self.model.base_label, seed.uid, hops, checked, direction, as_of, cap, limit
        )
        records = self._read(query, params)
        if not records:
            return None
        record = records[0]
        levels = [
            [
                Expansion.model_construct(
                    node=NodeRef.from_uid(e["uid"]),
                    total=e["total"],
                    shown=e["capped"],
                    neighbours=[
                        Reached.model_construct(
                            node=self._to_node(row["uid"], row["labels"], row["props"]),
                            edge=self._edge_of(row["edge"]),
                        )
                        for row in e["shown"]
                    ],
                )
                for e in level
            ]
            for level in record["levels"]
            if level  # levels after the search stopped are empty
        ]
        seed_node = self._to_node(record["uid"], record["labels"], record["props"])
        return Levels.model_construct(seed=seed_node, levels=levels)
