"""Local engine end to end: accounting, outputs, exit codes, watchdog, kill -9 and resume."""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("fastwarc")
pq = pytest.importorskip("pyarrow.parquet")

import batch_helpers as h  # noqa: E402
from copydesk.batch import cli, local  # noqa: E402
from copydesk.batch.job import Shard  # noqa: E402
from copydesk.batch.readers import Failure, Record, Skip, expand_inputs, read_source  # noqa: E402
from copydesk.batch.writers import read_ids  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
#: engine-independent extractor for the accounting tests (the real engine is tested by its own suite)
SIMPLE = "batch_helpers:simple"


def _expected(inputs: list[str]) -> dict[str, str]:
    dest = {Record: "kept", Skip: "skipped", Failure: "errors"}
    return {i.id: dest[type(i)] for s in expand_inputs(inputs) for i in read_source(s)}


def _assert_exactly_once(out: Path, expected_ids) -> dict[str, list[str]]:
    got = read_ids(out)
    all_ids = got["kept"] + got["skipped"] + got["errors"]
    dupes = [k for k, n in Counter(all_ids).items() if n > 1]
    assert not dupes, f"duplicates: {dupes[:5]}"
    assert set(all_ids) == set(expected_ids)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["records"] == summary["kept"] + summary["skipped"] + summary["errors"] == len(all_ids)
    assert (summary["kept"], summary["skipped"], summary["errors"]) == \
        (len(got["kept"]), len(got["skipped"]), len(got["errors"]))
    return got


@pytest.fixture()
def mixed_inputs(tmp_path):
    warc = tmp_path / "mixed.warc.gz"
    h.mixed_warc_gz(str(warc))
    loop = tmp_path / "unreadable.warc.gz"
    os.symlink(loop, loop)
    site = tmp_path / "site"
    site.mkdir()
    for i in range(4):
        (site / f"p{i}.html").write_bytes(h.page(100 + i))
    (site / "empty.html").write_bytes(b"<html><body></body></html>")
    jl = tmp_path / "pages.jsonl"
    jl.write_text(json.dumps({"url": "http://j/1", "html": h.page(200).decode()}) + "\n{broken\n")
    return [str(warc), str(loop), str(site), str(jl)]


def test_mixed_run_accounting(tmp_path, mixed_inputs, capsys):
    out = tmp_path / "out"
    rc = cli.main(["run", *mixed_inputs, "-o", str(out), "--workers", "2", "--shard-size", "3", "--progress",
                   "--extractor", SIMPLE])
    assert rc == 1  # some records failed
    expected = _expected(mixed_inputs)
    got = _assert_exactly_once(out, expected)
    # empty page: extracted to nothing -> skipped with reason
    skipped = [json.loads(x) for x in (out / "skipped.jsonl").read_text().splitlines()]
    assert any(r["reason"].startswith("empty") for r in skipped)
    assert all(r["reason"] for r in skipped)
    errors = {r["id"]: r for r in map(json.loads, (out / "errors.jsonl").read_text().splitlines())}
    assert {k for k, v in expected.items() if v == "errors"} <= set(errors)
    assert any("truncated record" in r["reason"] for r in errors.values())
    assert any("cannot" in r["reason"] and "unreadable" in r["id"] for r in errors.values())
    table = pq.read_table(sorted((out / "data").glob("*.parquet"))[0])
    for col in ("id", "source", "url", "warc_record_id", "warc_date", "title", "authors", "date", "language",
                "page_type", "text", "confidence", "chars", "paragraphs", "ms"):
        assert col in table.column_names
    assert "markdown" not in table.column_names
    row = pq.read_table(out / "data" / "part-000000.parquet").to_pylist()[0]
    assert row["url"] == "http://ex.com/1" and row["warc_date"] == "2024-05-06T07:08:09Z"
    assert row["chars"] == len(row["text"]) > 0
    err = capsys.readouterr().err
    assert "rec/s" in err and "kept" in err
    assert len(got["kept"]) == 3 + 4 + 1
    # rerun of a finished run: everything resumed, same outputs
    rc2 = cli.main(["run", *mixed_inputs, "-o", str(out), "--workers", "1", "--shard-size", "3", "--extractor", SIMPLE])
    assert rc2 == 1
    _assert_exactly_once(out, expected)
    assert json.loads((out / "summary.json").read_text())["processed"] == 0


def test_jsonl_markdown_clean_run(tmp_path):
    warc = tmp_path / "clean.warc"
    h.plain_warc(str(warc), 5)
    out = tmp_path / "out"
    rc = cli.main(["run", str(warc), "-o", str(out), "--format", "jsonl", "--markdown", "--workers", "1",
                   "--extractor", SIMPLE])
    assert rc == 0
    rows = [json.loads(x) for p in sorted((out / "data").glob("*.jsonl")) for x in p.read_text().splitlines()]
    assert len(rows) == 5 and all(r["markdown"] for r in rows)
    assert (out / "errors.jsonl").read_text() == ""


