"""The answers of the investigation routes: the ``queries/`` result models with examples.

Each document is its query's own result model (same fields, same validation), subclassed
only to carry an example for the OpenAPI document.  The examples are real answers over the
example story, kept in ``investigation_examples.yaml``.

>>> RelatedDocument.model_json_schema()["examples"][0]["seed"]["name"]
'甲运输有限公司'
>>> sorted(DOCUMENTS)
['clusters', 'control', 'links', 'paths', 'related', 'risk']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from queries.clusters import ClustersResult
from queries.control import ControlResult
from queries.links import LinksResult
from queries.paths import PathsResult
from queries.related import RelatedResult
from queries.risk import RiskResult

__all__ = [
    "DOCUMENTS",
    "EXAMPLES",
    "ClustersDocument",
    "ControlDocument",
    "LinksDocument",
    "PathsDocument",
    "RelatedDocument",
    "RiskDocument",
]

#: The example answer of each route, by question.
EXAMPLES: dict[str, dict[str, Any]] = yaml.safe_load(
    Path(__file__).with_name("investigation_examples.yaml").read_text(encoding="utf-8")
)


def _example(name: str) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [EXAMPLES[name]]})


class RelatedDocument(RelatedResult):
    """Related parties (关联方): every entity within `hops` of the seed with its distance,
    the relationships that reach it (`via`, each explained) and its credit state; hubs
    shown in part and counted in full."""

    model_config = _example("related")


class PathsDocument(PathsResult):
    """The `k` shortest paths between two entities, shortest first, every relationship
    explained (empty when none is found within `max_hops`)."""

    model_config = _example("paths")


class ControlDocument(ControlResult):
    """Ownership and control: upward, the holders of an entity with effective shares, the
    beneficial owners and the actual controller (with the rule that decided); downward,
    what a party holds and controls.  Every stake carries its chains."""

    model_config = _example("control")


class LinksDocument(LinksResult):
    """Hidden links (疑似关系): entities sharing a phone, e-mail, address, e-mail domain or
    key person with the entity, graded hard / suspicious / weak, with the evidence; shared
    values too common to mean anything are listed as hubs."""

    model_config = _example("links")


class RiskDocument(RiskResult):
    """**Advisory** risk exposure from listed subjects around the entity, with the paths
    each contribution rests on.  Not a credit measure of the catalog: no sanction,
    restriction or refusal may be based on it (目录外不得惩戒; see `advisory`)."""

    model_config = _example("risk")


class ClustersDocument(ClustersResult):
    """The affiliate cluster (企业族群) around an entity: the enterprises tied to it by
    control, legal representatives, principals or officers, the persons tying them and
    their credit states (its own community first when a large group was split)."""

    model_config = _example("clusters")


#: Document model of each question.
DOCUMENTS: dict[str, type[BaseModel]] = {
    "related": RelatedDocument,
    "paths": PathsDocument,
    "control": ControlDocument,
    "links": LinksDocument,
    "risk": RiskDocument,
    "clusters": ClustersDocument,
}
