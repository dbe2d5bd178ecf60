"""Training recipe: deterministic folds, rows from the real pipeline, labels, weights."""
import numpy as np

from copydesk.bench.datasets import Page
from copydesk.pagetype import PAGE_TYPES
from copydesk.train import (PAGE_BLOCKS_NORM, SNIPPET_WEIGHT, _ranks, blank_scores, choose_type_thresholds,
                            confidence_calibration, data_hash, evaluate, fold_of, page_rows, training_pages)

PROSE = "The harbour authority closed the old pier on Monday after engineers found cracks in its supports."
HTML = f"""<html><body><nav><a href=/>Home</a> <a href=/news>News</a></nav>
<article><p>{PROSE}</p><p>Repairs are expected to take most of the summer, the authority said.</p></article>
<footer>Copyright 2024 Harbour Gazette</footer></body></html>""".encode()


def _page(**kw):
    base = dict(id="1", dataset="wcxb-dev", html=HTML, url="https://gazette.example/pier", host="gazette.example",
                page_type="article", gold_text=PROSE + "\n\nRepairs are expected to take most of the summer, the authority said.")
    base.update(kw)
    return Page(**base)


def test_folds_are_deterministic_and_by_host():
    assert fold_of("gazette.example", 5) == fold_of("gazette.example", 5)
    assert {fold_of(f"site{i}.example", 5) for i in range(50)} == set(range(5))


def test_rows_labels_and_weights_from_gold_text():
    r = page_rows(_page())
    texts = [b.text for b in r.blocks]
    assert r.X.shape == (len(texts), r.X.shape[1])
    labels = dict(zip(texts, r.y.tolist()))
    assert labels[PROSE] == 1 and labels["Copyright 2024 Harbour Gazette"] == 0
    assert (r.w > 0).all() and len(r.blocks) < PAGE_BLOCKS_NORM


def test_snippet_pages_weight_only_labelled_blocks():
    r = page_rows(_page(dataset="trafilatura-eval", gold_text=None, with_snippets=("closed the old pier",),
                        without_snippets=("Copyright 2024",)))
    known = r.y >= 0
    assert known.sum() == 2 and (r.w[~known] == 0).all()
    words = np.array([len(b.text.split()) for b in r.blocks])
    assert np.allclose(r.w[known], SNIPPET_WEIGHT * np.log1p(words[known]))


def test_the_partner_weighs_every_snippet_page_alike_and_gold_pages_as_the_main_model():
    from copydesk.train import BLOCK_PASS, PARTNER_BLOCK_PASS, PARTNER_PAGE_NORM, pass_weights
    snippet = [page_rows(_page(dataset="trafilatura-eval", gold_text=None, with_snippets=snips,
                               without_snippets=("Copyright 2024",)))
               for snips in (("closed the old pier",), ("closed the old pier", PROSE[:40]))]
    totals = [pass_weights(r, PARTNER_BLOCK_PASS).sum() for r in snippet]
    assert np.allclose(totals, SNIPPET_WEIGHT * PARTNER_PAGE_NORM)  # whatever the number of labelled blocks
    assert [pass_weights(r, BLOCK_PASS).sum() for r in snippet] == [r.w.sum() for r in snippet]
    for r in snippet:  # within a page, blocks keep their proportions
        known = r.w > 0
        assert np.allclose(pass_weights(r, PARTNER_BLOCK_PASS)[known] / r.w[known], totals[0] / r.w.sum())
    gold = page_rows(_page())
    assert (pass_weights(gold, PARTNER_BLOCK_PASS) == gold.w).all()


def test_unreadable_page_is_skipped_not_fatal():
    assert page_rows(_page(html=b"\x89PNG\r\n\x1a\n" + bytes(100))) is None


def test_pages_without_text_count_in_the_figures_as_empty_extractions():
    real, shell = _page(), _page(id="2", html=b"<html><body><div id=app></div></body></html>", page_type="forum")
    rows = [page_rows(real)]
    assert page_rows(shell) is None
    good = [np.where(rows[0].y == 1, 1.0, 0.0)]
    by_key = {real.key: real}
    alone = evaluate(rows, by_key, good, 0.5, by_type=True)
    both = evaluate(rows, by_key, good, 0.5, by_type=True, blank=blank_scores([real, shell], rows))
    assert both["wcxb_forum"] == 0.0 and both["wcxb_f1"] == alone["wcxb_f1"] / 2
    assert blank_scores([_page(id="3", html=b"", gold_text="")], [])[0][2].f1 == 1.0  # empty gold, empty text


def test_data_hash_changes_with_the_gold():
    assert data_hash([_page()]) == data_hash([_page()]) != data_hash([_page(gold_text="other")])


