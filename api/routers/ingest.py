"""Ingest over HTTP: upload a file, poll its background job, fetch its quarantine (admins).

The body of ``POST /v1/ingest/jobs`` is the file itself (``curl --data-binary @file.csv``),
its name and options in the query string; the answer is ``202 Accepted`` with the job and
its ``Location``.  Jobs run one at a time per server process, in a background thread, on
the store the API serves (:mod:`ingest.jobs`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from api.deps import AuditDep, PrincipalDep, Requires, SettingsDep, StoreDep
from api.errors import problem_responses
from api.routers import API_PREFIX
from api.security import Permission
from graph.exc import SchemaViolation
from graph.model import GraphModel
from graph.settings import Settings
from ingest.jobs import JOB_ID, IngestJob, JobBoard, QuarantinePage, UploadTooLarge
from ingest.mappings import builtin_mappings

__all__ = ["TAG", "router"]

TAG = {
    "name": "ingest",
    "description": "Upload files into the graph as background jobs you can poll (admins).",
}
router = APIRouter(
    prefix=f"{API_PREFIX}/ingest",
    tags=["ingest"],
    dependencies=[Requires(Permission.INGEST_WRITE)],
)

JobId = Annotated[
    str,
    Path(
        description="the job id (ij-…)",
        pattern=JOB_ID.pattern,
        openapi_examples={"job": {"value": "ij-3f2a9c0e5b7d4e1f"}},
    ),
]


class JobList(BaseModel):
    """The newest jobs first."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={"examples": [{"jobs": IngestJob.model_json_schema()["examples"]}]},
    )

    jobs: list[IngestJob]


class MappingList(BaseModel):
    """Built-in mappings an upload may name."""

    model_config = ConfigDict(
        frozen=True, json_schema_extra={"examples": [{"mappings": ["cn-enterprise", "ftm"]}]}
    )

    mappings: list[str]


@lru_cache(maxsize=4)
def _mapping_names(model: GraphModel) -> tuple[str, ...]:
    """Built-in mapping names (parsing them takes ~0.1 s: once per vocabulary)."""
    return tuple(m.name for m in builtin_mappings(model))


def _board(settings: Settings) -> JobBoard:
    return JobBoard(settings.data_dir / "ingest-jobs")


def _runner(request: Request) -> ThreadPoolExecutor:
    """One ingest at a time per process: jobs queue behind each other."""
    state = request.app.state
    if getattr(state, "ingest_runner", None) is None:
        state.ingest_runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")
    runner: ThreadPoolExecutor = state.ingest_runner
    return runner


@router.get(
    "/mappings",
    summary="Built-in mappings an upload may name",
    response_model=MappingList,
    responses=problem_responses(401, 403),
)
def list_mappings(store: StoreDep) -> MappingList:
    """Names for the ``mapping`` option of an upload (none = chosen from the headers)."""
    return MappingList(mappings=list(_mapping_names(store.model)))


@router.post(
    "/jobs",
    summary="Upload a file to ingest in the background",
    status_code=202,
    response_model=IngestJob,
    responses=problem_responses(401, 403, 413, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "the file's bytes (CSV, TSV, XLSX, JSON Lines or FtM JSON)",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def upload(
    request: Request,
    response: Response,
    settings: SettingsDep,
    store: StoreDep,
    principal: PrincipalDep,
    audit: AuditDep,
    filename: Annotated[
        str,
        Query(
            min_length=1,
            max_length=255,
            description="the file's name; its suffix says how to read it",
            openapi_examples={"register": {"value": "企业登记.csv"}},
        ),
    ],
    mapping: Annotated[
        str | None, Query(description="a built-in mapping (GET /v1/ingest/mappings)")
    ] = None,
    encoding: Annotated[
        str | None, Query(max_length=40, description="text encoding (else detected)")
    ] = None,
    sheet: Annotated[
        str | None, Query(max_length=100, description="one sheet of a workbook")
    ] = None,
) -> IngestJob:
    """Store the upload as a job and start it; poll ``Location`` for progress and summary."""
    # Names only: a mapping path would let a caller make the server read its own files.
    if mapping is not None and mapping not in _mapping_names(store.model):
        raise SchemaViolation(f"mapping {mapping!r} is not a built-in mapping")
    board = _board(settings)
    limit = settings.api_max_upload_mb * 1024 * 1024
    body = await _body(request, limit)
    job = await run_in_threadpool(  # writing the upload must not block the event loop
        board.create,
        filename,
        body,
        submitted_by=principal.key_id or principal.role.value,
        mapping=mapping,
        encoding=encoding,
        sheet=sheet,
        max_bytes=limit,
    )
    audit.subject = f"ingest:{job.id}"
    _runner(request).submit(board.run, job.id, store)
    response.headers["Location"] = f"{API_PREFIX}/ingest/jobs/{job.id}"
    return job


async def _body(request: Request, limit: int) -> list[bytes]:
    """The body's chunks; refused as soon as it exceeds ``limit`` (not read to its end)."""
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise UploadTooLarge(f"the upload exceeds {limit:,} bytes")
        chunks.append(chunk)
    return chunks


@router.get(
    "/jobs",
    summary="The newest ingest jobs",
    response_model=JobList,
    responses=problem_responses(401, 403, 422),
)
def list_jobs(
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=500, description="most jobs returned")] = 50,
) -> JobList:
    """Jobs newest first, with their state and progress."""
    return JobList(jobs=_board(settings).list(limit))


@router.get(
    "/jobs/{job_id}",
    summary="An ingest job: state, progress, and its summary when done",
    response_model=IngestJob,
    responses=problem_responses(401, 403, 404, 422),
)
def get_job(job_id: JobId, settings: SettingsDep, audit: AuditDep) -> IngestJob:
    """Poll this until ``state`` is ``done``, ``failed`` or ``interrupted``."""
    audit.subject = f"ingest:{job_id}"
    return _board(settings).get(job_id)


@router.get(
    "/jobs/{job_id}/quarantine",
    summary="The rows a job refused, with file, row, field, value and reason",
    response_model=QuarantinePage,
    responses={
        200: {"content": {"text/csv": {}}, "description": "rows, or quarantine.csv (format=csv)"},
        **problem_responses(401, 403, 404, 422),
    },
)
def get_quarantine(
    job_id: JobId,
    settings: SettingsDep,
    audit: AuditDep,
    offset: Annotated[int, Query(ge=0, description="first problem returned")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="most problems returned")] = 100,
    format: Annotated[
        Literal["json", "csv"], Query(description="csv: the whole file (UTF-8 with BOM)")
    ] = "json",
) -> QuarantinePage | FileResponse:
    """The job's refused rows (empty when nothing was refused); 404 before it has run."""
    audit.subject = f"ingest:{job_id}"
    board = _board(settings)
    if format == "csv":
        path = board.quarantine(job_id)
        return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"{job_id}.csv")
    return board.quarantined(job_id, offset, limit)
