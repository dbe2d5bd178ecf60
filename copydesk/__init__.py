"""copydesk: web pages in, clean articles out.

    from copydesk import extract, clean_text
    doc = extract(html_bytes, url="https://...")
    doc.text, doc.markdown, doc.title, doc.authors, doc.date, doc.to_dict()
"""
from .document import Document, Paragraph
from .errors import CopydeskError, ExtractionTimeout, ModelError
from .options import Options
from .api import explain, extract
from .corpus import LineCounts, count_lines
from .textmode import clean_text, clean_texts

__all__ = [
    "extract", "clean_text", "clean_texts", "explain", "count_lines", "LineCounts", "Document", "Paragraph", "Options",
    "CopydeskError", "ExtractionTimeout", "ModelError",
]
__version__ = "0.1.0"
