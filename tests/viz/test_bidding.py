"""The picture of a bidding check, on both stores: the bidders, the findings' evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.model import load_model
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore
from queries.bidding import check_bids
from tests.api.conftest import MakeApi
from tests.bidding.conftest import file_ban, load_tender
from viz.bidding import bidding_view
from viz.render import Picture, outside_references


def test_bidding_view_is_the_answer(store: GraphStore) -> None:
    fixture = load_tender(store, "bidding_planted")
    file_ban(store, fixture.case)
    result = check_bids(store, fixture.tender, actor="test", config=fixture.config, record=False)
    view = bidding_view(store, result)

    uids = {n.uid for n in view.nodes}
    bidders = {f"Enterprise:{b.uscc}" for b in result.bidders}
    named = {e.uid for f in result.findings for e in f.entities}
    steps = [
        s for f in result.findings for s in (*f.steps, *(x for c in f.chains for x in c.steps))
    ]
    assert bidders | named | {s.src for s in steps} | {s.dst for s in steps} == uids
    assert {(e.type, e.src, e.dst, e.valid_from) for e in view.edges} == {
        (s.type, s.src, s.dst, s.valid_from) for s in steps
    }
    assert {n.uid for n in view.nodes if n.focus} == bidders
    verdicts = {f"Enterprise:{b.uscc}": b.verdict for b in result.bidders}
    assert {n.uid: n.tag for n in view.nodes if n.focus} == {
        uid: v.replace("_", " ") for uid, v in verdicts.items()
    }
    # Lines of findings that decide a verdict are emphasised, advisory ones are not.
    deciding = {
        (s.type, s.src, s.dst)
        for f in result.findings
        if f.effect != "none"
        for s in (*f.steps, *(x for c in f.chains for x in c.steps))
    }
    assert {(e.type, e.src, e.dst) for e in view.edges if e.emphasis} == deciding
    assert deciding  # the planted tender has such findings
    for edge in view.edges:
        assert any(note.startswith("F-") for note in edge.notes)
    assert [line for line in view.left_out if line in result.notes] == result.notes
    page = Picture(view).html()
    assert outside_references(page) == [] and "投标审查 · Bidding check" in page


def test_bidding_picture_route_and_command(
    make_api: MakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = make_api(MemoryStore(load_model(), tmp_path / "graph.pickle"), story=False)
    store = api.app.state.store
    fixture = load_tender(store, "bidding_planted")
    file_ban(store, fixture.case)
    result = check_bids(store, fixture.tender, actor="test", config=fixture.config)
    url = f"/v1/viz/bidding/{result.check_id}"

    page = api.get(url, role="reviewer")
    assert page.status_code == 200 and outside_references(page.text) == []
    document = api.get(url + "?format=json", role="reviewer").json()
    assert document["counts"]["drawn_nodes"] == len(bidding_view(store, result).nodes)
    assert api.get(url, role="analyst").status_code == 403  # bidding:check only
    assert api.get("/v1/viz/bidding/bc-unknown", role="admin").status_code == 404

    store.close()  # persist for the command
    monkeypatch.setenv("CREDITLINK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CREDITLINK_STORE", "memory")
    out = tmp_path / "check.html"
    ran = CliRunner().invoke(app, ["viz", "bidding", result.check_id, "--out", str(out)])
    assert ran.exit_code == 0, ran.output
    assert "投标审查 · Bidding check" in out.read_text(encoding="utf-8")
