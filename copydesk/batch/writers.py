"""Shard outputs, the manifest and the merged errors/skipped files.

This module owns the on-disk layout of a batch run::

    OUTDIR/
      data/part-000000.parquet     kept records, one file per shard (or .jsonl)
      _parts/skipped/part-000000.jsonl, _parts/errors/part-000000.jsonl
      skipped.jsonl                every skipped record with its reason (merged)
      errors.jsonl                 every failed record/file with its reason (merged)
      summary.json                 counts of the whole run
      _manifest.jsonl              config line + one line per finished shard

Every file is written to a temporary name, fsynced and renamed, so a reader
(or a rerun after ``kill -9``) sees either the whole file or nothing. The
manifest line of a shard is appended (one ``write`` + fsync) only after its
files are in place; a rerun skips shards listed there and redoes the rest,
overwriting their deterministic file names. A torn last manifest line is
ignored. No extraction logic lives here.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..decode import LONE_SURROGATE, has_lone_surrogate

MANIFEST = "_manifest.jsonl"
PARTS = "_parts"

#: Columns of a kept record, in order (``markdown`` only with --markdown).
DATA_COLUMNS = ("id", "source", "url", "warc_record_id", "warc_date", "title", "authors", "date",
                "language", "page_type", "text", "markdown", "confidence", "chars", "paragraphs", "ms", "meta")


def arrow_schema(markdown: bool) -> Any:
    """The fixed Parquet schema of kept records (same for every shard and engine)."""
    import pyarrow as pa

    fields = [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string()),
        pa.field("url", pa.string()),
        pa.field("warc_record_id", pa.string()),
        pa.field("warc_date", pa.string()),
        pa.field("title", pa.string()),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("date", pa.string()),
        pa.field("language", pa.string()),
        pa.field("page_type", pa.string()),
        pa.field("text", pa.string()),
    ]
    if markdown:
        fields.append(pa.field("markdown", pa.string()))
    fields += [
        pa.field("confidence", pa.float64()),
        pa.field("chars", pa.int64()),
        pa.field("paragraphs", pa.int32()),
        pa.field("ms", pa.float64()),
        pa.field("meta", pa.string()),
    ]
    return pa.schema(fields)


def rows_to_table(rows: list[dict[str, Any]], markdown: bool) -> Any:
    """The kept rows as an Arrow table of `arrow_schema`, its columns made from their buffers.

    `pa.array` imports pandas, when installed, the first time it converts Python objects (to
    recognise pandas ones): 0.2 s and 49 MB more in every pool worker. Rows hold none.
    """
    import pyarrow as pa

    schema = arrow_schema(markdown)
    columns = [_column(f.type, [r.get(f.name) for r in rows]) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


#: numpy types of the fixed-width Arrow types of `arrow_schema`.
_NUMPY_TYPES = {"double": "float64", "int64": "int64", "int32": "int32"}


def _column(typ: Any, values: list[Any]) -> Any:
    """An Arrow array of type `typ` (string, list of strings, or a `_NUMPY_TYPES` number) of
    `values`, None for null. Raises UnicodeEncodeError on a string UTF-8 cannot hold."""
    import numpy as np
    import pyarrow as pa

    n = len(values)
    present = [v is not None for v in values]
    nulls = n - sum(present)
    validity = pa.py_buffer(np.packbits(present, bitorder="little")) if nulls else None
    if pa.types.is_list(typ):
        sizes = [len(v) if v is not None else 0 for v in values]
        flat = [x for v in values if v is not None for x in v]
        offsets = pa.py_buffer(np.concatenate(([0], np.cumsum(sizes))).astype(np.int32))
        items = _column(typ.value_type, flat)
        return pa.Array.from_buffers(typ, n, [validity, offsets], nulls, children=[items])
    if pa.types.is_string(typ):
        data = [v.encode("utf-8") if v is not None else b"" for v in values]
        ends = np.cumsum([len(d) for d in data], dtype=np.int64)
        if n and ends[-1] > np.iinfo(np.int32).max:
            raise ValueError("a shard's strings exceed 2 GB: use a smaller --shard-size")
        offsets = pa.py_buffer(np.concatenate(([0], ends)).astype(np.int32))
        return pa.Array.from_buffers(typ, n, [validity, offsets, pa.py_buffer(b"".join(data))], nulls)
    dtype = _NUMPY_TYPES[str(typ)]
    data = np.array([v if v is not None else 0 for v in values], dtype=dtype)
    return pa.Array.from_buffers(typ, n, [validity, pa.py_buffer(data)], nulls)


@dataclass
class ShardFiles:
    """What one shard left on disk (paths relative to OUTDIR) and its counts."""

    shard_id: str
    seq: int
    files: list[str] = field(default_factory=list)
    kept: int = 0
    skipped: int = 0
    errors: int = 0
    ms: float = 0.0
    peak_rss_mb: float = 0.0


def part_name(seq: int) -> str:
    return f"part-{seq:06d}"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` via temp file + fsync + rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _jsonl_bytes(rows: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def utf8_safe(value: Any) -> Any:
    """`value` with a U+FFFD for every lone surrogate in its strings (UTF-8 has no form for one)."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value) if has_lone_surrogate(value) else value
    if isinstance(value, list):
        return [utf8_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: utf8_safe(v) for k, v in value.items()}
    return value


