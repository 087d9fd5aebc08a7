"""Search nodes by name: the scoring both stores share, and the Neo4j full-text Cypher.

Both stores rank with the same function (:func:`rank_names`, rapidfuzz's ``WRatio`` on
lower-cased text), so a name scores the same on either.  The memory store scores every
named node; Neo4j first asks a full-text index (CJK bigram analyser, so 运输 finds
甲运输有限公司) for candidates and re-ranks them here.  Neo4j can therefore miss a name
that shares no bigram or word with the query, which a full scan would still score.

>>> from graph.model import load_model
>>> m = load_model()
>>> nodes = [m.make_node("Enterprise", {"uscc": "91110000600037341L", "name": "甲运输有限公司"}),
...          m.make_node("Enterprise", {"uscc": "91310115MA1K3BTP2B", "name": "乙物流有限公司"})]
>>> rank_names("甲运输", {n.ref.uid: n.props["name"] for n in nodes}, limit=5)
[('Enterprise:91110000600037341L', 90.0)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz, process, utils

from graph.model import GraphModel, Node

__all__ = [
    "MIN_SCORE",
    "NAME_PROPERTY",
    "SEARCH_INDEX",
    "NodeMatch",
    "candidate_limit",
    "fulltext_index_statement",
    "fulltext_query",
    "lucene_query",
    "name_score",
    "rank_names",
    "searchable_kinds",
]

#: The property that names a node; kinds without it are not searchable.
NAME_PROPERTY = "name"
#: Name of the Neo4j full-text index over :data:`NAME_PROPERTY`.
SEARCH_INDEX = "node_name_search"
#: Below this ``WRatio`` score (0-100) a name does not count as resembling the query: 60 keeps
#: a two-character query against a longer name (王军 / 王军辉 = 90) and one typo in a company
#: name (85), and drops names that share only a common suffix such as 有限公司.
MIN_SCORE = 60.0
#: Longest query text accepted (a name, not a document).
MAX_QUERY_LENGTH = 100

# Lucene query syntax characters, escaped so user text is only ever terms.
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_LUCENE_OPERATORS = frozenset({"AND", "OR", "NOT", "TO"})


class NodeMatch(BaseModel):
    """A node whose name resembles the query, with its score (0-100, higher is closer)."""

    model_config = ConfigDict(frozen=True)

    node: Node
    score: float = Field(ge=0, le=100)


def name_score(text: str, name: str) -> float:
    """How closely ``name`` resembles ``text`` (rapidfuzz ``WRatio``, case-insensitive).

    >>> name_score("王军", "王军"), name_score("王军", "李娜")
    (100.0, 0.0)
    """
    return float(fuzz.WRatio(text, name, processor=utils.default_process))


def rank_names(
    text: str, names: Mapping[str, str], *, limit: int, min_score: float = MIN_SCORE
) -> list[tuple[str, float]]:
    """``(uid, score)`` of the names resembling ``text``: best first, ties by uid.

    ``names`` maps uids to names; scoring runs in rapidfuzz's C code, so a store can pass
    every name it holds.

    >>> rank_names("王军", {"Person:1": "王军辉", "Person:2": "李娜", "Person:3": "王军"}, limit=5)
    [('Person:3', 100.0), ('Person:1', 90.0)]
    """
    if limit < 1:
        return []
    hits = process.extract(
        text,
        names,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=min_score,
        limit=None,
    )
    ranked = sorted(
        ((uid, round(float(score), 2)) for _, score, uid in hits), key=lambda hit: (-hit[1], hit[0])
    )
    return ranked[:limit]


def searchable_kinds(model: GraphModel, kinds: Sequence[str] | None = None) -> list[str]:
    """The node kinds (of ``kinds``, checked against the vocabulary) that have a name.

    >>> from graph.model import load_model
    >>> searchable_kinds(load_model())
    ['Enterprise', 'Person', 'Project']
    >>> searchable_kinds(load_model(), ["Vehicle", "Person"])
    ['Person']
    """
    names = sorted(model.nodes) if kinds is None else sorted(set(kinds))
    return [k for k in names if NAME_PROPERTY in model.require_kind(k).properties]


def candidate_limit(limit: int) -> int:
    """How many full-text hits to re-rank for ``limit`` results (the index orders by BM25,
    not by our score, so it is asked for many more than it will keep)."""
    return max(200, 20 * limit)


def lucene_query(text: str) -> str:
    """User text as a Lucene query of plain terms (special characters escaped), or ''.

    >>> lucene_query('甲运输 (集团) AND "x"')
    '甲运输 \\\\(集团\\\\) "AND" \\\\"x\\\\"'
    """
    terms = []
    for word in text.split():
        if word in _LUCENE_OPERATORS:
            terms.append(f'"{word}"')
        else:
            terms.append(_LUCENE_SPECIAL.sub(r"\\\1", word))
    return " ".join(terms)


def _q(name: str) -> str:
    if "`" in name:
        raise ValueError(f"illegal name {name!r}")
    return f"`{name}`"


def fulltext_index_statement(kinds: Sequence[str]) -> str:
    """Idempotent creation of the name index over the given (allow-listed) kinds.

    The ``cjk`` analyser indexes Chinese text as overlapping character pairs, so part of a
    name finds the whole of it; Latin words are indexed as words.

    >>> fulltext_index_statement(["Enterprise", "Person"]).split(" ON ")[0]
    'CREATE FULLTEXT INDEX node_name_search IF NOT EXISTS FOR (n:`Enterprise`|`Person`)'
    """
    labels = "|".join(_q(k) for k in kinds)
    return (
        f"CREATE FULLTEXT INDEX {SEARCH_INDEX} IF NOT EXISTS FOR (n:{labels}) "
        f"ON EACH [n.{_q(NAME_PROPERTY)}] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}"
    )


def fulltext_query(text: str, kinds: Sequence[str], limit: int) -> tuple[str, dict[str, Any]]:
    """Candidates from the name index, restricted to ``kinds``, as ``(query, params)``."""
    query = (
        "CALL db.index.fulltext.queryNodes($index, $text, {limit: $limit}) YIELD node "
        "WHERE any(label IN labels(node) WHERE label IN $kinds) "
        "RETURN node.uid AS uid, labels(node) AS labels, properties(node) AS props"
    )
    params = {
        "index": SEARCH_INDEX,
        "text": lucene_query(text),
        "kinds": list(kinds),
        "limit": candidate_limit(limit),
    }
    return query, params
