"""Look an entity up by kind and key, or find entities by name.

The documents returned here are what ``GET /v1/entities/...`` answers and what
``creditlink entity`` / ``creditlink search --json`` print.

>>> from graph.stores.memory import MemoryStore
>>> from graph.model import load_model
>>> from graph.example import load_story
>>> store = MemoryStore(load_model()); _ = load_story(store)
>>> lookup_entity(store, "Enterprise", "91110000600037341l").entity.props["name"]
'甲运输有限公司'
>>> [m.entity.uid for m in search_entities(store, "王军").results]
['Person:110101199003070011']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from graph.exc import NotFound, SchemaViolation
from graph.identifiers import is_foreign_key
from graph.model import GraphModel, Node, NodeRef
from graph.stores.base import GraphStore
from graph.stores.search import MAX_QUERY_LENGTH, searchable_kinds

__all__ = [
    "Entity",
    "EntityDocument",
    "EntityMatch",
    "SearchResults",
    "lookup_entity",
    "parse_ref",
    "search_entities",
]

#: Prefix of the keys of persons the sources gave no ID number for (never merged by name).
UNRESOLVED_PREFIX = "unresolved:"
#: Most results one search returns.
MAX_SEARCH_LIMIT = 100

_ENTERPRISE_EXAMPLE: dict[str, Any] = {
    "uid": "Enterprise:91110000600037341L",
    "kind": "Enterprise",
    "key": "91110000600037341L",
    "labels": [],
    "props": {
        "uscc": "91110000600037341L",
        "name": "甲运输有限公司",
        "kind": "道路运输企业",
        "established": "2015-04-01",
    },
}


class Entity(BaseModel):
    """A node of the graph: its identity, extra labels and properties."""

    model_config = ConfigDict(frozen=True, json_schema_extra={"examples": [_ENTERPRISE_EXAMPLE]})

    uid: str = Field(description="kind and key in one string, e.g. `Enterprise:9111…`")
    kind: str = Field(description="node kind (Enterprise, Person, Vehicle, Project, Contact)")
    key: str = Field(description="identifying key; for vehicles `plate|colour code`")
    labels: list[str] = Field(description="extra labels, e.g. LegalRepresentative")
    props: dict[str, Any] = Field(description="properties declared by the vocabulary")

    @classmethod
    def from_node(cls, node: Node) -> Entity:
        """The document of a stored node."""
        return cls(
            uid=node.ref.uid,
            kind=node.kind,
            key=node.key,
            labels=list(node.labels),
            props=dict(node.props),
        )


class EntityDocument(BaseModel):
    """The answer to an entity look-up."""

    model_config = ConfigDict(
        frozen=True, json_schema_extra={"examples": [{"entity": _ENTERPRISE_EXAMPLE}]}
    )

    entity: Entity


class EntityMatch(BaseModel):
    """An entity whose name resembles the query, with its score."""

    model_config = ConfigDict(frozen=True)

    entity: Entity
    score: float = Field(ge=0, le=100, description="name similarity, 100 = identical")


class SearchResults(BaseModel):
    """Entities found by name, best first."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "query": "甲运输",
                    "kinds": ["Enterprise"],
                    "results": [{"entity": _ENTERPRISE_EXAMPLE, "score": 90.0}],
                }
            ]
        },
    )

    query: str
    kinds: list[str] = Field(description="the kinds searched (those with a name)")
    results: list[EntityMatch]


def parse_ref(model: GraphModel, kind: str, key: str) -> NodeRef:
    """Check and normalise a kind and key given by a user (identifiers are validated).

    >>> from graph.model import load_model
    >>> parse_ref(load_model(), "Vehicle", "吉A12345|黄色")
    NodeRef(kind='Vehicle', key='吉A12345|2')
    >>> parse_ref(load_model(), "Enterprise", "91110000600037341X")
    Traceback (most recent call last):
    ...
    graph.exc.InvalidIdentifier: uscc '91110000600037341X': bad check character (expected L)
    """
    spec = model.require_kind(kind)
    key = key.strip()
    if not key:
        raise SchemaViolation(f"{kind} key is empty")
    if key.startswith(UNRESOLVED_PREFIX) or is_foreign_key(key):
        return NodeRef(kind, key)  # no identifier to check: unresolved person, ftm:<id>
    parts = key.split(model.key_separator)
    if len(parts) != len(spec.key):
        expected = model.key_separator.join(spec.key)
        raise SchemaViolation(f"a {kind} key has the form {expected!r}, got {key!r}")
    return model.make_node(kind, dict(zip(spec.key, parts, strict=True))).ref


def lookup_entity(store: GraphStore, kind: str, key: str) -> EntityDocument:
    """The entity with this kind and key; raises :class:`~graph.exc.NotFound`."""
    ref = parse_ref(store.model, kind, key)
    node = store.get_node(ref)
    if node is None:
        raise NotFound(f"no {kind} with key {ref.key!r}")
    return EntityDocument(entity=Entity.from_node(node))


def search_entities(
    store: GraphStore, text: str, *, kinds: Sequence[str] | None = None, limit: int = 10
) -> SearchResults:
    """Entities of ``kinds`` (default: all with a name) whose name resembles ``text``."""
    text = text.strip()
    if not text or len(text) > MAX_QUERY_LENGTH:
        raise SchemaViolation(f"the search text must have 1 to {MAX_QUERY_LENGTH} characters")
    if not 1 <= limit <= MAX_SEARCH_LIMIT:
        raise SchemaViolation(f"limit must be between 1 and {MAX_SEARCH_LIMIT}")
    searched = searchable_kinds(store.model, kinds)
    hits = store.search_nodes(text, kinds=searched, limit=limit) if searched else []
    return SearchResults(
        query=text,
        kinds=searched,
        results=[EntityMatch(entity=Entity.from_node(h.node), score=h.score) for h in hits],
    )
