"""Why is this entity restricted today?  Every measure in force on it on a date, with its why.

Each measure carries the decision, the catalog entry (legal basis), the term and the path
that reached the entity (each edge with its source).  Measures that apply to the entity
but are not in force that day (suspended pending an objection, expired, repaired,
revoked, not yet started) are listed apart with their status, so "why not" is answered
too.  List entries from files (红名单 / 黑名单 records) standing that day are included.
One store round trip.

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> from queries.decisions import file_decision
>>> from queries.lifecycle import DecisionRequest
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> _ = file_decision(store, DecisionRequest(subject=story.truck, behaviour_code="T-OVERLOAD",
...     act_date=date(2021, 3, 1), decision_date=date(2021, 4, 1), decision_no="9",
...     authority="吉林省交通运输厅", evidence=[{"type": "超限检测记录", "reference": "W"},
...     {"type": "行政处罚决定书", "reference": "P"}]), actor="clerk")
>>> today = restrictions(store, story.wang, date(2021, 5, 1))
>>> [(m.measure, m.role) for m in today.in_force]
[('S-OFFICE-BAN', '法定代表人'), ('S-OVERLOAD-DRIVER', '驾驶人')]
>>> today.restricts
['office', 'road_transport_operation']
>>> [m.measure for m in restrictions(store, story.wang, date(2022, 4, 1)).in_force]
['S-OFFICE-BAN']
>>> restrictions(store, story.wang, date(2021, 5, 1), action="bidding").blocked
False
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from graph.catalog import Catalog, load_catalog
from graph.credit import CREDIT_COLLECTION, CreditRecordIn
from graph.exc import SchemaViolation
from graph.model import NodeRef
from graph.stores.base import GraphStore
from queries.lifecycle import APPLICATIONS, AppliedMeasure, application_from, applied

__all__ = ["Restrictions", "restrictions"]


class Restrictions(BaseModel):
    """Measures on one entity on one date."""

    model_config = ConfigDict(frozen=True)

    entity: NodeRef
    as_of: date
    in_force: list[AppliedMeasure]
    restricts: list[str] = Field(description="action categories blocked that day")
    grants: list[str] = Field(description="incentives granted that day")
    not_in_force: list[AppliedMeasure] = Field(description="applying measures not in force")
    list_entries: list[CreditRecordIn] = Field(description="红名单/黑名单 records standing")
    action: str | None = Field(None, description="the action category asked about")
    blocked: bool | None = Field(
        None, description="whether a measure in force that day restricts `action`"
    )


def restrictions(
    store: GraphStore,
    entity: NodeRef,
    as_of: date,
    *,
    action: str | None = None,
    catalog: Catalog | None = None,
) -> Restrictions:
    """Every measure in force on ``entity`` on ``as_of``, each with its why; with
    ``action`` (an action category of the catalog, e.g. ``bidding``) whether it is blocked.
    An action the catalog does not name is a :class:`~graph.exc.SchemaViolation`."""
    if action is not None and action not in (catalog or load_catalog()).header.actions:
        raise SchemaViolation(f"{action!r} is not an action category of the catalog")
    found = store.find_records([APPLICATIONS, CREDIT_COLLECTION], subjects=[entity.uid])
    views = [applied(application_from(r), as_of) for r in found if r.collection == APPLICATIONS]
    views.sort(key=lambda v: (v.start, v.measure, v.decision_id))
    in_force = [v for v in views if v.status == "in_force"]
    restricts = sorted({c for v in in_force for c in v.restricts})
    records = [CreditRecordIn.model_validate(r.doc) for r in found if r.collection != APPLICATIONS]
    return Restrictions(
        entity=entity,
        as_of=as_of,
        in_force=in_force,
        restricts=restricts,
        grants=sorted({g for v in in_force for g in v.grants}),
        not_in_force=[v for v in views if v.status != "in_force"],
        list_entries=[r for r in records if r.listed_on(as_of)],
        action=action,
        blocked=None if action is None else action in restricts,
    )
