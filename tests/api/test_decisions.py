"""Decisions over HTTP: file, preview, affected, restrictions, objection, repair, feedback.

The story (graph/example.py): the truck 吉A12345 (yellow plate) is operated by 甲运输 and
driven by 王军; 乙物流 and 丙建材 bid in the tender.  Filing T-OVERLOAD on the truck must
reach its driver and its operator; T-BID-FRAUD on 乙物流 blocks its bidding for the term.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from api.routers import credit, deadlines, decisions
from api.routers.decision_bodies import DecisionIn
from api.security import ROLE_PERMISSIONS, Permission, Role
from graph.example import Story
from graph.model import NodeRef
from queries.affected import affected
from tests.api.conftest import Api, MakeApi

DECIDED = "2026-05-20"


def _post(api: Api, url: str, body: dict[str, Any], role: str | None = "investigator") -> Any:
    response: httpx.Response = api.client.post(url, json=body, headers=api.headers(role))
    return response


def _story(api: Api) -> Story:
    assert api.story is not None
    return api.story


def _subject(ref: NodeRef) -> dict[str, str]:
    return {"kind": ref.kind, "key": ref.key}


def overload(story: Story, **changes: Any) -> dict[str, Any]:
    """T-OVERLOAD on the story's truck, with the evidence the catalog requires."""
    return {
        "subject": _subject(story.truck),
        "behaviour_code": "T-OVERLOAD",
        "act_date": "2026-05-02",
        "decision_date": DECIDED,
        "decision_no": "吉交执〔2026〕118号",
        "authority": "吉林省交通运输厅",
        "evidence": [
            {"type": "超限检测记录", "reference": "JL-W-17"},
            {"type": "行政处罚决定书", "reference": "吉交罚〔2026〕77号"},
        ],
        **changes,
    }


def bid_fraud(story: Story, **changes: Any) -> dict[str, Any]:
    """T-BID-FRAUD on 乙物流 (a bidder of the story's tender)."""
    return {
        "subject": _subject(story.yi),
        "behaviour_code": "T-BID-FRAUD",
        "act_date": "2026-04-10",
        "decision_date": DECIDED,
        "decision_no": "吉交招〔2026〕5号",
        "authority": "吉林省交通运输厅",
        "evidence": [
            {"type": "行政处罚决定书", "reference": "吉交罚〔2026〕80号"},
            {"type": "串通投标或弄虚作假认定材料", "reference": "JL-ZB-3"},
        ],
        **changes,
    }


