"""The per-record step: copydesk's own extractor on HTML and on already-scraped text records."""
from __future__ import annotations

from pathlib import Path

from copydesk.batch.job import BatchConfig, process_item, resolve_extractor
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
