"""rss: a process's resident-memory high-water mark, read from /proc (Linux).

`ru_maxrss` survives fork and exec, so a child (a forked bench child, a spawned batch worker)
would report its parent's peak. Writing 5 to /proc/self/clear_refs resets VmHWM to the current
RSS; VmHWM read afterwards is the process's own peak from then on.
"""
from __future__ import annotations

import resource
from pathlib import Path

CLEAR_REFS = Path("/proc/self/clear_refs")
PROC_STATUS = Path("/proc/self/status")
RESET_PEAK_RSS = "5"  # writing 5 to clear_refs resets VmHWM to the current RSS


def status_kb(key: str) -> int:
    """A ``kB`` field of /proc/self/status ("VmRSS", "VmHWM"); KeyError when absent."""
    for line in PROC_STATUS.read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def reset_peak() -> bool:
    """Restart this process's VmHWM from its current RSS; False where /proc does not allow it."""
    try:
        with open(CLEAR_REFS, "w") as fh:
            fh.write(RESET_PEAK_RSS)
        return True
    except OSError:
        return False


def peak_mb() -> float:
    """This process's RSS high-water mark in MB: VmHWM where /proc has it, else `ru_maxrss`."""
    try:
        return status_kb("VmHWM") / 1024
    except (OSError, KeyError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
