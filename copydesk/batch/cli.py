"""``copydesk run``: argument parsing and the summary/exit code of a batch run.

This module owns the command line of batch runs only. The main CLI mounts it
with ``add_run_parser(subparsers)`` and dispatches to ``run(args)``;
``python -m copydesk.batch`` uses `main`.

Exit codes: 0 every record was kept or skipped; 1 some records, files or
shards failed (see OUTDIR/errors.jsonl); 2 usage error (bad flags, missing
output folder, an output folder holding a run with other settings);
130 interrupted (rerun the same command to resume).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

EPILOG = """\
inputs: WARC/ARC files (.warc, .warc.gz, .arc, .arc.gz), folders (recursive:
their .html/.htm/.gz pages, and each WARC/ARC/JSONL file in them), JSONL
(.jsonl[.gz], one page per line in --html-field or --text-field; the record's
other fields go to the `meta` column as JSON), text files (.txt, one scraped
page each), or @LIST / --input list (a file of paths, one per line).

outputs in OUTDIR: data/part-*.parquet|jsonl (kept records), skipped.jsonl and
errors.jsonl (one row per record with its reason), summary.json, _manifest.jsonl.
Rerunning the same command resumes: finished shards are skipped.

exit status: 0 all fine, 1 some records/files failed, 2 usage error, 130 interrupted.
"""


def add_run_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``run`` sub-command to an argparse sub-parsers object; return its parser."""
    p = subparsers.add_parser(
        "run", help="extract many pages (WARC, HTML folders, JSONL) into sharded Parquet/JSONL",
        description="Batch extraction at crawl scale, resumable.", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    configure_parser(p)
    p.set_defaults(func=run)
    return p


def _byte_size(text: str) -> int:
    """``16M``, ``512K``, ``1G`` or a number of bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    t = text.strip().upper().removesuffix("B")
    scale = units.get(t[-1:], 1)
    try:
        value = int(t[:-1] if scale > 1 else t) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (say 16M, 512K or a number of bytes)") from None
    if value < 0:
        raise argparse.ArgumentTypeError("a size must be 0 or more")
    return value


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="input files/folders, or @LIST")
    p.add_argument("-o", "--output", metavar="OUTDIR", help="output folder (created; resumed if it holds this run)")
    p.add_argument("--format", choices=("parquet", "jsonl"), default="parquet", help="data file format (default parquet)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes / Ray CPUs (default: all cores)")
    p.add_argument("--engine", choices=("local", "ray"), default="local", help="local process pool or Ray Data")
    p.add_argument("--input", dest="input_kind", default="auto",
                   choices=("auto", "warc", "arc", "html", "jsonl", "text", "list"), help="input kind (default: by file name)")
    p.add_argument("--html-field", default="html", help="JSONL field holding HTML (default html)")
    p.add_argument("--text-field", default="text", help="JSONL field holding scraped text (default text)")
    p.add_argument("--markdown", action="store_true", help="also write a markdown column")
    p.add_argument("--no-metadata", action="store_true", help="skip metadata extraction (faster)")
    p.add_argument("--timeout", type=float, default=30.0, help="per-record time limit in seconds (0: none; default 30)")
    p.add_argument("--hard-timeout", type=float, default=None,
                   help="kill a worker stuck on one record after this many seconds (default 2*timeout+10)")
    p.add_argument("--shard-size", type=int, default=500, help="records per work unit / output file (default 500)")
    p.add_argument("--shard-bytes", type=_byte_size, default=16 << 20, metavar="SIZE",
                   help="gzip WARC files: split into byte ranges of SIZE (bytes, or with K, M, G), each read "
                        "by its worker (default 16M; 0: read by the parent, --shard-size records a shard)")
    p.add_argument("--max-memory-mb", type=int, default=4096, help="address-space cap per worker in MB (0: none; default 4096)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="live progress line on stderr (default: when stderr is a terminal)")
    p.add_argument("--overwrite", action="store_true", help="discard a previous run in OUTDIR instead of resuming")
    p.add_argument("--ray-address", default=None, help="Ray cluster address (default: start a local Ray)")
    p.add_argument("--extractor", default="copydesk", help="copydesk (default), trafilatura, or module:function")
    p.add_argument("--benchmark", nargs="?", const="", default=None, metavar="DATA_DIR",
                   help="instead of a run: benchmark the pool (copydesk vs trafilatura, 1 and 2 workers) "
                        "on a WARC built from DATA_DIR's pages (default: the shared data) and print a table")
    p.add_argument("--bench-pages", type=int, default=100, help="pages in the --benchmark WARC (default 100)")


def _usage(msg: str) -> int:
    print(f"copydesk run: error: {msg}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    """Execute ``copydesk run``; return the process exit code."""
    from ..errors import CopydeskError
    from .job import BatchConfig
    from .writers import ConfigMismatch

    if args.benchmark is not None:
        from .bench import batch_benchmark, default_data_dir

        data_dir = args.benchmark or default_data_dir()
        print(batch_benchmark(data_dir, workers=(1, 2), n_pages=args.bench_pages,
                              timeout=args.timeout or None))
        return EXIT_OK
    if not args.inputs:
        return _usage("no INPUT given")
    if not args.output:
        return _usage("-o/--output OUTDIR is required")
    if args.workers < 1:
        return _usage("--workers must be >= 1")
    try:
        cfg = BatchConfig(
            outdir=args.output, fmt=args.format, markdown=args.markdown,
            timeout=args.timeout or None, hard_timeout=args.hard_timeout, shard_size=args.shard_size,
            shard_bytes=args.shard_bytes,
            extractor=args.extractor, input_kind=args.input_kind, html_field=args.html_field,
            text_field=args.text_field, with_metadata=not args.no_metadata,
            max_memory_mb=args.max_memory_mb or None)
    except ValueError as exc:
        return _usage(str(exc))
    from . import run_batch

    try:
        summary = run_batch(args.inputs, cfg, engine=args.engine, workers=args.workers,
                            progress=args.progress, overwrite=args.overwrite, ray_address=args.ray_address)
    except ConfigMismatch as exc:
        return _usage(str(exc))
    except KeyboardInterrupt:
        print("\ninterrupted; rerun the same command to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ImportError as exc:
        print(f"copydesk run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CopydeskError as exc:
        print(f"copydesk run: {exc}", file=sys.stderr)
        return EXIT_FAILURES
    print(summary.line(), file=sys.stderr)
    print(json.dumps({k: summary.to_dict()[k] for k in ("records", "kept", "skipped", "errors")}))
    if summary.errors:
        print(f"see {os.path.join(args.output, 'errors.jsonl')} for the {summary.errors} failed records", file=sys.stderr)
    return summary.exit_code


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m copydesk.batch [run] ...``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "run":
        argv = argv[1:]
    p = argparse.ArgumentParser(prog="python -m copydesk.batch", description="copydesk batch run",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    configure_parser(p)
    return run(p.parse_args(argv))
