"""``python -m upsample``: the same command line as ``upsample``."""

import sys

from .cli import main

if __name__ == "__main__":  # importing the module (a documentation build does) runs nothing
    sys.exit(main())
