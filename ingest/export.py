"""Bulk path for very large first loads: files for ``neo4j-admin database import full``.

``export_neo4j_admin(store, out)`` streams a store (typically the embedded one, after an
ingest has validated, resolved and quarantined the input) into one header file and one
data file per node kind and per relationship type, plus ``import.sh`` with the command
and ``schema.cypher`` with the constraints (``neo4j-admin`` builds no indexes)::

    out/nodes/Enterprise.header.csv     uid:ID,key,:LABEL,uscc,name,…,established:date,…
    out/nodes/Enterprise.csv
    out/relationships/LEGAL_REP_OF.header.csv   :START_ID,:END_ID,:TYPE,eid,valid_from:date,…
    out/relationships/LEGAL_REP_OF.csv
    out/import.sh
    out/schema.cypher

The imported graph is the same graph: same ``uid``/``key`` node properties and labels, same
relationship ``eid`` and properties, so :func:`ingest.checksum.graph_checksum` agrees.

>>> import tempfile
>>> from pathlib import Path
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> from graph.example import load_story
>>> store = MemoryStore(load_model())
>>> _ = load_story(store)
>>> result = export_neo4j_admin(store, Path(tempfile.mkdtemp()))
>>> result.nodes, result.edges > 0, "--nodes=nodes/Enterprise.header.csv" in result.command
(8, True, True)
"""

from __future__ import annotations

import csv
import shlex
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ConfigDict

from graph.model import GraphModel, PropertySpec
from graph.stores import cypher
from graph.stores.base import GraphStore
from ingest.canonical import format_value

__all__ = ["AdminExport", "edge_header", "export_neo4j_admin", "import_command", "node_header"]

_TYPES = {"str": "", "date": ":date", "float": ":double", "int": ":long", "bool": ":boolean"}
_EDGE_FIXED = (
    ":START_ID",
    ":END_ID",
    ":TYPE",
    "eid",
    "valid_from:date",
    "valid_to:date",
    "source",
)


class AdminExport(BaseModel):
    """What was written and how to import it."""

    model_config = ConfigDict(frozen=True)

    directory: str
    nodes: int
    edges: int
    node_files: list[tuple[str, str]]  # (header, data) relative to directory
    edge_files: list[tuple[str, str]]
    command: str


def _column(name: str, spec: PropertySpec) -> str:
    return f"{name}{_TYPES[spec.type]}"


def node_header(model: GraphModel, kind: str) -> list[str]:
    """``uid:ID,key,:LABEL`` and the kind's properties with their import types."""
    spec = model.require_kind(kind)
    return ["uid:ID", "key", ":LABEL", *(_column(n, p) for n, p in spec.properties.items())]


def edge_header(model: GraphModel, edge_type: str) -> list[str]:
    """Endpoints, type, identity, validity, source and the type's properties."""
    spec = model.require_edge_kind(edge_type)
    return [*_EDGE_FIXED, *(_column(n, p) for n, p in spec.properties.items())]


def import_command(
    node_files: Sequence[tuple[str, str]],
    edge_files: Sequence[tuple[str, str]],
    *,
    database: str = "neo4j",
    admin: str = "neo4j-admin",
) -> str:
    """The ``neo4j-admin database import full`` command line for these files.

    >>> import_command([("n.h.csv", "n.csv")], [], admin="bin/neo4j-admin").split()[-1]
    '--nodes=n.h.csv,n.csv'
    """
    parts = [
        admin,
        "database",
        "import",
        "full",
        database,
        "--overwrite-destination=true",
        "--id-type=string",
        "--ignore-empty-strings=true",
        "--multiline-fields=true",
        *(f"--nodes={h},{d}" for h, d in node_files),
        *(f"--relationships={h},{d}" for h, d in edge_files),
    ]
    return " ".join(shlex.quote(p) for p in parts)


class _Files:
    def __init__(self, root: Path, stack: ExitStack) -> None:
        self.root, self.stack = root, stack
        self.open: dict[str, Any] = {}
        self.pairs: list[tuple[str, str]] = []

    def writer(self, folder: str, name: str, header: list[str]) -> Any:
        key = f"{folder}/{name}"
        found = self.open.get(key)
        if found is None:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            head, data = f"{key}.header.csv", f"{key}.csv"
            with (self.root / head).open("w", encoding="utf-8", newline="") as fh:
                csv.writer(fh).writerow(header)
            handle: IO[str] = self.stack.enter_context(
                (self.root / data).open("w", encoding="utf-8", newline="")
            )
            found = self.open[key] = csv.writer(handle)
            self.pairs.append((head, data))
        return found


def export_neo4j_admin(store: GraphStore, out: Path, *, database: str = "neo4j") -> AdminExport:
    """Stream ``store`` into neo4j-admin import files under ``out``."""
    model = store.model
    out.mkdir(parents=True, exist_ok=True)
    node_props = {k: list(s.properties) for k, s in model.nodes.items()}
    edge_props = {t: list(s.properties) for t, s in model.edges.items()}
    nodes = edges = 0
    with ExitStack() as stack:
        files = _Files(out, stack)
        for node in store.iter_nodes():
            writer = files.writer("nodes", node.kind, node_header(model, node.kind))
            labels = ";".join((model.base_label, node.kind, *node.labels))
            values = [format_value(node.props.get(p)) for p in node_props[node.kind]]
            writer.writerow([node.ref.uid, node.key, labels, *values])
            nodes += 1
        node_files = list(files.pairs)
        for edge in store.iter_edges():
            writer = files.writer("relationships", edge.type, edge_header(model, edge.type))
            fixed = [edge.src.uid, edge.dst.uid, edge.type, edge.eid]
            fixed += [format_value(edge.valid_from), format_value(edge.valid_to)]
            fixed.append(edge.source or "")
            values = [format_value(edge.props.get(p)) for p in edge_props[edge.type]]
            writer.writerow([*fixed, *values])
            edges += 1
        edge_files = files.pairs[len(node_files) :]
    command = import_command(node_files, edge_files, database=database, admin="ADMIN")
    command = '"$NEO4J_ADMIN"' + command.removeprefix("ADMIN")
    script = (
        "#!/usr/bin/env sh\n"
        "# Import these files into an EMPTY, STOPPED Neo4j database (it is overwritten), then\n"
        "# start the server and run schema.cypher (neo4j-admin creates no constraints).\n"
        "#   NEO4J_ADMIN=/path/to/bin/neo4j-admin ./import.sh\n"
        "set -eu\n"
        'cd "$(dirname "$0")"\n'
        'NEO4J_ADMIN="${NEO4J_ADMIN:-neo4j-admin}"\n'
        f"{command}\n"
    )
    (out / "import.sh").write_text(script, encoding="utf-8")
    (out / "import.sh").chmod(0o755)
    statements = cypher.constraint_statements(
        model.base_label, sorted(model.nodes), sorted(model.edges)
    )
    (out / "schema.cypher").write_text(";\n".join(statements) + ";\n", encoding="utf-8")
    return AdminExport(
        directory=str(out),
        nodes=nodes,
        edges=edges,
        node_files=node_files,
        edge_files=edge_files,
        command=import_command(node_files, edge_files, database=database),
    )
