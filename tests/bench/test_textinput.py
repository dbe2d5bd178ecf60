"""`copydesk bench --input text`: renderings, the text baselines and the wiring of the run."""
from __future__ import annotations

import numpy as np
import pytest

from copydesk.bench import cli, render, textpeers
from copydesk.bench.datasets import Page
from copydesk.blocks import Block

HTML = """<html><head><title>T</title><script>var x = 1;</script></head><body>
<nav><ul><li>Home</li><li>News</li></ul></nav>
<article><h1>Council approves the budget</h1>
<p>The council voted on <b>Tuesday</b> to approve the budget.</p><p>Residents welcomed it.</p>
<table><tr><td>a</td><td>b</td></tr></table></article>
<footer>Subscribe<br>Privacy</footer></body></html>"""


def test_render_text_one_line_per_block_blank_after_paragraphs():
    text = render.render_text(HTML)
    assert text.split("\n") == [
        "Home", "News", "", "Council approves the budget", "",
        "The council voted on Tuesday to approve the budget.", "", "Residents welcomed it.", "",
        "a", "b", "", "Subscribe", "Privacy"]
    assert "var x" not in text and "T" not in text.split("\n")


def test_render_text_keeps_noscript_content_a_scraper_without_javascript_sees():
    html = ("<body><div id='app'></div><noscript><div><p>First post of the thread.</p>"
            "<p>A reply to it.</p></div></noscript><script>boot()</script></body>")
    assert render.render_text(html).split("\n") == ["First post of the thread.", "", "A reply to it."]


def test_render_page_keeps_gold_and_carries_utf8_text():
    page = Page(id="p", dataset="wcxb-dev", html='<meta charset="iso-8859-1"><p>Café crème</p>'.encode("latin-1"), url=None, host="h",
                page_type="article", gold_text="gold")
    out = render.render_page(page)
    assert render.page_text(out) == "Café crème"
    assert out.gold_text == "gold" and out.host == "h"


def test_c4_line_filter_rule():
    assert textpeers.c4_keep("This line ends well.")
    assert not textpeers.c4_keep("Too short.")
    assert not textpeers.c4_keep("No terminal punctuation here")
    assert not textpeers.c4_keep("Please enable JavaScript to continue.")
    text = "Menu\n\nThis line ends well.\n  \nPlease enable JavaScript to see it."
    assert textpeers.c4_line_filter(text) == "This line ends well."
    assert textpeers.keep_everything(text) == "Menu\nThis line ends well.\nPlease enable JavaScript to see it."


def test_justext_lines_keeps_prose():
    pytest.importorskip("justext")
    prose = ("The council voted on Tuesday to approve a budget for the river district, ending a debate that had "
             "lasted for several months and that had divided the residents of the whole area, who had asked for "
             "the money to be spent on the schools and the bridges of their own part of the town.")
    out = textpeers.justext_lines("Home\n\n" + "\n\n".join([prose] * 4) + "\n\nPrivacy Policy")
    assert prose in out and "Privacy Policy" not in out


def test_compare_spec():
    ok, missing = textpeers.available("c4-line-filter")
    assert ok == ["copydesk-text", "c4-line-filter"] and not missing
    assert textpeers.available("none")[0] == ["copydesk-text"]
    default = textpeers.available(None)
    assert set(default[0] + default[1]) == set(textpeers.TEXT_EXTRACTORS)
    with pytest.raises(KeyError):
        textpeers.available("trafilatura")


def test_label_lines_one_word_needs_a_body_neighbour():
    from copydesk.train_text import label_lines

    gold = "Budget approved\n\nThe council voted on Tuesday to approve the budget of the district."
    lines = ["Home", "Budget approved", "The council voted on Tuesday to approve the budget.", "Budget",
             "Share", "district"]
    page = Page(id="p", dataset="wcxb-dev", html=b"", url=None, host="h", page_type="article", gold_text=gold)
    y = label_lines([Block(text=t, kind="paragraph") for t in lines], page)
    assert y.tolist() == [0, 1, 1, 1, 0, 0]


def test_bench_input_text_runs_oof_and_baselines(shared_data, capsys):
    code = cli.main(["--input", "text", "--data-dir", str(shared_data), "--limit", "6", "--oof", "2",
                     "--compare", "keep-everything,c4-line-filter"])
    out = capsys.readouterr().out
    assert code == 0
    for name in ("copydesk-text-oof", "copydesk-text", "keep-everything", "c4-line-filter"):
        assert f"| {name} |" in out
    assert "### WCXB dev" in out and "### trafilatura-eval" in out
    assert "### Throughput (accuracy run, per core)" in out and "justext-lines" not in out
    assert "Pages: wcxb-dev 6, trafilatura-eval 6" in out


def test_bench_input_text_speed(shared_data, capsys):
    code = cli.main(["--input", "text", "--data-dir", str(shared_data), "--limit", "2", "--speed",
                     "--rounds", "1", "--memory-pages", "0", "--compare", "none"])
    out = capsys.readouterr().out
    assert code == 0 and "### Speed (one process)" in out and "| copydesk-text |" in out


def test_text_mode_as_an_html_peer_and_a_fields_peer():
    """`--compare copydesk-text` and `--fields`: text mode on the page's rendering, in the HTML runs."""
    from pathlib import Path

    from copydesk import clean_text
    from copydesk.bench import peers
    html = (Path(__file__).resolve().parents[2] / "examples" / "news-article.html").read_bytes()
    doc = clean_text(render.render_text(render.decode_page(html)))
    assert doc.text and doc.title
    assert peers.PEERS["copydesk-text"].factory()(html, None) == doc.text
    assert peers.load_fields_peer("copydesk-text")(html, None) == peers.Fields(doc.title, tuple(doc.authors),
                                                                                doc.date)


def test_the_batch_text_extractor_is_named_only_and_gives_copydesk_texts():
    assert "copydesk-text-batch" not in textpeers.available("all")[0]
    assert textpeers.available("copydesk-text-batch")[0] == ["copydesk-text", "copydesk-text-batch"]
    fns = textpeers.text_extractors(["copydesk-text", "copydesk-text-batch"])
    pages = [Page(id=f"p{i}", dataset="wcxb-dev", html=t.encode(), url=None, host="example.com", page_type="article")
             for i, t in enumerate(["Menu\nHome", "A sentence long enough to be body text, with more words. " * 4])]
    assert fns["copydesk-text-batch"].batch(pages) == [fns["copydesk-text"](p) for p in pages]
    assert fns["copydesk-text-batch"](pages[1]) == fns["copydesk-text"](pages[1])
