"""The audit log: one record per credit-data request, append-only, readable by admins."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from api.audit import AuditLog, AuditQuery
from tests.api.conftest import Api

ENTITY = "/v1/entities/Enterprise/91110000600037341L"


def _records(api: Api) -> list[dict[str, object]]:
    return [json.loads(line) for line in api.audit_lines]


def test_each_credit_request_is_recorded(api: Api) -> None:
    api.get(ENTITY, role="reviewer")
    api.get("/v1/entities/Enterprise/91110000600037341X", role="reviewer")
    api.get("/v1/entities", params={"q": "王军"}, role=None)
    api.get("/v1/audit", role="analyst")
    api.client.get(ENTITY, headers={"X-API-Key": "clk_forged"})
    records = _records(api)
    assert [(r["key_id"], r["role"], r["status"], r["outcome"]) for r in records] == [
        ("reviewer-key", "reviewer", 200, "ok"),
        ("reviewer-key", "reviewer", 422, "invalid"),
        (None, "public", 200, "ok"),
        ("analyst-key", "analyst", 403, "denied"),
        (None, None, 401, "denied"),
    ]
    first = records[0]
    assert first["endpoint"] == "/v1/entities/{kind}/{key}"
    assert first["path"] == ENTITY
    assert first["subject"] == "Enterprise:91110000600037341L"
    assert first["method"] == "GET"
    assert datetime.fromisoformat(str(first["time"])) <= datetime.now(UTC)
    assert records[1]["subject"] == "Enterprise:91110000600037341X"  # as asked, refused
    assert records[2]["subject"] == "search:王军"
    assert records[2]["endpoint"] == "/v1/entities"


def test_request_id_links_response_and_record(api: Api) -> None:
    response = api.get(ENTITY)
    assert _records(api)[-1]["request_id"] == response.headers["x-request-id"]


def test_probes_and_docs_are_not_audited(api: Api) -> None:
    api.get("/v1/health", role=None)
    api.get("/v1/ready", role=None)
    api.client.get("/openapi.json")
    api.get("/v1/nowhere")
    assert api.audit_lines == []


def test_admin_reads_the_log_newest_first_with_filters(api: Api) -> None:
    api.get(ENTITY, role="reviewer")
    api.get("/v1/entities/Person/110101199003070011", role="investigator")
    api.get("/v1/audit/verify", role="public")
    page = api.get("/v1/audit", role="admin").json()
    assert page["matched"] == 3
    newest_first = ["public-key", "investigator-key", "reviewer-key"]
    assert [r["key_id"] for r in page["records"]] == newest_first
    only = api.get("/v1/audit", params={"key_id": "reviewer-key"}).json()
    assert [r["subject"] for r in only["records"]] == ["Enterprise:91110000600037341L"]
    denied = api.get("/v1/audit", params={"outcome": "denied"}).json()
    assert [r["endpoint"] for r in denied["records"]] == ["/v1/audit/verify"]
    subject = api.get("/v1/audit", params={"subject": "Person:110101199003070011"}).json()
    assert subject["matched"] == 1
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert api.get("/v1/audit", params={"since": later}).json()["matched"] == 0
    naive = datetime.now().replace(year=2000).isoformat()  # no zone: read as UTC
    assert api.get("/v1/audit", params={"since": naive}).json()["matched"] >= 3
    assert len(api.get("/v1/audit", params={"limit": 2}).json()["records"]) == 2
    # Reading the log is itself recorded.
    assert _records(api)[-1]["endpoint"] == "/v1/audit"


def test_the_admin_sees_persons_unmasked_in_the_log(api: Api) -> None:
    api.get("/v1/entities/Person/110101199003070011", role="public")
    records = api.get("/v1/audit", role="admin").json()["records"]
    assert records[0]["subject"] == "Person:110101199003070011"


def test_log_only_grows_and_the_chain_holds(api: Api) -> None:
    sizes = []
    for _ in range(3):
        api.get(ENTITY)
        sizes.append(api.settings.audit_log_file.stat().st_size)
    assert sizes == sorted(sizes) and len(set(sizes)) == 3
    report = api.get("/v1/audit/verify").json()
    # The verify request itself is recorded once it has been answered.
    assert report == {"records": 3, "intact": True, "first_broken_line": None}


def test_verify_finds_an_edited_or_deleted_line(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    for n in range(5):
        log.append(
            key_id="k",
            role="admin",
            method="GET",
            endpoint="/v1/x",
            path=f"/v1/x/{n}",
            subject=str(n),
            status=200,
            request_id=str(n),
        )
    assert log.verify().intact
    lines = log.path.read_text().splitlines()
    edited = [*lines[:2], lines[2].replace('"status":200', '"status":404'), *lines[3:]]
    log.path.write_text("\n".join(edited) + "\n")
    assert log.verify().first_broken_line == 4
    log.path.write_text("\n".join([*lines[:2], *lines[3:]]) + "\n")
    report = log.verify()
    assert not report.intact and report.first_broken_line == 3
    log.close()


def test_concurrent_appends_keep_one_chain(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    # A second handle on the same file stands for a second worker process.
    other = AuditLog(tmp_path / "audit.jsonl")

    def write(target: AuditLog, who: str) -> None:
        for n in range(50):
            target.append(
                key_id=who,
                role="admin",
                method="GET",
                endpoint="/v1/x",
                path="/v1/x",
                subject=str(n),
                status=200,
                request_id=f"{who}{n}",
            )

    threads = [
        threading.Thread(target=write, args=(target, who))
        for target, who in ((log, "a"), (other, "b"), (log, "c"), (other, "d"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = log.verify()
    assert report.intact and report.records == 200
    records, matched = log.read(AuditQuery(limit=1000, key_id="b"))
    assert matched == 50 and len(records) == 50
    log.close()
    other.close()
