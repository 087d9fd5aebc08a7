"""The HTML of a picture, read without a browser: counts equal the answer, colours and
legend present, nothing fetched from outside, data that cannot break out of its script."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from api.masking import Clearance
from graph.model import load_model
from graph.stores.memory import MemoryStore
from queries.affected import affected
from queries.paths import paths
from queries.related import related
from tests.viz.network import ON, Decided, load_wide_network
from viz.document import PictureDocument
from viz.render import VIS_JS, Picture, outside_references
from viz.style import STATE_STYLE
from viz.view import GraphView, ViewNode
from viz.views import affected_view, paths_view, related_view

Case = tuple[MemoryStore, Decided]


class _Page(HTMLParser):
    """Tags, attributes and the embedded picture data of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.data: str | None = None
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = dict(attrs).get("id") if tag == "script" else None
        if tag == "script":
            self.scripts.append("")

    def handle_data(self, data: str) -> None:
        if self.tags and self.tags[-1][0] == "script" and self.scripts:
            self.scripts[-1] += data
            if self._in == "picture-data":
                self.data = (self.data or "") + data


def _parse(page: str) -> tuple[_Page, dict[str, Any]]:
    parser = _Page()
    parser.feed(page)
    assert parser.data is not None
    document: dict[str, Any] = json.loads(parser.data)
    return parser, document


def test_counts_equal_the_answer(decided_memory: Case) -> None:
    store, case = decided_memory
    result = related(store, case.story.jia, hops=3, as_of=ON)
    _, document = _parse(Picture(related_view(store, result)).html())
    nodes, edges = document["nodes"], document["edges"]
    assert isinstance(nodes, list) and isinstance(edges, list)
    assert len(nodes) == len(result.entities) + 1
    steps = {(s.type, s.src, s.dst, s.valid_from) for e in result.entities for s in e.via}
    assert len(edges) == len(steps)
    assert document["counts"] == {
        "answer_nodes": len(nodes),
        "answer_edges": len(edges),
        "drawn_nodes": len(nodes),
        "drawn_edges": len(edges),
    }
    ids = {n["id"] for n in nodes}
    assert all(e["from"] in ids and e["to"] in ids for e in edges)


def test_paths_and_affected_counts(decided_memory: Case) -> None:
    store, case = decided_memory
    found = paths(store, case.story.bing, case.story.yi, k=3, as_of=date(2021, 7, 1))
    _, document = _parse(Picture(paths_view(store, found)).html())
    assert len(document["nodes"]) == len({e.uid for p in found.paths for e in p.nodes})
    assert len(document["edges"]) == len(
        {(s.type, s.src, s.dst, s.valid_from) for p in found.paths for s in p.steps}
    )
    reach = affected(store, case.decision_id, as_of=ON)
    _, document = _parse(Picture(affected_view(store, reach)).html())
    assert len(document["edges"]) == len({s.eid for m in reach.measures for s in m.path})


def test_colours_shapes_and_legend(decided_memory: Case) -> None:
    store, case = decided_memory
    page = Picture(related_view(store, related(store, case.story.jia, hops=3, as_of=ON))).html()
    parser, document = _parse(page)
    colour = {n["name"]: n["color"]["background"] for n in document["nodes"]}
    assert colour["吉A12345"] == STATE_STYLE["listed"].color == "#d32f2f"
    assert colour["甲运输有限公司"] == STATE_STYLE["affected"].color
    assert colour["乙物流有限公司"] == STATE_STYLE["red_list"].color
    assert colour["丙建材商行"] == STATE_STYLE["clean"].color
    shapes = {n["kind"]: n["shape"] for n in document["nodes"]}
    assert shapes == {
        "Enterprise": "square",
        "Person": "dot",
        "Vehicle": "triangle",
        "Project": "diamond",
        "Contact": "hexagon",
    }
    legend = {a.get("data-legend") for tag, a in parser.tags if tag == "li"} - {None}
    for key in ("state:listed", "state:affected", "state:red_list", "state:clean"):
        assert key in legend
    for kind in shapes:
        assert f"kind:{kind}" in legend
    assert "失信 listed" in page and "红名单 red list" in page
    # A coloured node says its state in words too (not by colour alone).
    labels = {n["name"]: n["label"] for n in document["nodes"]}
    assert labels["吉A12345"] == "吉A12345\n失信 listed"


def test_title_question_dates_and_edge_labels(decided_memory: Case) -> None:
    store, case = decided_memory
    page = Picture(related_view(store, related(store, case.story.jia, hops=2, as_of=ON))).html()
    _, document = _parse(page)
    assert "<h1>关联方 · Related parties of 甲运输有限公司</h1>" in page
    assert "Who is within 2 hop(s) of 甲运输有限公司" in page
    assert "截至 as of 2021-05-01" in page
    labels = {e["type"]: e["label"] for e in document["edges"]}
    assert labels["LEGAL_REP_OF"] == "法定代表人 legal representative\n2019-03-01 – 2021-06-01"
    assert labels["OPERATES"] == "经营单位 operating company"
    wang = next(n for n in document["nodes"] if n["name"] == "王军")
    assert "S-OFFICE-BAN" in wang["title"] and "legal basis:" in wang["title"]