def write_shard(outdir: Path, seq: int, fmt: str, rows: list[dict[str, Any]],
                skipped: list[dict[str, Any]], errors: list[dict[str, Any]], markdown: bool) -> list[str]:
    """Write one shard's three outputs atomically; return their paths relative to `outdir`.

    Empty outputs are not written. A string UTF-8 cannot hold (a lone surrogate: half of a
    JSON ``\\ud83d`` escape pair in an input field, an undecodable byte of a file name) is
    written with U+FFFD in its place rather than costing the shard.
    """
    try:
        return _write_shard(outdir, seq, fmt, rows, skipped, errors, markdown)
    except UnicodeEncodeError:
        return _write_shard(outdir, seq, fmt, utf8_safe(rows), utf8_safe(skipped), utf8_safe(errors), markdown)


def _write_shard(outdir: Path, seq: int, fmt: str, rows: list[dict[str, Any]],
                 skipped: list[dict[str, Any]], errors: list[dict[str, Any]], markdown: bool) -> list[str]:
    name = part_name(seq)
    written: list[str] = []
    if rows:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            rel = f"data/{name}.parquet"
            dest = outdir / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".tmp-{os.getpid()}-{dest.name}")
            pq.write_table(rows_to_table(rows, markdown), tmp, compression="zstd")
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, dest)
        else:
            rel = f"data/{name}.jsonl"
            keep = [{k: r.get(k) for k in DATA_COLUMNS if k != "markdown" or markdown} for r in rows]
            atomic_write(outdir / rel, _jsonl_bytes(keep))
        written.append(rel)
    for kind, items in (("skipped", skipped), ("errors", errors)):
        if items:
            rel = f"{PARTS}/{kind}/{name}.jsonl"
            atomic_write(outdir / rel, _jsonl_bytes(items))
            written.append(rel)
    for sub in ("data", f"{PARTS}/skipped", f"{PARTS}/errors"):
        if (outdir / sub).is_dir():
            _fsync_dir(outdir / sub)
    return written


# --------------------------------------------------------------------------- manifest

class ConfigMismatch(Exception):
    """The output folder holds a run made with different settings."""


