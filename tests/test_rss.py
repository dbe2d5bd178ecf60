"""The process's own RSS high-water mark."""
import pytest

from copydesk import rss


@pytest.mark.skipif(not rss.CLEAR_REFS.exists(), reason="needs Linux /proc")
def test_reset_peak_forgets_an_earlier_peak():
    assert rss.reset_peak()  # this process's earlier peaks (e.g. compiling a forest) out of the way
    ballast = bytearray(200 * 1024 * 1024)
    ballast[::4096] = b"x" * len(ballast[::4096])
    del ballast
    high = rss.peak_mb()
    assert rss.reset_peak()
    assert rss.peak_mb() < high - 150
    assert rss.status_kb("VmRSS") > 0
