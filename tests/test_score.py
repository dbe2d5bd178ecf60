import json
import os

import numpy as np
import pytest

from copydesk.errors import ModelError
from copydesk.features import FEATURE_NAMES
from copydesk.score import CONTEXT_FILE, META_FILE, MODEL_FILE, get_model, load_model


def test_packaged_model_loads_with_both_passes():
    model = get_model()
    assert model.context is not None and 0 < model.threshold < 1
    assert model.meta["features"] == FEATURE_NAMES and "training_data_sha256" in model.meta


def test_the_partner_is_averaged_in_at_its_weight():
    from dataclasses import replace

    from copydesk.api import analyse
    model = get_model()
    assert model.partner is not None and 0 < model.partner_weight < 1
    a = analyse("<html><body><article><h1>Harbour</h1>" + "<p>The council closed the old pier on Monday, "
                "citing storm damage to its supports.</p>" * 3 + "</article><footer>Copyright 2024</footer></body></html>")
    main = replace(model, partner=None, partner_compiled=None).predict(a.X, a.seg.blocks)
    alone = replace(model, booster=model.partner[0], context=model.partner[1], compiled=model.partner_compiled,
                    partner=None, partner_compiled=None).predict(a.X, a.seg.blocks)
    both = model.predict(a.X, a.seg.blocks)
    assert not np.allclose(main, alone)
    assert np.allclose(both, (1 - model.partner_weight) * main + model.partner_weight * alone)


def test_a_missing_partner_file_is_named(tmp_path):
    for f in (MODEL_FILE, CONTEXT_FILE, META_FILE):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    with pytest.raises(ModelError, match="partner block model file missing.*blocks.partner.lgb.txt"):
        load_model(tmp_path / MODEL_FILE.name, tmp_path / META_FILE.name, tmp_path / CONTEXT_FILE.name)


def test_predict_handles_no_rows_and_nonfinite_values():
    model = get_model()
    assert model.predict(np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)).shape == (0,)
    X = np.full((2, len(FEATURE_NAMES)), np.nan, dtype=np.float32)
    X[1] = np.inf
    p = model.predict(X)
    assert p.shape == (2,) and np.isfinite(p).all()


def test_missing_model_file_is_named(tmp_path):
    with pytest.raises(ModelError, match="missing.*nope.lgb.txt"):
        load_model(tmp_path / "nope.lgb.txt", META_FILE, CONTEXT_FILE)


def test_corrupt_model_file_is_named(tmp_path):
    bad = tmp_path / "blocks.lgb.txt"
    bad.write_text("this is not a LightGBM model")
    with pytest.raises(ModelError, match="corrupt.*blocks.lgb.txt"):
        load_model(bad, META_FILE, CONTEXT_FILE)


def test_corrupt_metadata_is_named(tmp_path):
    meta = tmp_path / "blocks.meta.json"
    meta.write_text("{ not json")
    with pytest.raises(ModelError, match="blocks.meta.json"):
        load_model(MODEL_FILE, meta, CONTEXT_FILE)


def test_page_type_model_problems_are_named(tmp_path):
    bad = tmp_path / "pagetype.lgb.txt"
    bad.write_text("this is not a LightGBM model")
    with pytest.raises(ModelError, match="corrupt.*pagetype.lgb.txt"):
        load_model(MODEL_FILE, META_FILE, CONTEXT_FILE, bad)
    with pytest.raises(ModelError, match="missing.*nope.lgb.txt"):
        load_model(MODEL_FILE, META_FILE, CONTEXT_FILE, tmp_path / "nope.lgb.txt")
    meta = json.loads(META_FILE.read_text(encoding="utf-8"))
    meta["page_types"]["features"] = meta["page_types"]["features"][:-1]
    stale = tmp_path / "blocks.meta.json"
    stale.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="page-type model.*other features"):
        load_model(MODEL_FILE, stale, CONTEXT_FILE)


def test_lazy_booster_checks_the_header_now_and_reads_lightgbm_on_first_use(tmp_path):
    from copydesk.pagetype import FEATURE_NAMES as TYPE_FEATURES
    from copydesk.score import PAGETYPE_FILE, LazyBooster, read_booster
    lazy, _ = read_booster(PAGETYPE_FILE, None, TYPE_FEATURES, "page-type model", lazy=True)
    assert isinstance(lazy, LazyBooster) and lazy._booster is None  # nothing read yet
    eager, _ = read_booster(PAGETYPE_FILE, None, TYPE_FEATURES, "page-type model", lazy=False)
    row = np.random.default_rng(0).random((3, len(TYPE_FEATURES)))
    assert np.array_equal(lazy.predict(row, num_threads=1), eager.predict(row, num_threads=1))
    assert not isinstance(eager, LazyBooster) and lazy.num_feature() == len(TYPE_FEATURES)
    with pytest.raises(ModelError, match="pagetype.lgb.txt expects 54 features, not 53"):
        read_booster(PAGETYPE_FILE, None, TYPE_FEATURES[:-1], "page-type model", lazy=True)
    with pytest.raises(ModelError, match="missing.*nope.lgb.txt"):
        read_booster(tmp_path / "nope.lgb.txt", None, TYPE_FEATURES, "page-type model", lazy=True)


def test_compiled_models_in_the_cache_spare_a_process_lightgbm_and_lleaves():
    """With every shipped forest compiled, extracting a page (HTML or text) imports neither LightGBM
    nor lleaves (nor the pandas either would import): llvmlite loads the cached code."""
    import subprocess
    import sys

    from copydesk import compiled, score, textmode
    if not compiled.enabled():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but lleaves (the fast extra, part of the test extra) does not load")
        pytest.skip("lleaves not installed (pip install 'copydesk[fast]')")
    assert score.warm_compiled() and textmode.warm_compiled()
    code = ("import sys, copydesk; copydesk.extract(b'<p>One sentence of a page, long enough.</p>'); "
            "copydesk.clean_text('A line of text.\\n\\nAnother line of text.'); "
            "print(sorted(m for m in ('lightgbm', 'lleaves', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
