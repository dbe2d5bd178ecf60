import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from copydesk.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_extract_text_and_json(capsys):
    assert main(["extract", str(EXAMPLES / "news-article.html")]) == 0
    text = capsys.readouterr().out
    assert "hydrogen" in text.lower() and "Sign up" not in text
    assert main(["extract", "--format", "json", str(EXAMPLES / "news-article.html")]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["title"] and record["authors"] and record["source"].endswith("news-article.html")


def test_folder_gzip_and_a_bad_file(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.html.gz").write_bytes(gzip.compress((EXAMPLES / "news-article.html").read_bytes()))
    (tmp_path / "b.html").write_bytes(b"")
    missing = tmp_path / "missing.html"
    code = main(["extract", "--format", "jsonl", str(tmp_path), str(missing)])
    out, err = capsys.readouterr()
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 1                                   # one input failed ...
    assert len(lines) == 2                             # ... the others were processed
    assert "missing.html" in err and err.count("\n") >= 2
    assert any("empty input" in line for line in err.splitlines())


def test_a_url_is_not_fetched_and_the_error_says_how_to_pipe_it(capsys):
    assert main(["extract", "https://example.invalid/story.html"]) == 1
    err = capsys.readouterr().err
    assert "does not fetch" in err and "| copydesk extract --url 'https://example.invalid/story.html' -" in err
    assert main(["extract", "no-such-file.html"]) == 1
    assert "does not fetch" not in capsys.readouterr().err


def test_stdin_markdown_and_url():
    html = (EXAMPLES / "news-article.html").read_bytes()
    out = subprocess.run([sys.executable, "-m", "copydesk.cli", "extract", "-", "--format", "markdown",
                          "--url", "https://example.org/x"], input=html, capture_output=True, check=True).stdout
    assert out.decode().startswith("# ")


def test_jsonl_corpus_keeps_fields_and_reports_bad_records(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    good = {"id": 1, "text": (EXAMPLES / "news-article.txt").read_text(), "lang": "en"}
    corpus.write_text(json.dumps(good) + "\n" + json.dumps({"id": 2, "text": 5}) + "\nnot json\n")
    code = main(["extract", "--input", "jsonl", str(corpus)])
    out, err = capsys.readouterr()
    records = [json.loads(x) for x in out.splitlines()]
    assert code == 1 and len(records) == 1
    assert records[0]["id"] == 1 and records[0]["lang"] == "en" and records[0]["copydesk"]["text"]
    assert "c.jsonl:2" in err and "c.jsonl:3" in err


def test_jsonl_corpus_record_with_half_a_surrogate_pair_is_written_whole(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    text = (EXAMPLES / "news-article.txt").read_text()
    corpus.write_text(json.dumps({"id": 1, "text": text + " \ud83d", "note": "x\ud800y"}) + "\n")
    assert main(["extract", "--input", "jsonl", str(corpus)]) == 0
    (record,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert record["note"] == "x\ud800y" and "hydrogen" in record["copydesk"]["text"].lower()


def test_jsonl_corpus_written_with_a_byte_order_mark_loses_no_record(tmp_path, capsys):
    corpus = tmp_path / "bom.jsonl"
    text = (EXAMPLES / "news-article.txt").read_text()
    corpus.write_bytes(b"\xef\xbb\xbf" + (json.dumps({"id": 1, "text": text}) + "\n").encode())
    assert main(["extract", "--input", "jsonl", str(corpus)]) == 0
    (record,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert record["id"] == 1 and record["copydesk"]["text"]


def test_usage_errors():
    assert main([]) == 2
    assert main(["extract", "--url", "u", str(EXAMPLES / "news-article.html"), str(EXAMPLES / "blog-post.html")]) == 2


def test_jsonl_corpus_mode_runs_two_passes(tmp_path, capsys):
    topics = ["library", "harbour", "school", "bridge", "museum", "park", "theatre", "clinic", "market", "station",
              "stadium", "garden"]
    story = "The council met and agreed the budget for the new {d}, after a long debate about its costs."
    footer = "Our journalism is funded by readers like you, and we thank every one of them for it."
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"url": f"https://news.example/{i}", "text": story.format(d=topics[i])
                                          + "\n\n" + footer}) + "\n" for i in range(12)))
    assert main(["extract", "--input", "jsonl", "--corpus", str(corpus)]) == 0
    records = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(records) == 12
    assert all(t in r["copydesk"]["text"] for t, r in zip(topics, records))
    assert not any("funded by readers" in r["copydesk"]["text"] for r in records)


def test_train_takes_its_own_options(capsys):
    # `copydesk train --threads 1 ...` reaches copydesk.train's parser (argparse subcommands drop them).
    with pytest.raises(SystemExit) as stop:
        main(["train", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "--threads" in out and "--folds" in out


def test_a_warc_file_gives_each_of_its_pages(tmp_path, capsys):
    pytest.importorskip("fastwarc")
    sys.path.insert(0, str(Path(__file__).resolve().parent / "batch"))
    import batch_helpers as h

    article = (EXAMPLES / "news-article.html").read_bytes()
    records = [h.response("http://ex.com/a", article), h.request("http://ex.com/a"),
               h.response("http://ex.com/b", h.page(2)), h.response("http://ex.com/pdf", b"%PDF-1.4", ctype="application/pdf")]
    for name in ("crawl.warc.gz", "crawl.bin"):  # by its name, or by its first bytes
        path = tmp_path / name
        path.write_bytes(b"".join(gzip.compress(r) for r in records))
        assert main(["extract", "--format", "jsonl", str(path)]) == 0
        out, err = capsys.readouterr()
        docs = [json.loads(x) for x in out.splitlines()]
        assert [d["source"] for d in docs] == ["http://ex.com/a", "http://ex.com/b"]
        assert "hydrogen" in docs[0]["text"].lower() and docs[1]["text"].startswith("page 2")
        assert "2 pages extracted, 2 records skipped, 0 failed" in err


def test_extract_loads_no_other_stage():
    # A one-page `copydesk extract` takes about half a second, most of it starting up; the
    # benchmark's, the batch runner's and the service's modules (and numpy.ma) are not needed.
    code = ("import contextlib, io, sys; from copydesk.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()): main(['extract', {str(EXAMPLES / 'news-article.html')!r}])\n"
            "print(sorted(m for m in sys.modules if m.startswith(('copydesk.bench', 'copydesk.serve')) "
            "or m in ('copydesk.batch.cli', 'copydesk.batch.local', 'numpy.ma')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_jsonl_text_records_cleaned_in_batches_keep_their_order(tmp_path, capsys, monkeypatch):
    """Text records go to `clean_texts` a few at a time: the same documents, in the corpus's order,
    the bad records reported on their own."""
    from copydesk import cli, textmode
    from copydesk.textmode import clean_text
    monkeypatch.setattr(cli, "BATCH_PAGES", 3)
    story = (EXAMPLES / "news-article.txt").read_text()
    texts = [story, "Menu\nHome\nLogin", story.replace("\n\n", "\n"), "", story[: len(story) // 2], "One line."]
    rows = [json.dumps({"id": i, "text": t}) for i, t in enumerate(texts)]
    rows.insert(4, json.dumps({"id": "bad", "text": None}))
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(rows) + "\n")
    assert main(["extract", "--input", "jsonl", str(corpus)]) == 1
    out, err = capsys.readouterr()
    records = [json.loads(x) for x in out.splitlines()]
    assert [r["id"] for r in records] == list(range(len(texts)))
    assert [r["copydesk"]["text"] for r in records] == [clean_text(t).text for t in texts]
    assert "c.jsonl:5: field 'text' is missing or not a string" in err
    batches: list[int] = []
    real = textmode.clean_texts
    monkeypatch.setattr(textmode, "clean_texts", lambda texts, *a: batches.append(len(texts)) or real(texts, *a))
    monkeypatch.setattr(cli, "BATCH_MAX_CHARS", len(story) + 1)  # a story and one more record end a batch
    assert main(["extract", "--input", "jsonl", str(corpus)]) == 1
    assert [json.loads(x)["id"] for x in capsys.readouterr().out.splitlines()] == list(range(len(texts)))
    assert batches == [2, 3, 1]


def test_jsonl_batch_that_fails_is_cleaned_record_by_record(tmp_path, capsys, monkeypatch):
    from copydesk import textmode
    from copydesk.errors import CopydeskError
    real = textmode.clean_texts

    def fails_on_many(texts, *a, **k):
        if len(texts) > 1:
            raise CopydeskError("a batch that could not be cleaned")
        return real(texts, *a, **k)
    monkeypatch.setattr(textmode, "clean_texts", fails_on_many)
    story = (EXAMPLES / "news-article.txt").read_text()
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps({"id": i, "text": story}) for i in range(3)) + "\n")
    assert main(["extract", "--input", "jsonl", str(corpus)]) == 0
    records = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in records] == [0, 1, 2] and all("hydrogen" in r["copydesk"]["text"].lower() for r in records)


def test_text_files_cleaned_in_batches_keep_their_order(tmp_path, capsys, monkeypatch):
    """Scraped-text files go to `clean_texts` a few at a time, written in the inputs' order,
    an HTML page among them in its place."""
    from copydesk import cli
    from copydesk.textmode import clean_text
    monkeypatch.setattr(cli, "BATCH_PAGES", 2)
    story = (EXAMPLES / "news-article.txt").read_text()
    texts = {"a.txt": story, "b.txt": "Menu\nHome\nLogin", "d.txt": story.replace("\n\n", "\n"), "e.txt": "",
             "f.txt": story[: len(story) // 2]}
    for name, t in texts.items():
        (tmp_path / name).write_text(t)
    (tmp_path / "c.html").write_bytes((EXAMPLES / "news-article.html").read_bytes())
    assert main(["extract", "--format", "jsonl", str(tmp_path)]) == 0
    records = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [Path(r["source"]).name for r in records] == ["a.txt", "b.txt", "c.html", "d.txt", "e.txt", "f.txt"]
    for r in records:
        name = Path(r["source"]).name
        if name in texts:
            assert r["text"] == clean_text(texts[name]).text
