"""The `copydesk` command line: extract, run, bench, train, serve.

This module owns argument parsing for `copydesk extract` and the mounting of
the other subcommands, whose code lives with their stage (`batch`, `bench`,
`serve`, `train`). Exit codes: 0 all inputs done, 1 some inputs failed,
2 usage error.
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import re
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from . import __version__
from .api import extract
from .decode import has_lone_surrogate
from .document import Document
from .errors import CopydeskError
from .options import BATCH_MAX_CHARS, BATCH_PAGES, DEFAULT_TIMEOUT, Options

FORMATS = ("text", "markdown", "json", "jsonl")
INPUTS = ("auto", "html", "text", "jsonl")
#: File endings read when a folder is given.
FOLDER_SUFFIXES = (".html", ".htm", ".xhtml", ".txt", ".html.gz", ".htm.gz", ".txt.gz", ".gz")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _options(args: argparse.Namespace) -> Options:
    favor = "precision" if args.precision else "recall" if args.recall else "balanced"
    return Options(include_tables=not args.no_tables, include_comments=args.comments, favor=favor,
                   timeout=args.timeout if args.timeout > 0 else None, with_metadata=not args.no_metadata,
                   find_dates=args.find_dates)


def _iter_paths(inputs: list[str]) -> Iterator[str]:
    for item in inputs:
        p = Path(item)
        if item != "-" and p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.name.lower().endswith(FOLDER_SUFFIXES):
                    yield str(f)
        else:
            yield item


def _read(path: str) -> bytes:
    data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def _looks_text_path(path: str) -> bool:
    return path.lower().removesuffix(".gz").endswith(".txt")


def _clean_text(text: str, url: str | None, options: Options, counts=None) -> Document:
    from .textmode import clean_text
    return clean_text(text, url=url, options=options, counts=counts)


def _is_text(path: str, args: argparse.Namespace) -> bool:
    return args.input == "text" or (args.input == "auto" and _looks_text_path(path))


def _decoded(data: bytes) -> str:
    from .decode import decode
    return decode(data).text


class _TextBatch:
    """Scraped texts waiting to be cleaned together (`clean_texts`): `full` at BATCH_PAGES texts
    or BATCH_MAX_CHARS characters. `flush` hands each item its document, in order, by
    `done(item, doc)`, or its error by `failed(item, error)`; a batch that fails is cleaned one
    text at a time, so that an error is its own text's."""

    def __init__(self, options: Options, counts, done: Callable[[Any, Document], None],
                 failed: Callable[[Any, Exception], None]) -> None:
        self.options, self.counts, self.done, self.failed = options, counts, done, failed
        self.items: list[tuple[Any, str, str | None]] = []
        self.chars = 0

    def add(self, item: Any, text: str, url: str | None) -> None:
        self.items.append((item, text, url))
        self.chars += len(text)

    @property
    def full(self) -> bool:
        return len(self.items) >= BATCH_PAGES or self.chars >= BATCH_MAX_CHARS

    def flush(self) -> None:
        if not self.items:
            return
        from .textmode import clean_texts
        try:
            docs = clean_texts([t for _, t, _ in self.items], [u for _, _, u in self.items], self.options,
                               self.counts)
        except (CopydeskError, ValueError, TypeError):
            docs = None
        for k, (item, text, url) in enumerate(self.items):
            try:
                self.done(item, docs[k] if docs is not None else _clean_text(text, url, self.options, self.counts))
            except (CopydeskError, ValueError, TypeError) as e:
                self.failed(item, e)
        self.items.clear()
        self.chars = 0


def _render(doc: Document, fmt: str, source: str) -> str:
    if fmt == "text":
        return doc.text
    if fmt == "markdown":
        return doc.markdown
    record = {"source": source, **doc.to_dict()}
    if fmt == "json":
        return json.dumps(record, ensure_ascii=False, indent=2)
    return json.dumps(record, ensure_ascii=False)


def _emit(doc: Document, source: str, fmt: str, out, many: bool) -> None:
    """Write one document; with several, text and Markdown ones under a ``==> source <==`` line."""
    if doc.empty_reason:
        print(f"copydesk: {source}: nothing extracted ({doc.empty_reason})", file=sys.stderr)
    plain = fmt in ("text", "markdown")
    if many and plain:
        out.write(f"==> {source} <==\n")
    out.write(_render(doc, fmt, source) + ("\n\n" if many and plain else "\n"))