def test_usage_errors(tmp_path, capsys):
    warc = tmp_path / "a.warc"
    h.plain_warc(str(warc), 1)
    assert cli.main(["run", str(warc)]) == 2                      # no -o
    assert cli.main(["run", "-o", str(tmp_path / "o")]) == 2       # no input
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", str(warc), "-o", str(tmp_path / "o"), "--format", "csv"])
    assert exc.value.code == 2
    out = tmp_path / "o2"
    x = ["--extractor", SIMPLE, "--workers", "1"]
    assert cli.main(["run", str(warc), "-o", str(out), *x]) == 0
    assert cli.main(["run", str(warc), "-o", str(out), *x, "--shard-size", "7"]) == 2
    assert "different settings" in capsys.readouterr().err
    assert cli.main(["run", str(warc), "-o", str(out), *x, "--shard-size", "7", "--overwrite"]) == 0


def test_default_extractor_smoke(tmp_path):
    """The real copydesk engine through the pool: every record kept or skipped, none lost."""
    import copydesk
    from copydesk.errors import ModelError

    try:
        copydesk.extract(h.page(1))
    except ModelError as exc:
        pytest.skip(f"copydesk engine not usable here: {exc}")
    warc = tmp_path / "clean.warc"
    h.plain_warc(str(warc), 4)
    out = tmp_path / "out"
    assert cli.main(["run", str(warc), "-o", str(out), "--workers", "1", "--markdown"]) == 0
    _assert_exactly_once(out, _expected([str(warc)]))


def test_model_error_aborts_run(tmp_path, capsys):
    warc = tmp_path / "a.warc"
    h.plain_warc(str(warc), 3)
    out = tmp_path / "out"
    assert cli.main(["run", str(warc), "-o", str(out), "--workers", "1", "--extractor", "batch_helpers:broken"]) == 1
    assert "run aborted" in capsys.readouterr().err
    assert not (out / "summary.json").exists()  # nothing recorded as final; a rerun retries


