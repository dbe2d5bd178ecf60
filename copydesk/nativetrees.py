"""nativetrees: LightGBM models compiled to native code (optional, the `fast` extra: lleaves).

LightGBM's own `predict` walks every tree for every row through a generic
interpreter; for the small matrices of one page (a few hundred rows) that is
the largest single cost of scraped-text mode. lleaves compiles a saved model
to machine code with LLVM and predicts the same values (differences ~1e-15)
about five times faster.

Compiling takes about a minute per model, so it happens only on request
(`textmode.compiled_model`) and its result is cached on disk, keyed by the
model file's content, the lleaves version and the machine:
``$COPYDESK_CACHE`` or ``~/.cache/copydesk``. Without lleaves everything
works as before with LightGBM.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
from pathlib import Path
from typing import Any

import numpy as np

CACHE_ENV_VAR = "COPYDESK_CACHE"


def available() -> bool:
    """True when lleaves can be imported."""
    try:
        import lleaves  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken llvmlite install counts as absent
        return False
    return True


def cache_dir() -> Path:
    """Where compiled models are kept."""
    env = os.environ.get(CACHE_ENV_VAR)
    return Path(env) if env else Path.home() / ".cache" / "copydesk"


class CompiledBooster:
    """A saved LightGBM model compiled by lleaves; `predict(X, num_threads=1)` as a `lightgbm.Booster`."""

    def __init__(self, model_file: Path, cache: Path | None = None) -> None:
        import lleaves

        data = Path(model_file).read_bytes()
        key = hashlib.sha256(data + importlib.metadata.version("lleaves").encode()
                             + platform.machine().encode()).hexdigest()[:20]
        folder = cache if cache is not None else cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self.model: Any = lleaves.Model(model_file=str(model_file))
        self.model.compile(cache=str(folder / f"{Path(model_file).stem}-{key}.o"))

    def predict(self, X: np.ndarray, num_threads: int = 1) -> np.ndarray:
        return self.model.predict(np.ascontiguousarray(X, dtype=np.float64), n_jobs=max(1, num_threads))


__all__ = ["CompiledBooster", "available", "cache_dir"]
