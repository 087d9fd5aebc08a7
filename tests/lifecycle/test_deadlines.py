"""Working-day deadlines: holidays and make-up days from chinesecalendar, Mon–Fri beyond it."""

from __future__ import annotations

from datetime import date

import pytest

from graph.exc import ConflictError, NotFound
from graph.stores.base import GraphStore
from queries.deadlines import (
    add_working_days,
    complete_deadline,
    deadline_record,
    is_working_day,
    new_deadline,
    overdue,
)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # 15-day objection reply across 中秋 + 国庆, 10-10 (Saturday) is a make-up day
        (date(2026, 9, 24), 15, date(2026, 10, 22)),
        # 5 days across 春节 2026 (02-15..02-23); Saturday 02-14 is a make-up working day
        (date(2026, 2, 13), 5, date(2026, 2, 27)),
        # 5 days across 劳动节 (05-01..05-05); Saturday 05-09 is a make-up working day
        (date(2026, 4, 30), 5, date(2026, 5, 11)),
        # 7 days (双公示) across 国庆
        (date(2026, 9, 30), 7, date(2026, 10, 15)),
        # an ordinary fortnight: weekends only
        (date(2026, 3, 2), 10, date(2026, 3, 16)),
        (date(2026, 3, 2), 0, date(2026, 3, 2)),
    ],
)
def test_deadlines_follow_the_holiday_calendar(start: date, days: int, due: date) -> None:
    result = add_working_days(start, days)
    assert (result.due, result.exact, result.warning) == (due, True, None)


def test_beyond_the_calendar_data_falls_back_to_monday_to_friday() -> None:
    result = add_working_days(date(2026, 12, 30), 3)
    # 12-31 from the 2026 data; 2027-01-01 (a Friday, New Year in reality) counted, then 01-04
    assert result.due == date(2027, 1, 4)
    assert not result.exact
    assert result.warning == (
        "no holiday data for 2027 in chinesecalendar: working days counted Monday–Friday there"
    )
    far = add_working_days(date(2028, 12, 29), 2)
    assert far.due == date(2029, 1, 2) and far.warning is not None and "2028, 2029" in far.warning


def test_is_working_day() -> None:
    assert is_working_day(date(2026, 2, 16)) == (False, True)  # 春节
    assert is_working_day(date(2026, 2, 14)) == (True, True)  # make-up Saturday
    assert is_working_day(date(2027, 1, 2)) == (False, False)  # a Saturday, no data


def test_complete_and_overdue(store: GraphStore) -> None:
    item = new_deadline(
        "correction_push",
        decision_id="d1",
        subject="Person:1",
        start=date(2026, 6, 15),
        working_days=5,
        name="更正推送",
        basis="test",
    )
    store.put_records([deadline_record(item)])
    assert [i.id for i in overdue(store, date(2026, 6, 24)).items] == [item.id]
    assert overdue(store, date(2026, 6, 24), kinds=["publication"]).items == []
    with pytest.raises(ConflictError):
        complete_deadline(store, item.id, on=date(2026, 6, 1), actor="clerk")
    done = complete_deadline(store, item.id, on=date(2026, 6, 25), actor="clerk")
    assert done.done_on == date(2026, 6, 25)
    assert overdue(store, date(2026, 7, 1)).items == []
    with pytest.raises(ConflictError):
        complete_deadline(store, item.id, on=date(2026, 6, 26), actor="clerk")
    with pytest.raises(NotFound):
        complete_deadline(store, "nope", on=date(2026, 6, 26), actor="clerk")
    events = store.find_records(["AuditEvent"], groups=[f"Deadline:{item.id}"])
    assert [e.fields["action"] for e in events] == ["deadline.done"]
