"""Load test of the HTTP API on loopback with wrk: Neo4j store, 1 vs 2 uvicorn workers.

    python -m bench.api_load load --neo4j bolt://127.0.0.1:7694 --scale 1000000
    python -m bench.api_load run  --neo4j bolt://127.0.0.1:7694 --duration 300 --restart

``load`` EMPTIES the Neo4j database and streams ``ingest.generate(scale, seed)`` into it.
``run`` samples entity keys from the store, then for 1 and 2 workers starts
``creditlink serve`` against that store and drives it with ``wrk`` (a Lua script picks a
random key per request; a reviewer key, so responses go through masking and the audit log)
for ``--duration`` seconds after a warm-up (at ``--connections``), then for
``--sweep-duration`` seconds at each of the ``--sweep`` connection counts (fewer clients:
lower latency, the other side of Little's law): throughput, latency percentiles, errors.  The
related 2-hop route is measured too when the server's OpenAPI has one, with an analyst key
(reviewers may not investigate; analysts see names, so ID numbers are still masked).  With
``--restart`` a further run stops Neo4j after a while and starts it again
(``scripts/neo4j`` with the ``CREDITLINK_NEO4J_*`` variables of the environment: use your
own instance), and counts per second the 200s, 503s and anything else.  Figures go to
docs/benchmarks.md (``api_load``).

Needs ``wrk`` on PATH (Debian: ``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import neo4j

from api.security import hash_key
from bench.report import machine_line, write_section
from graph.model import load_model
from graph.stores.neo4j import Neo4jStore
from ingest.generate import generate

ROOT = Path(__file__).resolve().parent.parent
BATCH = 20_000
REVIEWER_KEY = "clk_bench-reviewer-key"
# /v1/related needs investigations:read, which reviewers lack.
ANALYST_KEY = "clk_bench-analyst-key"

# wrk script: random path per request, status counts per second, percentiles as JSON.
LUA = r"""
local paths = {PATHS}
local threads = {}
counts = {}  -- global: done() reads each thread's copy with thread:get
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  counts = {}
  math.randomseed(os.time() + math.random(1000))
