"""API keys, roles and permissions."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.security import (
    ROLE_PERMISSIONS,
    KeyRing,
    Permission,
    Role,
    hash_key,
    new_key,
)
from graph.exc import InvalidModel
from tests.api.conftest import KEYS, Api, MakeApi

ENTITY = "/v1/entities/Enterprise/91110000600037341L"

# (route, permission) of the routes this issue owns; capability routers add theirs.
ROUTES = [
    (ENTITY, Permission.ENTITIES_READ),
    ("/v1/entities?q=甲运输", Permission.ENTITIES_READ),
    ("/v1/audit", Permission.AUDIT_READ),
    ("/v1/audit/verify", Permission.AUDIT_READ),
]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("url", "permission"), ROUTES)
def test_each_role_on_each_route(api: Api, role: Role, url: str, permission: Permission) -> None:
    response = api.get(url, role=role)
    if permission in ROLE_PERMISSIONS[role]:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403
        assert response.json()["title"] == "Forbidden"
        assert permission.value in response.json()["detail"]


def test_role_table() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert Permission.AUDIT_READ not in ROLE_PERMISSIONS[Role.INVESTIGATOR]
    # Writes need the right role.
    writers = {r for r, perms in ROLE_PERMISSIONS.items() if Permission.DECISIONS_WRITE in perms}
    assert writers == {Role.INVESTIGATOR, Role.ADMIN}
    ingesters = {r for r, perms in ROLE_PERMISSIONS.items() if Permission.INGEST_WRITE in perms}
    assert ingesters == {Role.ADMIN}


def test_bearer_header_works_like_x_api_key(api: Api) -> None:
    headers = {"Authorization": f"Bearer {KEYS[Role.ADMIN]}"}
    assert api.client.get("/v1/audit", headers=headers).status_code == 200


def test_unknown_key_is_401_even_where_anonymous_would_pass(api: Api) -> None:
    response = api.client.get(ENTITY, headers={"X-API-Key": "clk_not-issued"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["title"] == "Not authenticated"
    assert "clk_not-issued" not in response.text


def test_anonymous_gets_the_anonymous_role(api: Api) -> None:
    assert api.get(ENTITY, role=None).status_code == 200
    assert api.get("/v1/audit", role=None).status_code == 403


def test_key_required_when_anonymous_access_is_off(make_api: MakeApi) -> None:
    api = make_api(api_anonymous_role=None)
    response = api.get(ENTITY, role=None)
    assert response.status_code == 401
    assert "required" in response.json()["detail"]
    assert api.get(ENTITY, role="public").status_code == 200
    assert api.get("/v1/health", role=None).status_code == 200  # probes need no key


def test_key_file_yaml_and_toml(tmp_path: Path) -> None:
    key = new_key()
    yaml_file = tmp_path / "keys.yaml"
    yaml_file.write_text(f"keys:\n  - id: ops\n    role: admin\n    sha256: {hash_key(key)}\n")
    toml_file = tmp_path / "keys.toml"
    toml_file.write_text(f'[[keys]]\nid = "ops"\nrole = "analyst"\nsha256 = "{hash_key(key)}"\n')
    assert KeyRing.load(yaml_file, None).authenticate(key).role is Role.ADMIN
    ring = KeyRing.load(toml_file, "public")
    assert ring.authenticate(key).key_id == "ops"
    assert ring.authenticate(key).role is Role.ANALYST
    assert len(ring) == 1
    assert key not in toml_file.read_text()  # only the digest is stored


@pytest.mark.parametrize(
    "content",
    [
        "keys:\n  - id: ops\n    role: root\n    sha256: " + "a" * 64,  # unknown role
        "keys:\n  - id: ops\n    role: admin\n    sha256: abc",  # not a digest
        "keys:\n  - {id: a, role: admin, sha256: " + "a" * 64 + "}\n"
        "  - {id: b, role: public, sha256: " + "a" * 64 + "}",  # same digest twice
        "keys:\n  - {id: a, role: admin, sha256: " + "a" * 64 + ", password: x}",  # extra field
        "keys: [",  # not YAML
    ],
)
def test_bad_key_files_fail_at_start(tmp_path: Path, content: str) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text(content)
    with pytest.raises(InvalidModel):
        KeyRing.load(path, "public")


def test_missing_key_file_and_bad_anonymous_role_fail_at_start(tmp_path: Path) -> None:
    with pytest.raises(InvalidModel):
        KeyRing.load(tmp_path / "absent.yaml", "public")
    with pytest.raises(InvalidModel):
        KeyRing.load(None, "superuser")


def test_new_keys_are_distinct_and_long() -> None:
    keys = {new_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(len(k) >= 40 for k in keys)


def test_cors_is_off_by_default(api: Api) -> None:
    preflight = {"Origin": "https://portal.example", "Access-Control-Request-Method": "GET"}
    response = api.client.options(ENTITY, headers=preflight)
    assert "access-control-allow-origin" not in response.headers
    plain = api.client.get(ENTITY, headers={"Origin": "https://portal.example"})
    assert "access-control-allow-origin" not in plain.headers


def test_cors_allows_only_the_configured_origins(make_api: MakeApi) -> None:
    api = make_api(api_cors_origins=["https://portal.example"])
    allowed = api.client.options(
        ENTITY,
        headers={
            "Origin": "https://portal.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-API-Key",
        },
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example"
    other = api.client.get(ENTITY, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
