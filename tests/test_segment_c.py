"""_segment.c against the Python walk it replaces (`segment._segment_py`): the same result,
field for field. (test_segment runs its behaviour tests on both walks.)"""
import os
import subprocess
import sys

import pytest
from conftest import require_compiled

from copydesk import segment as segment_module
from copydesk.parse import parse
from copydesk.prune import prune

require_compiled(segment_module._native_bound, "_segment")


def _fields(seg):
    return tuple(getattr(seg, name) for name in segment_module.Segmentation.__slots__)


def _both(html: str, pruned: bool = True):
    """(Python walk's segmentation, C walk's) of one page, as the pipeline sees it."""
    tree, _ = parse(html)
    if pruned:
        prune(tree)
    root = tree.body or tree.root
    return _fields(segment_module._segment_py(tree)), _fields(segment_module._native_segmentation(root))


ODD_PAGES = [
    "",
    "plain text, no tags",
    "<pre>  a\n\n  b  </pre><pre>\n\n</pre><p>x<pre>in p</pre>y</p>",
    "<p>caf\u00e9 \u00a0\u2003 \u3000na\u00efve</p><p>\u00a0</p><p>\U0001F600 emoji</p>",
    "<div class='Comment-List' id='Main_Content' role='Navigation' itemprop='ArticleBody'>x</div>",
    "<div class aria-hidden=true>a</div><div id role=dialog>b</div><div class='' id=''>c</div>",
    "<a href=#> <b> link </b> </a>text<a>more</a>",
    "<ul>" + "<li><a href=/x>item</a></li>" * 300 + "</ul>",
    "<div>" * 300 + "deep" + "</div>" * 300,
    "<section>" + "<div class='content'>" * 260 + "x" + "</div>" * 260 + "</section>",
    "<table><caption>cap</caption><tr><th>h</th><td>d<br>e</td></tr></table><dl><dt>t</dt><dd>d</dd></dl>",
    "<svg><text>svg text</text><foreignObject><p>fo</p></foreignObject></svg><math><mi>x</mi></math>",
    "<template><p>never walked</p></template><x-el><p>custom</p></x-el><noscript><p>ns</p></noscript>",
    "<body><p>one</p><hr><hr>two<hr></body>",
    "<p>bad bytes \udcff here</p>".encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
    "<p>nul\x00 and \x1b esc</p><h1>t</h1><h6>six</h6><blockquote>q<p>r</p></blockquote>",
]


@pytest.mark.parametrize("html", ODD_PAGES)
def test_c_and_python_walks_agree_on_odd_pages(html):
    py, c = _both(html)
    assert c == py
    py, c = _both(html, pruned=False)
    assert c == py


def test_c_and_python_walks_agree_on_shared_pages(shared_data):
    """Every 10th page of both shared sets, decoded and pruned as the pipeline does."""
    from copydesk.decode import decode
    files = sorted((shared_data / "wcxb-dev" / "html").iterdir())[::10]
    files += sorted((shared_data / "trafilatura-eval" / "html").iterdir())[::10]
    assert len(files) > 200
    for path in files:
        dec = decode(path.read_bytes())
        tree, _ = parse(dec.text, dec.utf8)
        prune(tree)
        py = _fields(segment_module._segment_py(tree))
        assert _fields(segment_module._native_segmentation(tree.body or tree.root)) == py, path.name


def test_too_many_blocks_truncates_alike(monkeypatch):
    # the C walk reads its limits when configured: configure it again with a small one
    monkeypatch.setattr(segment_module, "MAX_BLOCKS", 25)
    try:
        assert segment_module._bind_native()
        py, c = _both("<p>b</p>" * 60)
        assert c == py
        assert len(c[0]) == 25 and c[-1] is True
    finally:
        monkeypatch.undo()
        assert segment_module._bind_native()


def test_native_walk_can_be_turned_off():
    code = "from copydesk import features, segment; print(segment._native_bound, features._native)"
    env = {**os.environ, "COPYDESK_NATIVE": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False None"
