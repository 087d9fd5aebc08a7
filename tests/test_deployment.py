"""docker-compose.yml validates with the compose client (no engine needed)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import neo4j_required

ROOT = Path(__file__).resolve().parent.parent


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    return None


def test_compose_file_validates() -> None:
    command = _compose_command()
    if command is None:
        if neo4j_required():  # CI installs the client through scripts/install-test-deps
            pytest.fail("no docker compose client installed", pytrace=False)
        pytest.skip("no docker compose client installed")
    env = {**os.environ, "NEO4J_PASSWORD": "validate-only"}
    result = subprocess.run(
        [*command, "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "neo4j:5.26-community" in result.stdout
    assert "bolt://neo4j:7687" in result.stdout


def test_compose_requires_a_password() -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("no docker compose client installed")
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    result = subprocess.run(
        [*command, "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode != 0 and "NEO4J_PASSWORD" in (result.stderr + result.stdout)
