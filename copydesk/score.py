"""score: feature rows → probability that each block is article body.

Owns the packaged block model, two LightGBM boosters: the block pass
(`models/blocks.lgb.txt`, one block at a time) and the context pass
(`models/context.lgb.txt`, each block again in the light of its neighbours'
first-pass scores, see `context.py`); its partner, the same two passes trained
with other weights (`models/*.partner.lgb.txt`), averaged in (`blend`); and the
page-type classifier (`models/pagetype.lgb.txt`, see `pagetype.py`), with their metadata beside
them (`models/blocks.meta.json`: feature lists, decision thresholds,
training-data hash, out-of-fold figures). Loaded once per process, on first use; a missing
or corrupt file raises `ModelError` naming it.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import compiled
from .errors import ModelError
from .blocks import Block
from .context import CONTEXT_NAMES, context_features, context_frame
from .features import FEATURE_NAMES
from .pagetype import FEATURE_NAMES as PAGETYPE_FEATURES, PAGE_TYPES, PageTypes

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = MODEL_DIR / "blocks.lgb.txt"
CONTEXT_FILE = MODEL_DIR / "context.lgb.txt"
PAGETYPE_FILE = MODEL_DIR / "pagetype.lgb.txt"
META_FILE = MODEL_DIR / "blocks.meta.json"


def partner_files(model_file: Path, context_file: Path) -> tuple[Path, Path]:
    """The partner's two files beside `model_file` and `context_file` (`blocks.partner.lgb.txt` ...)."""
    return (model_file.with_name(model_file.name.replace(".lgb.", ".partner.lgb.")),
            context_file.with_name(context_file.name.replace(".lgb.", ".partner.lgb.")))


#: The partner model's two passes (`train.PARTNER_BLOCK_PASS`), averaged with the main model's.
PARTNER_FILE, PARTNER_CONTEXT_FILE = partner_files(MODEL_FILE, CONTEXT_FILE)


def blend(main: np.ndarray, partner: np.ndarray, weight: float) -> np.ndarray:
    """Final probabilities: the main model's and the partner's averaged, the partner's at `weight`."""
    return (1.0 - weight) * main + weight * partner


@dataclass
class BlockModel:
    booster: object
    threshold: float
    meta: dict
    #: The context pass; None scores with the block pass alone.
    context: object | None = None
    #: The page-type classifier and per-type thresholds; None labels with `threshold` alone.
    types: PageTypes | None = None
    #: `booster` and `context` compiled (`compiled.py`): same probabilities, used to predict when present.
    compiled: tuple | None = None
    #: The partner model's (block pass, context pass), averaged in at `partner_weight`; None: no partner.
    partner: tuple | None = None
    partner_weight: float = 0.0
    #: `partner` compiled.
    partner_compiled: tuple | None = None

    def predict(self, X: np.ndarray, blocks: list[Block] | None = None) -> np.ndarray:
        """Final body probabilities (block pass, then context pass when both are available; the
        partner's averaged in when there is one)."""
        if len(X) == 0:
            return np.zeros(0, dtype=np.float64)
        X = np.nan_to_num(X, nan=0.0, posinf=1e6, neginf=-1e6)
        block, context = self.compiled or (self.booster, self.context)
        if context is None or blocks is None:
            return block.predict(X, num_threads=1)
        frame = context_frame(blocks, X)
        p = _both_passes(block, context, X, blocks, frame)
        if self.partner is None:
            return p
        return blend(p, _both_passes(*(self.partner_compiled or self.partner), X, blocks, frame), self.partner_weight)


def _both_passes(block, context, X: np.ndarray, blocks: list[Block], frame) -> np.ndarray:
    """The block pass, then the context pass on its scores (`frame`: the page's `context_frame`)."""
    return context.predict(context_features(block.predict(X, num_threads=1), blocks, X, frame), num_threads=1)


_lock = threading.Lock()
_model: BlockModel | None = None


class LazyBooster:
    """A LightGBM booster read from its file on first use, with the booster's attributes.

    Stands in for a model file whose compiled forest is in the cache (`compiled.cached`), which
    then does the scoring: such a file compiled, so it is sound. LightGBM and what it imports
    (scipy, and pandas when installed: 0.1-0.3 s of a process's start) then load only for what
    needs LightGBM itself (`explain`'s reasons, `copydesk-lightgbm`).
    """

    def __init__(self, model_file: Path, features: list[str], what: str) -> None:
        self.model_file, self.features, self.what = model_file, features, what
        self._booster = None
        self._lock = threading.Lock()

    def loaded(self):
        if self._booster is None:
            with self._lock:
                if self._booster is None:
                    self._booster = read_booster(self.model_file, None, self.features, self.what, lazy=False)[0]
        return self._booster

    def __getattr__(self, name: str):
        if name.startswith("_"):  # not set yet (e.g. while unpickling): never load for these
            raise AttributeError(name)
        return getattr(self.loaded(), name)


