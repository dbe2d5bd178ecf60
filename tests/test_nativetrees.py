"""Optional native compilation of LightGBM models (lleaves): same predictions, cached on disk."""
from __future__ import annotations

import numpy as np
import pytest

from copydesk import nativetrees


def test_compiled_booster_predicts_like_lightgbm(tmp_path):
    pytest.importorskip("lleaves")
    import lightgbm as lgb

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(float)
    booster = lgb.train({"objective": "binary", "verbose": -1, "num_leaves": 7, "num_threads": 1},
                        lgb.Dataset(X, label=y), num_boost_round=5)
    path = tmp_path / "m.lgb.txt"
    booster.save_model(str(path))
    compiled = nativetrees.CompiledBooster(path, tmp_path / "cache")
    np.testing.assert_allclose(compiled.predict(X[:50].astype(np.float32)), booster.predict(X[:50]), atol=1e-9)
    assert len(list((tmp_path / "cache").glob("m.lgb-*.o"))) == 1
    again = nativetrees.CompiledBooster(path, tmp_path / "cache")  # loads the cached object file
    np.testing.assert_allclose(again.predict(X[:5]), booster.predict(X[:5]), atol=1e-9)


def test_cache_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(nativetrees.CACHE_ENV_VAR, str(tmp_path))
    assert nativetrees.cache_dir() == tmp_path
