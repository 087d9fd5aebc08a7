"""OpenAPI examples of the lifecycle documents, computed from the example story.

Decisions, affected subjects, restrictions and histories are large nested documents; a
hand-written example would drift from the models.  Instead the story (graph/example.py)
is loaded into a private memory store, a decision on its overloading truck is filed,
objected to and the objection rejected, and every document the routes answer is taken
from that run — once, when the OpenAPI document is first built.  Personal data is masked
as for the public role.

>>> sorted(story_examples())[:4]
['affected', 'batch', 'deadline_done', 'decision']
>>> story_examples()["affected"]["subjects"]
4
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any

from pydantic import BaseModel

from api.masking import Clearance, mask_document
from graph.example import load_story
from graph.model import load_model
from graph.stores.memory import MemoryStore
from queries.affected import affected
from queries.deadlines import complete_deadline, overdue
from queries.decisions import file_decision, file_decisions, preview
from queries.feedback import FeedbackIn, feedback_report, record_feedback
from queries.history import history
from queries.lifecycle import DecisionRequest
from queries.objections import decide_objection, file_objection
from queries.restrictions import restrictions

__all__ = ["EXAMPLE_REQUEST", "add_example", "story_examples"]

#: The filing the examples start from (also the request body's example).
EXAMPLE_REQUEST: dict[str, Any] = {
    "subject": {"kind": "Vehicle", "key": "吉A12345|2"},
    "behaviour_code": "T-OVERLOAD",
    "act_date": "2026-05-02",
    "decision_date": "2026-05-20",
    "decision_no": "吉交执〔2026〕118号",
    "authority": "吉林省交通运输厅",
    "evidence": [
        {"type": "超限检测记录", "reference": "JL-W-17"},
        {"type": "行政处罚决定书", "reference": "吉交罚〔2026〕77号"},
    ],
}
_ACTOR = "enforcement-system"


_SEEN_ON = date(2026, 7, 1)


@cache
def story_examples() -> dict[str, dict[str, Any]]:
    """Every lifecycle document of the story, as JSON (masked for the public role)."""
    model = load_model()
    store = MemoryStore(model)
    story = load_story(store)
    fields = {k: v for k, v in EXAMPLE_REQUEST.items() if k != "subject"}
    request = DecisionRequest(subject=story.truck, **fields)
    seen = preview(store, request)
    outcome = file_decision(store, request, actor=_ACTOR)
    decision_id = outcome.decision.id
    objected = file_objection(
        store,
        decision_id,
        received=date(2026, 6, 1),
        by="甲运输有限公司",
        reason="检测设备未检定",
        actor=_ACTOR,
    )
    assert objected.objection is not None
    rejected = decide_objection(
        store,
        objected.objection.id,
        outcome="rejected",
        on=date(2026, 6, 22),
        by="法规处",
        actor=_ACTOR,
    )
    first = outcome.applications[0]
    record_feedback(
        store,
        [
            FeedbackIn(
                application_id=first.id,
                unit=first.implementing_units[0],
                status="executed",
                on=date(2026, 5, 25),
                by="长春市道路运输管理处",
            )
        ],
        actor=_ACTOR,
    )
    late = overdue(store, _SEEN_ON)
    done = complete_deadline(store, late.items[0].id, on=date(2026, 7, 2), actor=_ACTOR)
    unknown = request.model_copy(update={"behaviour_code": "X-NOT-LISTED"})
    batch = file_decisions(store, [request, unknown], actor=_ACTOR)
    documents: dict[str, BaseModel | dict[str, Any]] = {
        "decision_request": request,
        "preview": seen,
        "decision": outcome,
        "objection": objected,
        "objection_decision": rejected,
        "feedback": feedback_report(store, decision_id),
        "affected": affected(store, decision_id, as_of=_SEEN_ON),
        "restrictions": restrictions(
            store, story.wang, _SEEN_ON, action="road_transport_operation"
        ),
        "history": history(store, story.wang, as_of=_SEEN_ON),
        "batch": {"results": [r.model_dump(mode="json") for r in batch]},
        "overdue": late,
        "deadline_done": done,
    }
    return {
        name: mask_document(
            doc if isinstance(doc, dict) else doc.model_dump(mode="json"), Clearance.NONE, model
        )
        for name, doc in documents.items()
    }


def add_example(name: str) -> Callable[[dict[str, Any]], None]:
    """A ``json_schema_extra`` hook adding the story's ``name`` document as the example,
    computed only when a schema is generated."""

    def hook(schema: dict[str, Any]) -> None:
        schema["examples"] = [story_examples()[name]]

    return hook
