"""The README's main job: ``creditlink demo`` on the embedded store, in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CREDITLINK_DATA_DIR": str(data_dir), "CREDITLINK_STORE": "memory"}
    return subprocess.run(
        [sys.executable, "-m", "api", *args], capture_output=True, text=True, env=env, check=True
    )


def test_demo_loads_the_example_and_persists_it(tmp_path: Path) -> None:
    first = json.loads(_run("demo", "--json", data_dir=tmp_path).stdout)
    assert first["nodes"]["Enterprise"] == 3 and first["edges"]["LEGAL_REP_OF"] == 3
    assert first["paths"] == [
        [
            "Enterprise:91110000600037341L",
            "Person:360426199101010071",
            "Enterprise:91310115MA1K3BTP2B",
        ]
    ]
    assert (tmp_path / "graph.pickle").exists()
    # Running it again changes nothing (idempotent upserts), and `info` reads the same file.
    again = json.loads(_run("demo", "--json", data_dir=tmp_path).stdout)
    assert again == first
    info = json.loads(_run("info", "--json", data_dir=tmp_path).stdout)
    assert info["nodes"] == first["nodes"] and info["edges"] == first["edges"]