def _file(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    response = _post(api, "/v1/decisions", body)
    assert response.status_code == 201, response.text
    filed: dict[str, Any] = response.json()
    assert response.headers["location"] == f"/v1/decisions/{filed['decision']['id']}"
    return filed


def _bidding(api: Api, ref: NodeRef, on: date, role: str = "reviewer") -> dict[str, Any]:
    url = f"/v1/restrictions/{ref.kind}/{ref.key}?action=bidding&as_of={on.isoformat()}"
    response = api.get(url, role=role)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# -- filing and its reach, on both stores ------------------------------------------------------
def test_filed_decision_reaches_the_driver_and_the_operator(api_on: Api) -> None:
    story = _story(api_on)
    filed = _file(api_on, overload(story))
    assert filed["written"] is True
    decision_id = filed["decision"]["id"]
    response = api_on.get(f"/v1/affected/{decision_id}?as_of=2026-07-01", role="investigator")
    assert response.status_code == 200, response.text
    body = response.json()
    reached = {
        (m["subject"][0], m["subject"][1]): (m["measure"], m["role"], m["status"])
        for m in body["measures"]
    }
    paths = {(m["subject"][0], m["subject"][1]): m["path"] for m in body["measures"]}
    assert reached[story.truck] == ("S-OVERLOAD-VEHICLE", None, "in_force")
    # the driver and the operating company, each by the relationship that justifies it
    assert reached[story.wang] == ("S-OVERLOAD-DRIVER", "驾驶人", "in_force")
    assert [s["relationship"] for s in paths[story.wang]] == ["DRIVES"]
    assert reached[story.jia][0:2] == ("S-OVERLOAD-ENTERPRISE", "道路运输企业（经营单位）")
    assert [s["relationship"] for s in paths[story.jia]] == ["OPERATES"]
    assert paths[story.jia][0]["source"]  # every step names who asserted it
    # the HTTP answer is the query's document
    store = api_on.app.state.store
    expected = affected(store, decision_id, as_of=date(2026, 7, 1))
    assert body == expected.model_dump(mode="json")
    assert body["subjects"] == len(reached)


def test_bidding_is_blocked_inside_the_term_and_not_after(api_on: Api) -> None:
    story = _story(api_on)
    filed = _file(api_on, bid_fraud(story))
    [ban] = [a for a in filed["applications"] if a["measure"] == "S-BID-BAN"]
    assert ban["subject"] == list(story.yi)
    start, end = date.fromisoformat(ban["start"]), date.fromisoformat(ban["base_end"])
    inside = _bidding(api_on, story.yi, start + timedelta(days=30))
    assert inside["blocked"] is True and inside["action"] == "bidding"
    assert "S-BID-BAN" in [m["measure"] for m in inside["in_force"]]
    after = _bidding(api_on, story.yi, end)
    assert after["blocked"] is False
    assert [m["status"] for m in after["not_in_force"] if m["measure"] == "S-BID-BAN"] == [
        "expired"
    ]
    before = _bidding(api_on, story.yi, start - timedelta(days=1))
    assert before["blocked"] is False
    # another bidder is untouched
    assert _bidding(api_on, story.bing, start + timedelta(days=30))["blocked"] is False


def test_objection_suspends_and_its_rejection_resumes_the_term(api_on: Api) -> None:
    story = _story(api_on)
    filed = _file(api_on, bid_fraud(story))
    decision_id = filed["decision"]["id"]
    base = "/v1/decisions/" + decision_id
    received = {"received": "2026-06-01", "by": "乙物流有限公司", "reason": "认定材料有误"}
    objected = _post(api_on, f"{base}/objections", received)
    assert objected.status_code == 201, objected.text
    change = objected.json()
    assert change["status"] == "suspended"
    assert change["applications"] == len(filed["applications"])
    assert change["objection"]["reply_due"] > "2026-06-01"
    assert _bidding(api_on, story.yi, date(2026, 6, 10))["blocked"] is False  # suspended
    oid = change["objection"]["id"]
    decided = _post(
        api_on,
        f"{base}/objections/{oid}/decision",
        {"outcome": "rejected", "on": "2026-06-22", "by": "法规处"},
    )
    assert decided.status_code == 200, decided.text
    after = decided.json()
    assert after["status"] == "in_force"
    # the end moves by exactly the 21 suspended days
    end = date.fromisoformat(filed["decision"]["base_end"]) + timedelta(days=21)
    assert after["decision"]["lifecycle"]["suspensions"][0]["end"] == "2026-06-22"
    assert _bidding(api_on, story.yi, date(2026, 6, 22))["blocked"] is True
    assert _bidding(api_on, story.yi, end - timedelta(days=1))["blocked"] is True
    assert _bidding(api_on, story.yi, end)["blocked"] is False
    # deciding it twice is a conflict
    again = _post(
        api_on,
        f"{base}/objections/{oid}/decision",
        {"outcome": "upheld", "on": "2026-06-23", "by": "法规处"},
    )
    assert again.status_code == 409
    assert again.json()["type"] == "urn:creditlink:problem:conflict-error"
    # the decision shows its lifecycle and the history the objection
    got = api_on.get(base, role="public").json()
    assert got["decision"]["lifecycle"] == after["decision"]["lifecycle"]
    history = api_on.get(f"/v1/history/Enterprise/{story.yi.key}", role="public").json()
    assert [o["outcome"] for o in history["objections"]] == ["rejected"]
    actions = [e["action"] for e in history["events"]]
    assert actions == ["decision.file", "objection.file", "objection.rejected"]
    assert {e["actor"] for e in history["events"]} == {"api:investigator-key"}


def test_upheld_objection_revokes_and_a_later_objection_is_a_conflict(api: Api) -> None:
    story = _story(api)
    decision_id = _file(api, bid_fraud(story))["decision"]["id"]
    base = f"/v1/decisions/{decision_id}"
    oid = _post(api, f"{base}/objections", {"received": "2026-06-01", "by": "乙", "reason": "x"})
    upheld = _post(
        api,
        f"{base}/objections/{oid.json()['objection']['id']}/decision",
        {"outcome": "upheld", "on": "2026-06-15", "by": "法规处"},
    )
    assert upheld.status_code == 200 and upheld.json()["status"] == "revoked"
    assert [d["kind"] for d in upheld.json()["deadlines"]] == ["correction_push"]
    assert _bidding(api, story.yi, date(2026, 7, 1))["blocked"] is False
    late = _post(api, f"{base}/objections", {"received": "2026-07-01", "by": "乙", "reason": "y"})
    assert late.status_code == 409
    assert "revoked" in late.json()["detail"]


def test_repair_before_the_minimum_period_is_a_conflict(api: Api) -> None:
    story = _story(api)
    decision = _file(api, bid_fraud(story))["decision"]
    url = f"/v1/decisions/{decision['id']}/repair"
    attested = ["obligations_fulfilled", "public_pledge"]
    early = _post(api, url, {"on": "2026-09-01", "attested": attested})
    assert early.status_code == 409, early.text
    problem = early.json()
    assert problem["type"] == "urn:creditlink:problem:refused-by-state"
    assert [r["code"] for r in problem["refusals"]] == ["precondition_failed"]
    assert "2027-05-20" in problem["refusals"][0]["message"]  # serious: one year published
    # the term of T-BID-FRAUD may run up to 3 years: a P3Y listing can be repaired after 1
    longer = _file(api, bid_fraud(story, decision_no="吉交招〔2026〕6号", term="P3Y"))
    repaired = _post(
        api,
        f"/v1/decisions/{longer['decision']['id']}/repair",
        {"on": "2027-06-01", "attested": attested},
    )
    assert repaired.status_code == 200, repaired.text
    assert repaired.json()["status"] == "repaired"


def test_feedback_per_implementing_unit(api: Api) -> None:
    story = _story(api)
    filed = _file(api, overload(story))
    decision_id = filed["decision"]["id"]
    url = f"/v1/decisions/{decision_id}/feedback"
    report = api.get(url, role="public").json()
    assert report["counts"]["executed"] == 0 and report["counts"]["pending"] == len(report["rows"])
    row = report["rows"][0]
    entry = {
        "application_id": row["application_id"],
        "unit": row["unit"],
        "status": "refused",
        "reason": "车辆已报废",
        "on": "2026-06-02",
        "by": "长春运管处",
    }
    recorded = _post(api, url, entry)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["counts"]["refused"] == 1
    assert _post(api, url, {**entry, "reason": None}).status_code == 422  # a refusal says why
    assert _post(api, url, {**entry, "unit": "不相干单位"}).status_code == 422
    other = _file(api, bid_fraud(story))["decision"]["id"]
    assert _post(api, f"/v1/decisions/{other}/feedback", entry).status_code == 404


# -- idempotency, refusals, errors ---------------------------------------------------------------
def test_refiling_changes_nothing_and_other_content_conflicts(api: Api) -> None:
    story = _story(api)
    first = _file(api, overload(story))
    again = _post(api, "/v1/decisions", overload(story))
    assert again.status_code == 200
    assert again.json()["written"] is False
    assert again.json()["decision"]["id"] == first["decision"]["id"]
    other = _post(api, "/v1/decisions", overload(story, act_date="2026-05-03"))
    assert other.status_code == 409


def test_batch_files_together_and_reports_each(api_on: Api) -> None:
    story = _story(api_on)
    first = _file(api_on, overload(story))
    batch = [
        overload(story),  # filed before: unchanged
        bid_fraud(story),  # new
        overload(story, behaviour_code="X-NOT-LISTED"),  # refused
        overload(story, act_date="2026-05-03"),  # same number, other content
    ]
    response = _post(api_on, "/v1/decisions/batch", {"decisions": batch})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["outcome"] and r["outcome"]["written"] for r in results] == [False, True, None, None]
    assert results[0]["outcome"]["decision"]["id"] == first["decision"]["id"]
    assert [[x["code"] for x in r["refusals"]] for r in results] == [
        [],
        [],
        ["outside_catalog"],
        ["filed_differently"],
    ]
    fraud = results[1]["outcome"]["decision"]["id"]
    assert api_on.get(f"/v1/decisions/{fraud}").status_code == 200
    yi = f"/v1/history/Enterprise/{story.yi.key}"
    events = len(api_on.get(yi).json()["events"])
    fresh = bid_fraud(story, decision_no="吉交招〔2026〕9号")
    bad = bid_fraud(story, subject={"kind": "Enterprise", "key": "91110000600037341X"})
    refused = _post(api_on, "/v1/decisions/batch", {"decisions": [fresh, bad]})
    assert refused.status_code == 422 and refused.json()["field"] == "uscc"
    assert len(api_on.get(yi).json()["events"]) == events  # nothing filed
    assert _post(api_on, "/v1/decisions/batch", {"decisions": []}).status_code == 422
    assert (
        _post(api_on, "/v1/decisions/batch", {"decisions": batch}, role="analyst").status_code
        == 403
    )


