"""The catalog (the four lists, 四张清单) as data: YAML files validated by pydantic.

Nothing outside the catalog can be sanctioned or rewarded (相关单位不得对目录清单之外的
失信行为实施联合奖惩): the lifecycle engine in ``queries/`` refuses what is not here.

>>> from graph.catalog import load_catalog
>>> load_catalog().header.deadlines["objection_reply"].working_days
15
"""

from graph.catalog.catalog import DEFAULT_CATALOG_DIR, Catalog, catalog_dir, load_catalog
from graph.catalog.model import (
    NAMED_IN_DECISION,
    Behaviour,
    ListKind,
    Measure,
    PropagationRule,
    Source,
    Term,
)
from graph.catalog.periods import add_period, approx_days, parse_period

__all__ = [
    "DEFAULT_CATALOG_DIR",
    "NAMED_IN_DECISION",
    "Behaviour",
    "Catalog",
    "ListKind",
    "Measure",
    "PropagationRule",
    "Source",
    "Term",
    "add_period",
    "approx_days",
    "catalog_dir",
    "load_catalog",
    "parse_period",
]
