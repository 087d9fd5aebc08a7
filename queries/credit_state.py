"""The credit state of many entities on a date, in one store round trip.

For other questions (related parties, paths, risk, clusters) that need to know, for
each entity they show, whether it is **listed** (the subject of a dishonesty listing in
force, or on a black list by a file record), **affected** (a sanction reached it by
propagation), on the **red list** (a reward in force, or a red-list record), or
**clean**.  :data:`IN_FORCE_CYPHER` is the same rule as a Cypher predicate over the
``:MeasureApplication`` record nodes, for joins on the server (``a.subject = n.uid`` is
indexed).

>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> store = MemoryStore(load_model())
>>> states = credit_states(store, [NodeRef("Person", "110101199003070011")], date(2026, 1, 1))
>>> states[NodeRef("Person", "110101199003070011")].state
'clean'
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from graph.credit import CREDIT_COLLECTION, CreditKind, CreditRecordIn
from graph.model import NodeRef
from graph.stores.base import GraphStore
from queries.lifecycle import APPLICATIONS, Application, application_from

__all__ = ["IN_FORCE_CYPHER", "CreditState", "credit_states"]

#: ``a`` (a ``:MeasureApplication`` node) is in force on ``$as_of`` — the rule of
#: ``queries.lifecycle.status_on`` over the flat fields every application carries.
IN_FORCE_CYPHER = (
    "(a.start <= $as_of AND (a.end IS NULL OR $as_of < a.end)"
    " AND (a.stopped_on IS NULL OR $as_of < a.stopped_on)"
    " AND (a.suspended_from IS NULL OR $as_of < a.suspended_from)"
    " AND NONE(i IN range(0, size(coalesce(a.paused_from, [])) - 1)"
    " WHERE a.paused_from[i] <= $as_of AND $as_of < a.paused_to[i]))"
)


class CreditState(BaseModel):
    """One entity's credit state on one date."""

    model_config = ConfigDict(frozen=True)

    entity: NodeRef
    as_of: date
    state: Literal["listed", "affected", "red_list", "clean"] = Field(
        description="listed > affected > red_list > clean"
    )
    listed: bool
    affected: bool
    red_list: bool
    suspended: bool = Field(description="a measure on it is suspended pending an objection")
    restricts: list[str]
    grants: list[str]
    measures: list[str]
    decisions: list[str]


def credit_states(
    store: GraphStore, refs: Sequence[NodeRef], as_of: date
) -> dict[NodeRef, CreditState]:
    """The credit state of every entity in ``refs`` on ``as_of`` (one round trip)."""
    wanted = list(dict.fromkeys(refs))
    found = store.find_records([APPLICATIONS, CREDIT_COLLECTION], subjects=[r.uid for r in wanted])
    apps: dict[str, list[Application]] = {}
    records: dict[str, list[CreditRecordIn]] = {}
    for record in found:
        uid = record.subject or ""
        if record.collection == APPLICATIONS:
            apps.setdefault(uid, []).append(application_from(record))
        else:
            records.setdefault(uid, []).append(CreditRecordIn.model_validate(record.doc))
    states = {}
    for ref in wanted:
        listed = affected = red = suspended = False
        restricts: set[str] = set()
        grants: set[str] = set()
        measures: set[str] = set()
        decisions: set[str] = set()
        for entry in records.get(ref.uid, []):
            if entry.listed_on(as_of):
                listed = listed or entry.kind == CreditKind.BLACK_LIST
                red = red or entry.kind == CreditKind.RED_LIST
        for app in apps.get(ref.uid, []):
            status = app.status_on(as_of)
            suspended = suspended or status == "suspended"
            if status != "in_force":
                continue
            measures.add(app.measure)
            decisions.add(app.decision_id)
            if app.side == "reward":
                red = True
                grants.update(app.grants)
            else:
                restricts.update(app.restricts)
                listed = listed or app.direct
                affected = affected or not app.direct
        state: Literal["listed", "affected", "red_list", "clean"] = (
            "listed" if listed else "affected" if affected else "red_list" if red else "clean"
        )
        states[ref] = CreditState(
            entity=ref,
            as_of=as_of,
            state=state,
            listed=listed,
            affected=affected,
            red_list=red,
            suspended=suspended,
            restricts=sorted(restricts),
            grants=sorted(grants),
            measures=sorted(measures),
            decisions=sorted(decisions),
        )
    return states
