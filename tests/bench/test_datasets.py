"""Loading the shared corpora, plus a small end-to-end run of the accuracy runner."""
from __future__ import annotations

from copydesk.bench import accuracy, datasets
from copydesk.bench.datasets import Page, host_of, load_pages


def test_host_of():
    assert host_of("https://www.Example.com:8080/a?b") == "example.com"
    assert host_of("blog.python.org") == "blog.python.org"
    assert host_of(None) == "" and host_of("") == ""


def test_load_wcxb(shared_data):
    pages = load_pages(shared_data, "wcxb-dev", limit=3)
    assert [p.id for p in pages] == ["0001", "0002", "0003"]
    first = pages[0]
    assert first.dataset == "wcxb-dev" and first.key == "wcxb-dev/0001"
    assert isinstance(first.html, bytes) and first.html.lstrip()[:1] == b"<"
    assert first.host == "scratchculinary.com" and first.url.startswith("https://scratchculinary.com/")
    assert first.page_type == "article"
    assert first.gold_text and first.gold_text.startswith("Fall isn")
    assert first.with_snippets and first.without_snippets == ("Home", "Login", "Order Now", "Chef's Choice Menu Previews")
    assert first.gold_author == "Andrew King" and first.gold_date == "2025-09-04"
    assert first.gold_title.startswith("Top Nutrition Trends")


def test_load_trafilatura_eval(shared_data):
    pages = load_pages(shared_data, "trafilatura-eval", limit=40)
    assert len(pages) == 40
    assert all(p.gold_text is None and p.with_snippets and p.page_type == "article" for p in pages)
    pseudo = [p for p in pages if p.url is None]  # "hard::..." keys are not URLs
    assert pseudo and all(p.host for p in pseudo)
    assert any(p.host == "blog.python.org" for p in pages)
    assert all(not p.host.startswith("www.") for p in pages)


def test_load_all_and_sample_deterministic(shared_data):
    both = load_pages(shared_data, "all", limit=20)
    assert [p.dataset for p in both] == ["wcxb-dev"] * 20 + ["trafilatura-eval"] * 20
    sample = load_pages(shared_data, "all", limit=20, sample=10)
    assert len(sample) == 10
    assert [p.key for p in sample] == [p.key for p in load_pages(shared_data, "all", limit=20, sample=10)]
    assert sum(p.dataset == "wcxb-dev" for p in sample) == 5
    assert sample[0].key == both[0].key and sample[1].key == both[4].key  # every 4th page (5 of 20)


def test_bad_dataset(shared_data):
    try:
        load_pages(shared_data, "nope")
    except ValueError as exc:
        assert "unknown dataset" in str(exc)
    else:
        raise AssertionError("expected ValueError")


def _page(i: int, dataset: str = datasets.WCXB, gold: str | None = "alpha beta", ptype: str = "article") -> Page:
    return Page(id=str(i), dataset=dataset, html=b"<p>x</p>", url=None, host="h", page_type=ptype,
                gold_text=gold, with_snippets=("alpha",), without_snippets=("menu",))


def test_run_accuracy_oracle_and_failures():
    pages = [_page(1), _page(2, ptype="forum"), _page(3, gold=None), _page(4, dataset=datasets.TRAFILATURA_EVAL)]

    def oracle(page: Page) -> str:
        return page.gold_text or "alpha"

    def broken(page: Page) -> str:
        raise RuntimeError("boom")

    report = accuracy.run_accuracy(pages, {"oracle": oracle, "broken": broken}, jobs=1)
    rows = {r.extractor: r for r in report.wcxb}
    assert rows["oracle"].f1 == 1.0 and rows["oracle"].pages == 2  # the page without gold text is not scored
    assert rows["oracle"].with_rate == 1.0 and rows["oracle"].without_rate == 0.0
    assert rows["broken"].f1 == 0.0 and rows["broken"].errors == 3
    traf = {r.extractor: r for r in report.trafilatura_eval}
    assert (traf["oracle"].counts.tp, traf["oracle"].counts.tn) == (1, 1)
    assert traf["broken"].counts.fn == 1 and traf["broken"].errors == 1
    assert report.page_type_f1["forum"] == {"oracle": 1.0, "broken": 0.0}
    md = report.to_markdown()
    assert "| oracle | 1.000 | 1.000 | 1.000 | 1.000 | 0.000 | 0 | 2 |" in md


def test_guarded_call_timeout():
    import time

    def slow(page: Page) -> str:
        time.sleep(2)
        return "late"

    result = accuracy.guarded_call(slow, _page(1), "", timeout=0.05)
    assert result.value == "" and result.error == "timeout" and result.seconds < 1


def test_missing_peer_is_reported_not_crashing(monkeypatch):
    from copydesk.bench import peers

    fake = peers.PeerSpec("ghost", "ghost-dist", "ghost_module_that_does_not_exist", lambda: None)
    monkeypatch.setitem(peers.PEERS, "ghost", fake)
    assert peers.available(["copydesk", "ghost"]) == (["copydesk"], ["ghost"])
    assert "ghost" not in peers.peer_extractors(["ghost"])
    assert peers.version_of("ghost") == "not installed"