def test_made_pages_are_trained_on_but_never_evaluated():
    real = _page()
    made = _page(id="1+chrome", gold_text="nothing of this page")
    rows = [page_rows(real), page_rows(made)]
    assert [r.made for r in rows] == [False, True]
    good = [np.where(rows[0].y == 1, 1.0, 0.0), np.zeros(len(rows[1].blocks))]
    bad = [good[0], np.ones(len(rows[1].blocks))]  # the made page's scores must not matter
    by_key = {real.key: real}
    assert evaluate(rows, by_key, good, 0.5) == evaluate(rows, by_key, bad, 0.5)
    assert evaluate(rows, by_key, good, 0.5)["wcxb_f1"] > 0.9
    assert len(training_pages([real], 5)) >= 1


def test_per_type_thresholds_follow_where_each_type_scores_its_content():
    pages = [_page(id=f"a{i}", host=f"news{i}.example") for i in range(4)]
    pages += [_page(id=f"l{i}", host=f"shop{i}.example", page_type="listing") for i in range(4)]
    rows = [page_rows(p) for p in pages]
    # articles' body blocks score 0.9, listings' only 0.42: below the global 0.55, above their chrome
    probs = [np.where(r.y == 1, 0.9 if r.page_type == "article" else 0.42, 0.1) for r in rows]
    type_probs = np.array([np.eye(len(PAGE_TYPES))[PAGE_TYPES.index(r.page_type)] for r in rows])
    th, chosen, nested = choose_type_thresholds(rows, {p.key: p for p in pages}, probs, type_probs, 0.55, 2)
    assert th[PAGE_TYPES.index("listing")] <= 0.4 and th[PAGE_TYPES.index("article")] > 0.4
    assert chosen["wcxb_listing"] > 0.9 and chosen["wcxb_f1"] > evaluate(rows, {p.key: p for p in pages}, probs, 0.55)["wcxb_f1"]
    assert set(nested) == set(chosen)


def test_confidence_calibration_ranks_sure_good_pages_above_unsure_bad_ones():
    assert _ranks(np.array([0.5, 0.1, 0.5, 0.9])).tolist() == [1.5, 0.0, 1.5, 3.0]  # ties share their mean rank
    pages = [_page(id=f"p{i}", host=f"site{i}.example") for i in range(6)]
    rows = [page_rows(p) for p in pages]
    # three pages scored surely and right, three unsure (0.5-0.6) and wrong (body low, chrome kept)
    probs = [np.where(r.y == 1, 0.95, 0.02) if i < 3 else np.where(r.y == 1, 0.5, 0.6) for i, r in enumerate(rows)]
    calib = confidence_calibration(rows, {p.key: p for p in pages}, probs, [0.55] * len(rows))
    assert calib["pages"] == 6 and calib["pearson"] > 0.9 and calib["spearman"] > 0.8
    assert sum(b["pages"] for b in calib["bins"]) == 6
    assert calib["bins"][-1]["mean_f1"] > 0.9 and calib["bins"][0]["mean_f1"] < 0.5


def test_train_writes_a_model_that_loads(shared_data, tmp_path, capsys, monkeypatch):
    from copydesk.api import analyse
    from copydesk.score import CONTEXT_FILE, META_FILE, MODEL_FILE, PAGETYPE_FILE, load_model
    from copydesk.train import main
    monkeypatch.setenv("COPYDESK_COMPILE", "0")  # LightGBM scoring: nothing of this small model in the cache
    assert main(["--data-dir", str(shared_data), "--limit", "12", "--folds", "2", "--jobs", "1", "--seed", "9",
                 "--out-dir", str(tmp_path)]) == 0
    model = load_model(*(tmp_path / f.name for f in (MODEL_FILE, META_FILE, CONTEXT_FILE, PAGETYPE_FILE)))
    assert model.context is not None and model.types is not None and model.meta["pages"] > 0
    assert model.partner is not None and 0 < model.partner_weight < 1
    assert model.meta["params"]["seed"] == 9 and model.meta["context_params"]["seed"] == 9
    assert "nested" in capsys.readouterr().err
    page = _page()
    a = analyse(page.html, page.url)
    p = model.predict(a.X, a.seg.blocks)
    assert p.shape == (len(a.seg.blocks),) and ((p >= 0) & (p <= 1)).all()


def test_a_partner_weight_of_zero_trains_and_ships_no_partner(shared_data, tmp_path, monkeypatch):
    import copydesk.train as T
    from copydesk.score import CONTEXT_FILE, META_FILE, MODEL_FILE, PAGETYPE_FILE, PARTNER_FILE, load_model
    monkeypatch.setenv("COPYDESK_COMPILE", "0")
    monkeypatch.setattr(T, "PARTNER_WEIGHT", 0.0)
    (tmp_path / PARTNER_FILE.name).write_text("left by an earlier model")
    assert T.main(["--data-dir", str(shared_data), "--limit", "12", "--folds", "2", "--jobs", "1",
                   "--out-dir", str(tmp_path)]) == 0
    assert not (tmp_path / PARTNER_FILE.name).exists()
    model = load_model(*(tmp_path / f.name for f in (MODEL_FILE, META_FILE, CONTEXT_FILE, PAGETYPE_FILE)))
    assert model.partner is None and "partner" not in model.meta and model.context is not None
