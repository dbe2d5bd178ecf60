"""compiled: the shipped LightGBM boosters compiled to machine code, for faster scoring.

An optional accelerator of `score` (the `fast` extra: lleaves, which compiles a
LightGBM model file through LLVM). The compiled forest gives the same
probabilities as LightGBM (to ~1e-15) three to six times faster. Compiling takes
5 to 20 seconds a model, so it is done once per machine and kept in a cache folder
(`$COPYDESK_CACHE`, else `$XDG_CACHE_HOME/copydesk`, else `~/.cache/copydesk`),
one file per model file, lleaves and llvmlite versions and host CPU; later processes load it
in milliseconds. Without lleaves, with `COPYDESK_COMPILE=0`, or when the
cache cannot be written, `score` predicts with LightGBM as before.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
_lock = threading.Lock()


class CompiledBooster:
    """A compiled forest with the `predict(X, num_threads=...)` call of a LightGBM booster."""

    def __init__(self, model) -> None:
        self.model = model

    def predict(self, X: np.ndarray, num_threads: int = 1) -> np.ndarray:
        return self.model.predict(X, n_jobs=num_threads)


def wanted() -> bool:
    """Whether compiled prediction is asked for (`COPYDESK_COMPILE` is not 0)."""
    return os.environ.get("COPYDESK_COMPILE", "1").strip().lower() not in ("0", "false", "no", "off")


def enabled() -> bool:
    """Whether compiled prediction is wanted and lleaves imports."""
    if not wanted():
        return False
    try:
        import lleaves  # noqa: F401
    except Exception:  # not installed, or its llvmlite does not load here
        return False
    return True


def cache_dir() -> Path:
    base = os.environ.get("COPYDESK_CACHE")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "copydesk"


#: Forests of more trees than this are compiled without LLVM's inliner. On the 2,100-tree page-type
#: classifier the inliner took 57 s and 1.46 GB of memory, against 13 s and 0.59 GB without,
#: for 0.75 % of a page's time (stop 20); the other shipped forests have 150-250 trees.
INLINE_MAX_TREES = 1000


_ENTRIES: dict[tuple, tuple[str, bool]] = {}


def _entry(model_file: Path) -> tuple[str, bool]:
    """(cache file name, whether LLVM inlines) of `model_file`. The file is read and hashed once a
    process (again when it changes): loading a model first asks `cached`, then `load`s it."""
    st = model_file.stat()
    key = (str(model_file), st.st_size, st.st_mtime_ns, INLINE_MAX_TREES)
    hit = _ENTRIES.get(key)
    if hit is None:
        from importlib.metadata import version

        import llvmlite.binding as llvm
        text = model_file.read_bytes()
        inline = text.count(b"\nTree=") <= INLINE_MAX_TREES
        h = hashlib.sha256(text)
        for part in (version("lleaves"), version("llvmlite"), llvm.get_host_cpu_name(),
                     llvm.get_host_cpu_features().flatten()) + (() if inline else ("no-inline",)):
            h.update(b"\0" + part.encode())
        _ENTRIES[key] = hit = (f"{model_file.stem}-{h.hexdigest()[:24]}.so", inline)
    return hit


def cache_path(model_file: Path) -> Path:
    """The cache file of `model_file` compiled for this host's CPU by this lleaves."""
    return cache_dir() / _entry(model_file)[0]


def cached(model_file: Path) -> bool:
    """Whether `model_file`'s compiled code is in the cache for this host. Loads nothing, and
    imports llvmlite only (0.1 s), not lleaves (0.5 s with the pandas it imports)."""
    if not wanted():
        return False
    try:
        return cache_path(model_file).is_file()
    except Exception:  # no llvmlite, an unreadable model file: `load` reports it
        return False


def load(model_file: Path) -> CompiledBooster | None:
    """`model_file` compiled (from the cache, or compiled now and cached); None when not possible."""
    if not enabled():
        return None
    try:
        import lleaves
        path = cache_path(model_file)
        inline = _entry(model_file)[1]
        model = lleaves.Model(model_file=str(model_file))
        with _lock:
            if path.is_file():
                model.compile(cache=str(path))  # loads the cached code
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                model.compile(cache=str(tmp), finline=inline)  # compiles, writes the code to tmp and loads it
                os.replace(tmp, path)  # atomic: a concurrent process sees the whole file or none
        return CompiledBooster(model)
    except Exception as e:  # no cache folder, a compiler error: LightGBM still predicts
        log.warning("copydesk: compiled scoring unavailable for %s (%s); using LightGBM", model_file.name, e)
        return None


def load_passes(model_file: Path, context_file: Path | None) -> tuple | None:
    """A first pass and its context pass (None: the model has none) compiled, or None unless
    every pass compiles: scoring then stays with LightGBM for both."""
    first = load(model_file)
    context = load(context_file) if context_file is not None else None
    return (first, context) if first is not None and (context_file is None or context is not None) else None


def warm(model_files: list[Path]) -> bool:
    """Compile `model_files` into the cache now, so that processes started after this one load
    them at once; whether compiled scoring is available for all of them. Files already in the
    cache are not loaded: a parent that only starts workers has no use for them."""
    return all(cached(f) or load(f) is not None for f in model_files)
