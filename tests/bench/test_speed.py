"""The speed report: ratios of the pairs doing the same work."""
from copydesk.bench.datasets import Page
from copydesk.bench.speed import CHUNK_PAGES, SpeedReport, SpeedRow, run_speed


def _row(name: str, rate: float) -> SpeedRow:
    return SpeedRow(name, rate, (rate,), None, 0, None)


def test_like_for_like_ratios_stated_for_pairs_measured():
    report = SpeedReport([_row("copydesk", 40.0), _row("trafilatura-meta", 8.0), _row("trafilatura", 16.0)],
                         200, 3, 0, "n/a", "trafilatura")
    assert report.like_for_like() == ["like for like (text and metadata): copydesk / trafilatura-meta = 5.00×"]
    assert "- like for like (text and metadata)" in report.to_markdown()


def test_like_for_like_silent_without_both_sides():
    report = SpeedReport([_row("copydesk-nometa", 40.0)], 200, 3, 0, "n/a", "trafilatura")
    assert report.like_for_like() == []


def test_run_speed_measures_every_extractor_and_the_pairs():
    pages = [Page(id=f"p{i}", dataset="wcxb-dev", html=b"<p>x</p>", url=None, host="example.com",
                  page_type="article") for i in range(3)]
    calls = {"copydesk-nometa": 0, "trafilatura": 0}

    def counted(name):
        def fn(page):
            calls[name] += 1
            return "x"
        return fn

    report = run_speed(pages, {n: counted(n) for n in calls}, rounds=2, memory_pages=0)
    assert {r.extractor for r in report.rows} == set(calls)
    assert all(c >= 2 * len(pages) for c in calls.values())
    assert report.like_for_like()[0].startswith("like for like (text only): copydesk-nometa / trafilatura = ")


def test_run_speed_interleaves_extractors_in_chunks():
    # 25 pages, 2 extractors: each chunk of CHUNK_PAGES runs under both before the next chunk,
    # so no extractor runs a whole round alone (a slow spell hits both alike)
    n = 2 * CHUNK_PAGES + 5
    pages = [Page(id=f"p{i}", dataset="wcxb-dev", html=b"<p>x</p>", url=None, host="example.com",
                  page_type="article") for i in range(n)]
    order: list[tuple[str, str]] = []

    def logged(name):
        def fn(page):
            order.append((name, page.id))
            return "x"
        return fn

    report = run_speed(pages, {"a": logged("a"), "b": logged("b")}, rounds=1, memory_pages=0)
    first_round = order[2:]  # after the two warm-up calls
    assert len(first_round) == 2 * n
    chunk = first_round[:2 * CHUNK_PAGES]
    assert {name for name, _ in chunk} == {"a", "b"}
    assert {pid for _, pid in chunk} == {f"p{i}" for i in range(CHUNK_PAGES)}
    # the order rotates from chunk to chunk
    assert first_round[0][0] != first_round[2 * CHUNK_PAGES][0]
    assert all(r.cpu_pages_per_s is not None and r.cpu_pages_per_s > 0 for r in report.rows)


def test_like_for_like_states_cpu_ratio_when_measured():
    rows = [SpeedRow("copydesk", 40.0, (40.0,), None, 0, None, 30.0),
            SpeedRow("trafilatura-meta", 8.0, (8.0,), None, 0, None, 10.0)]
    report = SpeedReport(rows, 200, 3, 0, "n/a", "trafilatura")
    assert report.like_for_like() == [
        "like for like (text and metadata): copydesk / trafilatura-meta = 5.00× (CPU time: 3.00×)"]


def test_a_batch_extractor_gets_each_chunk_in_one_call():
    pages = [Page(id=f"p{i}", dataset="wcxb-dev", html=b"x", url=None, host="example.com", page_type="article")
             for i in range(7)]
    calls: list[list[str]] = []

    class Batched:
        def __call__(self, page):
            return self.batch([page])[0]

        def batch(self, chunk):
            calls.append([p.id for p in chunk])
            if "p5" in [p.id for p in chunk]:
                raise RuntimeError("a chunk that fails counts as errors for its pages")
            return ["x"] * len(chunk)

    report = run_speed(pages, {"one": lambda page: "x", "many": Batched()}, rounds=1, memory_pages=0,
                       chunk_pages=3)
    assert calls[1:] == [["p0", "p1", "p2"], ["p3", "p4", "p5"], ["p6"]]  # after the warm-up call
    rows = {r.extractor: r for r in report.rows}
    assert rows["many"].errors == 3 and rows["one"].errors == 0
    text = report.to_markdown()
    assert "interleaved in chunks of 3 pages" in text and "- many: one call a chunk of 3 pages" in text
