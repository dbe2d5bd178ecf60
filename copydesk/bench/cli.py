"""Command line of the benchmark: ``copydesk bench ...`` and ``python -m copydesk.bench ...``.

This module owns argument parsing, choosing the mode (accuracy, ``--fields``,
``--speed``, ``--batch``, ``--charsets``) and writing the Markdown report (stdout, and ``--out``). The
report starts with the exact command line, the environment and the versions
of every package measured, so a table can always be traced back.

Mount it from the main CLI with::

    from copydesk.bench.cli import add_bench_parser
    add_bench_parser(subparsers)          # sets func=run_bench
    args = parser.parse_args(); sys.exit(args.func(args))
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import platform
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Sequence
from unittest import mock

from . import peers, textpeers
from .accuracy import DEFAULT_TIMEOUT_S, markdown_table, render_fields, run_accuracy, run_fields
from . import render
from .datasets import ALL, DATA_ENV_VAR, DATASET_CHOICES, default_data_dir, load_pages
from .speed import DEFAULT_MEMORY_PAGES, DEFAULT_ROUNDS, call_rates_markdown, run_speed

COMMAND_NAME = "bench"
SELF = "copydesk"
COMPARE_ALL = "all"
COMPARE_NONE = "none"
EXIT_OK = 0
EXIT_USAGE = 2
EXTRA_VERSIONS = ("lxml", "selectolax", "lightgbm", "lleaves", "llvmlite", "numpy", "charset-normalizer",
                  "fasttext-predict", "py3langid")


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The benchmark's options (shared by the subcommand and ``python -m copydesk.bench``)."""
    parser.add_argument("--dataset", choices=DATASET_CHOICES, default=ALL, help="corpus to run (default: all)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help=f"shared data folder (default: ${DATA_ENV_VAR} or ../shared/data)")
    parser.add_argument("--compare", default=None,
                        help=f"comma-separated peers to run beside copydesk; '{COMPARE_ALL}' for every known one, "
                             f"'{COMPARE_NONE}' for copydesk alone. Known: {', '.join(peers.PEERS)}; with --input "
                             f"text: {', '.join(textpeers.TEXT_EXTRACTORS)} (default: all of them)")
    parser.add_argument("--input", choices=("html", "text"), default="html",
                        help="html: the pages as published; text: their plain-text renderings (what a simple "
                             "scraper keeps, see bench/render.py) through scraped-text mode and its baselines")
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each corpus")
    parser.add_argument("--sample", type=int, default=None,
                        help="N pages spread evenly over the corpora (fixed subset, e.g. for CI)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for accuracy runs (default 1)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S,
                        help=f"seconds per page and extractor before it counts as empty (default {DEFAULT_TIMEOUT_S:g})")
    parser.add_argument("--speed", action="store_true", help="measure throughput and memory instead of accuracy")
    parser.add_argument("--fields", action="store_true", help="score title/author/date instead of the main text")
    parser.add_argument("--charsets", action="store_true",
                        help="decode the pages re-encoded in legacy charsets, undeclared or mislabelled, against peers")
    parser.add_argument("--accuracy", action="store_true", help="also run the text accuracy tables with --speed/--fields")
    parser.add_argument("--rounds", type=int, default=None,
                        help=f"speed rounds (default {DEFAULT_ROUNDS}); with --batch, runs of each pool, "
                             "the extractors alternating (default 1)")
    parser.add_argument("--memory-pages", type=int, default=DEFAULT_MEMORY_PAGES,
                        help=f"pages for the speed memory measurement (default {DEFAULT_MEMORY_PAGES}; 0 = skip)")
    parser.add_argument("--out", type=Path, default=None, help="also write the Markdown report here")
    parser.add_argument("--per-page", type=Path, default=None,
                        help="write per-page scores of the accuracy run as JSON lines (error analysis)")
    parser.add_argument("--progress", action="store_true", help="progress on stderr")
    parser.add_argument("--batch", type=int, nargs="?", const=400, default=None, metavar="PAGES",
                        help="batch throughput: a WARC of PAGES shared pages (default 400) through `copydesk run` "
                             "with 1 and 2 workers, copydesk against the same pool running trafilatura")
    parser.add_argument("--oof", type=int, nargs="?", const=5, default=None, metavar="FOLDS",
                        help="add 'copydesk-oof': k-fold models grouped by host (default 5), each page extracted "
                             "by the model that never saw its site -- the honest figure for copydesk")
    return parser


def add_bench_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``bench`` to the main CLI's subparsers; ``args.func(args)`` runs it."""
    parser = subparsers.add_parser(
        COMMAND_NAME, help="accuracy and speed against the shared data and peer extractors",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    add_arguments(parser)
    parser.set_defaults(func=run_bench)
    return parser


def _compare_names(spec: str) -> list[str]:
    spec = (spec or "").strip()
    if spec.lower() == COMPARE_ALL:
        names = [n for n in peers.PEERS if n != SELF]
    elif spec.lower() in ("", COMPARE_NONE):
        names = []
    else:
        names = [n.strip() for n in spec.split(",") if n.strip()]
    ordered = [SELF] + [n for n in names if n != SELF]
    return list(dict.fromkeys(ordered))


def command_line(argv: Sequence[str] | None = None) -> str:
    """The command as typed, with the program shown as ``copydesk`` or ``python -m copydesk.bench``."""
    argv = list(sys.argv if argv is None else argv)
    prog = Path(argv[0]).name if argv else SELF
    if prog in ("__main__.py", "-m"):
        prog = "python -m copydesk.bench"
    return " ".join([prog, shlex.join(argv[1:])]).strip()


def environment_lines(names: Sequence[str], data_dir: Path) -> list[str]:
    """Command, date, machine and package versions, as Markdown."""
    dists = list(dict.fromkeys(peers.PEERS[n].distribution for n in names if n in peers.PEERS))
    versions = [[d, peers.version_of(d)] for d in dists]
    versions += [[d, peers.version_of(d)] for d in EXTRA_VERSIONS if d not in dists]
    return [
        f"Command: `{command_line()}`",
        "",
        f"Run {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} · Python {platform.python_version()} · "
        f"{platform.system()} {platform.machine()} · {os.cpu_count()} CPUs · data: `{data_dir}`"
        f" · copydesk scoring: {scoring_backend()}",
        "",
        markdown_table(["package", "version"], versions, ["l", "l"]),
        "",
    ]


def scoring_backend() -> str:
    """How the shipped model scores blocks in this process: compiled (the fast extra) or LightGBM."""
    from ..score import get_model
    model = get_model()
    if model.compiled is None:
        return "LightGBM"
    if model.types is not None and model.types.compiled is None:
        return "compiled forest (lleaves); page types by LightGBM"
    return "compiled forest (lleaves), page types too"


#: Variables that hold BLAS thread pools at one thread in the bench's child processes.
_BLAS_THREAD_ENV = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """numpy's BLAS held at one thread, in this process and the processes it starts.

    The bench measures every extractor on one core. py3langid (the jusText peer's language
    guess, and copydesk's until stop 19) scores with a BLAS product; with two BLAS threads the
    second one spins on the other core after each call, and its CPU time was counted in whichever
    extractor ran next (copydesk-text at 92 pages/s of CPU time against 156 of wall time in a
    run with `justext-lines`, 177 and 177 without it).
    """
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.dict(os.environ, {k: "1" for k in _BLAS_THREAD_ENV}))  # restored on exit
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # without the bench extra: child processes are still held
            pass
        else:
            stack.enter_context(threadpool_limits(1, user_api="blas"))
        yield


def run_bench(args: argparse.Namespace) -> int:
    """Run the benchmark described by ``args`` (BLAS on one thread); print (and write) the report."""
    with one_blas_thread():
        return _run_bench(args)


def _run_bench(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    data_dir = args.data_dir if args.data_dir is not None else default_data_dir()
    text_input = getattr(args, "input", "html") == "text"
    try:
        if text_input:
            installed, missing = textpeers.available(args.compare)
        else:
            installed, missing = peers.available(_compare_names(args.compare or ",".join(peers.DEFAULT_COMPARE)))
    except KeyError as exc:
        print(f"copydesk bench: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    try:
        html_pages = pages = load_pages(data_dir, args.dataset, limit=args.limit, sample=args.sample)
        if text_input:
            pages = render.text_pages(html_pages)
    except (FileNotFoundError, ValueError) as exc:
        print(f"copydesk bench: {exc}", file=sys.stderr)
        return EXIT_USAGE

    by_dataset: dict[str, int] = {}
    for page in pages:
        by_dataset[page.dataset] = by_dataset.get(page.dataset, 0) + 1
    out = ["## copydesk bench", ""] + environment_lines(textpeers.distributions(installed) if text_input
                                                        else installed, data_dir)
    out.append("Pages: " + ", ".join(f"{k} {v}" for k, v in by_dataset.items()) + (" (none)" if not pages else ""))
    if missing:
        out.append(f"Not installed (skipped): {', '.join(missing)}")
    out.append("")
    emit_header = "\n".join(out)
    print(emit_header, flush=True)
    sections: list[str] = []

    run_text = args.accuracy or not (args.speed or args.fields or args.batch or args.charsets)
    if args.batch:
        from ..batch.bench import batch_benchmark
        sections.append("### Batch throughput (`copydesk run`, local process pool)\n\n"
                        + batch_benchmark(data_dir, workers=(1, 2), n_pages=args.batch, rounds=args.rounds or 1) + "\n")
    extractors = textpeers.text_extractors(installed) if text_input else peers.peer_extractors(installed)
    if args.oof and text_input:
        from ..train_text import oof_extractor as text_oof_extractor
        extractors = {"copydesk-text-oof": text_oof_extractor(html_pages, args.oof), **extractors}
    elif args.oof:
        from ..train import oof_extractor
        extractors = {"copydesk-oof": oof_extractor(pages, args.oof), **extractors}
    if run_text and pages:
        report = run_accuracy(pages, extractors, jobs=args.jobs, timeout=args.timeout, progress=args.progress)
        sections.append(report.to_markdown())
        if text_input:
            sections.append(call_rates_markdown(report.seconds, report.cpu_seconds, len(pages)))
        if args.per_page is not None:
            write_per_page(report.per_page, args.per_page)
    if args.fields:
        field_names = [n for n in installed if n in peers.FIELD_PEERS and peers.fields_installed(n)]
        rows = run_fields(pages, {n: peers.FieldsExtractor(n) for n in field_names}, jobs=args.jobs,
                          timeout=args.timeout, progress=args.progress)
        if rows and rows[0].title_pages + rows[0].author_pages + rows[0].date_pages:
            sections.append("### Metadata fields (WCXB gold title / author / publish_date)\n\n"
                            "Shares over the pages that have the gold field. Title exact: equal after "
                            "whitespace/case normalisation; author: exact set of names (split on , ; & and); "
                            "date: same calendar day.\n\n" + render_fields(rows) + "\n")
        else:
            sections.append("### Metadata fields\n\nNo page with a gold title/author/date "
                            "(only WCXB has them).\n")
    if args.charsets and pages:
        from .charsets import run_charsets
        sections.append(run_charsets(html_pages))
    if args.speed and pages:
        chunk = {"chunk_pages": textpeers.SPEED_CHUNK_PAGES} if text_input else {}
        speed = run_speed(pages, extractors, rounds=args.rounds or DEFAULT_ROUNDS, memory_pages=args.memory_pages,
                          timeout=args.timeout, **chunk)
        sections.append(speed.to_markdown())

    sections.append(f"_Wall time {time.perf_counter() - started:.0f}s._\n")
    body = "\n".join(sections)
    print(body, flush=True)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(emit_header + "\n" + body, encoding="utf-8")
    return EXIT_OK


def write_per_page(scores: Sequence[Any], path: Path) -> None:
    """One JSON object per (extractor, page): scores, snippet/segment counts, error, seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for score in scores:
            fh.write(json.dumps(dataclasses.asdict(score), ensure_ascii=False) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m copydesk.bench``."""
    parser = add_arguments(argparse.ArgumentParser(prog="python -m copydesk.bench", description=__doc__.split("\n\n")[0]))
    return run_bench(parser.parse_args(argv))
