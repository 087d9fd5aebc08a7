"""GET /v1/deadlines/overdue and POST /v1/deadlines/{id}/done over a decision filed by HTTP."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import Api
from tests.api.test_decisions import _file, _post, _story, overload


def _publication(api: Api) -> dict[str, Any]:
    filed = _file(api, overload(_story(api)))
    [item] = [d for d in filed["deadlines"] if d["kind"] == "publication"]
    found: dict[str, Any] = item
    return found


def test_publication_is_overdue_until_done(api_on: Api) -> None:
    item = _publication(api_on)
    late = api_on.get(f"/v1/deadlines/overdue?as_of={item['due']}", role="public").json()
    assert late["items"] == []  # the due day itself is still in time
    after = api_on.get("/v1/deadlines/overdue?as_of=2026-07-01&kind=publication").json()
    assert [i["id"] for i in after["items"]] == [item["id"]]
    other_kind = api_on.get("/v1/deadlines/overdue?as_of=2026-07-01&kind=objection_reply")
    assert other_kind.json()["items"] == []
    done = _post(api_on, f"/v1/deadlines/{item['id']}/done", {"on": "2026-07-02"})
    assert done.status_code == 200, done.text
    marked = done.json()
    assert (marked["done_on"], marked["done_by"]) == ("2026-07-02", "api:investigator-key")
    assert api_on.get("/v1/deadlines/overdue?as_of=2026-07-10").json()["items"] == []
    again = _post(api_on, f"/v1/deadlines/{item['id']}/done", {"on": "2026-07-03"})
    assert again.status_code == 409


def test_deadline_errors_and_roles(api: Api) -> None:
    item = _publication(api)
    url = f"/v1/deadlines/{item['id']}/done"
    assert _post(api, url, {"on": "2026-07-02"}, role="reviewer").status_code == 403
    assert _post(api, url, {"on": "2026-05-01"}).status_code == 409  # before it started
    assert _post(api, "/v1/deadlines/nope/done", {"on": "2026-07-02"}).status_code == 404
    assert _post(api, url, {"on": 1782950400}).status_code == 422  # ISO dates only
    assert api.get("/v1/deadlines/overdue?kind=someday").status_code == 422
    records = [json.loads(line) for line in api.audit_lines][-5:]
    assert [(r["status"], r["outcome"]) for r in records] == [
        (403, "denied"),
        (409, "conflict"),
        (404, "not_found"),
        (422, "invalid"),
        (422, "invalid"),
    ]
    assert records[1]["subject"] == f"Deadline:{item['id']}"