def _archive_kind(path: str) -> str | None:
    """'warc' or 'arc' for a crawl archive (by its name, or a WARC by its first bytes), else None."""
    if path == "-":
        return None
    from .batch.readers import detect_kind

    kind = detect_kind(path)
    if kind in ("warc", "arc"):
        return kind
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
        if head[:2] == b"\x1f\x8b":
            head = zlib.decompressobj(31).decompress(head, 16)
    except (OSError, zlib.error):
        return None
    return "warc" if head.startswith(b"WARC/") else None


def _run_archive(path: str, kind: str, args: argparse.Namespace, options: Options, out) -> int:
    """Every HTML page of a WARC/ARC file, as `copydesk run` reads them; returns how many failed."""
    from .batch.readers import Failure, Record, Source, read_source

    if kind == "warc" and importlib.util.find_spec("fastwarc") is None:
        print(f"copydesk: {path}: reading WARC files needs the batch extra (pip install 'copydesk[batch]')",
              file=sys.stderr)
        return 1
    done = skipped = failed = 0
    for item in read_source(Source(path, kind)):
        if isinstance(item, Failure):
            print(f"copydesk: {item.id}: {item.reason}", file=sys.stderr)
            failed += 1
        elif not isinstance(item, Record) or item.html is None:
            skipped += 1  # request, metadata and non-HTML records: `copydesk run` lists their reasons
        else:
            try:
                doc = extract(item.html, url=item.url, options=options, content_type=item.content_type)
            except CopydeskError as e:
                print(f"copydesk: {item.id}: {type(e).__name__}: {e}", file=sys.stderr)
                failed += 1
                continue
            _emit(doc, item.url or item.id, args.format, out, True)
            done += 1
    print(f"copydesk: {path}: {done} pages extracted, {skipped} records skipped, {failed} failed", file=sys.stderr)
    return failed


def _run_jsonl(path: str, args: argparse.Namespace, options: Options, out) -> tuple[int, int]:
    """Clean every record of a JSONL corpus; returns (records done, records failed). Text records
    are cleaned `BATCH_PAGES` at a time (`clean_texts`; fewer when they hold BATCH_MAX_CHARS
    characters), and written in their order."""
    done = failed = 0
    raw = _read(path).decode("utf-8-sig", "replace")
    counts = _corpus_counts(raw, args) if args.corpus and not args.html_field else None
    field = args.html_field or args.text_field

    def report(lineno: int, e: Exception) -> None:
        nonlocal failed
        print(f"copydesk: {path}:{lineno}: {e}", file=sys.stderr)
        failed += 1

    def write(record: dict, doc: Document) -> None:
        nonlocal done
        record["copydesk"] = doc.to_dict()
        line = json.dumps(record, ensure_ascii=False)
        if has_lone_surrogate(line):  # a field with half a surrogate pair:
            line = json.dumps(record)  # kept, as a \u escape
        out.write(line + "\n")
        done += 1

    batch = _TextBatch(options, counts, lambda item, doc: write(item[1], doc), lambda item, e: report(item[0], e))
    for lineno, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("record is not a JSON object")
            value = record.get(field)
            if not isinstance(value, str):
                raise ValueError(f"field {field!r} is missing or not a string")
            url = record.get(args.url_field) if isinstance(record.get(args.url_field), str) else None
            if args.html_field:
                write(record, extract(value, url=url, options=options))
            else:
                batch.add((lineno, record), value, url)
        except (ValueError, CopydeskError, TypeError) as e:
            report(lineno, e)
        if batch.full:
            batch.flush()
    batch.flush()
    return done, failed


def _corpus_counts(raw: str, args: argparse.Namespace):
    """Corpus mode, first pass: how often each line recurs across the pages of each site."""
    from .corpus import count_lines

    def records():
        for line in raw.splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict) and isinstance(rec.get(args.text_field), str):
                url = rec.get(args.url_field)
                yield (url if isinstance(url, str) else ""), rec[args.text_field]
    return count_lines(records())


_URL_RE = re.compile(r"(?i)^(?:https?|ftp)://")


