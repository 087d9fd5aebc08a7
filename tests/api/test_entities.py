"""GET /v1/entities/{kind}/{key} and GET /v1/entities?q= — on both stores."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, MakeApi


def test_lookup_enterprise(api_on: Api) -> None:
    response = api_on.get("/v1/entities/Enterprise/91110000600037341L")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    entity = response.json()["entity"]
    assert entity == {
        "uid": "Enterprise:91110000600037341L",
        "kind": "Enterprise",
        "key": "91110000600037341L",
        "labels": [],
        "props": {
            "uscc": "91110000600037341L",
            "name": "甲运输有限公司",
            "kind": "道路运输企业",
            "established": "2015-04-01",
        },
    }


def test_lookup_normalises_the_key(api_on: Api) -> None:
    # Lower-case check character, and a vehicle's colour by name instead of code.
    assert api_on.get("/v1/entities/Enterprise/91110000600037341l").json()["entity"]["key"] == (
        "91110000600037341L"
    )
    vehicle = api_on.get("/v1/entities/Vehicle/吉A12345|黄色")
    assert vehicle.status_code == 200
    assert vehicle.json()["entity"]["uid"] == "Vehicle:吉A12345|2"


def test_lookup_person_and_contact_as_admin(api_on: Api) -> None:
    person = api_on.get("/v1/entities/Person/110101199003070011").json()["entity"]
    assert person["props"] == {"id_no": "110101199003070011", "name": "王军"}
    assert person["labels"] == ["LegalRepresentative", "Practitioner"]
    contact = api_on.get("/v1/entities/Contact/phone|13800138000").json()["entity"]
    assert contact["props"]["value"] == "13800138000"


def test_unknown_entity_is_404(api_on: Api) -> None:
    # Well-formed identifiers nobody registered here: 404, not 422.
    assert api_on.get("/v1/entities/Enterprise/91110000MA0000000H").status_code == 404
    valid_unknown = api_on.get("/v1/entities/Person/44011320141005001X")
    assert valid_unknown.status_code == 404
    problem = valid_unknown.json()
    assert problem["type"] == "urn:creditlink:problem:not-found"
    assert problem["title"] == "Not found"
    assert "44011320141005001X" in problem["detail"]


@pytest.mark.parametrize(
    ("kind", "key", "field", "reason"),
    [
        ("Enterprise", "91110000600037341X", "uscc", "bad check character"),
        ("Enterprise", "9111", "uscc", "bad length"),
        ("Person", "110101199003070012", "id_no", "bad check character"),
        ("Person", "110101199013070015", "id_no", "bad birth date"),
        ("Vehicle", "吉A12345|紫色", "plate_color", "bad format"),
    ],
)
def test_bad_identifier_is_422_with_the_reason(
    api: Api, kind: str, key: str, field: str, reason: str
) -> None:
    response = api.get(f"/v1/entities/{kind}/{key}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:creditlink:problem:invalid-identifier"
    assert problem["field"] == field
    assert problem["reason"] == reason
    assert reason in problem["detail"]


def test_malformed_keys_and_kinds_are_422(api: Api) -> None:
    assert api.get("/v1/entities/Vehicle/吉A12345").status_code == 422  # colour missing
    unknown_kind = api.get("/v1/entities/Planet/x")
    assert unknown_kind.status_code == 422
    assert "Planet" in unknown_kind.json()["detail"]


def test_search_by_name(api_on: Api) -> None:
    response = api_on.get("/v1/entities", params={"q": "甲运输"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "甲运输"
    assert body["kinds"] == ["Enterprise", "Person", "Project"]
    assert body["results"][0]["entity"]["uid"] == "Enterprise:91110000600037341L"
    assert 60 <= body["results"][0]["score"] < 100


def test_search_kinds_and_limit(api_on: Api) -> None:
    persons = api_on.get("/v1/entities", params={"q": "王军", "kind": ["Person"]}).json()
    assert [r["entity"]["uid"] for r in persons["results"]] == ["Person:110101199003070011"]
    assert (
        api_on.get("/v1/entities", params={"q": "王军", "kind": "Enterprise"}).json()["results"]
        == []
    )
    one = api_on.get("/v1/entities", params={"q": "有限公司", "limit": 1}).json()
    assert len(one["results"]) == 1


def test_search_validation(api: Api) -> None:
    for params in ({"q": ""}, {"q": "x" * 101}, {"q": "x", "limit": 0}, {"q": "x", "limit": 101}):
        response = api.get("/v1/entities", params=params)
        assert response.status_code == 422, params
        assert response.json()["type"] == "urn:creditlink:problem:invalid-request"
    missing = api.get("/v1/entities")
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"loc": ["query", "q"], "msg": "Field required"}]
    assert api.get("/v1/entities", params={"q": "x", "kind": "Planet"}).status_code == 422


def test_calls_into_the_embedded_store_are_serialised(make_api: MakeApi) -> None:
    # Endpoints run in a thread pool; networkx is not safe for a write during a read, so the
    # app lets one call at a time into the embedded store.
    import threading
    import time

    from graph.model import NodeRef, load_model
    from graph.stores.memory import MemoryStore

    inside = 0
    most = 0
    guard = threading.Lock()

    class Slow(MemoryStore):
        def get_node(self, ref: NodeRef):  # type: ignore[no-untyped-def]
            nonlocal inside, most
            with guard:
                inside += 1
                most = max(most, inside)
            time.sleep(0.05)
            with guard:
                inside -= 1
            return super().get_node(ref)

    api = make_api(Slow(load_model()))
    threads = [
        threading.Thread(target=api.get, args=("/v1/entities/Enterprise/91110000600037341L",))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1
