"""The benchmark harness behind ``benchmarks/run.py``, one concern per module:

* :mod:`.cases`   the case table, one line per row, and the torch equivalents;
* :mod:`.timing`  the timing protocol (alternation, idle waits), memory peaks, checks;
* :mod:`.machine` thread limits, BLAS, copy-bandwidth and matmul-peak limits, CPU share;
* :mod:`.runner`  one case in one pass, the THP worker, whole runs and ``--both-blas``;
* :mod:`.startup` import time and first-call (JIT) times in fresh interpreters;
* :mod:`.report`  issue 6's and 12's targets and the printed tables.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

#: The entry point that child processes (THP worker, JIT probe, --both-blas runs) start.
RUN = Path(__file__).resolve().parent.parent / "run.py"

_START = time.perf_counter()


def log(message: str) -> None:
    """Progress goes to stderr, with the seconds elapsed, so that stdout carries only the table."""
    print(f"[{time.perf_counter() - _START:6.1f} s] {message}", file=sys.stderr, flush=True)


def child_flags(args: argparse.Namespace) -> list[str]:
    """The command-line flags that make a child process measure what this one does."""
    flags = [
        "--threads",
        str(args.threads),
        "--repeat",
        str(args.repeat),
        "--warmup",
        str(args.warmup),
        "--scale",
        repr(args.scale),
    ]
    if args.quick:
        flags.append("--quick")
    if args.cases:
        flags += ["--cases", args.cases]
    return flags
