"""The ingest run: files in, a clean graph out, nothing lost.

For each file (canonical node files first, relationship files after, credit records last)
rows are read in batches; each batch is

1. mapped row by row (:class:`~ingest.rows.RowMapper`); exact duplicate rows are counted
   and skipped, refused rows go to the quarantine with their reasons;
2. checked: relationships that only *name* a node (canonical files) need it to exist in
   this run or in the store, else the row is quarantined (``unknown endpoint``);
3. resolved: nodes merged by key with what the store already holds (aliases kept);
4. written: changed nodes, then relationships, then credit records — and checkpointed,
   so a killed run resumes after the last committed batch.

>>> import tempfile
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> from ingest.generate import generate, write_generated
>>> data = Path(tempfile.mkdtemp())
>>> _ = write_generated(generate(300, seed=1), data)
>>> store = MemoryStore(load_model())
>>> summary = ingest_paths([data], store, IngestOptions())
>>> summary.balanced, summary.totals["quarantined"], store.counts().total_nodes
(True, 0, 300)
"""

from __future__ import annotations

import gc
import hashlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from graph.model import GraphModel, NodeRef
from graph.stores.base import GraphStore
from ingest.candidates import CandidateFinder
from ingest.checkpoint import Checkpoint, CheckpointFile, fingerprint
from ingest.mapping import Mapping, MappingError
from ingest.mappings import builtin_mappings, choose_mapping, find_mapping
from ingest.normalise import Reason
from ingest.report import FileSummary, QuarantineWriter, Summary
from ingest.rows import Problem, RowMapper, RowOutcome
from ingest.sources import Row, Source, open_source
from ingest.writer import BatchWriter, WriteBatch

__all__ = ["IngestOptions", "Progress", "collect_files", "ingest_paths"]

DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".xlsx", ".xlsm")


class IngestOptions(BaseModel):
    """How to run an ingest."""

    model_config = ConfigDict(extra="forbid")

    mapping: str | None = None  # a built-in mapping name or a YAML path; None = choose per file
    encoding: str | None = None  # force a text encoding (else detected)
    sheet: str | None = None  # one sheet of each workbook (else every sheet)
    batch_size: int = 5_000
    out_dir: Path | None = None  # where quarantine.csv and candidates.csv go
    state_dir: Path | None = None  # where checkpoints go (None: no resume)
    resume: bool = True
    store_label: str = "store"


class Progress(Protocol):
    """What the run reports while it works (the CLI draws a rich progress bar)."""

    def start(self, file: str) -> None:
        """A file begins."""

    def advance(self, rows: int) -> None:
        """``rows`` more rows were processed."""


class _Quiet:
    def start(self, file: str) -> None:
        """Nothing to show."""

    def advance(self, rows: int) -> None:
        """Nothing to show."""


def _rank(relative: str) -> tuple[int, str]:
    first = relative.replace("\\", "/").split("/")[0]
    order = {"nodes": 0, "relationships": 2, "credit": 3}
    return order.get(first, 1), relative


