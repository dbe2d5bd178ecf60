"""``python -m copydesk.batch [run] INPUT... -o OUTDIR``: the batch CLI without the main one."""
from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