def test_nothing_is_fetched_from_outside(decided_memory: Case) -> None:
    store, case = decided_memory
    page = Picture(related_view(store, related(store, case.story.jia, hops=2, as_of=ON))).html()
    parser, _ = _parse(page)
    assert outside_references(page) == []
    for tag, attrs in parser.tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value, re.IGNORECASE), (tag, name, value)
    assert not [t for t, a in parser.tags if t == "script" and a.get("src")]  # all inline
    assert not [t for t, a in parser.tags if t == "link" and a.get("rel") == "stylesheet"]
    assert "default-src 'none'" in page  # and the browser is told to refuse any request
    # the vis-network bundle shipped in the package is inlined, whole
    assert VIS_JS.read_text(encoding="utf-8")[-200:] in page


def test_data_cannot_break_out_of_the_page() -> None:
    evil = "</script><script>alert(1)</script><!--"
    view = GraphView(
        kind="findings",
        title=f"title {evil}",
        question="q",
        as_of=None,
        credit_on=ON,
        nodes=[ViewNode(uid="Project:X", kind="Project", key="X", name=evil)],
        edges=[],
    )
    page = Picture(view).html()
    assert "<script>alert(1)" not in page
    parser, document = _parse(page)
    assert document["nodes"][0]["name"] == evil
    assert len(parser.scripts) == 4  # data, vis-network, picture.js, the call


def test_masked_per_clearance(decided_memory: Case) -> None:
    store, case = decided_memory
    view = related_view(store, related(store, case.story.jia, hops=2, as_of=ON))
    full = Picture(view).html()
    names = Picture(view, clearance=Clearance.NAMES).html()
    none = Picture(view, clearance=Clearance.NONE).html()
    assert "110101199003070011" in full and "13800138000" in full
    for page in (names, none):
        assert "110101199003070011" not in page and "13800138000" not in page
        assert "110101********0011" in page and "138****8000" in page
    assert "王军" in names and "王军" not in none and "王*" in none
    _, document = _parse(none)
    assert document["clearance"] == "none"
    # persons cannot be expanded without full clearance (their key is masked)
    kinds = {n["kind"]: n["expandable"] for n in document["nodes"]}
    assert kinds["Person"] is False and kinds["Enterprise"] is True


def test_above_the_cap_the_picture_says_what_it_left_out() -> None:
    store = MemoryStore(load_model())
    wide = load_wide_network(store)
    view = related_view(store, related(store, wide.seed, hops=3, as_of=date(2022, 1, 1)))
    page = Picture(view, max_nodes=100).html()
    _, document = _parse(page)
    assert len(document["nodes"]) == 100
    assert document["counts"]["answer_nodes"] == wide.nodes
    note = document["left_out"][-1]
    assert note.startswith(f"Picture cap: 100 of {wide.nodes} entities")
    assert note in page
    # nearest first: everything within two hops of the seed is kept (1 + 10 + 100 > 100 …)
    kept = {n["name"] for n in document["nodes"]}
    assert "宽网运输集团" in kept and sum(name.startswith("官员") for name in kept) == 10


def test_picture_document_round_trips(decided_memory: Case) -> None:
    store, case = decided_memory
    picture = Picture(related_view(store, related(store, case.story.jia, hops=2, as_of=ON)))
    dumped = picture.document.model_dump(mode="json", by_alias=True)
    assert PictureDocument.model_validate(dumped) == picture.document


def test_notebook_display(decided_memory: Case) -> None:
    store, case = decided_memory
    picture = Picture(related_view(store, related(store, case.story.jia, hops=1, as_of=ON)))
    shown = picture._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in shown
    assert "&lt;!DOCTYPE html&gt;" in shown and "<script" not in shown


def test_save(decided_memory: Case, tmp_path: Path) -> None:
    store, case = decided_memory
    picture = Picture(related_view(store, related(store, case.story.jia, hops=1, as_of=ON)))
    out = picture.save(tmp_path / "p.html")
    assert out.read_text(encoding="utf-8") == picture.html()


@pytest.mark.parametrize("max_nodes", [0, -1])
def test_cap_must_be_positive(decided_memory: Case, max_nodes: int) -> None:
    store, case = decided_memory
    view = related_view(store, related(store, case.story.jia, hops=1, as_of=ON))
    with pytest.raises(ValueError, match="at least 1"):
        Picture(view, max_nodes=max_nodes)
