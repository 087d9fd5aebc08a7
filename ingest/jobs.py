"""Ingest jobs: an uploaded file ingested in the background, with progress anyone can poll.

A job lives in a directory of its own under a board directory (``<data dir>/ingest-jobs``):
``job.json`` (its state, progress and finally the ingest summary), ``upload/<file>`` and
the run's ``quarantine.csv``.  Keeping the state in files, written atomically, lets any
API worker process answer a poll, and a job whose process died is reported as
``interrupted`` instead of running for ever.

>>> import tempfile
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> board = JobBoard(Path(tempfile.mkdtemp()))
>>> job = board.create("enterprise.csv", iter([b"uscc,name\\n91220101MA00000114,A\\n"]),
...                    submitted_by="clerk", mapping="canonical:nodes/enterprise")
>>> board.run(job.id, MemoryStore(load_model())).state
<JobState.DONE: 'done'>
>>> board.get(job.id).summary.totals["loaded"]
1
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from graph.exc import CreditlinkError, NotFound, SchemaViolation
from graph.stores.base import GraphStore
from ingest.pipeline import IngestOptions, ingest_paths
from ingest.report import Summary
from ingest.sources import CsvSource, JsonlSource, XlsxSource

__all__ = [
    "UPLOAD_SUFFIXES",
    "IngestJob",
    "JobBoard",
    "JobState",
    "QuarantinePage",
    "QuarantinedRow",
    "UploadTooLarge",
]

#: File types an upload may be (the ingest's sources).
UPLOAD_SUFFIXES = (*CsvSource.suffixes, *XlsxSource.suffixes, *JsonlSource.suffixes, ".json")
JOB_ID = re.compile(r"^ij-[0-9a-f]{16}$")
_SAVE_EVERY = 0.5  # seconds between progress writes


class JobState(StrEnum):
    """Where a job is."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # the process running it stopped


class UploadTooLarge(CreditlinkError):
    """The upload exceeds the configured size."""

    status = 413
    title = "Upload too large"


class IngestJob(BaseModel):
    """One upload and its ingest."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "ij-3f2a9c0e5b7d4e1f",
                    "state": "running",
                    "file": "企业登记.csv",
                    "bytes": 1048576,
                    "mapping": None,
                    "submitted_by": "admin",
                    "submitted_at": "2026-12-05T09:30:00Z",
                    "rows_done": 12000,
                    "current_file": "企业登记.csv",
                }
            ]
        },
    )

    id: str
    state: JobState
    file: str = Field(description="the uploaded file's name")
    bytes: int = Field(description="size of the upload")
    mapping: str | None = Field(None, description="built-in mapping; none = chosen per file")
    encoding: str | None = None
    sheet: str | None = None
    submitted_by: str
    submitted_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    rows_done: int = Field(0, description="rows processed so far")
    current_file: str | None = Field(None, description="the file or sheet being read")
    summary: Summary | None = Field(None, description="the ingest summary, once done")
    error: str | None = Field(None, description="why the job failed")
    pid: int = Field(description="the server process that runs the job")


def _now() -> datetime:
    return datetime.now(UTC)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def safe_file_name(name: str) -> str:
    """The upload's base name, refused when it could leave its directory or is not a source.

    >>> safe_file_name("企业登记.CSV")
    '企业登记.CSV'
    >>> safe_file_name("../etc/passwd.csv")
    Traceback (most recent call last):
    ...
    graph.exc.SchemaViolation: file name '../etc/passwd.csv': a plain file name is expected
    """
    base = name.strip()
    if not base or base != Path(base).name or base.startswith(".") or "\\" in base or "\0" in base:
        raise SchemaViolation(f"file name {name!r}: a plain file name is expected")
    if Path(base).suffix.lower() not in UPLOAD_SUFFIXES:
        allowed = ", ".join(UPLOAD_SUFFIXES)
        raise SchemaViolation(f"file name {name!r}: the type must be one of {allowed}")
    return base


class QuarantinedRow(BaseModel):
    """One problem of a refused row (a line of ``quarantine.csv``)."""

    model_config = ConfigDict(frozen=True)

    file: str
    sheet: str
    row: int
    field: str
    value: str
    reason: str
    detail: str


class QuarantinePage(BaseModel):
    """Part of a job's quarantine, in file order."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "job_id": "ij-3f2a9c0e5b7d4e1f",
                    "total": 1,
                    "offset": 0,
                    "rows": [
                        {
                            "file": "企业登记.csv",
                            "sheet": "",
                            "row": 7,
                            "field": "统一社会信用代码",
                            "value": "91220101MA00000115",
                            "reason": "invalid identifier",
                            "detail": "bad check character",
                        }
                    ],
                }
            ]
        },
    )

    job_id: str
    total: int = Field(description="problems in the whole file")
    offset: int
    rows: list[QuarantinedRow]


