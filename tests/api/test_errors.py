"""Every error is an RFC 9457 problem document; 503 has Retry-After; 500 shows no trace."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict

from api.app import create_app
from api.errors import HANDLERS, problem_type
from graph.exc import ConflictError, CreditlinkError, InvalidModel, StoreUnavailable
from graph.model import NodeRef
from graph.settings import Settings
from graph.stores.memory import MemoryStore
from tests.api.conftest import Api, MakeApi


def _raising(api: Api, path: str, exc: Exception) -> None:
    """Add a route under /v1 that raises ``exc`` (tests only)."""

    def endpoint() -> None:
        raise exc

    api.app.add_api_route(path, endpoint, methods=["GET"], tags=["test"])


def _is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["instance"] == response.request.url.path
    return body


def test_conflict_is_409(api: Api) -> None:
    _raising(api, "/v1/test/conflict", ConflictError("the listing was revoked on 2024-05-01"))
    body = _is_problem(api.get("/v1/test/conflict"), 409)
    assert body["type"] == "urn:creditlink:problem:conflict-error"
    assert body["title"] == "Conflict with the current state"
    assert body["detail"] == "the listing was revoked on 2024-05-01"


def test_store_unavailable_is_503_with_retry_after(make_api: MakeApi) -> None:
    api = make_api(api_retry_after=7)
    driver_message = "Neo4j at 'neo4j' is unreachable: secret-host:7687"
    _raising(api, "/v1/test/down", StoreUnavailable(driver_message))
    response = api.get("/v1/test/down")
    body = _is_problem(response, 503)
    assert response.headers["retry-after"] == "7"
    assert body["title"] == "Graph store unavailable"
    assert "retry in 7 seconds" in body["detail"]
    assert "secret-host" not in response.text  # the driver's message stays in the log


@pytest.mark.parametrize(
    "exc", [RuntimeError("password=hunter2 in /srv/app.py line 3"), InvalidModel("/etc/x.yaml")]
)
def test_unexpected_error_is_500_without_trace(api: Api, exc: Exception) -> None:
    _raising(api, "/v1/test/boom", exc)
    response = api.get("/v1/test/boom")
    body = _is_problem(response, 500)
    assert body["title"] == "Internal error"
    assert "hunter2" not in response.text and "Traceback" not in response.text
    assert "/etc/x.yaml" not in response.text
    # The reference the client quotes is the request id of the header and the audit log.
    assert body["reference"] == response.headers["x-request-id"]
    assert '"outcome":"error"' in api.audit_lines[-1]


def test_unknown_route_and_method(api: Api) -> None:
    body = _is_problem(api.get("/v1/nowhere"), 404)
    assert body["title"] == "Not Found"
    body = _is_problem(api.client.post("/v1/health"), 405)
    assert body["title"] == "Method Not Allowed"


def test_validation_problem_does_not_echo_input(api: Api) -> None:
    response = api.get("/v1/entities", params={"q": "x", "limit": "110101199003070011"})
    body = _is_problem(response, 422)
    assert body["type"] == "urn:creditlink:problem:invalid-request"
    assert "110101199003070011" not in response.text
    assert body["errors"][0]["loc"] == ["query", "limit"]


def test_every_error_class_has_a_handler() -> None:
    assert CreditlinkError in HANDLERS and Exception in HANDLERS
    assert problem_type("StoreUnavailable") == "urn:creditlink:problem:store-unavailable"


def test_store_failure_inside_a_route_is_503(make_api: MakeApi) -> None:
    class DownStore(MemoryStore):
        def get_node(self, ref: NodeRef) -> None:
            raise StoreUnavailable("down")

        def ping(self) -> None:
            raise StoreUnavailable("down")

    from graph.model import load_model

    api = make_api(DownStore(load_model()))
    response = api.get("/v1/entities/Enterprise/91110000600037341L")
    _is_problem(response, 503)
    assert response.headers["retry-after"] == "5"
    ready = api.get("/v1/ready", role=None)
    _is_problem(ready, 503)
    assert api.get("/v1/health", role=None).status_code == 200  # liveness is not readiness


def test_a_neo4j_that_is_not_there_is_503_at_once(tmp_path: Path) -> None:
    # Nothing listens on port 1: the API still starts, and answers 503 instead of hanging.
    settings = Settings(store="bolt://127.0.0.1:1", data_dir=tmp_path, api_neo4j_retry_time=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        started = time.monotonic()
        response = client.get("/v1/entities/Enterprise/91110000600037341L")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert time.monotonic() - started < 10
        assert client.get("/v1/ready").status_code == 503
        assert client.get("/v1/health").status_code == 200


def test_405_lists_every_method_of_the_path(api: Api) -> None:
    # Two routes on one path (as a GET list and a POST create in two routers would be).
    api.app.add_api_route("/v1/test/things", lambda: {}, methods=["GET"], summary="list")
    api.app.add_api_route("/v1/test/things", lambda: {}, methods=["POST"], summary="create")
    response = api.client.delete("/v1/test/things")
    body = _is_problem(response, 405)
    assert body["title"] == "Method Not Allowed"
    assert response.headers["allow"] == "GET, POST"


class Thing(BaseModel):
    """A request body of the test route."""

    model_config = ConfigDict(extra="forbid")
    name: str


def test_unreadable_body_is_a_documented_400(api: Api) -> None:
    def create(thing: Thing) -> dict[str, str]:
        return {"name": thing.name}

    api.app.add_api_route("/v1/test/create", create, methods=["POST"], summary="create")
    response = api.client.post(
        "/v1/test/create", content=b"\x80\x81", headers={"Content-Type": "application/json"}
    )
    _is_problem(response, 400)
    operation = api.client.get("/openapi.json").json()["paths"]["/v1/test/create"]["post"]
    assert operation["responses"]["400"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    extra = api.client.post("/v1/test/create", json={"name": "x", "admin": True})
    assert _is_problem(extra, 422)["errors"][0]["loc"] == ["body", "admin"]
