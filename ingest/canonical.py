"""The canonical file format: one file per node kind, per relationship type, and credit records.

A canonical data set is a directory (documented column by column in ``docs/data-format.md``)::

    nodes/enterprise.csv       uscc,name,kind,region,address,established,status,credit_grade
    nodes/person.csv           id_no,name,qualification_no
    nodes/vehicle.csv          plate,plate_color,vin,transport_permit_no,vehicle_type
    nodes/project.csv          code,name,owner,region,bid_opening
    nodes/contact.csv          channel,value
    relationships/<type>.csv   src_kind,src_key,dst_kind,dst_key,valid_from,valid_to,source,<props>
    credit/records.csv         kind,subject_kind,subject_key,subject_name,behaviour_code,…
    manifest.json              what was written (files, row counts, generator scale and seed)
    truth.json                 (generated data only) the planted patterns

Columns derive from the vocabulary (``graph/vocabulary.yaml``), so a new property becomes a
new column everywhere.  Every file may also be JSON Lines (``.jsonl``) with the same field
names.  The writer here is used by ``creditlink generate``; the reader is the built-in
``canonical`` mapping of :mod:`ingest.mappings`.

>>> from graph.model import load_model
>>> node_columns(load_model(), "Vehicle")
['plate', 'plate_color', 'vin', 'transport_permit_no', 'vehicle_type']
>>> edge_columns(load_model(), "SHAREHOLDER_OF")[-2:]
['ratio', 'shares']
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from graph.model import Edge, GraphModel, Node

__all__ = [
    "CREDIT_COLUMNS",
    "CREDIT_FILE",
    "EDGE_COMMON_COLUMNS",
    "Manifest",
    "credit_rows_of_truth",
    "edge_columns",
    "edge_file",
    "format_value",
    "node_columns",
    "node_file",
    "write_canonical",
]

#: Properties the canonical format does not carry: ingest bookkeeping (``aliases``),
#: ``unresolved`` (a canonical subject has its identifier) and ``ftm_id`` (FtM interop).
_NOT_CANONICAL = frozenset({"unresolved", "aliases", "ftm_id"})
EDGE_COMMON_COLUMNS = (
    "src_kind",
    "src_key",
    "dst_kind",
    "dst_key",
    "valid_from",
    "valid_to",
    "source",
)
CREDIT_FILE = "credit/records.csv"
CREDIT_COLUMNS = (
    "kind",
    "subject_kind",
    "subject_key",
    "subject_name",
    "behaviour_code",
    "decision_no",
    "authority",
    "act_date",
    "decision_date",
    "valid_until",
    "evidence",
    "summary",
)
Format = Literal["csv", "jsonl"]


def node_file(kind: str, fmt: Format = "csv") -> str:
    """Relative path of a node kind's file.

    >>> node_file("Enterprise")
    'nodes/enterprise.csv'
    """
    return f"nodes/{kind.lower()}.{fmt}"


def edge_file(edge_type: str, fmt: Format = "csv") -> str:
    """Relative path of a relationship type's file.

    >>> edge_file("LEGAL_REP_OF", "jsonl")
    'relationships/legal_rep_of.jsonl'
    """
    return f"relationships/{edge_type.lower()}.{fmt}"


def node_columns(model: GraphModel, kind: str) -> list[str]:
    """Key properties first, then the others in vocabulary order."""
    spec = model.require_kind(kind)
    rest = [p for p in spec.properties if p not in spec.key and p not in _NOT_CANONICAL]
    return [*spec.key, *rest]


def edge_columns(model: GraphModel, edge_type: str) -> list[str]:
    """The common endpoint and validity columns, then the type's properties."""
    return [*EDGE_COMMON_COLUMNS, *model.require_edge_kind(edge_type).properties]