def test_preview_writes_nothing(api: Api) -> None:
    story = _story(api)
    response = _post(api, "/v1/decisions/preview", overload(story))
    assert response.status_code == 200, response.text
    seen = response.json()
    assert seen["allowed"] is True
    subjects = {tuple(a["subject"]) for a in seen["outcome"]["applications"]}
    assert {story.truck, story.wang, story.jia} <= subjects
    decision_id = seen["outcome"]["decision"]["id"]
    assert api.get(f"/v1/decisions/{decision_id}").status_code == 404
    refused = _post(api, "/v1/decisions/preview", overload(story, behaviour_code="X-NOPE"))
    assert refused.status_code == 200
    assert [r["code"] for r in refused.json()["refusals"]] == ["outside_catalog"]


def test_nothing_outside_the_catalog_is_filed(api: Api) -> None:
    story = _story(api)
    response = _post(api, "/v1/decisions", overload(story, behaviour_code="X-NOT-LISTED"))
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:creditlink:problem:refused"
    assert [r["code"] for r in problem["refusals"]] == ["outside_catalog"]
    assert "目录清单之外" in problem["refusals"][0]["message"]
    missing = _post(api, "/v1/decisions", overload(story, evidence=[]))
    assert missing.status_code == 422
    assert [r["code"] for r in missing.json()["refusals"]] == ["evidence_missing"]
    out_of_range = _post(api, "/v1/decisions", bid_fraud(story, term="P5Y"))
    assert out_of_range.status_code == 422
    assert api.get("/v1/history/Vehicle/吉A12345|2").json()["events"] == []


