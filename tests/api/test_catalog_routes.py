"""GET /v1/catalog and /v1/catalog/{code}: the four lists as the engine loads them."""

from __future__ import annotations

import pytest

from graph.catalog import ListKind, load_catalog
from tests.api.conftest import Api, MakeApi


def test_catalog_lists_every_entry_by_list(api: Api) -> None:
    catalog = load_catalog()
    response = api.get("/v1/catalog", role="public")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == catalog.version
    assert body["effective"] == catalog.header.effective.isoformat()
    assert body["fingerprint"] == catalog.fingerprint
    for kind in ListKind:
        assert [e["code"] for e in body["lists"][kind.value]] == [
            e.code for e in catalog.entries(kind)
        ]
    assert "T-OVERLOAD" in [e["code"] for e in body["lists"]["dishonesty_scope"]]


def test_catalog_one_list(api: Api) -> None:
    body = api.get("/v1/catalog?list=honour_scope", role="public").json()
    assert [e["code"] for e in body["lists"]["honour_scope"]] == ["H-TRUST-MODEL"]
    assert body["lists"]["sanction_measures"] == []
    assert api.get("/v1/catalog?list=nope").status_code == 422


@pytest.mark.parametrize("code", ["T-OVERLOAD", "S-BID-BAN", "H-TRUST-MODEL"])
def test_catalog_entry(api: Api, code: str) -> None:
    catalog = load_catalog()
    response = api.get(f"/v1/catalog/{code}", role="reviewer")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["list"] == catalog.list_of(code).value
    assert body["list_name"] == catalog.list_of(code).chinese
    entry = catalog.behaviours.get(code) or catalog.require_measure(code)
    assert body["entry"] == entry.model_dump(mode="json")


def test_code_outside_the_catalog_is_404(api: Api) -> None:
    response = api.get("/v1/catalog/X-NOT-LISTED")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "X-NOT-LISTED" in response.json()["detail"]


def test_catalog_needs_a_key_when_anonymous_access_is_off(make_api: MakeApi) -> None:
    api = make_api(api_anonymous_role=None)
    assert api.get("/v1/catalog", role=None).status_code == 401
    for role in ("public", "investigator", "reviewer", "analyst", "admin"):
        assert api.get("/v1/catalog/T-OVERLOAD", role=role).status_code == 200, role
