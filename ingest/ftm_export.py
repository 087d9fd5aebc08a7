"""The graph out as FollowTheMoney entities (JSON lines), built with the ``followthemoney``
model so every schema and property name is checked.

Nodes keep the FtM id they came with (``ftm_id``); others get a minted id ``cl-<hash of the
uid>`` that the importer does not keep.  What is written:

* ``Enterprise`` → ``Company`` (``registrationNumber`` = USCC, ``sector`` = kind, address,
  ``incorporationDate``, status), ``Person`` → ``Person`` (``idNumber``), ``Vehicle`` →
  ``Vehicle`` (``registrationNumber`` = plate, ``type``, ``owner`` / ``operator`` from
  ``OWNS`` / ``OPERATES``), address ``Contact`` → ``Address`` (+ ``addressEntity``), phone and
  e-mail contacts → ``phone`` / ``email``;
* ``SHAREHOLDER_OF`` → ``Ownership`` (``percentage``, ``sharesCount``),
  ``ACTUAL_CONTROLLER_OF`` → ``Ownership`` role 实际控制人, ``OFFICER_OF`` →
  ``Directorship`` (role), ``LEGAL_REP_OF`` / ``PRINCIPAL_OF`` → ``Directorship`` role
  法定代表人 / 主要负责人, ``EMPLOYED_BY`` → ``Employment``, ``ASSOCIATE_OF`` →
  ``Associate``; validity → ``startDate`` / ``endDate``, the relationship's source →
  ``recordId``;
* credit records → ``Sanction`` (``status`` = the record kind, ``authority``,
  ``authorityId`` = decision number, ``programId`` = behaviour code, ``startDate`` =
  decision date, ``endDate`` = valid until, ``summary``, ``sourceUrl`` = evidence).

Projects and ``BID_ON`` / ``CONTRACTED`` / ``MANAGES`` / ``DRIVES`` / ``LOADED`` have no
FtM counterpart here and are not written (GraphML / GEXF carry everything);
``docs/data-format.md`` lists what does not round-trip.

>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> from graph.example import load_story
>>> store = MemoryStore(load_model())
>>> _ = load_story(store)
>>> schemata = {e["schema"] for e in ftm_entities(store)}
>>> {"Company", "Person", "Vehicle", "Directorship"} <= schemata
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from graph.credit import CreditRecordIn, credit_records_of
from graph.model import Edge, Node, NodeRef
from graph.stores.base import GraphStore
from ingest.ftm import MINTED_PREFIX, ftm_schemata
from ingest.interop import GraphExport, select

__all__ = ["export_ftm", "ftm_entities", "ftm_id_of"]

_SCHEMA = {"Enterprise": "Company", "Person": "Person", "Vehicle": "Vehicle"}
_NODE_PROPS = {
    "Enterprise": {
        "name": "name",
        "uscc": "registrationNumber",
        "kind": "sector",
        "address": "address",
        "established": "incorporationDate",
        "status": "status",
    },
    "Person": {"name": "name", "id_no": "idNumber"},
    "Vehicle": {"plate": "registrationNumber", "vehicle_type": "type"},
}
#: type → (schema, source property, target property, fixed role)
_LINKS = {
    "SHAREHOLDER_OF": ("Ownership", "owner", "asset", None),
    "ACTUAL_CONTROLLER_OF": ("Ownership", "owner", "asset", "实际控制人"),
    "OFFICER_OF": ("Directorship", "director", "organization", None),
    "LEGAL_REP_OF": ("Directorship", "director", "organization", "法定代表人"),
    "PRINCIPAL_OF": ("Directorship", "director", "organization", "主要负责人"),
    "EMPLOYED_BY": ("Employment", "employee", "employer", None),
    "ASSOCIATE_OF": ("Associate", "person", "associate", None),
}


def ftm_id_of(node: Node) -> str:
    """The FtM id of a node: the one it came with, else ``cl-`` + a hash of its uid.

    >>> from graph.model import load_model
    >>> ftm_id_of(load_model().make_node("Enterprise", {"uscc": "91110000600037341L"}))
    'cl-2288d6b706e866e03d243640'
    """
    given = node.props.get("ftm_id")
    if given:
        return str(given)
    return MINTED_PREFIX + hashlib.blake2b(node.ref.uid.encode(), digest_size=12).hexdigest()


def _edge_id(edge: Edge) -> str:
    source = edge.source or ""
    if source.startswith("ftm:") and len(source) > 4:
        return source[4:]
    return f"{MINTED_PREFIX}{edge.eid}"


def _put(entity: Any, prop: str, value: Any) -> None:
    if value is None or value == "":
        return
    text = value.isoformat() if hasattr(value, "isoformat") else value
    if isinstance(text, float):
        text = f"{text:g}" if prop != "percentage" else f"{round(text, 4):g}"
    entity.add(prop, str(text), cleaned=True)  # keep our normalised values as they are


def _percent(ratio: Any) -> float | None:
    return None if ratio is None else round(float(ratio) * 100, 4)


def ftm_entities(
    store: GraphStore, around: Sequence[NodeRef] | None = None, hops: int = 2
) -> Iterator[dict[str, Any]]:
    """FtM entity documents of the store (or a neighbourhood), things before links."""
    nodes, edges = select(store, around, hops)
    by_uid = {n.ref.uid: n for n in nodes}
    ids = {uid: ftm_id_of(n) for uid, n in by_uid.items()}
    things: dict[str, Any] = {}
    for node in nodes:
        if node.kind == "Contact" and node.props.get("channel") == "address":
            entity = ftm_schemata().make_entity("Address")
            entity.id = ids[node.ref.uid]
            _put(entity, "full", node.props.get("value"))
            things[node.ref.uid] = entity
        elif node.kind in _SCHEMA:
            entity = ftm_schemata().make_entity(_SCHEMA[node.kind])
            entity.id = ids[node.ref.uid]
            for prop, target in _NODE_PROPS[node.kind].items():
                _put(entity, target, node.props.get(prop))
            things[node.ref.uid] = entity
    links: list[Any] = []
    for edge in edges:
        src, dst = things.get(edge.src.uid), things.get(edge.dst.uid)
        if edge.type == "HAS_CONTACT" and src is not None:
            contact = by_uid[edge.dst.uid].props
            channel = contact.get("channel")
            if channel == "address" and dst is not None:
                src.add("addressEntity", dst.id)
            elif channel in ("phone", "email"):
                _put(src, str(channel), contact.get("value"))
        elif edge.type in ("OWNS", "OPERATES") and dst is not None and src is not None:
            dst.add("owner" if edge.type == "OWNS" else "operator", src.id)
        elif edge.type in _LINKS and src is not None and dst is not None:
            links.append(_link(edge, src.id, dst.id))
    yield from (e.to_dict() for e in things.values())
    yield from (e.to_dict() for e in links)
    refs = [n.ref for n in nodes if n.ref.uid in things]
    for record in credit_records_of(store, refs):
        yield _sanction(record, ids[record.subject.uid]).to_dict()


def _link(edge: Edge, src_id: str, dst_id: str) -> Any:
    schema, src_prop, dst_prop, role = _LINKS[edge.type]
    entity = ftm_schemata().make_entity(schema)
    entity.id = _edge_id(edge)
    entity.add(src_prop, src_id)
    entity.add(dst_prop, dst_id)
    _put(entity, "startDate", edge.valid_from)
    _put(entity, "endDate", edge.valid_to)
    if edge.source and not edge.source.startswith("ftm:"):
        _put(entity, "recordId", edge.source)
    props = edge.props
    if schema == "Ownership":
        _put(entity, "percentage", _percent(props.get("ratio")))
        _put(entity, "sharesCount", props.get("shares"))
    if schema == "Associate":
        _put(entity, "relationship", props.get("relation"))
    else:
        _put(entity, "role", role or props.get("role") or props.get("position"))
    return entity


def _sanction(record: CreditRecordIn, subject_id: str) -> Any:
    entity = ftm_schemata().make_entity("Sanction")
    entity.id = record.source[4:] if record.source.startswith("ftm:") else f"cl-{record.id}"
    if not record.source.startswith("ftm:"):
        _put(entity, "recordId", record.source)
    entity.add("entity", subject_id)
    _put(entity, "status", record.kind.value)
    _put(entity, "authority", record.authority)
    if not record.decision_no.startswith("ftm:"):
        _put(entity, "authorityId", record.decision_no)
    _put(entity, "programId", record.behaviour_code)
    _put(entity, "startDate", record.decision_date)
    _put(entity, "endDate", record.valid_until)
    _put(entity, "summary", record.summary)
    for item in record.evidence:
        _put(entity, "sourceUrl", item)
    return entity


def export_ftm(
    store: GraphStore, path: Path, *, around: Sequence[NodeRef] | None = None, hops: int = 2
) -> GraphExport:
    """Write FtM JSON lines; returns how many entities of each sort were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    things = links = sanctions = 0
    with path.open("w", encoding="utf-8") as fh:
        for entity in ftm_entities(store, around, hops):
            schema = entity["schema"]
            if schema == "Sanction":
                sanctions += 1
            elif schema in ("Ownership", "Directorship", "Employment", "Associate"):
                links += 1
            else:
                things += 1
            fh.write(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n")
    return GraphExport(
        path=str(path), format="ftm", nodes=things, edges=links, credit_records=sanctions
    )