class Manifest:
    """Append-only log of finished shards; the first line is the run's config."""

    def __init__(self, outdir: Path, config: dict[str, Any]):
        self.outdir = outdir
        self.path = outdir / MANIFEST
        self.config = config
        self.done: dict[str, ShardFiles] = {}

    @classmethod
    def open(cls, outdir: Path, config: dict[str, Any], overwrite: bool = False) -> "Manifest":
        """Load an existing manifest (resume) or start a new one.

        Raises `ConfigMismatch` when OUTDIR holds a run with other settings and
        `overwrite` is false; with `overwrite`, that run's files are removed.
        """
        outdir.mkdir(parents=True, exist_ok=True)
        m = cls(outdir, config)
        if overwrite:
            clear_outputs(outdir)
        if m.path.exists():
            lines = m.path.read_bytes().split(b"\n")
            entries = []
            for ln in lines:
                try:
                    entries.append(json.loads(ln))
                except ValueError:
                    continue  # torn last line after a crash, or blank
            if entries and entries[0].get("type") == "config":
                old = entries[0]["config"]
                if old != config:
                    diff = sorted(k for k in set(old) | set(config) if old.get(k) != config.get(k))
                    raise ConfigMismatch(
                        f"{outdir} holds a run with different settings ({', '.join(diff)}); "
                        "use --overwrite to start afresh or another output folder")
                for e in entries[1:]:
                    if e.get("type") == "shard":
                        sf = ShardFiles(**{k: v for k, v in e.items() if k != "type"})
                        if all((outdir / f).exists() for f in sf.files):
                            m.done[sf.shard_id] = sf
                # rewrite compactly (drops a torn tail) before appending again
                atomic_write(m.path, _jsonl_bytes([entries[0]] + [{"type": "shard", **asdict(s)} for s in m.done.values()]))
            else:
                atomic_write(m.path, _jsonl_bytes([{"type": "config", "config": config}]))
        elif any(outdir.iterdir()) and (outdir / "data").exists():
            raise ConfigMismatch(f"{outdir} holds outputs but no manifest; use --overwrite or another folder")
        else:
            atomic_write(m.path, _jsonl_bytes([{"type": "config", "config": config}]))
        _remove_temp_files(outdir)
        return m

    def add(self, sf: ShardFiles) -> None:
        line = (json.dumps({"type": "shard", **asdict(sf)}, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        self.done[sf.shard_id] = sf


def _remove_temp_files(outdir: Path) -> None:
    for p in outdir.rglob(".tmp-*"):
        try:
            p.unlink()
        except OSError:
            pass


def clear_outputs(outdir: Path) -> None:
    """Remove what a previous run wrote in `outdir` (only our own files)."""
    for sub in ("data", PARTS):
        shutil.rmtree(outdir / sub, ignore_errors=True)
    for name in (MANIFEST, "errors.jsonl", "skipped.jsonl", "summary.json"):
        try:
            (outdir / name).unlink()
        except FileNotFoundError:
            pass


def finalize(outdir: Path, shards: list[ShardFiles], summary: dict[str, Any]) -> None:
    """Merge per-shard skipped/errors parts into top-level files; write summary.json."""
    shards = sorted(shards, key=lambda s: s.seq)
    for kind in ("skipped", "errors"):
        dest = outdir / f"{kind}.jsonl"
        tmp = dest.with_name(f".tmp-{os.getpid()}-{dest.name}")
        with open(tmp, "wb") as out:
            for s in shards:
                for f in s.files:
                    if f.startswith(f"{PARTS}/{kind}/"):
                        with open(outdir / f, "rb") as src:
                            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    atomic_write(outdir / "summary.json", (json.dumps(summary, indent=2) + "\n").encode("utf-8"))
    _fsync_dir(outdir)


def read_ids(outdir: Path) -> dict[str, list[str]]:
    """Ids found in a finished run's outputs, by destination (for tests and checks)."""
    out: dict[str, list[str]] = {"kept": [], "skipped": [], "errors": []}
    data = outdir / "data"
    if data.is_dir():
        for p in sorted(data.iterdir()):
            if p.name.startswith("."):
                continue
            if p.suffix == ".parquet":
                import pyarrow.parquet as pq

                out["kept"] += pq.read_table(p, columns=["id"]).column("id").to_pylist()
            elif p.suffix == ".jsonl":
                out["kept"] += [json.loads(ln)["id"] for ln in p.read_text("utf-8").splitlines() if ln]
    for kind in ("skipped", "errors"):
        p = outdir / f"{kind}.jsonl"
        if p.exists():
            out[kind] = [json.loads(ln)["id"] for ln in p.read_text("utf-8").splitlines() if ln]
    return out
