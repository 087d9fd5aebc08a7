"""Mappings: YAML that says how the columns of a source become nodes, relationships and
credit records (the followthemoney way).  One row may give several of each.

A mapping is validated when loaded — by pydantic, then against the vocabulary — and every
error names the line of the YAML it is about::

    mapping my.yaml, line 7 (nodes.company.props.naem): Enterprise has no property 'naem'

The shape (see ``docs/ingest.md`` for a full example)::

    version: 1
    name: cn-enterprise
    match: {headers: [统一社会信用代码, 企业名称]}      # how a file is recognised
    nodes:
      company:
        kind: Enterprise
        props: {uscc: 统一社会信用代码, name: 企业名称}   # property: column (or {column: [a, b]})
      rep:
        kind: Person
        optional: true            # absent when its key and fallback columns are empty
        unresolved_by: name       # no ID number but a name: an unresolved person, never merged
        props: {id_no: 法定代表人证件号码, name: 法定代表人}
    edges:
      - {type: LEGAL_REP_OF, from: rep, to: company}
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph.exc import InvalidModel
from graph.model import GraphModel

__all__ = [
    "Column",
    "CreditSpec",
    "EdgeSpec",
    "Mapping",
    "MappingError",
    "Match",
    "NodeSpec",
    "When",
    "load_mapping",
    "parse_mapping",
]


class MappingError(InvalidModel):
    """A mapping file is invalid; the message names the file, the line and the path."""

    status = 422
    title = "Invalid mapping"

    def __init__(self, source: str, line: int | None, where: str, message: str) -> None:
        self.source, self.line, self.where = source, line, where
        at = f", line {line}" if line else ""
        path = f" ({where})" if where else ""
        super().__init__(f"mapping {source}{at}{path}: {message}")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Column(_Spec):
    """Where a value comes from: the first non-empty of ``column`` headers, or a constant."""

    column: tuple[str, ...] = ()
    const: str | float | bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"column": (value,)}
        if isinstance(value, dict) and isinstance(value.get("column"), str):
            return {**value, "column": (value["column"],)}
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Column:
        if bool(self.column) == (self.const is not None):
            raise ValueError("give either 'column' (one header or a list) or 'const'")
        return self


class When(_Spec):
    """A condition on the row: ``column`` is one of / none of some values, or is / is not a
    valid identifier of a type (an empty or absent column is "" and never an identifier)."""

    column: str
    is_in: tuple[str, ...] | None = Field(None, alias="in")
    not_in: tuple[str, ...] | None = None
    looks_like: Literal["id_no", "uscc"] | None = None
    not_like: Literal["id_no", "uscc"] | None = None


class NodeSpec(_Spec):
    """One node a row gives."""

    kind: str | None = None
    kind_column: str | None = Field(None, description="a column naming the kind, per row")
    key_column: str | None = Field(None, description="a column holding the whole key string")
    props: dict[str, Column] = Field(default_factory=dict)
    labels: tuple[str, ...] = ()
    optional: bool = False
    ref_only: bool = Field(False, description="only a reference: the node must already exist")
    unresolved_by: str | None = Field(None, description="Person property used when no ID")
    foreign_key: str | None = Field(
        None, description="a column holding a foreign key (ftm:<id>) used when the key is missing"
    )
    when: tuple[When, ...] = Field((), description="conditions that must all hold")

    @model_validator(mode="before")
    @classmethod
    def _when_list(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("when"), dict):
            return {**value, "when": (value["when"],)}
        return value

    @model_validator(mode="after")
    def _kind_given(self) -> NodeSpec:
        if (self.kind is None) == (self.kind_column is None):
            raise ValueError("give either 'kind' or 'kind_column'")
        if self.kind_column and not self.key_column:
            raise ValueError("'kind_column' needs 'key_column'")
        return self


class EdgeSpec(_Spec):
    """One relationship between two of the row's nodes (made when both exist)."""

    type: str
    source_node: str = Field(alias="from")
    target_node: str = Field(alias="to")
    valid_from: Column | None = None
    valid_to: Column | None = None
    source: Column | None = None
    props: dict[str, Column] = Field(default_factory=dict)


class CreditSpec(_Spec):
    """One credit record a row gives; its subject is a node of the row or key columns."""

    subject: tuple[str, ...] = Field((), description="node names; the first present is used")
    subject_kind: Column | None = None
    subject_key: Column | None = None
    kind: Column
    behaviour_code: Column | None = None
    decision_no: Column
    authority: Column
    act_date: Column | None = None
    decision_date: Column
    valid_until: Column | None = None
    evidence: Column | None = None
    summary: Column | None = None
    source: Column | None = Field(None, description="who asserted it (else file:row)")
    when: tuple[When, ...] = Field((), description="conditions that must all hold")

    @model_validator(mode="before")
    @classmethod
    def _subject_list(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("subject"), str):
            value = {**value, "subject": (value["subject"],)}
        if isinstance(value, dict) and isinstance(value.get("when"), dict):
            value = {**value, "when": (value["when"],)}
        return value

    @model_validator(mode="after")
    def _one_subject(self) -> CreditSpec:
        by_columns = self.subject_kind is not None and self.subject_key is not None
        if bool(self.subject) == by_columns:
            raise ValueError("give either 'subject' (node names) or subject_kind + subject_key")
        return self


class Match(_Spec):
    """How a file is recognised: a path pattern, or headers that must all be present."""

    files: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()