def format_value(value: Any) -> str:
    """How a value is written into a CSV cell.

    >>> format_value(date(2024, 5, 28)), format_value(None), format_value(True), format_value(0.5)
    ('2024-05-28', '', 'true', '0.5')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


class Manifest(BaseModel):
    """What a canonical directory holds."""

    model_config = ConfigDict(extra="forbid")

    format: str = "creditlink-canonical/1"
    files: dict[str, int] = Field(description="relative path -> data rows")
    generator: dict[str, int] | None = Field(None, description="scale and seed, if generated")


class _Writer:
    """Opens one file per kind/type lazily and writes rows in CSV or JSON Lines."""

    def __init__(self, root: Path, fmt: Format, stack: ExitStack) -> None:
        self.root, self.fmt, self.stack = root, fmt, stack
        self.files: dict[str, tuple[IO[str], Any, list[str]]] = {}
        self.rows: dict[str, int] = {}

    def write(self, relative: str, columns: list[str], row: dict[str, Any]) -> None:
        entry = self.files.get(relative)
        if entry is None:
            path = self.root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            handle: IO[str] = self.stack.enter_context(path.open("w", encoding="utf-8", newline=""))
            writer: Any = None
            if self.fmt == "csv":
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(columns)
            entry = self.files[relative] = (handle, writer, columns)
            self.rows[relative] = 0
        fh, writer, columns = entry
        if writer is not None:
            writer.writerow([format_value(row.get(c)) for c in columns])
        else:
            doc = {c: _json_value(row.get(c)) for c in columns if row.get(c) not in (None, "")}
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
        self.rows[relative] += 1


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def write_canonical(
    model: GraphModel,
    out: Path,
    nodes: Iterable[Node],
    edges: Iterable[Edge],
    credit_rows: Iterable[dict[str, Any]] = (),
    *,
    fmt: Format = "csv",
    generator: dict[str, int] | None = None,
) -> Manifest:
    """Write nodes, relationships and credit rows as a canonical directory; returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        writer = _Writer(out, fmt, stack)
        columns = {kind: node_columns(model, kind) for kind in model.nodes}
        for node in nodes:
            writer.write(node_file(node.kind, fmt), columns[node.kind], node.props)
        edge_cols = {t: edge_columns(model, t) for t in model.edges}
        for edge in edges:
            row = {
                "src_kind": edge.src.kind,
                "src_key": edge.src.key,
                "dst_kind": edge.dst.kind,
                "dst_key": edge.dst.key,
                "valid_from": edge.valid_from,
                "valid_to": edge.valid_to,
                "source": edge.source,
                **edge.props,
            }
            writer.write(edge_file(edge.type, fmt), edge_cols[edge.type], row)
        credit_file = CREDIT_FILE if fmt == "csv" else CREDIT_FILE.replace(".csv", ".jsonl")
        for row in credit_rows:
            writer.write(credit_file, list(CREDIT_COLUMNS), row)
        rows = dict(sorted(writer.rows.items()))
    manifest = Manifest(files=rows, generator=generator)
    (out / "manifest.json").write_text(manifest.model_dump_json(indent=2) + "\n", "utf-8")
    return manifest


#: The catalog's behaviour code for serious overloading (graph/catalog/transport): it covers
#: the vehicle, the driver, the road-transport company and the loading-source unit.
OVERLOAD_CODE = "T-OVERLOAD"
AUTHORITY = "吉林省交通运输综合行政执法局"


def credit_rows_of_truth(truth: Any) -> Iterator[dict[str, Any]]:
    """Dishonesty records for each planted overloading case: one decision, four subjects
    (vehicle, driver, operating company, loading-source unit); the act is the weighing,
    the decision follows 20 days later.
    """
    from datetime import timedelta

    for case in truth.overloading:
        decided = case.date + timedelta(days=20)
        plate = case.vehicle.split("|")[0]
        common = {
            "kind": "dishonesty",
            "behaviour_code": OVERLOAD_CODE,
            "decision_no": case.decision_no,
            "authority": AUTHORITY,
            "act_date": case.date,
            "decision_date": decided,
            "evidence": f"超限检测记录 {case.weigh_ticket};行政处罚决定书 {case.decision_no}",
        }
        ratio = f"超限 {case.overload_ratio:.0%}"
        subjects = (
            ("Vehicle", case.vehicle, f"车辆 {plate} 严重违法超限运输,{ratio}"),
            ("Person", case.driver, f"驾驶车辆 {plate} 严重违法超限运输,{ratio}"),
            ("Enterprise", case.operator, f"所属车辆 {plate} 严重违法超限运输,{ratio}"),
            ("Enterprise", case.source_unit, f"为车辆 {plate} 违法超限装载,{ratio}"),
        )
        for kind, key, summary in subjects:
            yield {**common, "subject_kind": kind, "subject_key": key, "summary": summary}
