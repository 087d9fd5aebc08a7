"""Deadlines in Chinese working days, and the list of overdue items.

Working days follow the State Council holiday calendar through the ``chinesecalendar``
package (``import chinese_calendar``): public holidays are skipped and make-up working
days (调休, a working Saturday) count.  The package has data for 2004–2026 only and raises
``NotImplementedError`` beyond; this module then counts Monday–Friday for the uncovered
years and says so in a ``warning`` on the result — it never crashes.

The catalog gives the number of days (``catalog.yaml`` → ``deadlines``): an objection is
answered within 15 working days of receipt, a correction is pushed within 5, licensing
and penalty decisions are published (双公示) within 7.

>>> add_working_days(date(2026, 9, 24), 15).due   # skips 中秋 and 国庆, counts 10-10
datetime.date(2026, 10, 22)
>>> late = add_working_days(date(2026, 12, 24), 15)
>>> late.due, late.exact
(datetime.date(2027, 1, 14), False)
>>> late.warning
'no holiday data for 2027 in chinesecalendar: working days counted Monday–Friday there'
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

import chinese_calendar
from pydantic import BaseModel, ConfigDict, Field

from graph.credit import audit_record, make_record
from graph.exc import ConflictError, NotFound
from graph.stores.base import GraphStore, StoredRecord

__all__ = [
    "DeadlineItem",
    "DeadlineKind",
    "WorkdayResult",
    "add_working_days",
    "complete_deadline",
    "deadline_record",
    "is_working_day",
    "new_deadline",
    "overdue",
]

COLLECTION = "Deadline"
DeadlineKind = Literal["objection_reply", "correction_push", "publication"]


@lru_cache(maxsize=8192)
def is_working_day(day: date) -> tuple[bool, bool]:
    """(working?, from the holiday calendar?) — Monday–Friday when the calendar has no data.

    >>> is_working_day(date(2026, 2, 14))   # a make-up working Saturday
    (True, True)
    >>> is_working_day(date(2027, 1, 1))
    (True, False)
    """
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


class WorkdayResult(BaseModel):
    """A date ``working_days`` working days after ``start``, and how it was counted."""

    model_config = ConfigDict(frozen=True)

    start: date
    working_days: int
    due: date
    exact: bool = Field(description="every day was counted with the holiday calendar")
    warning: str | None = None


def add_working_days(start: date, working_days: int) -> WorkdayResult:
    """The ``working_days``-th working day after ``start`` (``start`` itself not counted)."""
    if working_days < 0:
        raise ValueError("working_days must be >= 0")
    day, counted = start, 0
    uncovered: set[int] = set()
    while counted < working_days:
        day += timedelta(days=1)
        working, known = is_working_day(day)
        if not known:
            uncovered.add(day.year)
        counted += working
    warning = None
    if uncovered:
        years = ", ".join(str(y) for y in sorted(uncovered))
        warning = (
            f"no holiday data for {years} in chinesecalendar: "
            "working days counted Monday–Friday there"
        )
    return WorkdayResult(
        start=start, working_days=working_days, due=day, exact=not uncovered, warning=warning
    )


class DeadlineItem(BaseModel):
    """A dated obligation of the process (reply, correction push, publication)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: DeadlineKind
    name: str
    basis: str
    decision_id: str
    subject: str
    start: date
    working_days: int
    due: date
    warning: str | None = None
    done_on: date | None = None
    done_by: str | None = None

    def overdue_on(self, as_of: date) -> bool:
        """Open and past due on ``as_of`` (due day itself is still in time)."""
        return self.done_on is None and self.due < as_of