class Mapping(_Spec):
    """A whole mapping."""

    version: Literal[1] = 1
    name: str
    description: str = ""
    match: Match = Match()
    nodes: dict[str, NodeSpec] = Field(default_factory=dict)
    edges: tuple[EdgeSpec, ...] = ()
    credit: tuple[CreditSpec, ...] = ()

    def columns(self) -> set[str]:
        """Every header the mapping reads."""
        found: set[str] = set()

        def add(col: Column | None) -> None:
            if col is not None:
                found.update(col.column)

        for node in self.nodes.values():
            found.update(c for c in (node.kind_column, node.key_column, node.foreign_key) if c)
            found.update(w.column for w in node.when)
            for prop_col in node.props.values():
                add(prop_col)
        for edge in self.edges:
            for edge_col in (edge.valid_from, edge.valid_to, edge.source, *edge.props.values()):
                add(edge_col)
        for credit in self.credit:
            found.update(w.column for w in credit.when)
            for name in CreditSpec.model_fields:
                value = getattr(credit, name)
                if isinstance(value, Column):
                    add(value)
        return found

    def matches_file(self, relative: str) -> bool:
        """Whether a path pattern of :attr:`match` fits ``relative`` (or its file name)."""
        name = Path(relative).name
        return any(fnmatch(relative, p) or fnmatch(name, p) for p in self.match.files)

    def header_score(self, headers: Sequence[str]) -> int:
        """0 unless the file has every match header; else how many mapped columns it has."""
        present = set(headers)
        wanted = set(self.match.headers)
        if not wanted or not wanted <= present:
            return 0
        return len(self.columns() & present)


# -- loading with line numbers ---------------------------------------------------------------
def _line_of(root: yaml.Node | None, loc: Sequence[Any]) -> int | None:
    """The 1-based line of the YAML key (or item) at ``loc``, or of its deepest existing parent."""
    node, line = root, root.start_mark.line + 1 if root is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if pair is None:
                return line
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def parse_mapping(text: str, model: GraphModel, *, source: str = "<text>") -> Mapping:
    """Parse, validate and cross-check a mapping against the vocabulary.

    >>> from graph.model import load_model
    >>> bad = "name: x\\nnodes:\\n  c:\\n    kind: Enterprise\\n    props: {naem: 名称}\\n"
    >>> try:
    ...     parse_mapping(bad, load_model())
    ... except MappingError as err:
    ...     print(err.line, err.where)
    5 nodes.c.props.naem
    """
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise MappingError(source, mark.line + 1 if mark else None, "", str(err)) from None
    if not isinstance(data, dict):
        raise MappingError(source, 1, "", "a mapping is a YAML object with name, nodes, edges")
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = [p for p in first["loc"] if not str(p).startswith("function-")]
        where = ".".join(str(p) for p in loc)
        raise MappingError(source, _line_of(root, loc), where, first["msg"]) from None
    problem = _cross_check(mapping, model)
    if problem is not None:
        loc, message = problem
        raise MappingError(source, _line_of(root, loc), ".".join(map(str, loc)), message)
    return mapping


def load_mapping(path: Path, model: GraphModel) -> Mapping:
    """Read and check a mapping file."""
    return parse_mapping(path.read_text(encoding="utf-8"), model, source=str(path))


def _cross_check(m: Mapping, model: GraphModel) -> tuple[list[Any], str] | None:
    """The first inconsistency with the vocabulary, as (YAML path, message)."""
    for alias, node in m.nodes.items():
        at: list[Any] = ["nodes", alias]
        if node.kind is not None:
            kind = model.get_kind(node.kind)
            if kind is None:
                return [
                    *at,
                    "kind",
                ], f"unknown node kind {node.kind!r}; known: {sorted(model.nodes)}"
            for prop in node.props:
                if prop not in kind.properties:
                    return [*at, "props", prop], f"{node.kind} has no property {prop!r}"
            missing = [k for k in kind.key if k not in node.props]
            if missing and not node.key_column and not node.foreign_key:
                return [*at, "props"], f"{node.kind} needs its key {missing} mapped"
            for label in node.labels:
                if label not in kind.extra_labels:
                    return [*at, "labels"], f"{node.kind} cannot carry label {label!r}"
        if node.foreign_key:
            keyed = model.get_kind(node.kind or "")
            if keyed is None or "unresolved" not in keyed.properties:
                return [*at, "foreign_key"], f"{node.kind} cannot be keyed by a foreign id"
        if node.unresolved_by and node.kind != "Person":
            return [*at, "unresolved_by"], "only Person nodes can be unresolved"
        if node.unresolved_by and node.unresolved_by not in node.props:
            return [*at, "unresolved_by"], f"{node.unresolved_by!r} is not one of its props"
    for i, edge in enumerate(m.edges):
        at = ["edges", i]
        spec = model.get_edge_kind(edge.type)
        if spec is None:
            return [*at, "type"], f"unknown relationship type {edge.type!r}"
        for end, name, allowed in (
            ("from", edge.source_node, spec.sources),
            ("to", edge.target_node, spec.targets),
        ):
            endpoint = m.nodes.get(name)
            if endpoint is None:
                return [*at, end], f"no node called {name!r} in this mapping"
            if endpoint.kind is not None and endpoint.kind not in allowed:
                message = f"{edge.type} cannot {end} {endpoint.kind} (allowed: {allowed})"
                return [*at, end], message
        for prop in edge.props:
            if prop not in spec.properties:
                return [*at, "props", prop], f"{edge.type} has no property {prop!r}"
    for i, credit in enumerate(m.credit):
        for name in credit.subject:
            if name not in m.nodes:
                return ["credit", i, "subject"], f"no node called {name!r} in this mapping"
    return None