def collect_files(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """Data files under ``paths`` with the name used in reports, nodes before relationships.

    >>> collect_files([])
    []
    """
    found: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file() and file.suffix.lower() in DATA_SUFFIXES:
                    found.append((file, file.relative_to(path).as_posix()))
        elif path.exists():
            found.append((path, path.name))
        else:
            raise FileNotFoundError(path)
    return sorted(found, key=lambda item: _rank(item[1]))


def _row_digest(row: Row) -> bytes:
    """Identity of a row's content (same cells under the same headers, same sheet)."""
    text = "\x1e".join(f"{k}\x1f{type(v).__name__}\x1f{v}" for k, v in sorted(row.values.items()))
    return hashlib.blake2b(f"{row.sheet}\x1d{text}".encode(), digest_size=12).digest()


class _RowDigests:
    """:func:`_row_digest` for the rows of one file, faster when every cell is text (CSV).

    Rows are the same when their cells are the same under the same headers, whatever the
    order of the keys; a text-only row is digested from its cells in sorted-header order
    (the order found once per distinct header tuple), any other row as before.  Which of
    the two forms a row takes depends only on its content, so equal rows digest equally.

    >>> digests = _RowDigests()
    >>> a, b = Row(2, {"x": "1", "y": "2"}), Row(3, {"y": "2", "x": "1"})
    >>> digests(a) == digests(b), digests(a) == digests(Row(4, {"x": "1", "y": "3"}))
    (True, False)
    >>> digests(Row(5, {"x": 1, "y": "2"})) == digests(Row(6, {"x": "1", "y": "2"}))
    False
    """

    def __init__(self) -> None:
        self._plans: dict[tuple[str, ...], tuple[Callable[[dict[str, Any]], Any], str]] = {}

    def __call__(self, row: Row) -> bytes:
        """The row's digest."""
        values = row.values
        headers = tuple(values)
        plan = self._plans.get(headers)
        if plan is None:
            if len(headers) < 2:
                return _row_digest(row)
            order = sorted(headers)
            if len(self._plans) >= 1024:  # JSON lines may vary their keys: stay bounded
                self._plans.clear()
            prefix = "\x1c" + "\x1e".join(order) + "\x1d"
            plan = self._plans[headers] = (itemgetter(*order), prefix)
        cells, prefix = plan[0](values), plan[1]
        try:
            body = "\x1f".join(cells)
        except TypeError:  # not every cell is text
            return _row_digest(row)
        text = f"{row.sheet}\x1d{prefix}{body}"
        return hashlib.blake2b(text.encode(), digest_size=12).digest()


class _Run:
    """State of one ingest run across files."""

    def __init__(self, store: GraphStore, options: IngestOptions, summary: Summary) -> None:
        self.store = store
        self.model = store.model
        self.options = options
        self.summary = summary
        self.seen: set[str] = set()
        self.finder = CandidateFinder()
        self.explicit: Mapping | None = (
            find_mapping(options.mapping, self.model) if options.mapping else None
        )
        self.builtins = builtin_mappings(self.model)
        self.durable_each_batch = not hasattr(store, "flush")
        self.last_uid: str | None = None

    # -- one file ---------------------------------------------------------------------------
    def file(
        self,
        source: Source,
        rows: Iterator[Row],
        relative: str,
        quarantine: QuarantineWriter,
        checkpoint: Checkpoint,
        save: Callable[[Checkpoint], None],
        progress: Progress,
        writer: BatchWriter,
    ) -> FileSummary:
        first = next(rows, None)
        headers = list(first.values) if first is not None else []
        mapping = self.explicit or choose_mapping(relative, headers, self.builtins)
        stats = FileSummary(
            file=relative,
            mapping=mapping.name,
            encoding=getattr(source, "encoding", None),
            missing_columns=sorted(mapping.columns() - set(headers)) if first else [],
        )
        if first is None:
            return stats
        _require_key_columns(self.model, mapping, headers, relative)
        mapper = RowMapper(mapping, self.model, relative)
        wants_candidates = any(n.unresolved_by for n in mapping.nodes.values())
        digests: set[bytes] = set()
        digest_of = _RowDigests()
        done = checkpoint.batches.get(relative, 0)
        all_rows = _chain(first, rows)
        for number, batch in enumerate(_batches(all_rows, self.options.batch_size)):
            kept: list[tuple[Row, RowOutcome]] = []
            duplicates = 0
            for row in batch:
                digest = digest_of(row)
                if digest in digests:
                    duplicates += 1
                    continue
                digests.add(digest)
                outcome = mapper.map(row)
                if outcome.problems:
                    self._quarantine(stats, quarantine, relative, row, outcome.problems)
                    continue
                kept.append((row, outcome))
            stats.rows_read += len(batch)  # counted per batch: FileSummary is a pydantic model
            stats.duplicates += duplicates
            kept = self._check_refs(kept, stats, quarantine, relative)
            stats.loaded += len(kept)
            batch_out = self._collect(kept, stats)
            if number < done:
                self.summary.batches_resumed += 1
            else:
                if self.durable_each_batch:
                    probe = batch_out.nodes[0][0].ref.uid if batch_out.nodes else None
                    batch_out.after = _saver(checkpoint, relative, number + 1, save, probe)
                writer.submit(batch_out)
            if wants_candidates:
                self._sightings(kept)
            progress.advance(len(batch))
            gc.freeze()  # what survived the batch lives on: no collection walks it again
        return stats

    def _quarantine(
        self,
        stats: FileSummary,
        quarantine: QuarantineWriter,
        relative: str,
        row: Row,
        problems: list[Problem],
    ) -> None:
        stats.quarantined += 1
        reason = problems[0].reason.value
        stats.reasons[reason] = stats.reasons.get(reason, 0) + 1
        quarantine.write(relative, row, problems)

    def _check_refs(
        self,
        kept: list[tuple[Row, RowOutcome]],
        stats: FileSummary,
        quarantine: QuarantineWriter,
        relative: str,
    ) -> list[tuple[Row, RowOutcome]]:
        """Drop rows that name a node neither this run nor the store has."""
        unknown = {ref for _, out in kept for ref in out.refs if ref.uid not in self.seen}
        if not unknown:
            return kept
        existing = {n.ref.uid for n in self.store.get_nodes(sorted(unknown))}
        self.seen.update(existing)
        result = []
        for row, out in kept:
            missing = [ref for ref in out.refs if ref.uid not in self.seen]
            if not missing:
                result.append((row, out))
                continue
            problems = [
                Problem(f"{ref.kind}", ref.key, Reason.UNKNOWN_ENDPOINT, f"no {ref.kind} {ref.key}")
                for ref in missing
            ]
            self._quarantine(stats, quarantine, relative, row, problems)
        return result

    def _collect(self, kept: list[tuple[Row, RowOutcome]], stats: FileSummary) -> WriteBatch:
        """One write batch from the kept rows; their nodes count as seen from now on."""
        batch = WriteBatch()
        nodes, edges, credit = batch.nodes, batch.edges, batch.credit
        seen = self.seen
        for row, out in kept:
            if out.nodes:
                where = f"{stats.file}:{row.number}"
                for node in out.nodes:
                    nodes.append((node, where))
                    seen.add(f"{node.kind}:{node.key}")  # node.ref.uid
                self.last_uid = nodes[-1][0].ref.uid
            edges.extend(out.edges)
            credit.extend(out.credit)
        stats.nodes += len(nodes)
        stats.edges += len(edges)
        stats.credit_records += len(credit)
        return batch

    def _sightings(self, kept: list[tuple[Row, RowOutcome]]) -> None:
        for _, out in kept:
            people = {n.ref.uid: n for n in out.nodes if n.kind == "Person"}
            for edge in out.edges:
                person = people.get(edge.src.uid)
                if person is not None and edge.dst.kind == "Enterprise":
                    name = str(person.props.get("name", ""))
                    unresolved = bool(person.props.get("unresolved"))
                    self.finder.add(
                        edge.dst.uid, person.ref.uid, name, unresolved, edge.source or ""
                    )


def _saver(
    checkpoint: Checkpoint,
    relative: str,
    done: int,
    save: Callable[[Checkpoint], None],
    probe: str | None,
) -> Callable[[], None]:
    def after() -> None:
        checkpoint.batches[relative] = done
        checkpoint.probe = probe or checkpoint.probe
        save(checkpoint)

    return after


def _chain(first: Row, rest: Iterator[Row]) -> Iterator[Row]:
    yield first
    yield from rest


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while batch := list(islice(rows, size)):
        yield batch


def _require_key_columns(
    model: GraphModel, mapping: Mapping, headers: list[str], relative: str
) -> None:
    """A file that lacks every column for a required key cannot be mapped at all."""
    present = set(headers)
    for alias, node in mapping.nodes.items():
        if node.optional or node.when:
            continue
        needed: list[tuple[str, ...]] = []
        if node.key_column:
            needed.append((node.key_column,))
        if node.kind_column:
            needed.append((node.kind_column,))
        if node.kind is not None and not node.key_column and not node.unresolved_by:
            keys = model.require_kind(node.kind).key
            needed.extend(c.column for p, c in node.props.items() if c.column and p in keys)
        for options in needed:
            if not present.intersection(options):
                message = f"the file has none of the columns {list(options)}"
                raise MappingError(relative, None, f"nodes.{alias}", message)


@contextmanager
def _survivors_frozen() -> Iterator[None]:
    """CPython's cyclic collector kept off what the run keeps (frozen after each batch).

    An ingest builds objects that live until it ends — the seen keys and row digests, and
    the whole graph in the embedded store — and the collector's full collections walk all
    of them again and again while finding nothing: 40 % of the CPU of a 200,000-row load
    into the embedded store.  Objects that survive a batch are frozen (``gc.freeze``);
    young garbage is still collected as usual, and the end of the run unfreezes everything,
    so whatever cyclic garbage was frozen is collected later.
    """
    try:
        yield
    finally:
        gc.unfreeze()


#: GIL switch interval while a writer thread runs (CPython's default is 5 ms).
WRITER_SWITCH_INTERVAL = 0.001


@contextmanager
def _writer_prompt(threaded: bool) -> Iterator[None]:
    """A shorter GIL switch interval while the writer thread works beside the mapping.

    The writer needs the GIL for moments at a time (a reply to read, the next chunk to
    pack and send) while the main thread maps rows without pause; at the default 5 ms it
    waited up to that long each time, and Neo4j sat idle meanwhile.  At 1 ms a 400,000-row
    load ran 9.7k -> 11.2k rows/s (measured on 2 cores).  The old interval is restored.
    """
    if not threaded:
        yield
        return
    before = sys.getswitchinterval()
    sys.setswitchinterval(WRITER_SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def ingest_paths(
    paths: Sequence[Path],
    store: GraphStore,
    options: IngestOptions,
    progress: Progress | None = None,
) -> Summary:
    """Ingest files and directories into ``store``; returns the summary (count identity inside)."""
    started = time.perf_counter()
    progress = progress or _Quiet()
    files = collect_files(paths)
    summary = Summary(store=options.store_label, files=[])
    run = _Run(store, options, summary)
    mapping_names = [options.mapping or "auto", options.encoding or "", options.sheet or ""]
    run_id = fingerprint(
        [f for f, _ in files], mapping_names, options.batch_size, options.store_label
    )
    state = CheckpointFile(options.state_dir, run_id) if options.state_dir else None
    checkpoint = state.load() if state and options.resume else Checkpoint(run=run_id)
    if checkpoint.probe and not store.get_nodes([NodeRef.from_uid(checkpoint.probe)]):
        checkpoint = Checkpoint(run=run_id)  # the store lost what was committed: start afresh

    def save(cp: Checkpoint) -> None:
        if state is not None:
            state.save(cp)

    out_dir = options.out_dir
    quarantine_path = out_dir / "quarantine.csv" if out_dir else None
    threaded = run.durable_each_batch  # Neo4j: overlap mapping with server-side writes
    with (
        _survivors_frozen(),
        _writer_prompt(threaded),
        QuarantineWriter(quarantine_path) as quarantine,
        BatchWriter(store, summary, threaded=threaded) as writer,
    ):
        for path, relative in files:
            source = open_source(path, encoding=options.encoding, sheet=options.sheet)
            for sheet, rows in source.parts():
                name = relative if sheet is None else f"{relative}[{sheet}]"
                progress.start(name)
                stats = run.file(source, rows, name, quarantine, checkpoint, save, progress, writer)
                summary.files.append(stats)
                if not run.durable_each_batch:  # the memory store is durable when flushed
                    store.flush()  # type: ignore[attr-defined]
                    checkpoint.batches[name] = 1 << 62
                    checkpoint.probe = run.last_uid or checkpoint.probe
                    save(checkpoint)
    candidates = run.finder.candidates()
    summary.candidates = len(candidates)
    if out_dir is not None:
        summary.quarantine_file = str(quarantine_path)
        candidates_path = out_dir / "candidates.csv"
        CandidateFinder.write(candidates_path, candidates)
        summary.candidates_file = str(candidates_path)
    if state is not None:
        state.clear()
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary
