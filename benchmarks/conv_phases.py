"""Where a compiled convolution's time goes, phase by phase (the account behind the README).

For each convolution row of the benchmark (forward, float32, the run's threads) this
times, in one process, medians of ``--repeat`` calls:

* ``total``    the op as a user calls it (``upsample.conv`` / ``conv_transpose``);
* ``plan``     everything but the compiled loops: argument checks, tap lists, packed
               weights, row tables, the output allocation and the thread hand-off
               (the loops replaced by a no-op);
* ``fill``     copying every band's part of the input into the per-thread buffers
               (``upsample._bands.enter_band`` over all bands, split over the threads as the op does);
* ``faults``   the first touch of a fresh output of the op's size (a fresh ``np.empty``
               filled, less the same fill of touched memory): page faults and zeroing;
* ``tiles``    the rest: the register tiles and the stores of their results.

``tiles`` is also given as GFLOP/s and as a fraction of the matmul peak measured in the
same process (a float32 matmul of 3072^2, NumPy's BLAS). Nothing here asserts a time.

    python benchmarks/conv_phases.py                  # every conv row
    python benchmarks/conv_phases.py --cases "conv 3d,conv 1d" --repeat 21
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from upbench.cases import Size, build_cases, case_rng, select  # noqa: E402


def _median(fn, repeat: int) -> float:
    fn()
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return float(np.median(runs))


def _bands(case, arrays):
    """The op's checked arguments and the bands its compiled loops cut (the op's own
    planner): the input, the fold, the zero padding before, the bands, where band ``b0``
    starts in the source (``(b0 + src_lo) // src_step``) and the output shape."""
    import upsample.convolution as conv
    from upsample import _direct

    x, w = arrays
    # the row's arguments over the public ops' defaults, named as the argument checks name them
    geometry = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, **case.kwargs}
    if case.op == "conv":
        x, w, _, stride, pairs, dilation, groups, _ = conv.conv_args(
            x, w, None, padding_mode="zeros", **geometry
        )
        source = _direct._Source(x, w.shape[2:], stride, dilation, groups, pairs)
        return (x, source.stride3, source.lo, source.bands, 0, 1, (x.shape[0], w.shape[0], *source.out))
    geometry.setdefault("output_padding", 0)
    x, w, _, stride, pairs, extra, dilation, groups = conv.conv_transpose_args(
        x, w, None, output_size=None, **geometry
    )
    full = conv._full_size(x, w, stride, dilation, extra)
    size, lows, before, bands = _direct._adjoint_geometry(
        x.shape, w.shape[2:], stride, dilation, full, pairs, x.itemsize
    )
    lift = _direct._lift
    return (
        x,
        np.ones(3, np.int64),
        np.array(lift(before, 0), np.int64),
        bands,
        lift(lows, 0)[bands.axis],
        lift(stride, 1)[bands.axis],
        (x.shape[0], w.shape[1] * groups, *size),
    )


def _fill_all(x, stride3, lo3, bands, src_lo, src_step):
    """Every band's copy of the input (the loops' own enter_band), on the op's threads."""
    from upsample import _bands as drivers
    from upsample import _direct, _jit

    x5 = _direct._as5d(x)
    extent, pitch = bands.arrays()
    channels = x5.shape[1] * int(np.prod(stride3))
    out_last = 1 << 30  # columns are not needed here

    def work(a, b):
        buf = _direct._workspace(bands, channels, x.dtype)
        row = np.empty(int(extent[2] * stride3[2]), x.dtype)
        start = np.zeros(3, np.int64)
        for u in range(a, b):
            drivers.enter_band(
                u,
                bands.bands,
                bands.band,
                bands.axis,
                out_last,
                src_lo,
                src_step,
                x5,
                buf,
                lo3,
                stride3,
                start,
                extent,
                pitch,
                bands.plane,
                row,
            )

    return lambda: _jit.split_planes(work, bands.units, 1 << 30)


def _faults(shape, dtype, repeat: int) -> float:
    """A fresh output's first touch, less touching memory already touched."""
    from upsample import _jit

    n = int(np.prod(shape))

    def touch(y):
        _jit.split_planes(lambda a, b: y[a * n // 64 : b * n // 64].fill(1), 64, n)

    fresh = _median(lambda: touch(np.empty(n, dtype)), repeat)
    kept = np.empty(n, dtype)
    touched = _median(lambda: touch(kept), repeat)
    return max(0.0, fresh - touched)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="conv", help="substrings of the case names")
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    import upsample
    from upsample import _direct, _jit

    threads = _jit.threads()
    a = np.random.default_rng(0).standard_normal((3072, 3072), dtype=np.float32)
    peak = 2 * 3072**3 / _median(lambda: a @ a, 5) / 1e9
    print(f"{threads} threads; float32 matmul peak {peak:.0f} GFLOP/s (NumPy's BLAS, 3072^2)")
    print(
        f"{'case':24s} {'total':>8s} {'plan':>7s} {'fill':>7s} {'faults':>7s} {'tiles':>7s}"
        f"  tiles GFLOP/s (of peak)"
    )
    for case in select(build_cases(Size()), args.cases):
        if case.family or case.base or case.bound != "matmul":
            continue
        arrays = case.arrays(case_rng(case))
        op = getattr(upsample, case.op)
        total = _median(lambda: op(*arrays, **case.kwargs), args.repeat)
        kernels = _direct._kernels()
        names = ("correlate_bands", "adjoint_bands")
        saved = {name: getattr(kernels, name) for name in names}
        try:
            for name in names:
                setattr(kernels, name, lambda *a: None)
            plan = _median(lambda: op(*arrays, **case.kwargs), args.repeat)
        finally:
            for name, kernel in saved.items():
                setattr(kernels, name, kernel)
        x, stride3, lo3, bands, src_lo, src_step, out_shape = _bands(case, arrays)
        fill = _median(_fill_all(x, stride3, lo3, bands, src_lo, src_step), args.repeat)
        faults = _faults(out_shape, x.dtype, args.repeat)
        tiles = max(total - plan - fill - faults, 1e-9)
        gflops = 2 * case.macs / tiles / 1e9
        print(
            f"{case.name:24s} {total * 1e3:8.2f} {plan * 1e3:7.2f} {fill * 1e3:7.2f} {faults * 1e3:7.2f} "
            f"{tiles * 1e3:7.2f}  {gflops:6.0f} ({gflops / peak:.0%})",
            flush=True,
        )


if __name__ == "__main__":
    os.environ.setdefault("UPSAMPLE_THREADS", "2")
    main()
