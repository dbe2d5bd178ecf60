"""The title line of a scraped page: candidates, their features, the shipped model's choice."""
from __future__ import annotations

import json

import numpy as np
import pytest

from copydesk import textmode, texttitle
from copydesk.errors import ModelError
from copydesk.textmode import clean_text

TITLE = "Council approves new budget for the river district after long debate"
BODY = [f"The council voted on Tuesday to approve a budget of {n} million dollars for the river district, "
        f"ending a debate that had lasted for several months and divided residents of the area." for n in range(6)]


def _page(lines: list[str]) -> textmode.Segmented:
    return textmode.segment("\n\n".join(lines))


def test_candidates_are_the_short_lines_up_to_the_body():
    seg = _page(["Menu"] * 30 + [TITLE] + BODY)
    probs = np.r_[np.full(31, 0.1), np.full(len(BODY), 0.9)]
    first = 31
    idx = texttitle.candidates(seg, first)
    assert idx[0] == first - texttitle.TITLE_BEFORE and idx[-1] == 30  # the body's lines are too long
    assert texttitle.candidates(_page([TITLE] + BODY), 0).tolist() == [0]
    assert len(texttitle.candidates(_page([TITLE] + BODY), 0, alone=True)) == 0  # the body's only line stays
    X = texttitle.features(seg, probs, first, idx)
    assert X.shape == (len(idx), len(texttitle.FEATURE_NAMES)) and np.isfinite(X).all()
    row = dict(zip(texttitle.FEATURE_NAMES, X[-1]))
    assert row["offset"] == -1 and row["words"] == len(TITLE.split()) and row["repeats"] == 1
    assert dict(zip(texttitle.FEATURE_NAMES, X[0]))["repeats"] == 30


def test_first_line_pages_and_empty_candidates():
    seg = _page(BODY[:1])
    probs = np.array([0.9])
    assert len(texttitle.candidates(seg, 0)) == 0  # too long a line
    assert texttitle.features(seg, probs, 0, np.zeros(0, np.int64)).shape == (0, len(texttitle.FEATURE_NAMES))
    assert texttitle.pick(seg, probs, 0, False, None, 0.0) == -1  # nothing to score: the booster is not called
    seg = _page(["Breaking", TITLE])
    assert texttitle.features(seg, np.array([0.2, 0.4]), 1, np.array([0, 1])).shape[0] == 2


def test_shipped_model_finds_the_title_among_chrome():
    if textmode._shipped().title is None:
        pytest.fail("the shipped line model has no title model (retrain with python -m copydesk.train_text)")
    lines = ["The River Gazette", "Home", "News", "Sport", "Subscribe", "Home > News > Council", TITLE,
             "Updated 4:15 PM, March 3, 2024"] + BODY + ["Privacy Policy", "Terms of Use"]
    doc = clean_text("\n\n".join(lines))
    assert doc.title == TITLE
    assert doc.date == "2024-03-03"
    assert TITLE not in doc.text and doc.text.startswith("The council voted")


def test_title_model_of_other_features_raises_model_error(monkeypatch, tmp_path):
    meta = json.loads(textmode.META_FILE.read_text(encoding="utf-8"))
    meta["title"]["features"] = ["something", "else"]
    other = tmp_path / "lines.meta.json"
    other.write_text(json.dumps(meta), encoding="utf-8")
    monkeypatch.setattr(textmode, "META_FILE", other)
    textmode.reset_model_cache()
    try:
        with pytest.raises(ModelError, match="lines.title.lgb.txt"):
            clean_text("\n\n".join([TITLE] + BODY))
    finally:
        monkeypatch.undo()
        textmode.reset_model_cache()


def test_echoed_means_found_inside_another_line_of_the_window():
    lines = ["Budget passes", "Home > Budget passes", "Budget passes", "Budget", "Other"]
    joined = "\n".join(lines)
    starts = [0]
    for t in lines:
        starts.append(starts[-1] + len(t) + 1)
    assert texttitle._echoed("Budget passes", joined, starts[0], starts[5])       # inside the trail
    assert not texttitle._echoed("Budget passes", joined, starts[2], starts[5])   # its copies alone
    assert texttitle._echoed("Budget", joined, starts[3], starts[5]) is False     # itself alone
    assert texttitle._echoed("Budget", joined, starts[2], starts[4])              # inside "Budget passes"
    assert not texttitle._echoed("Other", joined, starts[0], starts[4])           # outside the window
