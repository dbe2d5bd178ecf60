"""``python -m copydesk.serve``: the same as ``copydesk serve``."""
import sys

from .cli import main

sys.exit(main())
