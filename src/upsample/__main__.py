"""``python -m upsample``: the same command line as ``upsample``."""

import sys

from .cli import main

sys.exit(main())
