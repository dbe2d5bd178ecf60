"""Exception types raised by copydesk's public API.

Bad *content* (empty, binary, non-HTML, all navigation) never raises: it
yields an empty `Document` whose `empty_reason` says why. Exceptions are kept
for misuse and for limits the caller set.
"""


class CopydeskError(Exception):
    """Base class of every error copydesk raises on purpose."""


class ExtractionTimeout(CopydeskError):
    """The per-document time limit (`Options.timeout`) was exceeded."""


class ModelError(CopydeskError):
    """The packaged block model is missing or unreadable."""
