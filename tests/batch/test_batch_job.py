"""The per-record step: copydesk's own extractor on HTML and on already-scraped text records."""
from __future__ import annotations

from pathlib import Path

from copydesk.batch.job import (
    BATCH_TEXT_MAX_CHARS,
    BatchConfig,
    clean_batch,
    process_item,
    resolve_extractor,
)
from copydesk.batch.readers import Record

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_copydesk_extractor_cleans_html_and_text_records(tmp_path):
    cfg = BatchConfig(outdir=str(tmp_path))
    extractor = resolve_extractor("copydesk")
    html = Record("a", "src", url="https://example.org/story", html=(EXAMPLES / "news-article.html").read_bytes())
    text = Record("b", "src", url="https://example.org/story", text=(EXAMPLES / "news-article.txt").read_text())
    for rec in (html, text):
        kind, row = process_item(rec, extractor, cfg.options(), markdown=False)
        assert kind == "kept", row
        assert "hydrogen" in row["text"].lower() and row["id"] == rec.id and row["chars"] == len(row["text"])


def _text_records(n: int) -> list[Record]:
    story = (EXAMPLES / "news-article.txt").read_text()
    texts = [story, "Menu\nHome\nLogin", story.replace("\n\n", "\n"), story[: len(story) // 2]]
    return [Record(f"r{i}", "src", url=f"https://example.org/{i}", text=texts[i % len(texts)]) for i in range(n)]


def test_text_records_are_cleaned_together_into_the_same_rows(tmp_path):
    cfg = BatchConfig(outdir=str(tmp_path))
    extractor, opts = resolve_extractor("copydesk"), cfg.options()
    html = Record("h", "src", url="https://example.org/h", html=(EXAMPLES / "news-article.html").read_bytes())
    long_text = Record("long", "src", text="word " * (BATCH_TEXT_MAX_CHARS // 5 + 1))
    items = _text_records(4)[:2] + [html, long_text] + _text_records(4)[2:]
    docs, ms_each = clean_batch(items, extractor, opts)
    assert [d is not None for d in docs] == [True, True, False, False, True, True] and ms_each > 0
    for item, doc in zip(items, docs):
        kind, row = process_item(item, extractor, opts, False, doc=doc, ms=1.5 if doc is not None else None)
        alone_kind, alone = process_item(item, extractor, opts, False)
        assert kind == alone_kind and {k: v for k, v in row.items() if k != "ms"} == \
            {k: v for k, v in alone.items() if k != "ms"}
        if doc is not None and kind == "kept":
            assert row["ms"] >= 1.5


def test_a_batch_is_left_to_the_records_when_it_fails_or_is_not_copydesks(tmp_path, monkeypatch):
    cfg = BatchConfig(outdir=str(tmp_path))
    items = _text_records(3)

    def simple(rec, opts):
        raise AssertionError("not called by clean_batch")
    assert clean_batch(items, simple, cfg.options()) == ([None] * 3, 0.0)
    assert clean_batch(items[:1], resolve_extractor("copydesk"), cfg.options()) == ([None], 0.0)  # one: alone

    from copydesk import textmode

    def broken(*a, **k):
        raise RuntimeError("a page the batch could not clean")
    monkeypatch.setattr(textmode, "clean_texts", broken)
    assert clean_batch(items, resolve_extractor("copydesk"), cfg.options()) == ([None] * 3, 0.0)


def test_a_batch_holds_at_most_batch_max_chars(tmp_path, monkeypatch):
    from copydesk.batch import job
    items = _text_records(4)
    monkeypatch.setattr(job, "BATCH_MAX_CHARS", len(items[0].text) + 1)  # reached with the second record
    docs, _ = clean_batch(items, resolve_extractor("copydesk"), BatchConfig(outdir=str(tmp_path)).options())
    assert [d is not None for d in docs] == [True, True, False, False]  # the others go alone
