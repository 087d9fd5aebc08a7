"""Resumable ingest: which batches of which files a run has committed to the store.

A checkpoint is keyed by a fingerprint of the input (paths, sizes, modification times),
the mappings, the batch size and the store, so a changed file or another store starts
afresh.  It is written atomically after a batch is durable and removed when the run ends,
so only an interrupted run (killed process, store gone) is resumed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Checkpoint", "CheckpointFile", "fingerprint"]


class Checkpoint(BaseModel):
    """Batches committed per file, and one node uid of the last batch (a sanity probe)."""

    model_config = ConfigDict(extra="forbid")

    run: str
    batches: dict[str, int] = Field(default_factory=dict)
    probe: str | None = None


def fingerprint(files: Sequence[Path], mappings: Sequence[str], batch_size: int, store: str) -> str:
    """Identity of an ingest run's input.

    >>> len(fingerprint([], ["m"], 10, "memory"))
    32
    """
    parts: list[str] = [store, str(batch_size), *mappings]
    for path in files:
        stat = path.stat()
        parts.append(f"{path.resolve()}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}")
    return hashlib.blake2b("\x1e".join(parts).encode(), digest_size=16).hexdigest()


class CheckpointFile:
    """One JSON file in the state directory per run fingerprint."""

    def __init__(self, directory: Path, run: str) -> None:
        self.path = directory / f"ingest-{run}.json"
        self.run = run

    def load(self) -> Checkpoint:
        """The saved checkpoint of this run, or an empty one."""
        if self.path.exists():
            saved = Checkpoint.model_validate_json(self.path.read_text("utf-8"))
            if saved.run == self.run:
                return saved
        return Checkpoint(run=self.run)

    def save(self, checkpoint: Checkpoint) -> None:
        """Write atomically (a kill mid-write leaves the previous checkpoint)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(checkpoint.model_dump()))
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(self.path)

    def clear(self) -> None:
        """Forget the run (it finished)."""
        self.path.unlink(missing_ok=True)
