"""Write one benchmark's figures into its own section of ``docs/benchmarks.md``.

Each script owns the text between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``
and replaces it whole, so scripts never overwrite each other's figures.

>>> import tempfile, pathlib
>>> doc = pathlib.Path(tempfile.mkdtemp()) / "b.md"
>>> write_section("demo", "| a | 1 |", doc)
>>> write_section("demo", "| a | 2 |", doc)
>>> doc.read_text().count("bench:demo")
2
>>> "| a | 2 |" in doc.read_text() and "| a | 1 |" not in doc.read_text()
True
"""

from __future__ import annotations

import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["BENCHMARKS_MD", "machine_line", "write_section"]

BENCHMARKS_MD = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def machine_line() -> str:
    """When and where the figures were measured."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    python = platform.python_version()
    return f"Measured {stamp} on {platform.machine()}, {os.cpu_count()} cores, Python {python}."


def write_section(name: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace (or append) the section ``name`` of the benchmarks document with ``body``."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _: block, text)
        if pattern.search(text)
        else f"{text.rstrip()}\n\n{block}\n"
    )
    path.write_text(text, encoding="utf-8")
