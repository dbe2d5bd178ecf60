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
    cells: list[str] = []  # the last paragraph's text and the cells joined to it (joined once: rows reach 10^5 cells)

    def close_row() -> None:
        nonlocal last_text
        if cells:
            out[-1] = Paragraph(CELL_SEPARATOR.join(cells), "table", out[-1].level)
            last_text = out[-1].text
            cells.clear()

    for b in blocks:
        text = b.text.strip()
        if not text:
            continue
        if b.kind == "table" and row is not None and b.ancestors[:-1] == row and out:
            if not cells:
                cells.append(out[-1].text)
            cells.append(text)
            continue
        close_row()
        row = b.ancestors[:-1] if b.kind == "table" and b.ancestors else None
        if text == last_text:
            continue
        last_text = text
        out.append(Paragraph(text=text, role=b.kind, level=b.level))
    close_row()
    return out