def cmd_extract(args: argparse.Namespace) -> int:
    try:
        options = _options(args)
    except ValueError as e:
        print(f"copydesk: {e}", file=sys.stderr)
        return EXIT_USAGE
    paths = list(_iter_paths(args.inputs or ["-"]))
    if args.url and len(paths) > 1:
        print("copydesk: --url applies to a single page", file=sys.stderr)
        return EXIT_USAGE
    out = sys.stdout
    failed = 0
    many = len(paths) > 1

    def report(path: str, e: Exception) -> None:
        nonlocal failed
        print(f"copydesk: {path}: {type(e).__name__}: {e}", file=sys.stderr)
        failed += 1

    batch = _TextBatch(options, None, lambda path, doc: _emit(doc, path, args.format, out, many), report)
    for path in paths:
        archive = _archive_kind(path) if args.input == "auto" else None
        text_file = args.input != "jsonl" and not archive and _is_text(path, args)
        if not text_file or batch.full:
            batch.flush()  # what comes next is written after them
        if args.input == "jsonl":
            try:
                _, bad = _run_jsonl(path, args, options, out)
            except OSError as e:
                print(f"copydesk: {path}: {e.strerror or e}", file=sys.stderr)
                bad = 1
            failed += bad > 0
            continue
        if archive:
            failed += _run_archive(path, archive, args, options, out) > 0
            continue
        try:
            data = _read(path)
            if text_file:
                batch.add(path, _decoded(data), args.url)
                continue
            doc = extract(data, url=args.url, options=options)
        except OSError as e:
            hint = ""
            if isinstance(e, FileNotFoundError) and _URL_RE.match(path):
                hint = f" (copydesk reads pages, it does not fetch them: curl -sL '{path}' | copydesk extract --url '{path}' -)"
            print(f"copydesk: {path}: {e.strerror or e}{hint}", file=sys.stderr)
            failed += 1
            continue
        except (CopydeskError, ValueError) as e:
            report(path, e)
            continue
        _emit(doc, path, args.format, out, many)
    batch.flush()
    out.flush()
    return EXIT_FAILED if failed else EXIT_OK


#: Subcommands whose code lives with their stage: (module, function adding the subparser).
_STAGE_COMMANDS = {"bench": ("copydesk.bench.cli", "add_bench_parser"), "run": ("copydesk.batch.cli", "add_run_parser"),
                   "serve": ("copydesk.serve.cli", "add_serve_parser")}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; given the subcommand about to run, the other stages' modules are not imported
    (the benchmark's alone cost a one-page `copydesk extract` 70 ms of its 0.5 s)."""
    parser = argparse.ArgumentParser(
        prog="copydesk", description="Turn web pages (HTML or scraped text) into clean articles.")
    parser.add_argument("--version", action="version", version=f"copydesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ex = sub.add_parser("extract", help="extract articles from files, folders or stdin",
                        description="Extract the article of each input. Folders are read recursively; "
                                    ".gz files are decompressed; a WARC or ARC file gives every HTML page "
                                    "it holds (for whole crawls: copydesk run); '-' (or no input) reads stdin.")
    ex.add_argument("inputs", nargs="*", metavar="PATH", help="HTML/text/WARC files, folders, or - for stdin")
    ex.add_argument("--format", "-f", choices=FORMATS, default="text", help="output format (default text)")
    ex.add_argument("--input", choices=INPUTS, default="auto",
                    help="input kind: html, text (already-scraped pages), jsonl (a corpus), "
                         "or auto (by file ending and content; default)")
    ex.add_argument("--url", help="URL of the page (single input only)")
    ex.add_argument("--text-field", default="text", help="jsonl: field holding scraped text (default text)")
    ex.add_argument("--html-field", default=None, help="jsonl: field holding HTML instead of text")
    ex.add_argument("--url-field", default="url", help="jsonl: field holding the URL (default url)")
    ex.add_argument("--corpus", action="store_true",
                    help="jsonl text: read the corpus twice; lines recurring on many pages of one site "
                         "(counted per URL host) are treated as boilerplate")
    ex.add_argument("--no-tables", action="store_true", help="leave tables out of the body")
    ex.add_argument("--comments", action="store_true", help="keep reader comments")
    g = ex.add_mutually_exclusive_group()
    g.add_argument("--precision", action="store_true", help="favour precision: drop doubtful blocks")
    g.add_argument("--recall", action="store_true", help="favour recall: keep doubtful blocks")
    ex.add_argument("--no-metadata", action="store_true", help="skip title/author/date extraction (faster)")
    ex.add_argument("--find-dates", action="store_true",
                    help="search an article or forum page for a publication date when the markup "
                         "names none (slower)")
    ex.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                    help=f"seconds per document, 0 for none (default {DEFAULT_TIMEOUT:g})")
    ex.set_defaults(func=cmd_extract)

    # Listed for --help only: `main` hands `copydesk train ...` to `copydesk.train` whole, options included.
    sub.add_parser("train", help="retrain the block model from the shared data (copydesk train --help)",
                   add_help=False)

    for name, (module, adder) in _STAGE_COMMANDS.items():
        if command is not None and command != name:
            continue
        try:
            mod = __import__(module, fromlist=[adder])
        except ImportError:  # an optional part missing from this install
            continue
        getattr(mod, adder)(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["train"]:
        from .train import main as train_main
        return train_main(argv[1:])
    parser = build_parser(argv[0] if argv[:1] and argv[0] in (*_STAGE_COMMANDS, "extract") else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
