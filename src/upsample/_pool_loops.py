"""The compiled loops of max pooling and unpooling (Numba, see :mod:`upsample._jit`).

:func:`compiled_pool` runs a max pool over (N*C) planes of up to three spatial dims, with
unrolled loops for the common plain 2-D windows; the scatter and gather loops serve
max_pool's gradient and max_unpool. :mod:`upsample.pool` decides when they apply
(``upsample._jit.applies``) and keeps the NumPy path beside them.

Axis legend: B = N*C planes, I input spatial, O output spatial, k kernel spatial.
"""

from __future__ import annotations

import numpy as np

from . import _jit

Ints = tuple[int, ...]

__all__ = ["compiled_pool", "scatter_add_loop", "unpool_loop", "unpool_gather_loop"]


# The same rules as the NumPy primitives above, as single-pass loops over (n, c) planes
# (see upsample._jit). Spatial dims are padded to three with leading size-1 dims.


@_jit.kernel
def _max_pool_loop(
    x,
    k,
    s,
    p,
    d,
    first0,
    last0,
    first1,
    last1,
    first2,
    last2,
    lowest,
    values,
    indices,
    want_indices,
    start,
    stop,
):
    """x (B, I0, I1, I2) -> values, indices (B, O0, O1, O2) for planes [start, stop).

    Each window visits only its in-bounds taps, ``first[a]:last[a]`` along each dim.
    """
    _, i0, i1, i2 = x.shape
    _, o0, o1, o2 = values.shape
    for b in range(start, stop):
        for a0 in range(o0):
            h0 = a0 * s[0] - p[0]
            for a1 in range(o1):
                h1 = a1 * s[1] - p[1]
                for a2 in range(o2):
                    h2 = a2 * s[2] - p[2]
                    best = lowest  # torch starts at -inf on the first in-bounds tap
                    where = (
                        ((h0 + first0[a0] * d[0]) * i1 + h1 + first1[a1] * d[1]) * i2 + h2 + first2[a2] * d[2]
                    )
                    for t0 in range(first0[a0], last0[a0]):
                        j0 = h0 + t0 * d[0]
                        for t1 in range(first1[a1], last1[a1]):
                            j1 = h1 + t1 * d[1]
                            for t2 in range(first2[a2], last2[a2]):
                                j2 = h2 + t2 * d[2]
                                v = x[b, j0, j1, j2]
                                if v > best or v != v:  # first max wins, last NaN wins
                                    best = v
                                    where = (j0 * i1 + j1) * i2 + j2
                    values[b, a0, a1, a2] = best
                    if want_indices:
                        indices[b, a0, a1, a2] = where


@_jit.kernel(literal=("kh", "kw", "sh", "sw"))
def _max_pool_plain_loop(x, kh, kw, sh, sw, values, indices, want_indices, start, stop):
    """The common case, 2-D windows wholly inside a float input (no padding or dilation).

    The window size and stride are compile-time constants (``numba_literally``), so the tap
    loops unroll and the compiler keeps the taps in registers: several times faster than
    :func:`_max_pool_loop` for the usual 2x2 and 3x3 (the 2x2 at stride 2 about twice as
    fast again as with a run-time stride).
    """
    numba_literally(kh)
    numba_literally(kw)
    numba_literally(sh)
    numba_literally(sw)
    _, _, width = x.shape
    _, height_out, width_out = values.shape
    for b in range(start, stop):
        for oh in range(height_out):
            h0 = oh * sh
            for ow in range(width_out):
                w0 = ow * sw
                best = x[b, h0, w0]
                where = h0 * width + w0
                for th in range(kh):
                    for tw in range(kw):
                        v = x[b, h0 + th, w0 + tw]
                        if v > best or v != v:  # first max wins, last NaN wins
                            best = v
                            where = (h0 + th) * width + w0 + tw
                values[b, oh, ow] = best
                if want_indices:
                    indices[b, oh, ow] = where


