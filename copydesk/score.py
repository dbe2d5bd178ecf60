"""score: feature rows → probability that each block is article body.

Owns the packaged block model: a LightGBM booster (`models/blocks.lgb.txt`)
with its metadata beside it (`models/blocks.meta.json`: feature list,
decision threshold, training-data hash, out-of-fold figures). The model is
loaded once per process, on first use; a missing or corrupt file raises
`ModelError` naming it.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ModelError
from .features import FEATURE_NAMES

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = MODEL_DIR / "blocks.lgb.txt"
META_FILE = MODEL_DIR / "blocks.meta.json"


@dataclass
class BlockModel:
    booster: object
    threshold: float
    meta: dict

    def predict(self, X: np.ndarray) -> np.ndarray:
        if len(X) == 0:
            return np.zeros(0, dtype=np.float64)
        X = np.nan_to_num(X, nan=0.0, posinf=1e6, neginf=-1e6)
        return self.booster.predict(X, num_threads=1)


_lock = threading.Lock()
_model: BlockModel | None = None


def load_model(model_file: Path = MODEL_FILE, meta_file: Path = META_FILE) -> BlockModel:
    """Read a model and its metadata, checking that they match this code's features."""
    try:
        import lightgbm as lgb
    except ImportError as e:  # pragma: no cover - a core dependency
        raise ModelError(f"lightgbm is needed to load {model_file}: {e}") from e
    if not model_file.is_file():
        raise ModelError(f"block model file missing: {model_file} (reinstall copydesk or run `copydesk train`)")
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"block model metadata unreadable: {meta_file}: {e}") from e
    if meta.get("features") != FEATURE_NAMES:
        raise ModelError(f"block model {model_file} was trained on other features; retrain with `copydesk train`")
    try:
        booster = lgb.Booster(model_file=str(model_file))
    except Exception as e:  # LightGBM raises its own error types on corrupt files
        raise ModelError(f"block model file corrupt: {model_file}: {e}") from e
    if booster.num_feature() != len(FEATURE_NAMES):
        raise ModelError(f"block model file {model_file} expects {booster.num_feature()} features")
    return BlockModel(booster, float(meta.get("threshold", 0.5)), meta)


def get_model() -> BlockModel:
    """The packaged model, loaded on first call (thread-safe)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = load_model()
    return _model


def set_model(model: BlockModel | None) -> None:
    """Replace the process-wide model (used by out-of-fold evaluation)."""
    global _model
    _model = model
