"""Where a compiled convolution's time goes, phase by phase (the account behind the README).

For each convolution row of the benchmark (forward, float32, the run's threads) this
times, in one process, medians of ``--repeat`` calls:

* ``total``    the op as a user calls it (``upsample.conv`` / ``conv_transpose``);
* ``plan``     everything but the compiled loops: argument checks, tap lists, packed
               weights, row tables, the output allocation and the thread hand-off
               (the loops replaced by a no-op);
* ``fill``     copying every band's part of the input into the per-thread buffers
               (``_tiles.fill_band`` over all bands, split over the threads as the op does);
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


def _geometry(case, arrays):
    """The op's checked arguments and the bands it cuts (the op's own planner)."""
    import upsample.convolution as conv
    from upsample import _direct

    x, w = arrays
    kw = case.kwargs
    if case.op == "conv":
        x, w, _, stride, pairs, dilation, groups, _ = conv._conv_args(
            x, w, None, kw.get("stride", 1), kw.get("padding", 0), kw.get("dilation", 1),
            kw.get("groups", 1), "zeros")
        _, out, fold, halo = _direct._geometry(x, w.shape[2:], stride, dilation, pairs)
        lift = _direct._lift
        bands = _direct.Bands(x.shape[0], x.shape[1] * int(np.prod(stride)), lift(out, 1),
                              lift(fold, 1), lift(halo, 0), x.itemsize, x.ndim - 2)
        return x, lift(stride, 1), tuple(lo for lo, _ in pairs), bands, (x.shape[0], w.shape[0], *out)
    x, w, _, stride, pairs, extra, dilation, groups = conv._conv_transpose_args(
        x, w, None, kw.get("stride", 1), kw.get("padding", 0), kw.get("output_padding", 0),
        kw.get("dilation", 1), kw.get("groups", 1), None)
    full = conv._full_size(x, w, stride, dilation, extra)
    size = tuple(f - lo - hi for f, (lo, hi) in zip(full, pairs))
    nd = x.ndim - 2
    before = tuple(((k - 1) * d) // s for k, s, d in zip(w.shape[2:], stride, dilation))
    lows = tuple(lo for lo, _ in pairs)
    after = tuple(max(0, (u - 1 + lo) // s - o + 1) for u, lo, s, o in zip(size, lows, stride, x.shape[2:]))
    source = tuple(o + a + b for o, a, b in zip(x.shape[2:], before, after))
    lift = _direct._lift
    axis = 3 - nd if nd >= 2 else 2
    s_a, lo_a, a_a = lift(stride, 1)[axis], lift(lows, 0)[axis], lift(before, 0)[axis]
    bands = _direct.Bands(x.shape[0], x.shape[1], lift(size, 1), lift(source, 1), (0, 0, 0),
                          x.itemsize, nd, multiple=s_a,
                          span=lambda band: (band - 1 + lo_a) // s_a - lo_a // s_a + 1 + a_a)
    return x, (1, 1, 1), before, bands, (x.shape[0], w.shape[1] * groups, *size)


def _fill_all(x, stride, lo, bands, threads: int):
    """fill_band over every band of every sample, on the op's threads."""
    from upsample import _direct, _jit, _tiles

    x5 = _direct._as5d(x)
    lo3 = np.array(_direct._lift(tuple(lo), 0), np.int64)
    stride3 = np.array(stride, np.int64)
    extent, pitch, _ = bands.arrays()
    size = x5.shape[1] * int(np.prod(stride)) * bands.plane + _tiles.SLACK

    def work(a, b):
        buf = np.zeros(size, x.dtype)
        row = np.empty(int(extent[2] * stride3[2]), x.dtype)
        start = np.zeros(3, np.int64)
        for u in range(a, b):
            start[:] = 0
            start[bands.axis] = (u % bands.bands) * bands.band
            _tiles.fill_band(x5, u // bands.bands, buf, lo3, stride3, start, extent, pitch,
                             bands.plane, row)
    return lambda: _jit.split_planes(work, bands.units, 1 << 30)


def _faults(shape, dtype, threads: int, repeat: int) -> float:
    """A fresh output's first touch, less touching memory already touched."""
    from upsample import _jit

    n = int(np.prod(shape))

    def touch(y):
        _jit.split_planes(lambda a, b: y[a * n // 64:b * n // 64].fill(1), 64, n)
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
    peak = 2 * 3072 ** 3 / _median(lambda: a @ a, 5) / 1e9
    print(f"{threads} threads; float32 matmul peak {peak:.0f} GFLOP/s (NumPy's BLAS, 3072^2)")
    print(f"{'case':24s} {'total':>8s} {'plan':>7s} {'fill':>7s} {'faults':>7s} {'tiles':>7s}"
          f"  tiles GFLOP/s (of peak)")
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
        x, stride, lo, bands, out_shape = _geometry(case, arrays)
        fill = _median(_fill_all(x, stride, lo, bands, threads), args.repeat)
        faults = _faults(out_shape, x.dtype, threads, args.repeat)
        tiles = max(total - plan - fill - faults, 1e-9)
        gflops = 2 * case.macs / tiles / 1e9
        print(f"{case.name:24s} {total*1e3:8.2f} {plan*1e3:7.2f} {fill*1e3:7.2f} {faults*1e3:7.2f} "
              f"{tiles*1e3:7.2f}  {gflops:6.0f} ({gflops / peak:.0%})", flush=True)


if __name__ == "__main__":
    os.environ.setdefault("UPSAMPLE_THREADS", "2")
    main()
