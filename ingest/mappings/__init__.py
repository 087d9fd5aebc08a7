"""Built-in mappings: the canonical format (derived from the vocabulary) and typical
Chinese-header exports (the ``cn-*.yaml`` files beside this module).

>>> from graph.model import load_model
>>> names = [m.name for m in builtin_mappings(load_model())]
>>> "canonical:nodes/enterprise" in names and "cn-enterprise" in names
True
>>> choose_mapping("exports/企业.csv", ["统一社会信用代码", "企业名称", "法定代表人"],
...                builtin_mappings(load_model())).name
'cn-enterprise'
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from graph.model import GraphModel
from ingest.canonical import CREDIT_COLUMNS, EDGE_COMMON_COLUMNS, edge_columns, node_columns
from ingest.mapping import (
    Column,
    CreditSpec,
    EdgeSpec,
    Mapping,
    MappingError,
    Match,
    NodeSpec,
    load_mapping,
    parse_mapping,
)

__all__ = [
    "builtin_mappings",
    "canonical_mappings",
    "chinese_mappings",
    "choose_mapping",
    "find_mapping",
]


def _col(name: str) -> Column:
    return Column(column=(name,))


def canonical_mappings(model: GraphModel) -> list[Mapping]:
    """One mapping per canonical file: node kinds, relationship types, credit records."""
    mappings: list[Mapping] = []
    for kind in model.nodes:
        columns = node_columns(model, kind)
        stem = f"nodes/{kind.lower()}"
        mappings.append(
            Mapping(
                name=f"canonical:{stem}",
                description=f"canonical {kind} file",
                match=Match(files=(f"{stem}.*", f"*{stem}.*")),
                nodes={"node": NodeSpec(kind=kind, props={c: _col(c) for c in columns})},
            )
        )
    for edge_type in model.edges:
        props = edge_columns(model, edge_type)[len(EDGE_COMMON_COLUMNS) :]
        stem = f"relationships/{edge_type.lower()}"
        ends = {
            end: NodeSpec(kind_column=f"{end}_kind", key_column=f"{end}_key", ref_only=True)
            for end in ("src", "dst")
        }
        edge = EdgeSpec.model_validate(
            {
                "type": edge_type,
                "from": "src",
                "to": "dst",
                "valid_from": _col("valid_from"),
                "valid_to": _col("valid_to"),
                "source": _col("source"),
                "props": {p: _col(p) for p in props},
            }
        )
        mappings.append(
            Mapping(
                name=f"canonical:{stem}",
                description=f"canonical {edge_type} file",
                match=Match(files=(f"{stem}.*", f"*{stem}.*")),
                nodes=ends,
                edges=(edge,),
            )
        )
    credit = CreditSpec.model_validate(
        {
            "subject_kind": _col("subject_kind"),
            "subject_key": _col("subject_key"),
            **{c: _col(c) for c in CREDIT_COLUMNS if c not in _NOT_CREDIT_FIELDS},
        }
    )
    mappings.append(
        Mapping(
            name="canonical:credit/records",
            description="canonical credit records",
            match=Match(files=("credit/records.*", "*credit/records.*")),
            credit=(credit,),
        )
    )
    return mappings


#: Canonical credit columns that are not fields of a credit record (read for people only).
_NOT_CREDIT_FIELDS = frozenset({"subject_kind", "subject_key", "subject_name"})


@cache
def _chinese_texts() -> tuple[tuple[str, str], ...]:
    folder = resources.files(__name__)
    return tuple(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    )


def chinese_mappings(model: GraphModel) -> list[Mapping]:
    """The shipped mappings for Chinese-header exports (``cn-*.yaml``)."""
    return [parse_mapping(text, model, source=name) for name, text in _chinese_texts()]


def builtin_mappings(model: GraphModel) -> list[Mapping]:
    """Canonical mappings first, then the Chinese-header ones."""
    return [*canonical_mappings(model), *chinese_mappings(model)]


def find_mapping(name_or_path: str, model: GraphModel) -> Mapping:
    """A built-in mapping by name, or a user's mapping file by path (validated on load)."""
    for mapping in builtin_mappings(model):
        if mapping.name == name_or_path:
            return mapping
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return load_mapping(path, model)
    known = ", ".join(m.name for m in builtin_mappings(model))
    raise MappingError(name_or_path, None, "", f"no such mapping file or name; built-in: {known}")


def choose_mapping(relative: str, headers: Sequence[str], mappings: Sequence[Mapping]) -> Mapping:
    """The mapping for a file: a path pattern match first, else the best header match."""
    for mapping in mappings:
        if mapping.matches_file(relative):
            return mapping
    scored = [(m.header_score(headers), i) for i, m in enumerate(mappings)]
    best, index = max(scored, default=(0, -1))
    if best == 0:
        shown = ", ".join(headers[:12])
        raise MappingError(
            relative, None, "", f"no built-in mapping fits the headers [{shown}]; give --mapping"
        )
    return mappings[index]
