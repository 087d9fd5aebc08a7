"""The picture routes and the investigation page, through the app."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from api.security import Role
from queries.related import related
from tests.api.conftest import Api, MakeApi
from tests.viz.network import ON, Decided, load_decided_story
from viz.render import outside_references
from viz.views import related_view


@pytest.fixture
def viz_api(make_api: MakeApi) -> Iterator[tuple[Api, Decided]]:
    api = make_api(story=False)
    store = api.app.state.store
    yield api, load_decided_story(store)


def _related(case: Decided, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"as_of": ON.isoformat(), **params}.items())
    return f"/v1/viz/related/Enterprise/{case.story.jia.key}?{query}"


def test_related_html(viz_api: tuple[Api, Decided]) -> None:
    api, case = viz_api
    response = api.get(_related(case), role="investigator")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert outside_references(response.text) == []
    assert "<h1>关联方 · Related parties of 甲运输有限公司</h1>" in response.text


def test_related_json_is_the_answer(viz_api: tuple[Api, Decided]) -> None:
    api, case = viz_api
    document = api.get(_related(case, hops="3", format="json"), role="admin").json()
    store = api.app.state.store
    result = related(store, case.story.jia, hops=3, as_of=ON)
    assert len(document["nodes"]) == len(result.entities) + 1
    assert len(document["edges"]) == len(related_view(store, result).edges)
    assert {n["uid"] for n in document["nodes"]} == {result.seed.uid} | {
        e.entity.uid for e in result.entities
    }


def test_ids_are_stable_across_requests(viz_api: tuple[Api, Decided]) -> None:
    # The page merges answers: the same entity must carry the same id in each.
    api, case = viz_api
    one = api.get(_related(case, format="json"), role="analyst").json()
    two = api.get(
        f"/v1/viz/related/Vehicle/{case.story.truck.key}?format=json&hops=1", role="analyst"
    ).json()
    ids = {n["name"]: n["id"] for n in one["nodes"]}
    assert all(ids[n["name"]] == n["id"] for n in two["nodes"] if n["name"] in ids)
    assert all(re.fullmatch(r"n[a-p]{27}", n["id"]) for n in one["nodes"])


@pytest.mark.parametrize("role", ["analyst", "reviewer", "public"])
def test_personal_data_masked_in_pictures(viz_api: tuple[Api, Decided], role: str) -> None:
    api, case = viz_api
    html = api.get(_related(case), role=role)
    if role in ("reviewer", "public"):  # no pictures permission
        assert html.status_code == 403
        return
    json_doc = api.get(_related(case, format="json"), role=role).text
    for text in (html.text, json_doc):
        assert "110101199003070011" not in text and "13800138000" not in text
        assert "110101********0011" in text and "王军" in text  # analysts see names


def test_paths_affected_cluster(viz_api: tuple[Api, Decided]) -> None:
    api, case = viz_api
    story = case.story
    paths = api.get(
        f"/v1/viz/paths?a={story.bing.key}&b={story.yi.key}&as_of=2021-07-01&format=json",
        role="investigator",
    )
    assert paths.status_code == 200 and paths.json()["kind"] == "paths"
    reach = api.get(f"/v1/viz/affected/{case.decision_id}?as_of=2021-05-01", role="analyst")
    assert reach.status_code == 200 and "吉交罚〔2021〕9号" in reach.text
    cluster = api.get(
        f"/v1/viz/cluster/Enterprise/{story.jia.key}?as_of=2021-07-01&format=json",
        role="investigator",
    )
    assert cluster.status_code == 200 and cluster.json()["counts"]["drawn_nodes"] == 4


def test_errors_are_problems(viz_api: tuple[Api, Decided]) -> None:
    api, _ = viz_api
    bad = api.get("/v1/viz/related/Enterprise/91110000600037341X", role="admin")
    assert bad.status_code == 422 and bad.json()["field"] == "uscc"
    unknown = api.get("/v1/viz/affected/no-such-decision", role="admin")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    too_far = api.get("/v1/viz/related/Enterprise/91110000600037341L?hops=9", role="admin")
    assert too_far.status_code == 422
    assert api.get("/v1/viz/related/Enterprise/91110000600037341L", role=None).status_code == 403


def test_pictures_are_audited(viz_api: tuple[Api, Decided]) -> None:
    api, case = viz_api
    api.get(_related(case), role="investigator")
    last = api.audit_lines[-1]
    assert "/v1/viz/related/{kind}/{key}" in last and case.story.jia.uid in last


def test_investigation_page_and_its_files(viz_api: tuple[Api, Decided]) -> None:
    api, _ = viz_api
    page = api.get("/viz/", role=None)
    assert page.status_code == 200 and "<title>creditlink · 调查 Investigation" in page.text
    assert "connect-src 'self'" in page.headers["content-security-policy"]
    assert outside_references(page.text) == []
    for name in ("page.js", "page.css", "picture.js", "picture.css", "vis-network.min.js"):
        response = api.get(f"/viz/static/{name}", role=None)
        assert response.status_code == 200, name
        assert f"/viz/static/{name}" in page.text or name.startswith("LICENSE")
    assert api.get("/viz/static/..%2Fviz.py", role=None).status_code == 404
    assert api.get("/viz/static/index.html", role=None).status_code == 404
    assert api.get("/viz", role=None, follow_redirects=False).status_code == 308
    licence = api.get("/viz/static/LICENSE-vis-network-MIT", role=None)
    assert licence.status_code == 200 and "MIT License" in licence.text


def test_page_names_no_other_host() -> None:
    # (The browser test checks the requests the page really makes.)
    from viz.render import static_file

    for name in ("page.js", "picture.js", "index.html", "page.css", "picture.css"):
        text = static_file(name)
        assert not re.search(r"https?://|[\"'(]//", text), name
    assert "fetch(" in static_file("page.js")


def test_openapi_documents_both_formats(viz_api: tuple[Api, Decided]) -> None:
    api, _ = viz_api
    document = api.client.get("/openapi.json").json()
    operation = document["paths"]["/v1/viz/related/{kind}/{key}"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/html"}
    assert not [p for p in document["paths"] if p.startswith("/viz")]


def test_ids_key_kept_in_the_data_dir(viz_api: tuple[Api, Decided]) -> None:
    api, case = viz_api
    api.get(_related(case, format="json"), role="admin")
    key_file = api.settings.data_dir / "viz-ids.key"
    assert key_file.stat().st_mode & 0o777 == 0o600 and len(key_file.read_bytes()) == 32


def test_roles_with_pictures(viz_api: tuple[Api, Decided]) -> None:
    api, case = viz_api
    allowed = {role.value for role in Role if api.get(_related(case), role=role).status_code == 200}
    assert allowed == {"investigator", "analyst", "admin"}
