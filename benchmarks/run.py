"""Benchmark upsample against PyTorch CPU, side by side in one process, and the machine's limits.

    python benchmarks/run.py                     # every case, full size, table + benchmarks/results.json
    python benchmarks/run.py --both-blas         # twice: OPENBLAS_* as set, and unset (the CPU's own kernel)
    python benchmarks/run.py --quick --repeat 2  # tiny shapes, a few seconds (the smoke test)
    python benchmarks/run.py --cases bilinear    # only the cases whose name contains a substring
    python benchmarks/run.py --images            # the images family (issue 19), into results.json

Method (see benchmarks/README.md for the JSON layout):

* Each case runs float32, forward and forward+backward, at ``--threads`` threads for NumPy's
  BLAS (threadpoolctl), numba and torch. upsample and every torch variant of the case are
  timed in the same process, alternating call by call (the order rotates every round, and
  each call waits until no thread of the previous one still spins), after warm-up; the
  reported time is the median of ``--repeat`` runs. Where torch has several
  equivalents of an op (bed of nails) the fastest is the baseline and its name is recorded.
* Backward: ``out, pullback = upsample.vjp(op, ...); pullback(g)`` against torch's autograd
  (``torch.autograd.grad(out, inputs, g)``, i.e. ``out.backward(g)`` without accumulating
  into ``.grad``), for the same differentiable inputs.
* torch is also timed in a worker subprocess started with ``THP_MEM_ALLOC_ENABLE=1``
  (transparent huge pages in torch's CPU allocator, read at import). Its calls join the same
  alternation: the harness asks the worker for one call at a time and records the time the
  worker measured, so all three are timed under the same machine load (``torch_thp_s``).
* Limits, measured in the same run: copy bandwidth (read + write bytes / time of a large
  ``np.copyto``, split over the threads, and torch's ``copy_``; the best is the limit) and
  float32 matmul peak (2 M^3 / time). Memory-bound cases report (input + output bytes) /
  time, convolutions 2 x MACs / time, each as a fraction of its limit.
* Peak extra memory of one upsample call: tracemalloc peak minus baseline (NumPy reports
  its allocations to tracemalloc), relative to the call's inputs + outputs. Resident-set
  high-water marks (Linux ``clear_refs``) are recorded for upsample and torch as a cross-check
  that also sees allocations tracemalloc cannot (numba, torch).
* Start-up: ``import upsample`` in fresh interpreters (median), and the first-call time of
  every case in fresh interpreters with an empty numba cache (cold) and again with the
  cache it left (warm); "no JIT" if numba is never imported.

A benchmark never asserts a time: the targets of issues 6 and 12 are shown as flags, not
checked. The code is the ``upbench`` package beside this file (see its ``__init__``); the
case table is ``upbench/cases.py``, one line per row.
"""

from __future__ import annotations

import argparse
import os
import sys

# Thread counts must be fixed before NumPy, numba or torch load their thread pools:
# threadpoolctl adjusts BLAS and OpenMP later if it is installed, but not numba, nor the
# thread pool of upsample's compiled kernels (UPSAMPLE_THREADS).
if __name__ == "__main__":
    _early = argparse.ArgumentParser(add_help=False)
    _early.add_argument("--threads", type=int, default=2)
    _THREADS = str(_early.parse_known_args()[0].threads)
    for _var in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMBA_NUM_THREADS",
        "UPSAMPLE_THREADS",
    ):
        os.environ[_var] = _THREADS

import json  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the upbench package beside this file

from upbench import log  # noqa: E402
from upbench.cases import Case, Size, build_cases, select  # noqa: E402,F401 -- the table, for tests
from upbench.images import format_images, markdown_images, run_images  # noqa: E402
from upbench.images import rows as image_rows  # noqa: E402
from upbench.report import format_both, format_table, markdown_both  # noqa: E402
from upbench.runner import run, run_both_blas, thp_worker  # noqa: E402
from upbench.startup import jit_probe  # noqa: E402