@pytest.mark.parametrize(
    ("subject", "status", "kind"),
    [
        ({"kind": "Enterprise", "key": "91110000600037341X"}, 422, "invalid-identifier"),
        ({"kind": "Planet", "key": "x"}, 422, "schema-violation"),
        ({"kind": "Enterprise", "key": "91110000MA0000000H"}, 404, "refused-unknown"),
    ],
)
def test_subject_errors(api: Api, subject: dict[str, str], status: int, kind: str) -> None:
    response = _post(api, "/v1/decisions", bid_fraud(_story(api), subject=subject))
    assert response.status_code == status, response.text
    assert response.json()["type"] == f"urn:creditlink:problem:{kind}"


def test_unknown_decisions_and_entities_are_404(api: Api) -> None:
    for url in (
        "/v1/decisions/nope",
        "/v1/affected/nope",
        "/v1/decisions/nope/feedback",
        "/v1/restrictions/Enterprise/91110000MA0000000H",
        "/v1/history/Person/110101198001010053",
    ):
        assert api.get(url).status_code == 404, url
    body = {"received": "2026-06-01", "by": "x", "reason": "y"}
    assert _post(api, "/v1/decisions/nope/objections", body).status_code == 404
    bad = api.get("/v1/restrictions/Enterprise/91110000600037341X")
    assert bad.status_code == 422 and bad.json()["field"] == "uscc"
    assert (
        api.get("/v1/restrictions/Enterprise/91110000600037341L?action=flying").status_code == 422
    )
    assert api.get("/v1/affected/x?as_of=1700000000").status_code == 422


def test_objection_decision_of_another_decision_is_404(api: Api) -> None:
    story = _story(api)
    first = _file(api, overload(story))["decision"]["id"]
    second = _file(api, bid_fraud(story))["decision"]["id"]
    objected = _post(
        api,
        f"/v1/decisions/{first}/objections",
        {"received": "2026-06-01", "by": "x", "reason": "y"},
    )
    oid = objected.json()["objection"]["id"]
    decided = {"outcome": "rejected", "on": "2026-06-10", "by": "法规处"}
    url = f"/v1/decisions/{second}/objections/{oid}/decision"
    assert _post(api, url, decided).status_code == 404