def test_watchdog_crash_hang_timeout_memory(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    markers = ["", "CRASH", "", "HANG", "SLOW", "HOG", "RAISE", "", ""]
    for i, m in enumerate(markers):
        (site / f"{i:02d}.html").write_bytes(h.page(i, m))
    out = tmp_path / "out"
    rc = cli.main(["run", str(site), "-o", str(out), "--workers", "2", "--shard-size", "3",
                   "--extractor", "batch_helpers:nasty", "--timeout", "0.3", "--hard-timeout", "2.5",
                   "--max-memory-mb", "2048"])
    assert rc == 1
    got = _assert_exactly_once(out, [str(site / f"{i:02d}.html") for i in range(len(markers))])
    errors = {Path(r["id"]).stem: r["reason"] for r in map(json.loads, (out / "errors.jsonl").read_text().splitlines())}
    assert set(errors) == {"01", "03", "04", "05", "06"}
    assert "worker crashed (exit code 7)" in errors["01"]
    assert "hard timeout" in errors["03"]
    assert "timeout" in errors["04"]
    assert "memory" in errors["05"].lower()
    assert "RuntimeError: boom" in errors["06"]
    assert len(got["kept"]) == 4


def test_a_worker_that_dies_on_a_record_it_read_itself_loses_only_that_record(tmp_path):
    """Byte-range shards: the worker reads the records, so the parent knows a record only by
    its index in the range; the restarted worker reads the range again and skips that one."""
    import gzip

    markers = ["", "CRASH", "", "", "SEGV", "", "", ""]
    warc = tmp_path / "nasty.warc.gz"
    warc.write_bytes(b"".join(gzip.compress(h.response(f"http://ex.com/{i}", h.page(i, m)))
                              for i, m in enumerate(markers)))
    out = tmp_path / "out"
    rc = cli.main(["run", str(warc), "-o", str(out), "--workers", "2", "--extractor", "batch_helpers:nasty",
                   "--shard-bytes", str(warc.stat().st_size // 3 + 1)])
    assert rc == 1
    got = _assert_exactly_once(out, _expected([str(warc)]))
    errors = {r["url"]: r["reason"] for r in map(json.loads, (out / "errors.jsonl").read_text().splitlines())}
    assert set(errors) == {"http://ex.com/1", "http://ex.com/4"}
    assert "exit code 7" in errors["http://ex.com/1"] and "SIGSEGV" in errors["http://ex.com/4"]
    assert len(got["kept"]) == 6
    assert json.loads((out / "summary.json").read_text())["shards"] == 3


@pytest.mark.parametrize("read_by", ["parent", "workers"])
def test_kill_and_resume(tmp_path, read_by):
    warc = tmp_path / "big.warc.gz"
    import gzip

    with open(warc, "wb") as fh:
        for i in range(80):
            fh.write(gzip.compress(h.response(f"http://ex.com/{i}", h.page(i))))
        fh.write(gzip.compress(h.request("http://ex.com/r")))
    out = tmp_path / "out"
    # 9 shards either way: 10 records each, or 9 byte ranges that the workers read
    split = ["--shard-bytes", "0", "--shard-size", "10"] if read_by == "parent" else \
        ["--shard-bytes", str(-(-warc.stat().st_size // 9))]
    cmd = [sys.executable, "-m", "copydesk.batch", "run", str(warc), "-o", str(out), "--workers", "2",
           *split, "--extractor", "batch_helpers:slow", "--no-progress"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE), os.environ.get("PYTHONPATH", "")]),
           "COPYDESK_TEST_SLEEP": "0.04"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    manifest = out / "_manifest.jsonl"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if manifest.exists() and manifest.read_text().count('"type": "shard"') >= 1:
                break
            if proc.poll() is not None:
                pytest.fail("run ended before it could be killed: " + proc.stderr.read().decode()[-2000:])
            time.sleep(0.05)
        else:
            pytest.fail("no shard finished in time")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # kill -9 the run and its workers
        proc.wait(timeout=10)
    done_before = manifest.read_text().count('"type": "shard"')
    assert 1 <= done_before < 9, "the kill should land midway"
    assert not (out / "summary.json").exists()
    env["COPYDESK_TEST_SLEEP"] = "0"
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "resuming" in res.stderr
    expected = _expected([str(warc)])
    assert len(expected) == 81
    got = _assert_exactly_once(out, expected)
    assert len(got["kept"]) == 80 and len(got["skipped"]) == 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["shards_resumed"] == done_before and summary["shards"] == 9


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_peak_rss_is_the_workers_own(tmp_path):
    """`ru_maxrss` survives the fork and exec that spawn a worker; the summary reports the worker's own peak."""
    import io
    import resource

    from copydesk.batch.job import BatchConfig
    from copydesk.batch.local import run_local

    ballast = bytearray(400 * 1024 * 1024)  # the parent's peak RSS grows by 400 MB
    ballast[::4096] = b"x" * len(ballast[::4096])
    warc = tmp_path / "clean.warc"
    h.plain_warc(str(warc), 3)
    cfg = BatchConfig(outdir=str(tmp_path / "out"), extractor=SIMPLE, fmt="jsonl")
    summary = run_local([str(warc)], cfg, workers=1, progress=False, log=io.StringIO())
    parent_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert summary.kept == 3
    assert 0 < summary.peak_rss_mb < parent_peak_mb - 300
    del ballast


@pytest.mark.parametrize("kinds, wanted", [
    (["warc", "htmldir"], {"html"}), (["textdir", "text"], {"text"}), (["jsonl"], {"html", "text"}),
    (["missing:file not found"], set()),
])
def test_parent_compiles_only_the_models_its_inputs_need(monkeypatch, kinds, wanted):
    from copydesk import score, textmode
    from copydesk.batch import job
    from copydesk.batch.readers import Source
    warmed: set[str] = set()
    monkeypatch.setattr(score, "warm_compiled", lambda: warmed.add("html") or True)
    monkeypatch.setattr(textmode, "warm_compiled", lambda: warmed.add("text") or True)
    job.warm_compiled([Source(f"in{i}", k) for i, k in enumerate(kinds)])
    assert warmed == wanted


def test_strings_utf8_cannot_hold_cost_no_record(tmp_path):
    """A JSONL field with half a surrogate pair, a file name with an undecodable byte: all written."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "ok.html").write_bytes(h.page(1))
    os.makedirs(os.fsencode(site), exist_ok=True)
    with open(os.path.join(os.fsencode(site), b"caf\xe9.html"), "wb") as fh:  # Latin-1 name on a UTF-8 system
        fh.write(h.page(2))
    jl = tmp_path / "c.jsonl"
    jl.write_text(json.dumps({"url": "http://j/1", "html": h.page(3).decode(), "note": "x\ud800y"}) + "\n")
    out = tmp_path / "out"
    assert cli.main(["run", str(site), str(jl), "-o", str(out), "--workers", "1", "--extractor", SIMPLE]) == 0
    rows = [r for p in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(p).to_pylist()]
    assert len(rows) == 3
    assert any(r["id"].endswith("caf\ufffd.html") for r in rows)
    assert json.loads(next(r["meta"] for r in rows if r["url"] == "http://j/1"))["note"] == "x\ufffdy"


def _memory_files() -> int:
    """Descriptors of this process open on a shard's memory file."""
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            n += os.readlink(f"/proc/self/fd/{fd}").startswith("/memfd:copydesk-shard")
        except OSError:  # closed meanwhile (the one listdir used)
            pass
    return n


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="memory files need Linux (memfd_create)")
def test_shard_hand_off_by_memory_file_leaves_no_descriptor():
    shard = Shard("src#0", 0, "src", [Record("r1", "src", "http://x/1", html=h.page(1))], poison={0: "why"})
    a, b = mp.Pipe()
    packed = local._pack(shard)
    assert isinstance(packed, local._Packed) and packed.size > len(h.page(1))
    assert _memory_files() == 1
    local._send_shard(a, packed, os.getpid())
    assert packed.fd == -1  # the sender's copy is closed once sent
    got = local._recv_shard(b)
    assert got == shard
    assert _memory_files() == 0  # and the receiver's once read
    a.send(None)
    assert local._recv_shard(b) is None
    unsent = local._pack(shard)
    assert _memory_files() == 1
    del unsent  # dropped unsent (a run stopped early): closed all the same
    assert _memory_files() == 0
    a.close()
    b.close()


@pytest.mark.parametrize("why", ["missing", "refused"])
def test_shard_hand_off_without_memory_files(monkeypatch, why):
    if why == "missing":  # not Linux
        monkeypatch.delattr(local.os, "memfd_create", raising=False)
    else:  # a sandbox that filters the system call

        def refuse(*args):
            raise PermissionError(1, "Operation not permitted")
        monkeypatch.setattr(local.os, "memfd_create", refuse, raising=False)
    monkeypatch.setattr(local, "_memfd_refused", False)
    shard = Shard("src#1", 1, "src", [Record("r2", "src", None, html=b"<p>x</p>")])
    a, b = mp.Pipe()
    payload = local._pack(shard)
    assert not isinstance(payload, local._Packed)
    assert local._memfd_refused is (why == "refused")
    local._send_shard(a, payload, None)
    assert local._recv_shard(b) == shard


def test_progress_estimates_the_records_of_ranges_the_workers_have_yet_to_read(tmp_path):
    import gzip
    import io

    from copydesk.batch.job import BatchConfig
    from copydesk.batch.local import _Reader

    reader = _Reader([], BatchConfig(outdir=str(tmp_path / "x")), set(), ahead=1)
    reader.items_read, reader.span_bytes = 10, 1000
    assert reader.expected((0, 0)) is None  # still reading
    reader.finished = True
    assert reader.expected((0, 0)) is None  # no range done yet: no rate to go by
    assert reader.expected((250, 20)) == 10 + 80  # 20 records in a quarter of the bytes
    reader.span_bytes = 0
    assert reader.expected((0, 0)) == 10

    warc = tmp_path / "p.warc.gz"
    warc.write_bytes(b"".join(gzip.compress(h.response(f"http://ex.com/{i}", h.page(i))) for i in range(12)))
    log = io.StringIO()
    cfg = BatchConfig(outdir=str(tmp_path / "out"), extractor=SIMPLE, fmt="jsonl", shard_bytes=warc.stat().st_size // 4)
    summary = local.run_local([str(warc)], cfg, workers=2, progress=True, log=log)
    assert summary.kept == 12
    assert "12 records" in log.getvalue().splitlines()[-1] and "100%" in log.getvalue().splitlines()[-1]


def test_a_shard_cleans_its_text_records_in_batches_unless_it_failed_before(tmp_path, monkeypatch):
    """A worker cleans a shard's records BATCH_PAGES at a time (marked `_IN_BATCH`: a crash there
    names no record); a shard that failed before goes one record at a time."""
    from copydesk.batch.job import BatchConfig, resolve_extractor
    texts = ["Menu\nHome", "A sentence long enough to be body text, with more words in it. " * 4]
    shard = Shard("src#0", 0, "src", [Record(f"r{i}", "src", text=texts[i % 2]) for i in range(7)], poison={5: "why"})
    cfg = BatchConfig(outdir=str(tmp_path), fmt="jsonl")
    state = [0.0] * 5
    seen: list[tuple[int, float]] = []
    real = local.clean_batch

    def watched(items, *a):
        seen.append((len(items), state[local._IDX]))
        return real(items, *a)
    monkeypatch.setattr(local, "clean_batch", watched)
    monkeypatch.setattr(local, "BATCH_PAGES", 3)
    args = (cfg, resolve_extractor("copydesk"), cfg.options(), None, state)
    first = local._run_shard(shard, *args, tmp_path / "a")
    assert seen == [(3, local._IN_BATCH), (3, local._IN_BATCH), (1, local._IN_BATCH)]
    seen.clear()
    shard.attempts = 1
    again = local._run_shard(shard, *args, tmp_path / "b")
    assert seen == [] and state[local._IDX] == -1
    assert (first.kept, first.skipped, first.errors) == (again.kept, again.skipped, again.errors) == (2, 4, 1)
