"""What an ingest run reports: the quarantine file, the duplicate candidates and the summary
that proves ``rows read = loaded + quarantined + exact duplicates`` per file and in total.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from ingest.rows import Problem
from ingest.sources import Row

__all__ = ["QUARANTINE_COLUMNS", "FileSummary", "QuarantineWriter", "Summary"]

QUARANTINE_COLUMNS = ("file", "sheet", "row", "field", "value", "reason", "detail")


class FileSummary(BaseModel):
    """Counts for one source file."""

    model_config = ConfigDict(extra="forbid")

    file: str
    mapping: str
    encoding: str | None = None
    rows_read: int = 0
    loaded: int = 0
    quarantined: int = 0
    duplicates: int = Field(0, description="rows identical to an earlier row of the same file")
    nodes: int = Field(0, description="nodes the loaded rows gave (before resolution)")
    edges: int = Field(0, description="relationships the loaded rows gave")
    credit_records: int = 0
    reasons: dict[str, int] = Field(default_factory=dict, description="quarantined rows by reason")
    missing_columns: list[str] = Field(
        default_factory=list, description="columns the mapping reads that the file lacks"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def balanced(self) -> bool:
        """rows_read == loaded + quarantined + duplicates."""
        return self.rows_read == self.loaded + self.quarantined + self.duplicates


class Summary(BaseModel):
    """The whole run (``creditlink ingest --json`` prints this document)."""

    model_config = ConfigDict(extra="forbid")

    store: str
    files: list[FileSummary]
    nodes_written: int = Field(0, description="nodes created or changed (unchanged ones skipped)")
    edges_written: int = 0
    credit_written: int = 0
    aliases_added: int = Field(0, description="nodes that gained an alias in this run")
    candidates: int = Field(0, description="likely duplicate persons reported, not merged")
    batches_resumed: int = Field(0, description="batches a previous run had already committed")
    quarantine_file: str | None = None
    candidates_file: str | None = None
    seconds: float = 0.0
    checksum: str | None = None
    store_nodes: int | None = None
    store_edges: int | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def totals(self) -> dict[str, int]:
        """Summed over files."""
        keys = ("rows_read", "loaded", "quarantined", "duplicates", "nodes", "edges")
        return {k: sum(getattr(f, k) for f in self.files) for k in keys}

    @computed_field  # type: ignore[prop-decorator]
    @property
    def balanced(self) -> bool:
        """The count identity holds for every file and in total."""
        t = self.totals
        total_ok = t["rows_read"] == t["loaded"] + t["quarantined"] + t["duplicates"]
        return total_ok and all(f.balanced for f in self.files)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rows_per_second(self) -> float:
        """Rows read per second of wall time."""
        return round(self.totals["rows_read"] / self.seconds, 1) if self.seconds else 0.0

    def reasons(self) -> Counter[str]:
        """Quarantined rows by reason over all files."""
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.reasons)
        return total


class QuarantineWriter:
    """Appends one CSV line per problem of every quarantined row (UTF-8 with BOM for Excel)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fh: IO[str] | None = None
        self._writer: Any = None
        self.lines = 0

    def __enter__(self) -> QuarantineWriter:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._fh)
            self._writer.writerow(QUARANTINE_COLUMNS)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()

    def write(self, file: str, row: Row, problems: list[Problem]) -> None:
        """Record the problems of one row."""
        for p in problems:
            self.lines += 1
            if self._writer is not None:
                value = p.value if len(p.value) <= 500 else p.value[:500] + "…"
                line = (file, row.sheet or "", row.number, p.field, value, p.reason.value, p.detail)
                self._writer.writerow(line)
