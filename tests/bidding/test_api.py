"""The bidding routes: POST a check, GET its receipt (JSON) or report (HTML); reviewer role."""

from __future__ import annotations

from typing import Any

from api.security import Role
from graph.stores.base import GraphStore
from tests.api.conftest import Api, MakeApi
from tests.bidding.conftest import FixtureTender, load_tender

URL = "/v1/bidding/checks"


def _body(fixture: FixtureTender) -> dict[str, Any]:
    return fixture.tender.model_dump(mode="json", exclude_none=True)


def test_reviewer_checks_and_fetches_the_receipt(make_api: MakeApi, store: GraphStore) -> None:
    api = make_api(store, story=False)
    fixture = load_tender(store, "bidding_clean")
    body = _body(fixture)
    response = api.client.post(URL, json=body, headers=api.headers(Role.REVIEWER))
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["checked_by"] == "reviewer-key" and len(result["bidders"]) == 4
    receipt = api.get(f"{URL}/{result['check_id']}", role=Role.REVIEWER)
    assert receipt.status_code == 200
    assert receipt.json()["verified"] is True
    assert receipt.json()["result_hash"] == result["result_hash"]
    listed = api.get(
        "/v1/bidding/receipts", role=Role.REVIEWER, params={"project_code": body["project_code"]}
    )
    assert [r["check_id"] for r in listed.json()["receipts"]] == [result["check_id"]]
    page = api.get(f"{URL}/{result['check_id']}", role=Role.REVIEWER, params={"format": "html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert result["check_id"] in page.text
    audit = api.audit_lines[-1]
    assert '"subject":"BidCheck:' in audit.replace(" ", "") and "reviewer" in audit


def test_roles_and_masking(make_api: MakeApi, store: GraphStore) -> None:
    api = make_api(store, story=False)
    fixture = load_tender(store, "bidding_planted")
    body = _body(fixture)
    for role, status in ((Role.PUBLIC, 403), (Role.INVESTIGATOR, 403), (None, 403)):
        response = api.client.post(URL, json=body, headers=api.headers(role))
        assert response.status_code == status, role
    response = api.client.post(URL, json=body, headers=api.headers(Role.REVIEWER))
    zhao = fixture.case["zhao"].key
    assert zhao not in response.text and zhao[:6] + "********" + zhao[-4:] in response.text
    assert "赵经理" in response.text  # reviewers see names, not ID numbers
    admin = api.client.post(URL, json=body, headers=api.headers(Role.ADMIN))
    assert zhao in admin.text
    check_id = response.json()["check_id"]
    page = api.get(f"{URL}/{check_id}", role=Role.REVIEWER, params={"format": "html"})
    assert zhao not in page.text and "赵经理" in page.text
    picture = api.get(f"{URL}/{check_id}", role=Role.REVIEWER, params={"format": "picture"})
    assert picture.status_code == 200 and "vis-network" in picture.text
    assert zhao not in picture.text and "script-src 'unsafe-inline'" in str(picture.headers)


def test_bad_input_and_unknown_receipts(api: Api) -> None:
    bad = {
        "project_code": "P",
        "bid_date": "2024-05-28",
        "bidders": [{"uscc": "91110000600037341X"}],
    }
    response = api.client.post(URL, json=bad, headers=api.headers(Role.REVIEWER))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    extra = {"project_code": "P", "bid_date": "2024-05-28", "bidders": [], "x": 1}
    assert api.client.post(URL, json=extra, headers=api.headers(Role.REVIEWER)).status_code == 422
    assert api.get(f"{URL}/bc-none", role=Role.REVIEWER).status_code == 404