# -- roles, masking, audit ---------------------------------------------------------------------
@pytest.mark.parametrize("role", list(Role))
def test_who_may_file(api: Api, role: Role) -> None:
    response = _post(api, "/v1/decisions", overload(_story(api)), role=role.value)
    if Permission.DECISIONS_WRITE in ROLE_PERMISSIONS[role]:
        assert response.status_code == 201
    else:
        assert response.status_code == 403
        assert "decisions:write" in response.json()["detail"]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_credit(api: Api, role: Role) -> None:
    decision_id = _file(api, overload(_story(api)))["decision"]["id"]
    assert api.get(f"/v1/affected/{decision_id}", role=role).status_code == 200
    assert api.get(f"/v1/decisions/{decision_id}", role=role).status_code == 200


def test_a_key_is_needed_when_anonymous_access_is_off(make_api: MakeApi) -> None:
    api = make_api(api_anonymous_role="")
    story = _story(api)
    assert _post(api, "/v1/decisions", overload(story), role=None).status_code == 401
    assert api.get(f"/v1/history/Person/{story.wang.key}", role=None).status_code == 401
    forged = api.client.post(
        "/v1/decisions", json=overload(story), headers={"X-API-Key": "clk_not-issued"}
    )
    assert forged.status_code == 401


def test_personal_data_is_masked_without_clearance(api: Api) -> None:
    story = _story(api)
    decision_id = _file(api, overload(story))["decision"]["id"]
    wang = story.wang.key
    masked = f"{wang[:6]}********{wang[-4:]}"
    for role in ("public", "reviewer", "analyst"):
        text = api.get(f"/v1/affected/{decision_id}", role=role).text
        assert wang not in text and masked in text, role
    assert wang in api.get(f"/v1/affected/{decision_id}", role="investigator").text
    history = api.get(f"/v1/history/Person/{wang}", role="public")
    assert history.status_code == 200 and wang not in history.text
    assert json.loads(history.text)["entity"] == ["Person", masked]


def test_writes_are_audited_with_their_outcome(api: Api) -> None:
    story = _story(api)
    decision_id = _file(api, overload(story))["decision"]["id"]
    _post(api, "/v1/decisions", overload(story))  # unchanged
    _post(api, "/v1/decisions", overload(story, act_date="2026-05-03"))  # conflict
    _post(api, "/v1/decisions", overload(story, behaviour_code="X-NOPE"))  # refused
    _post(api, "/v1/decisions", overload(story), role="reviewer")  # denied
    _post(api, "/v1/decisions/nope/repair", {"on": "2027-06-01"})  # not found
    records = [json.loads(line) for line in api.audit_lines]
    got = [(r["method"], r["endpoint"], r["status"], r["outcome"]) for r in records]
    assert got == [
        ("POST", "/v1/decisions", 201, "ok"),
        ("POST", "/v1/decisions", 200, "ok"),
        ("POST", "/v1/decisions", 409, "conflict"),
        ("POST", "/v1/decisions", 422, "invalid"),
        ("POST", "/v1/decisions", 403, "denied"),
        ("POST", "/v1/decisions/{decision_id}/repair", 404, "not_found"),
    ]
    assert records[0]["subject"] == story.truck.uid
    assert records[0]["key_id"] == "investigator-key"
    assert records[-1]["subject"] == "Decision:nope"
    assert decision_id


def test_examples_are_valid_documents(api: Api) -> None:
    models: list[type[BaseModel]] = [
        decisions.DecisionDocument,
        decisions.BatchDocument,
        decisions.PreviewDocument,
        decisions.LifecycleDocument,
        decisions.FeedbackDocument,
        credit.AffectedDocument,
        credit.RestrictionsDocument,
        credit.HistoryDocument,
        deadlines.OverdueDocument,
        deadlines.DeadlineDocument,
    ]
    for model in models:
        [example] = model.model_json_schema()["examples"]
        assert model.model_validate(example).model_dump(mode="json") == example, model
    [request] = DecisionIn.model_json_schema()["examples"]
    assert _post(api, "/v1/decisions/preview", request).json()["allowed"] is True