HERE = Path(__file__).resolve().parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=HERE / "results.json",
        help="where to write the results (default benchmarks/results.json)",
    )
    parser.add_argument("--repeat", type=int, default=11, help="timed runs per case, median (default 11)")
    parser.add_argument("--warmup", type=int, default=None, help="untimed runs first (default 2, quick 1)")
    parser.add_argument("--threads", type=int, default=2, help="threads for every library (default 2)")
    parser.add_argument(
        "--scale", type=float, default=None, help="multiply spatial sides by this (default 1, quick 1/16)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny shapes (batch 1, 1/8 of the channels, sides / 16) and small limits",
    )
    parser.add_argument(
        "--cases", default=None, help="only cases whose name contains one of these comma-separated substrings"
    )
    parser.add_argument(
        "--show",
        type=Path,
        default=None,
        metavar="JSON",
        help="only print the table(s) of an earlier run's JSON",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        default=None,
        metavar="JSON",
        help="print the README's speed table of an earlier --both-blas run's JSON",
    )
    parser.add_argument(
        "--both-blas",
        action="store_true",
        help="run everything twice: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset and as set",
    )
    parser.add_argument(
        "--images",
        action="store_true",
        help="run the images family (one (H, W, 3) image per dialect against its "
        "framework and cv2) and store it under 'images' in --json, keeping the rest",
    )
    parser.add_argument(
        "--conventions", default=None, help="with --images: only these comma-separated conventions"
    )
    parser.add_argument("--_thp-worker", dest="thp_worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_jit-probe", dest="jit_probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale is None:
        args.scale = 1 / 16 if args.quick else 1.0
    if args.warmup is None:
        args.warmup = 1 if args.quick else 2
    if args.repeat < 1 or args.threads < 1 or args.scale <= 0:
        parser.error("--repeat and --threads must be at least 1, --scale positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.markdown is not None:
        shown = json.loads(args.markdown.read_text())
        if "runs" in shown:
            print(markdown_both(shown))
        if "images" in shown:
            print("\n" + markdown_images(shown["images"]["rows"]))
        return 0
    if args.show is not None:
        shown = json.loads(args.show.read_text())
        if "runs" in shown or "cases" in shown:
            print(format_both(shown) if shown.get("mode") == "both-blas" else format_table(shown))
        if "images" in shown:
            print(format_images(shown["images"]["rows"]))
        return 0
    if args.images:
        return images_main(args)
    if args.jit_probe:
        print(json.dumps(jit_probe(args)))
        return 0
    if args.thp_worker:
        thp_worker(args)
        return 0
    if args.both_blas:
        result = run_both_blas(args)
        print(format_both(result))
    else:
        result = run(args)
        print(format_table(result))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1, default=str) + "\n")
    log(f"wrote {args.json}")
    return 0


def images_main(args: argparse.Namespace) -> int:
    """The images family: time it, print it, and store it under "images" in --json,
    keeping whatever else the file holds (the main run's cases)."""
    from upbench.machine import copy_bandwidth, machine_info

    size = 64 << 20 if not args.quick else 8 << 20
    bandwidth = copy_bandwidth(size, args.threads, max(3, args.repeat // 2))
    selected = image_rows(conventions=args.conventions.split(",") if args.conventions else None)
    if args.quick:  # the smallest image only, for a smoke run
        selected = [row for row in selected if row.size == selected[0].size]
    records = run_images(args.repeat, args.warmup, args.threads, bandwidth["gbps"] * 1e9, selected)
    print(format_images(records))
    stored = json.loads(args.json.read_text()) if args.json.exists() else {}
    stored["images"] = {
        "threads": args.threads,
        "repeat": args.repeat,
        "copy_bandwidth": bandwidth,
        "machine": machine_info(),
        "rows": records,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(stored, indent=1, default=str) + "\n")
    log(f"wrote the images family to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
