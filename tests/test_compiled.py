"""Compiled scoring: same probabilities as LightGBM, cached once per model and CPU, never a crash."""
import os
from pathlib import Path

import numpy as np
import pytest

from copydesk import compiled


def _need_lleaves():
    if not compiled.enabled():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but lleaves (the fast extra, part of the test extra) does not load")
        pytest.skip("lleaves not installed (pip install 'copydesk[fast]')")


@pytest.fixture()
def small_model(tmp_path) -> tuple[Path, object]:
    import lightgbm as lgb
    rng = np.random.default_rng(0)
    X = rng.random((400, 5))
    X[:, 4] = rng.integers(0, 6, 400)  # a categorical column, as the block model's tag and kind
    y = (X[:, 0] + (X[:, 4] == 3) > 0.9).astype(float)
    booster = lgb.train({"objective": "binary", "verbose": -1, "num_leaves": 7, "min_data_in_leaf": 5},
                        lgb.Dataset(X, y, categorical_feature=[4]), num_boost_round=20)
    path = tmp_path / "small.lgb.txt"
    booster.save_model(str(path))
    return path, lgb.Booster(model_file=str(path))


def test_compiled_forest_gives_lightgbms_probabilities_and_is_cached(small_model, tmp_path, monkeypatch):
    _need_lleaves()
    monkeypatch.setenv("COPYDESK_CACHE", str(tmp_path / "cache"))
    path, booster = small_model
    fast = compiled.load(path)
    assert fast is not None
    X = np.random.default_rng(1).random((50, 5)) * 8 - 1  # categorical values unseen and negative too
    assert np.allclose(fast.predict(X), booster.predict(X), rtol=0, atol=1e-12)
    cached = compiled.cache_path(path)
    assert cached.is_file() and cached.parent == tmp_path / "cache"
    stamp = cached.stat().st_mtime_ns
    assert compiled.load(path) is not None and cached.stat().st_mtime_ns == stamp  # loaded, not recompiled
    assert compiled.cached(path)  # what a parent checks before starting workers, loading nothing
    monkeypatch.setenv("COPYDESK_COMPILE", "0")
    assert not compiled.cached(path)
    monkeypatch.delenv("COPYDESK_COMPILE")
    path.write_text(path.read_text().replace("num_leaves=7", "num_leaves=7 "))
    assert compiled.cache_path(path) != cached  # another model file, another cache entry
    assert not compiled.cached(path)


def test_switched_off_or_unwritable_cache_falls_back_to_lightgbm(small_model, tmp_path, monkeypatch, caplog):
    path, _ = small_model
    monkeypatch.setenv("COPYDESK_COMPILE", "0")
    assert compiled.load(path) is None
    monkeypatch.delenv("COPYDESK_COMPILE")
    _need_lleaves()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COPYDESK_CACHE", str(blocker / "cache"))
    assert compiled.load(path) is None
    assert "using LightGBM" in caplog.text


def test_shipped_models_score_the_same_compiled_or_not():
    _need_lleaves()
    from copydesk.api import analyse
    from copydesk.pagetype import PAGE_TYPES, page_features
    from copydesk.score import get_model
    html = (Path(__file__).resolve().parent.parent / "examples" / "news-article.html").read_bytes()
    page = analyse(html)
    model = get_model()
    assert model.compiled is not None and model.types is not None and model.types.compiled is not None
    fast = model.predict(page.X, page.seg.blocks)
    row = page_features(page.signals, page.X, fast)
    fast_types = model.types.predict(row)
    saved, model.compiled = model.compiled, None
    saved_types, model.types.compiled = model.types.compiled, None
    try:
        slow = model.predict(page.X, page.seg.blocks)
        slow_types = model.types.predict(row)
    finally:
        model.compiled, model.types.compiled = saved, saved_types
    assert np.allclose(fast, slow, rtol=0, atol=1e-12)
    assert fast_types.shape == (len(PAGE_TYPES),) and np.allclose(fast_types, slow_types, rtol=0, atol=1e-12)


