"""assemble: kept blocks, in document order, become `Paragraph`s.

Owns the last step before `Document`: role mapping, joining the cells of one
table row into one line, and dropping exact consecutive repeats. It never
decides *what* to keep; `label` does.
"""
from __future__ import annotations

from collections.abc import Iterable

from .blocks import Block
from .document import Paragraph

#: Separator between the cells of one table row.
CELL_SEPARATOR = " | "


def assemble(blocks: Iterable[Block]) -> list[Paragraph]:
    """Turn the kept blocks into paragraphs."""
    out: list[Paragraph] = []
    last_text = None
    row = None  # ancestors of the row holding the previous table cell
    for b in blocks:
        text = b.text.strip()
        if not text:
            continue
        if b.kind == "table" and row is not None and b.ancestors[:-1] == row and out:
            prev = out[-1]
            out[-1] = Paragraph(prev.text + CELL_SEPARATOR + text, "table", prev.level)
            last_text = out[-1].text
            continue
        row = b.ancestors[:-1] if b.kind == "table" and b.ancestors else None
        if text == last_text:
            continue
        last_text = text
        out.append(Paragraph(text=text, role=b.kind, level=b.level))
    return out