def _tap_range(i: int, o: int, k: int, s: int, p: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Per output position along one dim, the taps ``[first, last)`` that land in ``[0, i)``."""
    starts = np.arange(o, dtype=np.int64) * s - p  # where each window begins
    taps = starts[:, None] + np.arange(k) * d  # (o, k) input positions
    inside = (taps >= 0) & (taps < i)
    first = np.where(inside.any(axis=1), inside.argmax(axis=1), k)
    return first.astype(np.int64), (first + inside.sum(axis=1)).astype(np.int64)


@_jit.kernel
def scatter_add_loop(g, indices, out, start, stop):
    """out[b, indices[b, j]] += g[b, j], in output order, for planes [start, stop)."""
    for b in range(start, stop):
        for j in range(g.shape[1]):
            out[b, indices[b, j]] += g[b, j]


@_jit.kernel
def unpool_loop(x, indices, out, start, stop):
    """out[b, indices[b, j]] = x[b, j] over a zeroed plane; a later j overwrites an earlier
    one (last wins). Zeroing plane by plane keeps the plane in cache for the scatter and
    splits the first touch of fresh pages over the threads."""
    for b in range(start, stop):
        out[b, :] = 0
        for j in range(x.shape[1]):
            out[b, indices[b, j]] = x[b, j]


@_jit.kernel
def unpool_gather_loop(g, indices, out, start, stop):
    """out[b, j] = g[b, indices[b, j]] for the kept (last) writer of each target, else 0.

    A plane-sized mark buffer finds the last writer: walking j backwards, the first visit
    of a target is its last write. The marks are cleared between planes.
    """
    seen = np.zeros(g.shape[1], dtype=np.uint8)
    for b in range(start, stop):
        if b > start:
            seen[:] = 0  # a plane-sized memset: cheaper than a second
        for j in range(indices.shape[1] - 1, -1, -1):  # pass of scattered clears
            target = indices[b, j]
            if seen[target] == 0:
                seen[target] = 1
                out[b, j] = g[b, target]
            else:
                out[b, j] = 0


def _as_3d(shape: Ints) -> tuple[int, int, int]:
    return (1,) * (3 - len(shape)) + tuple(shape)


def compiled_pool(
    x: np.ndarray, k: Ints, s: Ints, p: Ints, d: Ints, out: Ints, with_indices: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    planes = x.shape[0] * x.shape[1]
    x3 = np.ascontiguousarray(x).reshape(planes, *_as_3d(x.shape[2:]))  # (B, I0, I1, I2)
    values = np.empty((planes, *_as_3d(out)), dtype=x.dtype)  # (B, O0, O1, O2)
    indices = np.empty(values.shape if with_indices else (1, 1, 1, 1), dtype=np.int64)
    pad = (0,) * (3 - len(k))
    geometry = [
        np.array(pad_ + tuple(v), dtype=np.int64)
        for v, pad_ in (
            (k, (1,) * (3 - len(k))),
            (s, (1,) * (3 - len(k))),
            (p, pad),
            (d, (1,) * (3 - len(k))),
        )
    ]
    plain = (
        len(k) == 2
        and x.dtype.kind == "f"
        and not any(p)
        and all(v == 1 for v in d)
        and all((o - 1) * s_ + k_ <= i for o, s_, k_, i in zip(out, s, k, x.shape[2:]))
    )
    if plain:  # (B, H, W) windows wholly inside: the unrolled loop
        x2, v2, i2 = x3[:, 0], values[:, 0], indices[:, 0]
        work = lambda a, b: _max_pool_plain_loop(x2, k[0], k[1], s[0], s[1], v2, i2, with_indices, a, b)
    else:
        ranges = [r for args in zip(x3.shape[1:], values.shape[1:], *geometry) for r in _tap_range(*args)]
        lowest = x.dtype.type(-np.inf) if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        work = lambda a, b: _max_pool_loop(
            x3, *geometry, *ranges, lowest, values, indices, with_indices, a, b
        )
    _jit.split_planes(work, planes, x.size + values.size)
    shape = (*x.shape[:2], *out)
    return values.reshape(shape), indices.reshape(shape) if with_indices else None