def test_bench_names_the_scorer_and_its_lightgbm_peer_gives_the_same_text(tmp_path):
    _need_lleaves()
    from copydesk import extract
    from copydesk.bench import peers
    from copydesk.bench.cli import environment_lines
    from copydesk.score import get_model
    html = (Path(__file__).resolve().parent.parent / "examples" / "news-article.html").read_bytes()
    run = peers.PEERS["copydesk-lightgbm"].factory()
    assert run(html, None) == extract(html).text
    assert get_model().compiled is not None and get_model().types.compiled is not None  # restored afterwards
    assert "copydesk scoring: compiled forest (lleaves)" in "\n".join(environment_lines(["copydesk"], tmp_path))


def test_shipped_line_model_compiled_runs_the_whole_forest():
    """Compiled, text mode's line model predicts with every tree (no early stop): LightGBM's full forest."""
    _need_lleaves()
    from copydesk import textmode
    from copydesk.textfeatures import features
    seed = Path(__file__).resolve().parent.parent / "examples" / "news-article.txt"
    seg = textmode.segment(textmode.repair_text(seed.read_text(encoding="utf-8")))
    model = textmode._shipped()
    assert model.compiled is not None
    X = features(seg.lines, seg.blank_before, seg.blank_after, seg.bullets, model.index)
    full = model.booster.predict(X, num_threads=1)
    assert np.allclose(textmode.score_segmented(seg), full, rtol=0, atol=1e-12)
    assert isinstance(model.title[0], compiled.CompiledBooster)  # the title-line model too
    assert textmode.warm_compiled()


def test_large_forests_compile_without_the_inliner_under_their_own_cache_key(small_model, tmp_path, monkeypatch):
    """Forests of more than INLINE_MAX_TREES trees skip LLVM's inliner (memory, compile time): same output."""
    _need_lleaves()
    monkeypatch.setenv("COPYDESK_CACHE", str(tmp_path / "cache"))
    path, booster = small_model  # 20 trees
    inlined = compiled.cache_path(path)
    monkeypatch.setattr(compiled, "INLINE_MAX_TREES", 10)
    assert compiled.cache_path(path) != inlined
    fast = compiled.load(path)
    assert fast is not None and compiled.cache_path(path).is_file() and not inlined.exists()
    X = np.random.default_rng(2).random((50, 5)) * 8 - 1
    assert np.allclose(fast.predict(X), booster.predict(X), rtol=0, atol=1e-12)


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_cache_file_is_compiled_again_not_handed_to_llvm(small_model, tmp_path, monkeypatch, caplog, damage):
    """LLVM aborts the whole process on an object file it cannot read (a write cut short by a
    power loss): the cache's seal catches it first, and the forest is compiled again."""
    _need_lleaves()
    monkeypatch.setenv("COPYDESK_CACHE", str(tmp_path / "cache"))
    path, booster = small_model
    assert compiled.load(path) is not None
    cached = compiled.cache_path(path)
    good = cached.read_bytes()
    cached.write_bytes(b"\x7fELF not really" * 64 if damage == "garbage" else good[: len(good) // 2])
    if damage == "truncated":  # what `copydesk run` does before it starts its workers
        assert compiled.warm([path]) and cached.read_bytes() == good
        cached.write_bytes(good[: len(good) // 2])
    fast = compiled.load(path)
    assert fast is not None and "damaged; compiling it again" in caplog.text
    X = np.random.default_rng(2).random((20, 5))
    assert np.allclose(fast.predict(X), booster.predict(X), rtol=0, atol=1e-12)
    assert cached.read_bytes() == good  # compiling is deterministic: the same sealed code
    assert not list(cached.parent.glob("*.tmp")) and not list(cached.parent.glob("*.part"))
