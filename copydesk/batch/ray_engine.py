"""The Ray engine: the same batch job as a Ray Data pipeline.

This module owns running a job on Ray::

    from_items(sources, gzip WARC files as byte ranges) → flat_map(read: source → item rows)
      → map_batches(extract: items → rows tagged kept/skipped/errors, fixed Arrow schema)
      → materialize → kept rows: write_parquet / write_json into OUTDIR/data
                    → skipped/errors rows: OUTDIR/skipped.jsonl, errors.jsonl (driver)

Readers, `process_item` and the output schema are the local engine's, so the
accounting is identical (every record lands in exactly one destination). What
differs: no manifest/resume (Ray retries failed tasks itself; a run goes to a
fresh OUTDIR, or ``--overwrite``), no per-worker RLIMIT_AS or kill-watchdog
(a record that crashes a Ray worker makes Ray retry, then fail the run), and
output file names are Ray's. ``ray.init(address=...)`` joins a cluster where
copydesk must be installed; without an address a local Ray is started with
``num_cpus`` CPUs.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Iterator, TextIO

from ..options import BATCH_PAGES
from .job import alarm_for, BatchConfig, clean_batch, RunSummary, process_item, resolve_extractor, warm_compiled
from .readers import Failure, Record, Skip, Source, expand_inputs, read_source, read_warc_range, source_spans
from .writers import MANIFEST, ConfigMismatch, arrow_schema, atomic_write, clear_outputs, utf8_safe

RAY_MISSING = ("the ray engine needs Ray Data: pip install 'copydesk[ray]' "
               "(ray[data]==2.60.0); or use --engine local")

def _item_to_row(item: Any) -> dict[str, Any]:
    """A reader item as a flat row with no nulls (keeps Arrow types stable across blocks), in
    strings Arrow takes (`writers.utf8_safe`)."""
    return utf8_safe(_flat_row(item))


def _flat_row(item: Any) -> dict[str, Any]:
    if isinstance(item, Record):
        return {"kind": "record", "id": item.id, "source": item.source, "url": item.url or "",
                "html": item.html if item.html is not None else b"", "text": item.text or "",
                "warc_record_id": item.warc_record_id or "", "warc_date": item.warc_date or "",
                "meta": json.dumps(item.meta) if item.meta else "", "reason": "",
                "is_html": item.html is not None, "content_type": item.content_type or ""}
    kind = "skip" if isinstance(item, Skip) else "failure"
    return {"kind": kind, "id": item.id, "source": item.source, "url": item.url or "", "html": b"", "text": "",
            "warc_record_id": "", "warc_date": "", "meta": "", "reason": item.reason, "is_html": False,
            "content_type": ""}


def _row_to_item(r: dict[str, Any]) -> Any:
    url = r["url"] or None
    if r["kind"] == "skip":
        return Skip(r["id"], r["source"], r["reason"], url)
    if r["kind"] == "failure":
        return Failure(r["id"], r["source"], r["reason"], url)
    return Record(r["id"], r["source"], url=url, html=r["html"] if r["is_html"] else None,
                  text=None if r["is_html"] else r["text"], warc_record_id=r["warc_record_id"] or None,
                  warc_date=r["warc_date"] or None, meta=json.loads(r["meta"]) if r["meta"] else {},
                  content_type=r.get("content_type") or None)


def source_rows(sources: list[Source], shard_bytes: int) -> list[dict[str, Any]]:
    """The read tasks: a source each, or a byte range each of a gzip WARC file (`source_spans`)."""
    rows = []
    for s in sources:
        spans = source_spans(s, shard_bytes)
        rows += [{"path": s.path, "kind": s.kind, "start": a, "end": b} for a, b in spans or [(-1, -1)]]
    return rows


def read_rows(src: dict[str, Any], html_field: str, text_field: str) -> Iterator[dict[str, Any]]:
    """flat_map step: one source (or a byte range of one, `source_rows`) → its item rows."""
    if src["start"] >= 0:
        items = read_warc_range(src["path"], src["start"], src["end"])
    else:
        items = read_source(Source(src["path"], src["kind"]), html_field, text_field)
    for item in items:
        yield _item_to_row(item)


def _out_schema(markdown: bool) -> Any:
    import pyarrow as pa

    schema = arrow_schema(markdown)
    return schema.append(pa.field("status", pa.string())).append(pa.field("reason", pa.string())) \
        .append(pa.field("stage", pa.string()))


def extract_batch(batch: Any, cfg: BatchConfig) -> Any:
    """map_batches step: a pyarrow batch of item rows → rows tagged with ``status``."""
    import pyarrow as pa

    extractor = resolve_extractor(cfg.extractor)
    opts = cfg.options()
    alarm = alarm_for(cfg.timeout)
    out = []
    items = [_row_to_item(r) for r in batch.to_pylist()]
    for at in range(0, len(items), BATCH_PAGES):
        group = items[at:at + BATCH_PAGES]
        docs, ms = clean_batch(group, extractor, opts, alarm)
        for item, doc in zip(group, docs):
            kind, row = process_item(item, extractor, opts, cfg.markdown, alarm, doc, ms)
            row["status"] = kind
            out.append(row)
    schema = _out_schema(cfg.markdown)

    def table(rows: list[dict[str, Any]]) -> Any:
        return pa.Table.from_pydict({f.name: [r.get(f.name) for r in rows] for f in schema}, schema=schema)
    try:
        return table(out)
    except UnicodeEncodeError:  # a record's meta field with half a surrogate pair, as `writers.write_shard`
        return table(utf8_safe(out))


def _only(status: str, columns: list[str] | None):
    def fn(t: Any) -> Any:
        import pyarrow.compute as pc

        t = t.filter(pc.equal(t["status"], status))
        return t.select(columns) if columns else t.drop_columns(["status", "reason", "stage"])
    return fn


def run_ray(inputs: list[str], cfg: BatchConfig, address: str | None = None, num_cpus: int = 2,
            overwrite: bool = False, log: TextIO | None = None) -> RunSummary:
    """Run the job on Ray (a cluster at `address`, or a local Ray with `num_cpus`)."""
    log = log if log is not None else sys.stderr
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"{RAY_MISSING} ({exc})") from exc
    outdir = Path(cfg.outdir)
    if overwrite:
        clear_outputs(outdir)
    elif (outdir / MANIFEST).exists() or (outdir / "data").exists():
        raise ConfigMismatch(f"{outdir} already holds a run; the ray engine does not resume: use --overwrite")
    outdir.mkdir(parents=True, exist_ok=True)
    sources = expand_inputs(inputs, cfg.input_kind)
    if cfg.extractor == "copydesk" and not address:
        warm_compiled(sources)  # a local Ray's workers then load it; a cluster's nodes each compile once
    t0 = time.monotonic()
    started_here = False
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
        started_here = True
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        src_rows = source_rows(sources, cfg.shard_bytes)
        ds = ray.data.from_items(src_rows, override_num_blocks=max(1, len(src_rows)))
        ds = ds.flat_map(read_rows, fn_kwargs={"html_field": cfg.html_field, "text_field": cfg.text_field})
        ds = ds.map_batches(extract_batch, fn_kwargs={"cfg": cfg}, batch_size=cfg.shard_size,
                            batch_format="pyarrow")
        ds = ds.materialize()
        counts = {"kept": 0, "skipped": 0, "errors": 0}
        for row in ds.groupby("status").count().take_all():
            counts[row["status"]] = row["count()"]
        data = outdir / "data"
        if counts["kept"]:
            kept = ds.map_batches(_only("kept", None), batch_format="pyarrow")
            if cfg.fmt == "parquet":
                kept.write_parquet(str(data))
            else:
                kept.write_json(str(data))
        for kind, cols in (("skipped", ["id", "source", "url", "reason"]),
                           ("errors", ["id", "source", "url", "stage", "reason"])):
            rows = ds.map_batches(_only(kind, cols), batch_format="pyarrow").take_all() if counts[kind] else []
            atomic_write(outdir / f"{kind}.jsonl",
                         "".join(json.dumps(dict(r), ensure_ascii=False) + "\n" for r in rows).encode("utf-8"))
        summary = RunSummary(engine="ray", outdir=str(outdir), shards=ds.num_blocks(),
                             kept=counts["kept"], skipped=counts["skipped"], errors=counts["errors"],
                             workers=num_cpus)
        summary.processed = summary.records
        summary.seconds = round(time.monotonic() - t0, 3)
        atomic_write(outdir / "summary.json", (json.dumps(summary.to_dict(), indent=2) + "\n").encode("utf-8"))
        return summary
    finally:
        if started_here:
            ray.shutdown()
