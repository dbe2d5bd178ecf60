"""Shared fixtures. Tests that need ../shared/data skip without it, except on CI."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _shared_data_dir() -> Path:
    env = os.environ.get("COPYDESK_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def require_compiled(available: bool, module: str) -> None:
    """Skip (a whole module when called at its top) where a compiled part of copydesk is not
    built, as on a machine without a C compiler; fail on CI, whose install must build it."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but copydesk.{module} is not built or not bound", pytrace=False)
    pytest.skip(f"copydesk.{module} is not built here (no C compiler at install)", allow_module_level=True)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of the annotated shared data; skipped (never on CI) when missing."""
    path = _shared_data_dir()
    if not (path / "wcxb-dev").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared data is missing at {path}")
        pytest.skip(f"shared data not found at {path} (set COPYDESK_DATA); it is not part of a fresh clone")
    return path


_PROSE_WORDS = (
    "the harbour authority said on Thursday that northern pier would close for repairs in May after divers "
    "found several of its oak piles had been weakened by shipworm fishing boats normally moor at will be moved "
    "to old ferry basin summer a change local skippers add about twenty minutes every trip out sea"
).split()


@pytest.fixture(scope="session")
def distinct_paragraphs():
    """`n -> n` different prose paragraphs (three sentences of 12-20 words each), deterministic."""
    import random

    def make(n: int) -> list[str]:
        rng = random.Random(3)
        return [" ".join(" ".join(rng.sample(_PROSE_WORDS, rng.randint(12, 20))).capitalize() + "."
                         for _ in range(3)) for _ in range(n)]
    return make