class _Progress:
    """Writes the job's progress at most every half second."""

    def __init__(self, board: JobBoard, job: IngestJob) -> None:
        self.board = board
        self.job = job
        self.saved = 0.0

    def start(self, file: str) -> None:
        self.job.current_file = file
        self._save(force=True)

    def advance(self, rows: int) -> None:
        self.job.rows_done += rows
        self._save()

    def _save(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.saved >= _SAVE_EVERY:
            self.board.save(self.job)
            self.saved = now


class JobBoard:
    """The jobs under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _dir(self, job_id: str) -> Path:
        if not JOB_ID.match(job_id):
            raise NotFound(f"no ingest job {job_id!r}")
        return self.root / job_id

    def save(self, job: IngestJob) -> None:
        """Write ``job.json`` atomically (a poll never reads half a file)."""
        path = self._dir(job.id) / "job.json"
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        # round_trip leaves the summary's computed fields out: they are derived when read.
        text = job.model_dump_json(indent=2, round_trip=True)
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)

    def create(
        self,
        file_name: str,
        chunks: Iterable[bytes],
        *,
        submitted_by: str,
        mapping: str | None = None,
        encoding: str | None = None,
        sheet: str | None = None,
        max_bytes: int | None = None,
    ) -> IngestJob:
        """Store an upload as a queued job (nothing of it is kept when it is refused)."""
        name = safe_file_name(file_name)
        job = IngestJob(
            id=f"ij-{uuid.uuid4().hex[:16]}",
            state=JobState.QUEUED,
            file=name,
            bytes=0,
            mapping=mapping,
            encoding=encoding,
            sheet=sheet,
            submitted_by=submitted_by,
            submitted_at=_now(),
            pid=os.getpid(),
        )
        upload = self._dir(job.id) / "upload"
        upload.mkdir(parents=True)
        try:
            with (upload / name).open("wb") as out:
                for chunk in chunks:
                    job.bytes += len(chunk)
                    if max_bytes is not None and job.bytes > max_bytes:
                        raise UploadTooLarge(f"the upload exceeds {max_bytes:,} bytes")
                    out.write(chunk)
        except BaseException:
            self.discard(job.id)
            raise
        self.save(job)
        return job

    def discard(self, job_id: str) -> None:
        """Remove a job's directory."""
        shutil.rmtree(self._dir(job_id))

    def get(self, job_id: str) -> IngestJob:
        """The job as it stands (``interrupted`` if its process is gone); NotFound if none."""
        path = self._dir(job_id) / "job.json"
        if not path.is_file():
            raise NotFound(f"no ingest job {job_id!r}")
        job = IngestJob.model_validate_json(path.read_bytes())
        if job.state in (JobState.QUEUED, JobState.RUNNING) and not _alive(job.pid):
            job.state = JobState.INTERRUPTED
            job.error = (
                "the server process running the job stopped; upload the file again "
                "(an ingest is idempotent: nothing already loaded is doubled)"
            )
        return job

    def list(self, limit: int = 50) -> list[IngestJob]:
        """The newest jobs first."""
        jobs = [self.get(p.parent.name) for p in self.root.glob("ij-*/job.json")]
        jobs.sort(key=lambda j: j.submitted_at, reverse=True)
        return jobs[:limit]

    def quarantine(self, job_id: str) -> Path:
        """The job's quarantine file (NotFound before the job has written one)."""
        path = self._dir(job_id) / "quarantine.csv"
        if not path.is_file():
            raise NotFound(f"ingest job {job_id!r} has no quarantine file (yet)")
        return path

    def quarantined(self, job_id: str, offset: int = 0, limit: int = 100) -> QuarantinePage:
        """A page of the job's quarantine file as rows."""
        with self.quarantine(job_id).open(encoding="utf-8-sig", newline="") as handle:
            lines = list(csv.DictReader(handle))
        rows = [QuarantinedRow.model_validate(line) for line in lines[offset : offset + limit]]
        return QuarantinePage(job_id=job_id, total=len(lines), offset=offset, rows=rows)

    def run(self, job_id: str, store: GraphStore) -> IngestJob:
        """Ingest the job's upload into ``store``, recording progress and the outcome."""
        job = self.get(job_id)
        directory = self._dir(job_id)
        job.state, job.started_at, job.pid = JobState.RUNNING, _now(), os.getpid()
        self.save(job)
        options = IngestOptions(
            mapping=job.mapping,
            encoding=job.encoding,
            sheet=job.sheet,
            out_dir=directory,
            store_label="store",
        )
        try:
            summary = ingest_paths([directory / "upload"], store, options, _Progress(self, job))
        except Exception as err:  # the job records why; the server goes on
            job.state, job.error = JobState.FAILED, f"{type(err).__name__}: {err}"
        else:
            job.state, job.summary = JobState.DONE, summary
        job.finished_at = _now()
        job.current_file = None
        self.save(job)
        return job