def read_booster(model_file: Path, meta_file: Path | None, features: list[str], what: str,
                 lazy: bool | None = None):
    """A LightGBM booster (and its JSON metadata) checked against `features`; `ModelError` names the file.

    With `lazy` (by default: when the file's compiled forest is in the cache), the booster is a
    `LazyBooster` and only the file's header is checked now.
    """
    for path in (model_file, meta_file):
        if path is not None and not path.is_file():
            raise ModelError(f"{what} file missing: {path} (reinstall copydesk or retrain it)")
    meta: dict = {}
    if meta_file is not None:
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ModelError(f"{what} metadata unreadable: {meta_file}: {e}") from e
        if meta.get("features") != features:
            raise ModelError(f"{what} {model_file} was trained on other features; retrain it")
    if lazy is None:
        lazy = compiled.cached(model_file)
    if lazy:
        try:
            declared = compiled.model_header(model_file)[0]
        except (OSError, ValueError) as e:
            raise ModelError(f"{what} file corrupt: {model_file}: {e}") from e
        if declared != len(features):
            raise ModelError(f"{what} file {model_file} expects {declared} features, not {len(features)}")
        return LazyBooster(model_file, features, what), meta
    try:
        import lightgbm as lgb
    except ImportError as e:  # pragma: no cover - a core dependency
        raise ModelError(f"lightgbm is needed to load {model_file}: {e}") from e
    try:
        booster = lgb.Booster(model_file=str(model_file))
    except Exception as e:  # LightGBM raises its own error types on corrupt files
        raise ModelError(f"{what} file corrupt: {model_file}: {e}") from e
    if booster.num_feature() != len(features):
        raise ModelError(f"{what} file {model_file} expects {booster.num_feature()} features, not {len(features)}")
    return booster, meta


def load_model(model_file: Path = MODEL_FILE, meta_file: Path = META_FILE,
               context_file: Path = CONTEXT_FILE, pagetype_file: Path = PAGETYPE_FILE) -> BlockModel:
    """Read both passes, the page-type classifier and their metadata, checking them against this code."""
    booster, meta = read_booster(model_file, meta_file, FEATURE_NAMES, "block model")
    context = None
    if meta.get("context_features") is not None:
        if meta["context_features"] != CONTEXT_NAMES:
            raise ModelError(f"context model {context_file} was trained on other features; retrain it")
        context, _ = read_booster(context_file, None, CONTEXT_NAMES, "context model")
    types = None
    spec = meta.get("page_types")
    if spec is not None:
        if spec.get("features") != PAGETYPE_FEATURES or tuple(spec.get("types", ())) != PAGE_TYPES:
            raise ModelError(f"page-type model {pagetype_file} was trained on other features; retrain it")
        type_booster, _ = read_booster(pagetype_file, None, PAGETYPE_FEATURES, "page-type model")
        types = PageTypes(type_booster, np.asarray(spec["thresholds"], dtype=np.float64), compiled.load(pagetype_file))
    fast = compiled.load_passes(model_file, context_file if context is not None else None)
    partner = partner_fast = None
    partner_spec = meta.get("partner")
    if partner_spec is not None and context is not None:
        partner_file, partner_context = partner_files(model_file, context_file)
        partner = (read_booster(partner_file, None, FEATURE_NAMES, "partner block model")[0],
                   read_booster(partner_context, None, CONTEXT_NAMES, "partner context model")[0])
        partner_fast = compiled.load_passes(partner_file, partner_context)
    return BlockModel(booster, float(meta.get("threshold", 0.5)), meta, context, types, fast, partner,
                      float(partner_spec["weight"]) if partner is not None else 0.0, partner_fast)


def warm_compiled() -> bool:
    """Compile the shipped passes and the page-type classifier into the cache now (`compiled.warm`)."""
    return compiled.warm([MODEL_FILE, CONTEXT_FILE, PAGETYPE_FILE]
                         + [f for f in (PARTNER_FILE, PARTNER_CONTEXT_FILE) if f.is_file()])


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
