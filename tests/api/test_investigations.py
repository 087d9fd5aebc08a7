"""The investigation routes: related, paths, control, links, risk, clusters.

Answers over the example story on both stores (each route returns exactly its ``queries/``
function's document), roles, masking, errors and the audit record.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from api.investigation_documents import DOCUMENTS, EXAMPLES
from api.masking import Clearance
from api.security import ROLE_CLEARANCE, ROLE_PERMISSIONS, Permission, Role
from graph.stores.base import GraphStore
from queries.control import control
from queries.related import related
from queries.risk import ADVISORY, risk
from tests.api.conftest import Api, MakeApi
from tests.fixtures.cases import load_case

ON = "2022-01-01"
JIA = "91110000600037341L"  # 甲运输
YI = "91310115MA1K3BTP2B"  # 乙物流
BING = "92340602MA2PBMEM24"  # 丙建材
WANG = "110101199003070011"  # 王军
LI = "360426199101010071"  # 李娜
LI_MASKED = "360426********0071"
PHONE = "13800138000"

#: One request per route, each about 甲运输 or 乙物流.
URLS = [
    f"/v1/related/Enterprise/{JIA}?hops=2&as_of={ON}",
    f"/v1/paths?a={JIA}&b=Enterprise:{YI}&as_of={ON}",
    f"/v1/control/Enterprise/{YI}",
    f"/v1/links/Enterprise/{JIA}?as_of={ON}",
    f"/v1/risk/Enterprise/{JIA}",
    f"/v1/clusters/Enterprise/{YI}",
]


def _ok(api: Api, url: str, role: str = "investigator") -> dict[str, Any]:
    response = api.get(url, role=role)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def _store(api: Api) -> GraphStore:
    store: GraphStore = api.app.state.store
    return store


# -- answers on both stores ----------------------------------------------------------------------
def test_related_finds_the_shared_legal_representative(api_on: Api) -> None:
    # 王军 was legal representative of 甲运输 and is now of 乙物流: regardless of time, a
    # LEGAL_REP_OF walk from 甲运输 reaches 乙物流 through him.
    body = _ok(api_on, f"/v1/related/Enterprise/{JIA}?hops=2&type=LEGAL_REP_OF")
    found = {e["entity"]["name"]: e for e in body["entities"]}
    assert found["王军"]["distance"] == 1
    yi = found["乙物流有限公司"]
    assert yi["distance"] == 2
    assert [step["src"] for step in yi["via"]] == [f"Person:{WANG}", f"Person:{WANG}"]
    assert (
        yi["via"][1]["text"]
        == "王军 has been legal representative of 乙物流有限公司 since 2021-06-01"
    )
    assert body["types"] == ["LEGAL_REP_OF"]
    # On 2022-01-01 his tie to 甲运输 had ended: only 李娜, its legal representative then.
    dated = _ok(api_on, f"/v1/related/Enterprise/{JIA}?hops=2&type=LEGAL_REP_OF&as_of={ON}")
    assert [e["entity"]["name"] for e in dated["entities"]] == ["李娜"]


def test_related_is_the_query_document(api_on: Api) -> None:
    body = _ok(api_on, URLS[0], role="admin")
    expected = related(_store(api_on), f"Enterprise:{JIA}", hops=2, as_of=date(2022, 1, 1))
    assert body == expected.model_dump(mode="json")
    assert body["seed"]["name"] == "甲运输有限公司" and body["credit"]["state"] == "clean"


def test_paths_between_two_companies(api_on: Api) -> None:
    body = _ok(api_on, f"{URLS[1]}&k=2")
    assert (body["a"]["name"], body["b"]["name"]) == ("甲运输有限公司", "乙物流有限公司")
    assert [p["length"] for p in body["paths"]] == [2, 3]
    first = body["paths"][0]
    assert [n["name"] for n in first["nodes"]] == ["甲运输有限公司", "李娜", "乙物流有限公司"]
    assert first["text"] == (
        "李娜 has been legal representative of 甲运输有限公司 since 2021-06-01; "
        "李娜 holds 60% of 乙物流有限公司 since 2018-01-01"
    )


def test_control_finds_the_controlling_shareholder(api_on: Api) -> None:
    body = _ok(api_on, URLS[2])
    assert body["direction"] == "up"
    [stake] = body["stakes"]
    assert stake["party"]["uid"] == f"Person:{LI}"
    assert (stake["share"], stake["controls"], stake["beneficial_owner"]) == (0.6, True, True)
    assert [e["name"] for e in body["actual_controller"]] == ["李娜"]
    assert body["basis"] == "李娜 controls 乙物流有限公司 with an effective 60% (above 50%)"
    assert body == control(_store(api_on), f"Enterprise:{YI}").model_dump(mode="json")


def test_control_downward_and_thresholds(api_on: Api) -> None:
    down = _ok(api_on, f"/v1/control/Person/{LI}?direction=down")
    assert down["direction"] == "down"
    assert [(s["party"]["name"], s["controls"]) for s in down["stakes"]] == [
        ("乙物流有限公司", True)
    ]
    # Above 70 % only: 60 % controls nothing, by share or by a majority chain.
    strict = _ok(api_on, f"/v1/control/Enterprise/{YI}?control_threshold=0.7")
    assert strict["control_threshold"] == 0.7
    assert strict["actual_controller"] == [] and not strict["stakes"][0]["controls"]
    assert strict["basis"].startswith("no party controls 乙物流有限公司")
    owner = _ok(api_on, f"/v1/control/Enterprise/{YI}?beneficial_owner_threshold=0.8")
    assert owner["beneficial_owner_threshold"] == 0.8
    assert owner["stakes"][0]["beneficial_owner"]  # 60 % is below 80 %, but she controls


def test_links_shared_phone_and_key_persons(api_on: Api) -> None:
    body = _ok(api_on, URLS[3])
    grades = [(link["entity"]["name"], link["grade"]) for link in body["links"]]
    assert grades == [("丙建材商行", "hard"), ("乙物流有限公司", "suspicious")]
    phone = body["links"][0]["evidence"][0]
    assert (phone["kind"], phone["shared"]) == ("phone", PHONE)
    assert phone["text"] == f"甲运输有限公司 and 丙建材商行 share phone {PHONE}"
    persons = [(e["shared"], e["current"]) for e in body["links"][1]["evidence"]]
    assert persons == [("李娜", True), ("王军", False)]  # 王军: a former legal representative


def test_risk_is_advisory_with_its_paths(make_api: MakeApi, store: GraphStore) -> None:
    api = make_api(store, story=False)
    case = load_case(store, "risk_exposure")
    subject = case["s"]
    body = _ok(api, f"/v1/risk/Enterprise/{subject.key}?as_of={ON}")
    assert body["advisory"] == ADVISORY and "目录外不得惩戒" in body["advisory"]
    names = [c["subject"]["name"] for c in body["contributions"]]
    assert names == ["失信股东", "失信甲", "失信乙"]  # 红名单企业 adds nothing
    assert body["band"] == "high"
    assert body["score"] == pytest.approx(sum(c["score"] for c in body["contributions"]))
    first = body["contributions"][0]
    assert first["credit"]["state"] == "listed"
    assert first["paths"][0]["text"] == "失信股东 holds 50% of 被评公司"
    expected = risk(_store(api), subject, as_of=date(2022, 1, 1))
    assert body == expected.model_dump(mode="json")
    near = _ok(api, f"/v1/risk/Enterprise/{subject.key}?as_of={ON}&max_hops=1")
    assert [c["subject"]["name"] for c in near["contributions"]] == ["失信股东"]


def test_risk_of_a_clean_neighbourhood_still_says_advisory(api_on: Api) -> None:
    body = _ok(api_on, URLS[4])
    assert body["advisory"] == ADVISORY
    assert (body["score"], body["band"], body["contributions"]) == (0.0, "low", [])
    assert body["examined"] > 0


def test_cluster_around_an_entity(api_on: Api) -> None:
    body = _ok(api_on, URLS[5])
    assert body["around"]["uid"] == f"Enterprise:{YI}"
    [cluster] = body["clusters"]
    assert [m["name"] for m in cluster["members"]] == ["甲运输有限公司", "乙物流有限公司"]
    assert [t["name"] for t in cluster["ties"]] == ["王军", "李娜"]
    assert set(cluster["credit"]) == {f"Enterprise:{JIA}", f"Enterprise:{YI}"}
    alone = _ok(api_on, f"/v1/clusters/Enterprise/{BING}")
    assert alone["clusters"] == [] and alone["around"]["name"] == "丙建材商行"


# -- roles, masking ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("url", URLS)
def test_each_role_on_each_route(api: Api, role: Role, url: str) -> None:
    response = api.get(url, role=role)
    if Permission.INVESTIGATE in ROLE_PERMISSIONS[role]:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert "investigations:read" in response.json()["detail"]


@pytest.mark.parametrize("url", [URLS[0], URLS[1]])
def test_without_a_valid_key(make_api: MakeApi, url: str) -> None:
    api = make_api(api_anonymous_role="")
    assert api.get(url, role=None).status_code == 401
    forged = api.client.get(url, headers={"X-API-Key": "clk_not-issued"})
    assert forged.status_code == 401 and "www-authenticate" in forged.headers


def test_roles_that_investigate_see_names() -> None:
    # The evidence sentences name persons that a document may not carry by structure (the
    # persons inside a risk path): masking finds ID numbers and contacts in any text, names
    # only by structure.  So no role without names may read investigations.
    for role, permissions in ROLE_PERMISSIONS.items():
        if Permission.INVESTIGATE in permissions:
            assert ROLE_CLEARANCE[role] in (Clearance.NAMES, Clearance.FULL), role


@pytest.mark.parametrize("url", URLS)
def test_analysts_see_names_but_no_id_numbers_or_phones(api: Api, url: str) -> None:
    text = api.get(url, role="analyst").text
    full = api.get(url, role="investigator").text
    for secret in (LI, WANG, PHONE):
        assert secret not in text
    if LI in full:  # the answer names 李娜: masked, by ID number, never by name
        assert LI_MASKED in text and "李娜" in text
    assert json.loads(text).keys() == json.loads(full).keys()  # the same document, masked


def test_masked_phone_in_links(api: Api) -> None:
    body = _ok(api, URLS[3], role="analyst")
    phone = body["links"][0]["evidence"][0]
    assert phone["shared"] == "138****8000"
    assert phone["via"]["key"] == "phone|138****8000"
    assert "138****8000" in phone["text"]


# -- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "route", ["related", "control", "links", "risk", "clusters"], ids=lambda r: str(r)
)
def test_bad_identifier_unknown_entity_and_kind(api: Api, route: str) -> None:
    bad = api.get(f"/v1/{route}/Enterprise/91110000600037341X")
    assert bad.status_code == 422
    problem = bad.json()
    assert problem["type"] == "urn:creditlink:problem:invalid-identifier"
    assert (problem["field"], problem["reason"]) == ("uscc", "bad check character")
    unknown = api.get(f"/v1/{route}/Enterprise/91110000MA0000000H")
    assert unknown.status_code == 404
    assert unknown.json()["type"] == "urn:creditlink:problem:not-found"
    assert api.get(f"/v1/{route}/Planet/x").status_code == 422


def test_paths_errors(api: Api) -> None:
    bad = api.get(f"/v1/paths?a=Enterprise:91110000600037341X&b={YI}")
    assert bad.status_code == 422 and bad.json()["field"] == "uscc"
    assert api.get(f"/v1/paths?a=nonsense&b={YI}").status_code == 422
    assert api.get(f"/v1/paths?a={JIA}&b={JIA}").status_code == 422  # two different entities
    assert api.get(f"/v1/paths?a={JIA}&b=91110000MA0000000H").status_code == 404
    missing = api.get(f"/v1/paths?a={JIA}")
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"loc": ["query", "b"], "msg": "Field required"}]


@pytest.mark.parametrize(
    "url",
    [
        f"/v1/related/Enterprise/{JIA}?hops=5",
        f"/v1/related/Enterprise/{JIA}?hops=0",
        f"/v1/related/Enterprise/{JIA}?type=KNOWS_SOMEONE",
        f"/v1/related/Enterprise/{JIA}?as_of=1700000000",
        f"/v1/control/Enterprise/{YI}?direction=sideways",
        f"/v1/control/Enterprise/{YI}?control_threshold=1",
        f"/v1/risk/Enterprise/{JIA}?max_hops=9",
        f"/v1/clusters/Enterprise/{YI}?limit=0",
    ],
)
def test_bad_parameters_are_422(api: Api, url: str) -> None:
    response = api.get(url)
    assert response.status_code == 422, response.text
    assert response.json()["type"] in (
        "urn:creditlink:problem:invalid-request",
        "urn:creditlink:problem:schema-violation",
    )


# -- audit, documents -----------------------------------------------------------------------------
def test_every_request_is_audited_with_its_subject(api: Api) -> None:
    for url in URLS:
        api.get(url, role="analyst")
    api.get(URLS[0], role="reviewer")
    api.get(f"/v1/related/Person/{LI}", role="investigator")
    records = [json.loads(line) for line in api.audit_lines]
    assert [(r["endpoint"], r["subject"], r["outcome"]) for r in records] == [
        ("/v1/related/{kind}/{key}", f"Enterprise:{JIA}", "ok"),
        ("/v1/paths", f"Enterprise:{JIA} ~ Enterprise:{YI}", "ok"),
        ("/v1/control/{kind}/{key}", f"Enterprise:{YI}", "ok"),
        ("/v1/links/{kind}/{key}", f"Enterprise:{JIA}", "ok"),
        ("/v1/risk/{kind}/{key}", f"Enterprise:{JIA}", "ok"),
        ("/v1/clusters/{kind}/{key}", f"Enterprise:{YI}", "ok"),
        ("/v1/related/{kind}/{key}", f"Enterprise/{JIA}", "denied"),
        ("/v1/related/{kind}/{key}", f"Person:{LI}", "ok"),
    ]
    assert records[0]["key_id"] == "analyst-key" and records[-1]["role"] == "investigator"


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_answers_are_their_declared_documents(api: Api, role: str) -> None:
    # What the OpenAPI document promises, masked or not (masked values are still strings).
    for name, url in zip(DOCUMENTS, URLS, strict=True):
        body = _ok(api, url, role=role)
        assert DOCUMENTS[name].model_validate(body).model_dump(mode="json") == body, name


def test_examples_are_valid_documents() -> None:
    for name, model in DOCUMENTS.items():
        example = model.model_validate(EXAMPLES[name])
        assert model.model_json_schema()["examples"] == [EXAMPLES[name]]
        assert example.model_dump(mode="json") == EXAMPLES[name], name


def test_openapi_lists_the_routes(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    for path in ("related", "control", "links", "risk", "clusters"):
        operation = document["paths"][f"/v1/{path}/{{kind}}/{{key}}"]["get"]
        assert operation["tags"] == ["investigations"]
    risk_op = document["paths"]["/v1/risk/{kind}/{key}"]["get"]
    assert "Advisory" in risk_op["summary"] and "目录外不得惩戒" in risk_op["description"]
    assert set(document["paths"]["/v1/paths"]["get"]["responses"]) >= {"200", "401", "403"}
