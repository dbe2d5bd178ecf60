"""compiled: the shipped LightGBM boosters compiled to machine code, for faster scoring.

An optional accelerator of `score` (the `fast` extra: lleaves, which compiles a
LightGBM model file through LLVM). The compiled forest gives the same
probabilities as LightGBM (to ~1e-15) three to six times faster. Compiling takes
5 to 20 seconds a model, so it is done once per machine and kept in a cache folder
(`$COPYDESK_CACHE`, else `$XDG_CACHE_HOME/copydesk`, else `~/.cache/copydesk`),
one file per model file, lleaves and llvmlite versions and host CPU; later processes load it
in milliseconds with llvmlite alone, after checking the file's seal (`_unsealed`). Without
lleaves, with `COPYDESK_COMPILE=0`, or when the cache cannot be written, `score` predicts with
LightGBM as before.
"""
from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import logging
import os
import threading
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
_lock = threading.Lock()


class CompiledBooster:
    """A compiled forest with the `predict(X, num_threads=...)` call of a LightGBM booster.

    Holds the machine code lleaves made for one model file, loaded by llvmlite
    (`_load_object`): lleaves itself, and the pandas it imports (0.2 s of a process's
    start), is imported only to compile. Predicts on the calling thread.
    """

    def __init__(self, engine, entry, n_feature: int, n_class: int) -> None:
        self._engine = engine  # owns the code `entry` points into
        self._entry = entry
        self.n_feature, self.n_class = n_feature, n_class

    def predict(self, X: np.ndarray, num_threads: int = 1) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_feature:
            raise ValueError(f"rows must have {self.n_feature} columns, not shape {X.shape}")
        n = len(X)
        out = np.zeros(n if self.n_class == 1 else (n, self.n_class), dtype=np.float64)
        if n:
            self._entry(X.ctypes.data, out.ctypes.data, 0, n)
        return out


#: lleaves' entry point: rows, results (double *: addresses, which ctypes passes faster than
#: pointer objects), first row, end row (lleaves 1.x, fp64).
_ENTRY = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32)


def model_header(model_file: Path) -> tuple[int | None, int]:
    """(features, classes) a LightGBM model file declares in its header (features None: not found)."""
    found: dict[bytes, int] = {}
    with open(model_file, "rb") as fh:
        for line in fh.read(4096).split(b"\n"):
            key, _, value = line.partition(b"=")
            if key in (b"max_feature_idx", b"num_class"):
                found[key] = int(value)
    n_feature = found.get(b"max_feature_idx")
    return (None if n_feature is None else n_feature + 1), found.get(b"num_class", 1)


def _load_object(code: bytes, model_file: Path) -> CompiledBooster:
    """Machine code lleaves made for `model_file` (checked: `_unsealed`), loaded as lleaves loads it."""
    import llvmlite.binding as llvm

    llvm.initialize()
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    target = llvm.Target.from_triple(llvm.get_process_triple())
    machine = target.create_target_machine(cpu=llvm.get_host_cpu_name(), features=_host_features(),
                                           reloc="pic", codemodel="large")
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), machine)
    engine.set_object_cache(getbuffer_func=lambda _module: code)
    engine.finalize_object()
    engine.run_static_constructors()
    n_feature, n_class = model_header(model_file)
    if n_feature is None:
        raise ValueError(f"{model_file.name} declares no max_feature_idx")
    address = engine.get_function_address("forest_root")
    if not address:
        raise ValueError("the compiled code has no forest_root")
    return CompiledBooster(engine, _ENTRY(address), n_feature, n_class)


#: Every cache file ends with this and the SHA-256 of the code before it. LLVM aborts the whole
#: process on a damaged object file (say, a write cut short by a power loss), so the code is
#: checked before LLVM sees it, and compiled again when it does not match.
_SEAL = b"\0copydesk-sha256\0"
_SEAL_BYTES = len(_SEAL) + 32


def _seal(code_file: Path, path: Path) -> bytes:
    """Store lleaves' output `code_file` at `path`, sealed, durably and atomically; remove
    `code_file` and return its code."""
    code = code_file.read_bytes()
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    with open(part, "wb") as fh:
        fh.write(code + _SEAL + hashlib.sha256(code).digest())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(part, path)  # a concurrent process sees the whole file or none
    code_file.unlink()
    return code


def _unsealed(path: Path) -> bytes | None:
    """The code of cache file `path`, or None when its seal does not match (damaged, or not ours)."""
    raw = path.read_bytes()
    if len(raw) <= _SEAL_BYTES or raw[-_SEAL_BYTES:-32] != _SEAL:
        return None
    code = raw[:-_SEAL_BYTES]
    return code if hashlib.sha256(code).digest() == raw[-32:] else None


def _host_features() -> str:
    import llvmlite.binding as llvm

    try:
        return llvm.get_host_cpu_features().flatten()
    except RuntimeError:  # LLVM cannot tell on this host (lleaves does the same)
        return ""


def wanted() -> bool:
    """Whether compiled prediction is asked for (`COPYDESK_COMPILE` is not 0)."""
    return os.environ.get("COPYDESK_COMPILE", "1").strip().lower() not in ("0", "false", "no", "off")


def enabled() -> bool:
    """Whether compiled prediction is wanted and possible here: lleaves installed (not imported:
    only compiling needs it) and llvmlite loading."""
    if not wanted():
        return False
    try:
        if importlib.util.find_spec("lleaves") is None:
            return False
        import llvmlite.binding  # noqa: F401
    except Exception:  # its llvmlite does not load here
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
                     _host_features(), "sealed") + (() if inline else ("no-inline",)):
            h.update(b"\0" + part.encode())
        _ENTRIES[key] = hit = (f"{model_file.stem}-{h.hexdigest()[:24]}.so", inline)
    return hit


def cache_path(model_file: Path) -> Path:
    """The cache file of `model_file` compiled for this host's CPU by this lleaves."""
    return cache_dir() / _entry(model_file)[0]


def cached(model_file: Path) -> bool:
    """Whether `model_file`'s compiled code is in the cache for this host. Loads nothing."""
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
        path = cache_path(model_file)
        with _lock:
            code = _unsealed(path) if path.is_file() else None
            if code is None:
                if path.is_file():
                    log.warning("copydesk: compiled code %s is damaged; compiling it again", path)
                import lleaves
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                # compiles and writes the code to tmp (and loads it, which we do not use)
                lleaves.Model(model_file=str(model_file)).compile(cache=str(tmp), finline=_entry(model_file)[1])
                code = _seal(tmp, path)
            return _load_object(code, model_file)
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
    cache with their seal intact are not loaded: a parent that only starts workers has no use
    for them (a damaged one is compiled here, not by every worker at once)."""
    return all((cached(f) and _unsealed(cache_path(f)) is not None) or load(f) is not None for f in model_files)
