"""POST /v1/ingest/jobs: an upload becomes a background job that is polled to its summary."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ingest.checksum import graph_checksum
from ingest.jobs import JobBoard, JobState
from tests.api.conftest import Api, MakeApi

# A Chinese-header enterprise register, GBK-encoded as provincial systems export it; the
# third row's USCC has a wrong check character.
REGISTER = (
    "统一社会信用代码,企业名称,企业类型,法定代表人,法定代表人证件号码,注册地址,联系电话\n"
    "91220101MA00000114,长春甲运输有限公司,道路运输企业,王军,110101198001010010,长春市人民大街1号,0431-88886666\n"
    "91220101MA00000228,长春乙物流有限公司,道路运输企业,王军,110101198001010010,长春市解放大路8号,13800138000\n"
    "91220101MA00000115,长春错码有限公司,道路运输企业,李娜,110101197505050038,长春市自由大路12号,13900139000\n"
).encode("gbk")
JOBS = "/v1/ingest/jobs"


def _upload(api: Api, body: bytes, role: str = "admin", **params: str) -> Any:
    return api.client.post(
        JOBS,
        params={"filename": "企业登记.csv", **params},
        content=body,
        headers={**api.headers(role), "Content-Type": "application/octet-stream"},
    )


def _finished(api: Api, location: str, timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.get(location).json()
        if job["state"] not in ("queued", "running"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"the job at {location} did not finish in {timeout} s")


def test_upload_ingests_in_the_background_and_quarantines_the_bad_row(api_on: Api) -> None:
    response = _upload(api_on, REGISTER)
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    assert location == f"{JOBS}/{response.json()['id']}"
    job = _finished(api_on, location)
    assert job["state"] == "done", job
    totals = job["summary"]["totals"]
    assert (totals["rows_read"], totals["loaded"], totals["quarantined"]) == (3, 2, 1)
    assert job["summary"]["balanced"] is True
    assert job["rows_done"] == 3
    # the loaded company is in the graph, with its legal representative
    yi = api_on.get("/v1/entities/Enterprise/91220101MA00000228").json()
    assert yi["entity"]["props"]["name"] == "长春乙物流有限公司"
    # the refused row, with its field and reason
    page = api_on.get(f"{location}/quarantine").json()
    assert page["total"] == 1
    (row,) = page["rows"]
    assert (row["row"], row["field"], row["reason"]) == (
        4,
        "统一社会信用代码",
        "invalid identifier",
    )
    csv_file = api_on.get(f"{location}/quarantine", params={"format": "csv"})
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert csv_file.content.decode("utf-8-sig").splitlines()[0].startswith("file,sheet,row")


def test_uploading_the_same_file_again_changes_nothing(api: Api) -> None:
    first = _finished(api, _upload(api, REGISTER).headers["Location"])
    before = graph_checksum(api.app.state.store)
    again = _finished(api, _upload(api, REGISTER).headers["Location"])
    assert again["state"] == "done" and again["id"] != first["id"]
    assert again["summary"]["nodes_written"] == 0  # unchanged nodes are not even written
    assert graph_checksum(api.app.state.store) == before


def test_jobs_are_listed_newest_first_and_audited(api: Api) -> None:
    first = _upload(api, REGISTER).json()["id"]
    second = _upload(api, REGISTER, mapping="cn-enterprise").json()["id"]
    _finished(api, f"{JOBS}/{second}")
    listed = [job["id"] for job in api.get(JOBS).json()["jobs"]]
    assert listed[:2] == [second, first]
    subjects = [json.loads(line).get("subject") for line in api.audit_lines]
    assert f"ingest:{first}" in subjects and f"ingest:{second}" in subjects
    mappings = api.get("/v1/ingest/mappings").json()["mappings"]
    assert "cn-enterprise" in mappings and "canonical:nodes/enterprise" in mappings


@pytest.mark.parametrize("role", ["public", "investigator", "reviewer", "analyst"])
def test_only_admins_may_upload(api: Api, role: str) -> None:
    assert _upload(api, REGISTER, role=role).status_code == 403
    assert api.get(JOBS, role=role).status_code == 403
    assert not (api.settings.data_dir / "ingest-jobs").exists()


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({"filename": "../企业登记.csv"}, "a plain file name"),
        ({"filename": "企业登记.exe"}, "the type must be one of"),
        ({"mapping": "/etc/passwd"}, "not a built-in mapping"),
    ],
)
def test_bad_uploads_are_refused_and_leave_nothing(
    api: Api, params: dict[str, str], why: str
) -> None:
    response = _upload(api, REGISTER, **params)
    assert response.status_code == 422
    assert why in response.json()["detail"]
    assert not list((api.settings.data_dir / "ingest-jobs").glob("ij-*"))


def test_an_upload_over_the_limit_is_refused(make_api: MakeApi) -> None:
    api = make_api(api_max_upload_mb=1)
    response = _upload(api, REGISTER * (1 + 1024 * 1024 // len(REGISTER)))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert not list((api.settings.data_dir / "ingest-jobs").glob("ij-*"))


def test_unknown_and_malformed_job_ids(api: Api) -> None:
    assert api.get(f"{JOBS}/ij-0123456789abcdef").status_code == 404
    assert api.get(f"{JOBS}/ij-0123456789abcdef/quarantine").status_code == 404
    assert api.get(f"{JOBS}/../../keys.yaml").status_code in (404, 422)
    assert api.get(f"{JOBS}/not-a-job").status_code == 422


def test_a_job_whose_process_died_is_reported_interrupted(tmp_path: Path) -> None:
    board = JobBoard(tmp_path)
    job = board.create("a.csv", [b"uscc,name\n"], submitted_by="clerk")
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    board.save(job.model_copy(update={"state": JobState.RUNNING, "pid": int(gone.stdout)}))
    seen = board.get(job.id)
    assert seen.state is JobState.INTERRUPTED
    assert "upload the file again" in (seen.error or "")