end
function request()
  return wrk.format("GET", paths[math.random(#paths)], {["X-API-Key"] = "KEY"})
end
function response(status, headers, body)
  local key = os.time() .. ":" .. status  -- flat keys: wrk copies flat tables between states
  counts[key] = (counts[key] or 0) + 1
end
function done(summary, latency, requests)
  local timeline = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for key, n in pairs(c) do
      timeline[key] = (timeline[key] or 0) + n
    end
  end
  local parts = {}
  for key, n in pairs(timeline) do
    table.insert(parts, string.format('"%s":%d', key, n))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"timeout":%d,"status":%d,"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,' ..
    '"timeline":{%s}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, table.concat(parts, ",")))
end
"""


class Row(NamedTuple):
    """One measured wrk run."""

    route: str
    workers: int
    connections: int
    seconds: int
    result: dict[str, Any]
    load_avg: str


def _driver(args: argparse.Namespace) -> neo4j.Driver:
    return neo4j.GraphDatabase.driver(args.neo4j, auth=("neo4j", args.password))


def load(args: argparse.Namespace) -> None:
    """Empty the database and stream the generated graph into it."""
    model = load_model()
    graph = generate(args.scale, seed=args.seed, model=model)
    with _driver(args) as driver:
        store = Neo4jStore(driver, model)
        store.clear()
        started = time.perf_counter()
        for what, items in (("nodes", graph.nodes()), ("edges", graph.edges())):
            done = 0
            iterator = iter(items)
            while batch := list(islice(iterator, BATCH)):
                if what == "nodes":
                    store.upsert_nodes(batch)  # type: ignore[arg-type]
                else:
                    store.upsert_edges(batch)  # type: ignore[arg-type]
                done += len(batch)
                rate = done / (time.perf_counter() - started)
                print(f"{what}: {done:,} ({rate:,.0f}/s)", flush=True)
        counts = store.counts()
    print(
        f"loaded {counts.total_nodes:,} nodes, {counts.total_edges:,} relationships "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def _sample_paths(args: argparse.Namespace) -> list[str]:
    """Entity paths: enterprises and persons at random (persons exercise the masking)."""
    query = "MATCH (n:`{label}`) WITH n, rand() AS r ORDER BY r LIMIT $n RETURN n.key AS key"
    rng = random.Random(args.seed)
    paths: list[str] = []
    with _driver(args) as driver:
        for label, share in (("Enterprise", 0.7), ("Person", 0.3)):
            n = int(args.sample * share)
            records, _, _ = driver.execute_query(query.format(label=label), {"n": n})
            paths += [f"/v1/entities/{label}/{r['key']}" for r in records]
    rng.shuffle(paths)
    return paths


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _server(args: argparse.Namespace, workers: int, data_dir: Path) -> Iterator[str]:
    port = _free_port()
    keys = data_dir / "keys.yaml"
    keys.write_text(
        f"keys:\n  - id: bench\n    role: reviewer\n    sha256: {hash_key(REVIEWER_KEY)}\n"
        f"  - id: bench-analyst\n    role: analyst\n    sha256: {hash_key(ANALYST_KEY)}\n"
    )
    env = {
        **os.environ,
        "CREDITLINK_STORE": args.neo4j,
        "CREDITLINK_NEO4J_PASSWORD": args.password,
        "CREDITLINK_DATA_DIR": str(data_dir),
        "CREDITLINK_API_KEYS_FILE": str(keys),
        "CREDITLINK_AUDIT_FILE": str(data_dir / f"audit-{workers}.jsonl"),
    }
    command = [sys.executable, "-m", "api", "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    # The server's log goes to a file: an unread pipe fills up during an outage (one warning
    # per failed request) and then blocks every worker on its next log line.
    log = (data_dir / f"server-{workers}.log").open("ab")
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/v1/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                tail = (data_dir / f"server-{workers}.log").read_text(errors="replace")[-2000:]
                raise SystemExit(f"server did not start: {tail}")
            time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # uvicorn waiting on a connection: stop it hard
            server.kill()
            server.wait(timeout=30)
        log.close()


def _wrk(
    base: str, paths: list[str], seconds: int, connections: int, key: str = REVIEWER_KEY
) -> dict[str, Any]:
    script = LUA.replace("{PATHS}", "{" + ",".join(json.dumps(p) for p in paths) + "}")
    script = script.replace('"KEY"', json.dumps(key))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", fh.name, base]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(fh.name).unlink()
    line = next(x for x in out.splitlines() if x.startswith("WRK-JSON "))
    result: dict[str, Any] = json.loads(line.removeprefix("WRK-JSON "))
    timeline: dict[str, dict[str, int]] = {}
    for key, n in result["timeline"].items():
        second, status = key.split(":")
        timeline.setdefault(second, {})[status] = n
    result["timeline"] = timeline
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["non_200"] = sum(
        n for bucket in result["timeline"].values() for s, n in bucket.items() if s != "200"
    )
    return result


def _related_paths(base: str, paths: list[str]) -> list[str] | None:
    spec = httpx.get(f"{base}/openapi.json", timeout=10).json()
    template = next((p for p in spec["paths"] if p.startswith("/v1/related/")), None)
    if template is None:
        return None
    out = []
    for path in paths:
        _, _, _, kind, key = path.split("/", 4)
        out.append(template.replace("{kind}", kind).replace("{key}", key) + "?hops=2")
    return out


def _load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def run(args: argparse.Namespace) -> None:
    """Measure lookups (and related, if routed) with 1 and 2 workers; optionally a restart."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    paths = _sample_paths(args)
    print(f"{len(paths)} entity paths sampled", flush=True)
    rows: list[Row] = []
    notes: list[str] = []
    restart: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="creditlink-bench-") as tmp:
        for workers in args.workers:
            with _server(args, workers, Path(tmp)) as base:
                measured = _Runs(args, base, workers, rows)
                measured.run("entity lookup", paths, args.connections, args.duration)
                for connections in args.sweep:
                    measured.run("entity lookup", paths, connections, args.sweep_duration)
                related = _related_paths(base, paths)
                if related is None:
                    note = "related 2-hop: no /v1/related route yet, not measured."
                    notes += [] if note in notes else [note]
                else:
                    measured.run("related 2-hop", related, args.connections, args.related_duration)
        if args.restart:
            restart = _restart_run(args, paths, Path(tmp))
    _report(args, rows, notes, restart)


class _Runs:
    """wrk runs against one server, appended to ``rows``."""

    def __init__(self, args: argparse.Namespace, base: str, workers: int, rows: list[Row]) -> None:
        self.args, self.base, self.workers, self.rows = args, base, workers, rows

    def run(self, route: str, paths: list[str], connections: int, seconds: int) -> None:
        key = ANALYST_KEY if route == "related 2-hop" else REVIEWER_KEY
        _wrk(self.base, paths, self.args.warmup, connections, key)
        result = _wrk(self.base, paths, seconds, connections, key)
        row = Row(route, self.workers, connections, seconds, result, _load_average())
        self.rows.append(row)
        print(
            f"{route}, {self.workers} worker(s), {connections} connections: {_summary(result)}",
            flush=True,
        )


def _summary(result: dict[str, Any]) -> str:
    return (
        f"{result['rps']:.0f} req/s, p50 {result['p50'] / 1000:.1f} ms, "
        f"p95 {result['p95'] / 1000:.1f} ms, p99 {result['p99'] / 1000:.1f} ms, "
        f"non-200 {result['non_200']}, socket errors "
        f"{result['connect'] + result['read'] + result['write'] + result['timeout']}"
    )


def _poll(base: str, paths: list[str], until: float, seed: int) -> dict[str, dict[str, int]]:
    """One client connection issuing lookups back to back; statuses per second."""
    rng = random.Random(seed)
    timeline: dict[str, dict[str, int]] = {}
    with httpx.Client(base_url=base, timeout=30, headers={"X-API-Key": REVIEWER_KEY}) as client:
        while time.time() < until:
            try:
                status = str(client.get(rng.choice(paths)).status_code)
            except httpx.HTTPError as err:
                status = type(err).__name__
            bucket = timeline.setdefault(str(int(time.time())), {})
            bucket[status] = bucket.get(status, 0) + 1
    return timeline


def _restart_run(args: argparse.Namespace, paths: list[str], tmp: Path) -> dict[str, Any]:
    """``connections`` Python clients for ``restart_duration`` s; Neo4j is stopped after 20 s
    and started again.  (Python clients, not wrk: wrk stopped counting responses once the
    outage began, while the server answered other clients; this run checks statuses, not
    throughput.)"""
    workers = max(args.workers)
    script = ROOT / "scripts" / "neo4j"
    with _server(args, workers, tmp) as base:
        until = time.time() + args.restart_duration
        events: dict[str, float] = {}
        with ThreadPoolExecutor(max_workers=args.connections) as pool:
            futures = [pool.submit(_poll, base, paths, until, n) for n in range(args.connections)]
            time.sleep(20)
            events["stop"] = time.time()
            subprocess.run([str(script), "stop"], check=True, capture_output=True)
            events["stopped"] = time.time()
            subprocess.run([str(script), "start"], check=True, capture_output=True)
            events["started"] = time.time()
            timelines = [f.result() for f in futures]
    merged: dict[str, dict[str, int]] = {}
    for timeline in timelines:
        for second, bucket in timeline.items():
            into = merged.setdefault(second, {})
            for status, n in bucket.items():
                into[status] = into.get(status, 0) + n
    result: dict[str, Any] = {"timeline": merged, "events": events}
    counts = [n for bucket in merged.values() for n in bucket.values()]
    print(f"restart run: {sum(counts)} responses; events {events}", flush=True)
    for second, bucket in sorted(merged.items()):
        marks = " ".join(f"{status}x{n}" for status, n in sorted(bucket.items()))
        print(f"  {int(second) - int(events['stop']):+4d} s: {marks}", flush=True)
    return result


def _timeline_verdict(result: dict[str, Any]) -> tuple[int, int, int, int, int]:
    """(200s, 503s, others, 200s and others in the seconds after the last 503)."""
    timeline = sorted((int(s), b) for s, b in result["timeline"].items())
    ok = sum(b.get("200", 0) for _, b in timeline)
    unavailable = sum(b.get("503", 0) for _, b in timeline)
    others = sum(n for _, b in timeline for s, n in b.items() if s not in ("200", "503"))
    last_503 = max((s for s, b in timeline if b.get("503")), default=None)
    later = [b for s, b in timeline if last_503 is not None and s > last_503]
    ok_after = sum(b.get("200", 0) for b in later)
    others_after = sum(n for b in later for status, n in b.items() if status != "200")
    return ok, unavailable, others, ok_after, others_after


def _report(
    args: argparse.Namespace,
    rows: list[Row],
    notes: list[str],
    restart: dict[str, Any] | None,
) -> None:
    lines = [
        "## HTTP API under load (`bench/api_load.py`)",
        "",
        machine_line(),
        f"Neo4j store loaded with `generate({args.scale}, seed={args.seed})`; wrk on loopback, "
        f"2 threads, each run after a {args.warmup} s warm-up; random keys from {args.sample} "
        "sampled entities (70 % "
        "enterprises, 30 % persons), a reviewer key (related: an analyst key; masking and audit "
        "log on). wrk, Neo4j and the workers share the same 2 cores; the load average "
        "(1/5/15 min) at the end of each run shows what else was running.",
        "",
        "| route | workers | connections | seconds | req/s | p50 ms | p95 ms | p99 ms "
        "| non-200 | socket errors | load avg |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        r = row.result
        errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
        lines.append(
            f"| {row.route} | {row.workers} | {row.connections} | {row.seconds} "
            f"| {r['rps']:.0f} | {r['p50'] / 1000:.1f} | {r['p95'] / 1000:.1f} "
            f"| {r['p99'] / 1000:.1f} | {r['non_200']} | {errors} | {row.load_avg} |"
        )
    lookups = [row.result for row in rows if row.route == "entity lookup"]
    if lookups:
        passing = [r for r in lookups if r["rps"] >= 500 and r["p95"] / 1000 < 20]
        best = max(passing or lookups, key=lambda r: r["rps"])
        lines += [
            "",
            "Against the target (entity lookup ≥ 500 req/s with p95 < 20 ms): "
            + (
                f"met ({best['rps']:.0f} req/s with p95 {best['p95'] / 1000:.1f} ms)."
                if passing
                else f"**not met** on this machine (best {best['rps']:.0f} req/s, p95 "
                f"{best['p95'] / 1000:.1f} ms)."
            ),
        ]
    lines += ["", *notes]
    if restart is not None:
        ok, unavailable, others, ok_after, after = _timeline_verdict(restart)
        ev = restart["events"]
        lines += [
            "",
            f"Neo4j restarted during a {args.restart_duration} s run ({max(args.workers)} "
            f"workers): stopped {ev['stop'] - min(map(int, restart['timeline'])):.0f} s in, "
            f"down for {ev['started'] - ev['stop']:.0f} s (stop + start). Responses: {ok} × "
            f"200, {unavailable} × 503 (with Retry-After), {others} other; after the last "
            f"503: {ok_after} × 200 and {after} non-200 ({args.connections} Python "
            "clients issuing lookups back to back; transport errors count as other). "
            + (
                "**Recovered** without an API restart."
                if ok_after and not after
                else "**Did not recover** within the run: see the per-second timeline."
            ),
        ]
    body = "\n".join(lines)
    print(body)
    if not args.no_report:
        write_section("api_load", body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["load", "run"])
    parser.add_argument("--neo4j", default="bolt://127.0.0.1:7687")
    parser.add_argument("--password", default="creditlink-test")
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sample", type=int, default=2000, help="entities to draw keys from")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=60, help="seconds of the main lookup run")
    parser.add_argument(
        "--sweep", type=int, nargs="*", default=[4, 8], help="more lookup runs at these connections"
    )
    parser.add_argument("--sweep-duration", type=int, default=60)
    parser.add_argument("--related-duration", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--restart", action="store_true", help="also restart Neo4j mid-run")
    parser.add_argument("--restart-duration", type=int, default=120)
    parser.add_argument("--no-report", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args()
    load(args) if args.command == "load" else run(args)


if __name__ == "__main__":
    main()