def new_deadline(
    kind: DeadlineKind,
    *,
    decision_id: str,
    subject: str,
    start: date,
    working_days: int,
    name: str,
    basis: str,
) -> DeadlineItem:
    """A deadline counted from ``start`` (id stable per decision, kind and start)."""
    due = add_working_days(start, working_days)
    raw = "\x1f".join((decision_id, kind, start.isoformat()))
    return DeadlineItem(
        id=hashlib.blake2b(raw.encode(), digest_size=12).hexdigest(),
        kind=kind,
        name=name,
        basis=basis,
        decision_id=decision_id,
        subject=subject,
        start=start,
        working_days=working_days,
        due=due.due,
        warning=due.warning,
    )


def deadline_record(item: DeadlineItem) -> StoredRecord:
    """The store's form: grouped by decision, filterable by status and due date."""
    return make_record(
        COLLECTION,
        item.id,
        subject=item.subject,
        group=item.decision_id,
        fields={
            "kind": item.kind,
            "status": "open" if item.done_on is None else "done",
            "due": item.due,
        },
        doc=item.model_dump(mode="json"),
    )


class OverdueResult(BaseModel):
    """Open deadlines past due on ``as_of``, most overdue first."""

    model_config = ConfigDict(frozen=True)

    as_of: date
    items: list[DeadlineItem]
    warnings: list[str] = Field(default_factory=list)


def overdue(
    store: GraphStore, as_of: date, *, kinds: Sequence[DeadlineKind] | None = None
) -> OverdueResult:
    """Every open deadline whose due date is before ``as_of`` (one round trip).

    >>> from graph.model import load_model
    >>> from graph.stores.memory import MemoryStore
    >>> store = MemoryStore(load_model())
    >>> item = new_deadline("publication", decision_id="d", subject="Person:1",
    ...     start=date(2026, 9, 30), working_days=7, name="双公示", basis="-")
    >>> item.due   # National Day week skipped, Saturday 10-10 is a make-up working day
    datetime.date(2026, 10, 15)
    >>> _ = store.put_records([deadline_record(item)])
    >>> [i.kind for i in overdue(store, date(2026, 10, 16)).items]
    ['publication']
    >>> overdue(store, date(2026, 10, 15)).items
    []
    """
    found = store.find_records([COLLECTION], where={"status": "open"})
    items = [DeadlineItem.model_validate(r.doc) for r in found]
    items = [i for i in items if i.overdue_on(as_of) and (kinds is None or i.kind in kinds)]
    items.sort(key=lambda i: (i.due, i.kind, i.id))
    warnings = sorted({i.warning for i in items if i.warning})
    return OverdueResult(as_of=as_of, items=items, warnings=warnings)


def complete_deadline(store: GraphStore, deadline_id: str, *, on: date, actor: str) -> DeadlineItem:
    """Mark a deadline done on ``on`` (audited); a done deadline cannot be done again.

    >>> from graph.model import load_model
    >>> from graph.stores.memory import MemoryStore
    >>> store = MemoryStore(load_model())
    >>> item = new_deadline("publication", decision_id="d", subject="Person:1",
    ...     start=date(2026, 3, 2), working_days=7, name="双公示", basis="-")
    >>> _ = store.put_records([deadline_record(item)])
    >>> complete_deadline(store, item.id, on=date(2026, 3, 9), actor="clerk").done_on
    datetime.date(2026, 3, 9)
    """
    found = store.get_records(COLLECTION, [deadline_id])
    if not found:
        raise NotFound(f"no deadline {deadline_id!r}")
    item = DeadlineItem.model_validate(found[0].doc)
    if item.done_on is not None:
        raise ConflictError(f"deadline {deadline_id} was done on {item.done_on}")
    if on < item.start:
        raise ConflictError(f"deadline {deadline_id} starts on {item.start}, after {on}")
    done = item.model_copy(update={"done_on": on, "done_by": actor})
    record = deadline_record(done)
    event = audit_record(
        actor=actor,
        action="deadline.done",
        target=record.rid,
        subject=item.subject,
        effective=on,
        before=found[0].doc,
        after=record.doc,
    )
    store.put_records([record, event])
    return done
