"""The README's main job: ``creditlink demo`` — in a fresh process, and on both stores."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from api.demo_run import run_demo
from graph.stores.base import GraphStore

REACHED = {
    "吉A12345|2": (None, "S-OVERLOAD-VEHICLE"),
    "长春甲运输有限公司": ("道路运输企业（经营单位）", "S-OVERLOAD-ENTERPRISE"),
    "刘洋": ("驾驶人", "S-OVERLOAD-DRIVER"),
    "长春己砂石料场": ("货运源头单位", "S-OVERLOAD-SOURCE"),
    "王军": ("法定代表人", "S-OFFICE-BAN"),
}
VERDICTS = {
    "吉林丙建设工程有限公司": "ineligible",  # same project manager as 丁 (art. 40)
    "吉林丁建设工程有限公司": "ineligible",  # and the same controller as 戊 (art. 34)
    "吉林戊路桥有限公司": "ineligible",
    "吉林庚公路工程有限公司": "eligible",
}


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CREDITLINK_DATA_DIR": str(data_dir), "CREDITLINK_STORE": "memory"}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "api", *args], capture_output=True, text=True, env=env, check=True
    )


def _check_story(result: dict[str, Any]) -> None:
    totals = result["ingest"]["totals"]
    assert totals == {
        "rows_read": 69,
        "loaded": 69,
        "quarantined": 0,
        "duplicates": 0,
        "nodes": 27,
        "edges": 38,
    }
    reached = {s["name"]: (s["role"], s["measure"]) for s in result["affected"]}
    assert reached == REACHED
    wang = next(s for s in result["affected"] if s["name"] == "王军")
    assert [step.split()[1] for step in wang["path"]] == ["OPERATES", "LEGAL_REP_OF"]
    assert result["restricted_name"] == "王军" and "office" in result["restricts"]
    assert {b["name"]: b["verdict"] for b in result["bidders"]} == VERDICTS
    for picture in result["pictures"]:
        html = Path(picture).read_text(encoding="utf-8")
        assert "vis-network" in html
        assert not re.search(r"""(src|href)\s*=\s*["']https?://""", html)


def test_demo_runs_the_story_and_is_idempotent(tmp_path: Path) -> None:
    first = json.loads(_run("demo", "--json", data_dir=tmp_path).stdout)
    _check_story(first)
    assert first["decision_written"] is True
    assert (tmp_path / "graph.pickle").exists()
    # Running it again changes nothing: the ingest merges, the decision is found filed.
    again = json.loads(_run("demo", "--json", data_dir=tmp_path).stdout)
    _check_story(again)
    assert again["decision_written"] is False
    assert again["decision_id"] == first["decision_id"]
    assert again["affected"] == first["affected"]
    info = json.loads(_run("info", "--json", data_dir=tmp_path).stdout)
    assert sum(info["nodes"].values()) == 27 and sum(info["edges"].values()) == 38


def test_demo_prints_the_story_and_what_to_open_next(tmp_path: Path) -> None:
    text = _run("demo", data_dir=tmp_path).stdout
    assert "69 rows read: 69 loaded, 0 quarantined" in text
    assert "王军 may not: office" in text
    assert "what to open next" in text
    assert (tmp_path / "demo" / "bidding.html").as_uri() in text


def test_demo_gives_the_same_answers_on_both_stores(store: GraphStore, tmp_path: Path) -> None:
    result = run_demo(store, out_dir=tmp_path)
    _check_story(json.loads(result.model_dump_json()))
    assert result.verdicts == {"eligible": 1, "ineligible": 3, "needs_review": 0}
