"""A benchmark's own Neo4j server: ``scripts/neo4j`` on an explicit home and ports, and its
``neo4j-admin``.

Both take the script's parsed arguments (``neo4j_home``, ``bolt_port``, ``http_port``,
``password``), so every benchmark that drives its server names it the same way.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

__all__ = ["admin_binary", "neo4j_script", "server_cpu_seconds"]

REPO = Path(__file__).resolve().parent.parent


def neo4j_script(args: argparse.Namespace, command: str) -> None:
    """Run ``scripts/neo4j COMMAND`` (start, stop, install …) for the server of ``args``,
    e.g. ``neo4j_script(args, "stop")`` before ``neo4j-admin database import``."""
    env = {
        **os.environ,
        "CREDITLINK_NEO4J_HOME": str(args.neo4j_home),
        "CREDITLINK_NEO4J_BOLT_PORT": str(args.bolt_port),
        "CREDITLINK_NEO4J_HTTP_PORT": str(args.http_port),
        "CREDITLINK_NEO4J_PASSWORD": args.password,
    }
    subprocess.run([str(REPO / "scripts" / "neo4j"), command], env=env, check=True)


def admin_binary(home: Path) -> Path:
    """The ``neo4j-admin`` of the distribution ``scripts/neo4j`` installed under ``home``.

    >>> admin_binary(Path("/nonexistent"))
    Traceback (most recent call last):
    ...
    SystemExit: no neo4j-admin under /nonexistent/dist; run scripts/neo4j install
    """
    found = sorted(home.glob("dist/neo4j-community-*/bin/neo4j-admin"))
    if not found:
        raise SystemExit(f"no neo4j-admin under {home}/dist; run scripts/neo4j install")
    return found[-1]


def server_cpu_seconds(home: Path) -> float | None:
    """CPU seconds (user + system, every thread) the server ``scripts/neo4j`` started under
    ``home`` has used so far, from ``/proc``; None when it is not running here.

    >>> server_cpu_seconds(Path("/nonexistent")) is None
    True
    """
    try:
        pid = (home / "run" / "neo4j.pid").read_text().split()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # utime and stime are fields 14 and 15 of proc(5); the split list starts at field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
