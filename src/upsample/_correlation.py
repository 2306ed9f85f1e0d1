"""The three correlation primitives behind conv, conv_transpose and their gradients.

On an explicitly padded signal (N, C, *spatial):

* ``correlate(xp, w)``          valid, strided, dilated cross-correlation: the conv forward;
* ``correlate_adjoint(y, w)``   its exact adjoint, a scatter of ``w * y`` into the padded
  signal: the conv input-gradient and the conv_transpose forward;
* ``correlate_weight(xp, y)``   the gradient of ``<y, correlate(xp, w)>`` with respect to ``w``.

For float32 and float64 (1-D to 3-D) all three run on compiled register tiles over a
padded, folded copy of the input, band by band (:mod:`upsample._direct`): no im2col, no
BLAS, and the same code for every stride, dilation, group count and phase. The NumPy
strategies here are the path without Numba (``UPSAMPLE_JIT=0``) and for other dtypes.

How each NumPy strategy runs is chosen by shape, never by op: a stride-1 correlation is one
matmul per kernel tap on a slice of the flattened plane (no im2col); a stride that divides
the kernel is first folded into channels (space to depth); anything else uses im2col in
bounded chunks. The adjoint is either the sub-pixel split (stride^d stride-1 correlations,
interleaved) or matmul + col2im. Tests force every strategy over the whole grid.

Axis legend: N batch, C channels, G groups, Ci/Co channels per group, P padded spatial,
O output spatial, K kernel taps (flattened), k kernel spatial.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _direct, _jit
from ._direct import Spec

__all__ = [
    "Spec",
    "correlate",
    "correlate_adjoint",
    "correlate_weight",
    "pad_spatial",
    "pad_spatial_adjoint",
    "crop_spatial",
    "padded_size",
    "folds",
    "compiled",
    "add_bias",
    "PADDING_MODES",
]

Pairs = tuple[tuple[int, int], ...]

PADDING_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


# --------------------------------------------------------------------------- primitives

#: Upper bound on the im2col buffer of one chunk; larger problems are processed in chunks
#: of samples (or of output rows) so memory stays near the size of the inputs and outputs.
CHUNK_BYTES = 16 << 20

#: The sub-pixel split computes ``prod(s * Q) / prod(k)`` times the necessary taps (a
#: kernel size that is not a multiple of the stride leaves empty taps); above this ratio
#: the adjoint uses matmul + col2im instead.
SUBPIXEL_MAX_WASTE = 1.34

#: ``None`` lets :func:`correlate_adjoint` choose its strategy; ``"subpixel"`` or
#: ``"col2im"`` forces one (the tests run every case both ways).
ADJOINT_STRATEGY: str | None = None

#: Stride-1 correlations skip im2col (see :func:`_correlate_shifted`); False forces im2col.
SHIFTED_CORRELATION = True

#: The stacked slices of :func:`_correlate_stacked` are built this many bytes at a time
#: (a quarter of CHUNK_BYTES: this buffer lives beside a whole output).
STACK_CHUNK_BYTES = 4 << 20

#: float32 and float64 correlations run on compiled register tiles (:mod:`upsample._direct`)
#: when compiled kernels are enabled; False forces the NumPy strategies below (tests run both).
DIRECT = True

#: ``None`` lets :func:`_correlate_shifted` stack the taps into one matmul where that
#: moves less memory; True or False forces stacking or one matmul per tap (tests run both).
STACK_TAPS: bool | None = None


def compiled(*arrays: np.ndarray | None) -> bool:
    """Whether a primitive runs on the compiled register tiles (see :data:`DIRECT`)."""
    return DIRECT and _direct.applies(*(a for a in arrays if a is not None))


def _tap_slices(
    tap: tuple[int, ...], out: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]
) -> tuple[slice, ...]:
    """The strided window of the padded signal that kernel tap ``tap`` meets, one slice per dim."""
    return tuple(slice(t * d, t * d + (o - 1) * s + 1, s) for t, o, s, d in zip(tap, out, stride, dilation))


def _windows(
    xg: np.ndarray,
    k: tuple[int, ...],
    out: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> np.ndarray:
    """A read-only view (N, G, Ci, *k, *O) of (N, G, Ci, *P): ``[..., t, o] = xg[..., o*s + t*d]``."""
    spatial = xg.strides[3:]
    strides = (
        *xg.strides[:3],
        *(st * d for st, d in zip(spatial, dilation)),
        *(st * s for st, s in zip(spatial, stride)),
    )
    return np.lib.stride_tricks.as_strided(xg, (*xg.shape[:3], *k, *out), strides, writeable=False)


def _chunks(n: int, out: tuple[int, ...], bytes_per_position: int):
    """Split the work into (sample slice, first-output-axis slice) pieces of bounded im2col size."""
    per_row = max(bytes_per_position * math.prod(out[1:]), 1)
    rows = max(CHUNK_BYTES // per_row, 1)
    if rows < out[0]:  # one sample is too big: split its first output axis
        for i in range(n):
            for r in range(0, out[0], rows):
                yield slice(i, i + 1), slice(r, min(r + rows, out[0]))
        return
    samples = max(rows // out[0], 1)
    for i in range(0, n, samples):
        yield slice(i, min(i + samples, n)), slice(0, out[0])


def correlate(
    xp: np.ndarray, w: np.ndarray, spec: Spec, cotangent: np.ndarray | None = None, pad: Pairs | None = None
):
    """Valid correlation: ``xp`` (N, C_in, *P), ``w`` (C_out, C_in/G, *k) -> (N, C_out, *O).

    im2col then one matrix multiply per chunk: the kernel taps become part of the
    contraction, (G, Co, Ci*K) @ (N, G, Ci*K, O). Given a ``cotangent`` (N, C_out, *O), it
    also returns the weight-gradient of ``<cotangent, correlate(xp, w)>`` from the same
    im2col chunks, as :func:`correlate_weight` would (conv_transpose's pullback needs both).
    ``pad``: zero padding still to apply to ``xp``; folding applies it while it copies.
    """
    stride, dilation, groups = spec
    if compiled(xp, w, cotangent):
        y = _direct.correlate(xp, w, spec, pad)
        if cotangent is None:
            return y
        return y, _direct.correlate_weight(xp, cotangent, w.shape[2:], spec, pad)
    if folds(w.shape[2:], stride, dilation):
        folded = _fold(xp, stride, pad)  # one copy serves both
        y = _correlate_folded(folded, w, stride, groups, padded_size(xp, pad))
        if cotangent is None:
            return y
        return y, _weight_folded(folded, cotangent, stride, w.shape[2:], groups)
    if pad is not None:
        xp = pad_spatial(xp, pad, "zeros")
    if SHIFTED_CORRELATION and all(st == 1 for st in stride):
        if cotangent is not None:  # two im2col-free passes
            return (
                _correlate_shifted(xp, w, dilation, groups),
                correlate_weight(xp, cotangent, spec, w.shape[2:]),
            )
        return _correlate_shifted(xp, w, dilation, groups)
    n, c_in, *padded = xp.shape
    c_out, ci, *k = w.shape
    co = c_out // groups
    out = tuple((p - d * (kk - 1) - 1) // s + 1 for p, kk, s, d in zip(padded, k, stride, dilation))
    windows = _windows(xp.reshape(n, groups, ci, *padded), k, out, stride, dilation)  # (N, G, Ci, *k, *O)
    wg = w.reshape(groups, co, -1)  # (G, Co, Ci*K)
    y = np.empty((n, groups, co, *out), dtype=np.result_type(xp, w))  # (N, G, Co, *O)
    if cotangent is not None:
        cg = cotangent.reshape(n, groups, co, *out)  # (N, G, Co, *O)
        gw = np.zeros(wg.shape, dtype=np.result_type(xp, cotangent))  # (G, Co, Ci*K)
    buffer = None  # one im2col buffer, reused
    for samples, rows in _chunks(n, out, wg.shape[-1] * groups * xp.itemsize):
        chunk = (samples, Ellipsis, rows, *(slice(None),) * (len(out) - 1))
        block = windows[chunk]
        if buffer is None:
            buffer = np.empty(block.size, dtype=block.dtype)
        cols = _im2col(block, buffer[: block.size])  # (n, G, Ci*K, O_chunk)
        target = y[chunk]
        if target.flags.c_contiguous:  # whole rows: multiply in place
            np.matmul(wg, cols, out=target.reshape(cols.shape[0], groups, co, -1))
        else:
            target[...] = (wg @ cols).reshape(target.shape)
        if cotangent is not None:
            g = cg[chunk].reshape(cols.shape[0], groups, co, -1)  # (n, G, Co, O_chunk)
            gw += (g @ cols.swapaxes(-1, -2)).sum(axis=0)  # (G, Co, Ci*K)
    y = y.reshape(n, c_out, *out)
    return y if cotangent is None else (y, gw.reshape(w.shape))


def _correlate_shifted(
    xp: np.ndarray,
    w: np.ndarray,
    dilation: tuple[int, ...],
    groups: int,
    size: tuple[int, ...] | None = None,
    view: bool = False,
) -> np.ndarray:
    """Stride-1 valid correlation without im2col: (N, C_in, *P) -> (N, C_out, *O).

    Flatten each padded plane. Output ``o`` then reads input ``o + offset(tap)`` for every
    tap, so tap ``t``'s contribution is ``w[:, :, t] @ flat[:, offset(t):][:, :L]``, a
    matmul on a slice. The output comes out "wide", with each row as long as a padded
    input row; the extra columns are dropped when it is copied into place, and so is
    everything past ``size`` (a crop of the output's leading corner) if given. With
    ``view`` (one sample only) the result is a strided view of the wide output, no copy.

    Two ways to sum the K taps, chosen by the memory traffic per output column: stack the
    K input slices into one contraction (copies 2*K*Ci values, then one matmul that runs
    near the matmul peak), or one thin matmul per tap and K - 1 additions (writes and
    re-reads about (4K - 3)*Co values). Few input channels and many outputs (the
    sub-pixel phases of a transposed convolution) favour stacking.
    """
    c_out, ci, *k = w.shape
    taps = math.prod(k)
    stack = STACK_TAPS if STACK_TAPS is not None else 2 * taps * ci < (4 * taps - 3) * (c_out // groups)
    if stack:
        return _correlate_flat(xp, w, dilation, groups, size, view, _correlate_stacked)
    return _correlate_flat(xp, w, dilation, groups, size, view, _correlate_per_tap)


def _correlate_flat(
    xp: np.ndarray,
    w: np.ndarray,
    dilation: tuple[int, ...],
    groups: int,
    size: tuple[int, ...] | None,
    view: bool,
    strategy: Callable[..., Any],
) -> np.ndarray:
    """What both stride-1 strategies share: each sample's plane is flattened, tap ``t``
    reads it from ``offsets[t]`` on, and a sample's products fill ``wide`` (G, Co,
    O_1 * P_2 * ...), from which the valid outputs are cropped.

    ``strategy(flat, wg, offsets, length, wide, dtype)`` returns a function that fills
    ``wide[..., :length]`` for sample ``i``: :func:`_correlate_stacked` or
    :func:`_correlate_per_tap`."""
    n, c_in, *padded = xp.shape
    c_out, ci, *k = w.shape
    co = c_out // groups
    out = tuple(p - d * (kk - 1) for p, kk, d in zip(padded, k, dilation))
    kept = tuple(size or out)  # the crop that is kept
    steps = [math.prod(padded[a + 1 :]) for a in range(len(padded))]  # flat strides of a plane
    length = sum((o - 1) * st for o, st in zip(kept, steps)) + 1  # up to the last output
    flat = xp.reshape(n, groups, ci, math.prod(padded))  # (N, G, Ci, P)
    wg = w.reshape(groups, co, ci, -1)  # (G, Co, Ci, K)
    offsets = [
        sum(t * d * st for t, d, st in zip(tap, dilation, steps)) for tap in itertools.product(*map(range, k))
    ]
    dtype = np.result_type(xp, w)
    wide = np.empty((groups, co, out[0] * steps[0]), dtype=dtype)  # (G, Co, O_1 * P_2 ...)
    fill = strategy(flat, wg, offsets, length, wide, dtype)
    y = None if view else np.empty((n, groups, co, *kept), dtype=dtype)  # (N, G, Co, *O)
    for i in range(n):
        fill(i)
        rows = wide.reshape(groups, co, out[0], *padded[1:])  # (G, Co, O_1, P_2, ...)
        crop = rows[(Ellipsis, slice(0, kept[0]), *(slice(0, o) for o in kept[1:]))]
        if view:  # n == 1: no copy
            return crop.reshape(1, c_out, *kept)
        y[i] = crop
    return y.reshape(n, c_out, *kept)


def _correlate_stacked(
    flat: np.ndarray, wg: np.ndarray, offsets: list[int], length: int, wide: np.ndarray, dtype: np.dtype
) -> Callable[[int], None]:
    """The taps stacked into the contraction: the K slices are copied one under the other
    (whole contiguous rows, no gather), so a single matmul with Ci*K terms per output
    replaces K thin ones and their K - 1 additions. Columns are processed in chunks of
    bounded size."""
    groups, co, ci, taps = wg.shape
    # (G, Co, K, Ci): tap-major contraction, matching the stacked slices below
    wk = np.ascontiguousarray(wg.transpose(0, 1, 3, 2)).reshape(groups, co, taps * ci)
    span = max(1, min(length, STACK_CHUNK_BYTES // max(1, groups * taps * ci * flat.itemsize)))
    stacked = np.empty(groups * taps * ci * span, dtype=dtype)  # (G, K, Ci, L_chunk)

    def fill(i: int) -> None:
        for a in range(0, length, span):
            b = min(a + span, length)
            cols = stacked[: groups * taps * ci * (b - a)].reshape(groups, taps, ci, b - a)
            for t, offset in enumerate(offsets):
                cols[:, t] = flat[i, :, :, offset + a : offset + b]  # (G, Ci, L_chunk), rows
            np.matmul(wk, cols.reshape(groups, taps * ci, b - a), out=wide[..., a:b])

    return fill


def _correlate_per_tap(
    flat: np.ndarray, wg: np.ndarray, offsets: list[int], length: int, wide: np.ndarray, dtype: np.dtype
) -> Callable[[int], None]:
    """One matmul per tap on a slice of the flattened plane, with no copy of the input,
    and the K products added up."""
    groups, co = wg.shape[:2]
    term = np.empty((groups, co, length), dtype=dtype)

    def fill(i: int) -> None:
        acc = wide[..., :length]
        for t, offset in enumerate(offsets):
            window = flat[i, :, :, offset : offset + length]  # (G, Ci, L), a view
            if t == 0:
                np.matmul(wg[..., 0], window, out=acc)
            else:
                np.matmul(wg[..., t], window, out=term)
                acc += term

    return fill


def padded_size(x: np.ndarray, pad: Pairs | None) -> tuple[int, ...]:
    """The spatial size of ``x`` once padded by ``pad``."""
    pad = pad or ((0, 0),) * (x.ndim - 2)
    return tuple(i + lo + hi for i, (lo, hi) in zip(x.shape[2:], pad))


def _fold(x: np.ndarray, stride: tuple[int, ...], pad: Pairs | None = None) -> np.ndarray:
    """Space to depth: (N, C, *P) -> (N, C*S, *ceil(P/s)); position ``m*s + r`` of channel ``c``
    becomes position ``m`` of channel ``(c, r)``. ``pad`` (zeros) and the rounding of P up
    to a multiple of s are applied in one copy into a zeroed buffer, then one transposing copy
    folds it (faster in NumPy than one strided copy per phase)."""
    n, c, *size = x.shape
    nd = len(size)
    pad = pad or ((0, 0),) * nd
    folded = tuple(-(-p // s) for p, s in zip(padded_size(x, pad), stride))  # ceil(P / s)
    if _jit.applies(x, spatial_dims=nd):
        return _fold_compiled(x, stride, pad, folded)
    rounded = tuple(f * s for f, s in zip(folded, stride))
    if rounded != tuple(size):
        padded = np.zeros((n, c, *rounded), dtype=x.dtype)
        padded[(Ellipsis, *(slice(lo, lo + i) for i, (lo, _) in zip(size, pad)))] = x
        x = padded
    split = x.reshape(n, c, *(a for f, s in zip(folded, stride) for a in (f, s)))  # (N, C, M_1, s_1, ...)
    order = (0, 1, *range(3, 2 + 2 * nd, 2), *range(2, 2 + 2 * nd, 2))
    return split.transpose(order).reshape(n, c * math.prod(stride), *folded)  # (N, C*S, *M), a copy


@_jit.kernel
def _fold_loop(x, out, lo, start, stop):  # pragma: no cover - compiled
    """Planes ``start:stop`` of (NC, S_1, S_2, S_3) -> (NC, s_1, s_2, s_3, M_1, M_2, M_3):
    ``out[p, r, m] = x[p, m*s + r - lo]``, zero outside ``x`` (the padding and the rounding)."""
    s1, s2, s3, m1, m2, m3 = out.shape[1:]
    n1, n2, n3 = x.shape[1:]
    for p in range(start, stop):
        for r1 in range(s1):
            for r2 in range(s2):
                for r3 in range(s3):
                    for a in range(m1):
                        i = a * s1 + r1 - lo[0]
                        for b in range(m2):
                            j = b * s2 + r2 - lo[1]
                            inside = 0 <= i < n1 and 0 <= j < n2
                            for e in range(m3):
                                k = e * s3 + r3 - lo[2]
                                if inside and 0 <= k < n3:
                                    out[p, r1, r2, r3, a, b, e] = x[p, i, j, k]
                                else:
                                    out[p, r1, r2, r3, a, b, e] = 0


def _fold_compiled(x: np.ndarray, stride: tuple[int, ...], pad: Pairs, folded: tuple[int, ...]) -> np.ndarray:
    """:func:`_fold` as one compiled pass (pad, round up and fold at once), planes split
    over two threads: the NumPy form makes two copies, one into a zeroed buffer."""
    n, c, *size = x.shape
    lift = 3 - len(size)  # spatial dims padded to three
    planes = np.ascontiguousarray(x).reshape(n * c, *(1,) * lift, *size)  # (NC, S_1, S_2, S_3)
    steps = (1,) * lift + tuple(stride)
    out = np.empty((n * c, *steps, *(1,) * lift, *folded), dtype=x.dtype)  # (NC, s_1..s_3, M_1..M_3)
    lo = np.array([0] * lift + [a for a, _ in pad], dtype=np.intp)
    _jit.split_planes(lambda a, b: _fold_loop(planes, out, lo, a, b), n * c, out.size)
    return out.reshape(n, c * math.prod(stride), *folded)


def _fold_kernel(w: np.ndarray, stride: tuple[int, ...]) -> np.ndarray:
    """The kernel that matches :func:`_fold`: (Co, Ci, *k) -> (Co, Ci*S, *ceil(k/s)),
    tap ``q*s + r`` becoming tap ``q`` of channel ``(c, r)``; missing taps are zero."""
    c_out, ci, *k = w.shape
    taps = tuple(-(-kk // s) for kk, s in zip(k, stride))
    padded = np.zeros((c_out, ci, *(t * s for t, s in zip(taps, stride))), dtype=w.dtype)
    padded[(Ellipsis, *map(slice, k))] = w
    return _fold(padded, stride)  # the same folding


def _unfold_kernel(folded: np.ndarray, stride: tuple[int, ...], k: tuple[int, ...]) -> np.ndarray:
    """The inverse of :func:`_fold_kernel` (for a weight-gradient): (Co, Ci*S, *Q) -> (Co, Ci, *k)."""
    c_out, channels, *taps = folded.shape
    nd = len(taps)
    ci = channels // math.prod(stride)
    split = folded.reshape(c_out, ci, *stride, *taps)  # (Co, Ci, s_1..s_d, Q_1..Q_d)
    order = (0, 1, *(a for j in range(nd) for a in (2 + nd + j, 2 + j)))  # (Co, Ci, Q_1, s_1, ...)
    full = split.transpose(order).reshape(c_out, ci, *(q * s for q, s in zip(taps, stride)))
    return np.ascontiguousarray(full[(Ellipsis, *map(slice, k))])


def _foldable(k: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]) -> bool:
    """Whether folding the stride into channels wastes few taps (k a multiple of s, no dilation)."""
    taps = math.prod(-(-kk // s) * s for kk, s in zip(k, stride))
    return all(d == 1 for d in dilation) and taps / math.prod(k) <= SUBPIXEL_MAX_WASTE


def folds(k: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]) -> bool:
    """Whether a correlation runs by folding its stride into channels (space to depth)."""
    return SHIFTED_CORRELATION and any(s > 1 for s in stride) and _foldable(k, stride, dilation)


def _correlate_folded(
    folded: np.ndarray, w: np.ndarray, stride: tuple[int, ...], groups: int, padded: tuple[int, ...]
) -> np.ndarray:
    """A strided correlation of a signal of spatial size ``padded``, given its fold
    (:func:`_fold`), as a stride-1 one with the folded kernel: one im2col-free correlation
    (:func:`_correlate_shifted`) replaces the K-fold im2col."""
    out = tuple((p - kk) // s + 1 for p, kk, s in zip(padded, w.shape[2:], stride))
    return _correlate_shifted(folded, _fold_kernel(w, stride), (1,) * len(stride), groups, out)


def _weight_shifted(
    xp: np.ndarray, cotangent: np.ndarray, k: tuple[int, ...], dilation: tuple[int, ...], groups: int
) -> np.ndarray:
    """Stride-1 weight-gradient of ``<cotangent, correlate(xp, w)>`` without im2col.

    The transpose of :func:`_correlate_shifted`: the cotangent is laid out "wide" (rows as
    long as the padded rows, zeros in the extra columns), and tap ``t``'s gradient is
    ``wide @ flat[:, offset(t):][:, :L].T`` summed over the batch: a matmul on a slice.
    """
    n, c_in, *padded = xp.shape
    _, c_out, *out = cotangent.shape
    ci, co = c_in // groups, c_out // groups
    steps = [math.prod(padded[a + 1 :]) for a in range(len(padded))]
    length = sum((o - 1) * st for o, st in zip(out, steps)) + 1
    flat = xp.reshape(n, groups, ci, math.prod(padded))  # (N, G, Ci, P)
    dtype = np.result_type(xp, cotangent)
    wide = np.zeros((n, groups, co, out[0] * steps[0]), dtype=dtype)  # (N, G, Co, O_1 * P_2 ...)
    rows = wide.reshape(n, groups, co, out[0], *padded[1:])
    rows[(Ellipsis, *(slice(0, o) for o in out[1:]))] = cotangent.reshape(n, groups, co, *out)
    wide = wide[..., :length]
    taps = list(itertools.product(*map(range, k)))
    gw = np.empty((groups, co, ci, len(taps)), dtype=dtype)  # (G, Co, Ci, K)
    for t, tap in enumerate(taps):
        offset = sum(j * d * st for j, d, st in zip(tap, dilation, steps))
        window = flat[..., offset : offset + length].swapaxes(-1, -2)  # (N, G, L, Ci), a view
        gw[..., t] = (wide @ window).sum(axis=0)  # (G, Co, Ci)
    return gw.reshape(c_out, ci, *k)


def _weight_folded(
    folded: np.ndarray, y: np.ndarray, stride: tuple[int, ...], k: tuple[int, ...], groups: int
) -> np.ndarray:
    """The weight-gradient of a strided correlation from the fold of its input: the
    stride-1 weight-gradient of the folded kernel, unfolded."""
    taps = tuple(-(-kk // s) for kk, s in zip(k, stride))
    span = tuple(o + q - 1 for o, q in zip(y.shape[2:], taps))  # the folded input it reads
    folded = folded[(Ellipsis, *map(slice, span))]
    return _unfold_kernel(_weight_shifted(folded, y, taps, (1,) * len(k), groups), stride, tuple(k))


def _im2col(block: np.ndarray, buffer: np.ndarray) -> np.ndarray:
    """Copy a window view (n, G, Ci, *k, *O) into ``buffer`` as (n, G, Ci*K, O).

    One thread: right after a matrix multiply OpenBLAS keeps its worker spinning on the
    other core, and a second copying thread would only fight it.
    """
    n, groups, ci = block.shape[:3]
    cols = buffer.reshape(block.shape)
    cols[...] = block
    return cols.reshape(n, groups, -1, math.prod(block.shape[3 + (block.ndim - 3) // 2 :]))


def correlate_adjoint(
    y: np.ndarray, w: np.ndarray, spec: Spec, padded: tuple[int, ...], crop: Pairs | None = None
) -> np.ndarray:
    """Adjoint of :func:`correlate`: ``y`` (N, C_out, *O) -> (N, C_in, *padded), minus ``crop``.

    Each output position of the adjoint collects the taps whose strided windows cover
    it. Positions no window reaches (the tail a stride skips) are zero. ``crop`` trims
    ``(lo, hi)`` from each spatial dim of the result (what conv_transpose's padding does).
    """
    stride, dilation, groups = spec
    crop = crop or ((0, 0),) * len(padded)
    if compiled(y, w):
        return _direct.correlate_adjoint(y, w, spec, padded, crop)
    plans = [_subpixel_plan(k, s, d) for k, s, d in zip(w.shape[2:], stride, dilation)]
    taps = math.prod(w.shape[2:])
    waste = math.prod(len(table) * len(table[0]) for table, _ in plans) / taps
    # Memory traffic per output position: the sub-pixel split copies C_out * Q^d values into
    # its im2col buffer; matmul + col2im writes and re-adds C_in * K. A first layer (few
    # input channels) favours col2im; a decoder layer favours the split.
    subpixel_traffic = y.shape[1] * math.prod(len(table[0]) for table, _ in plans)
    strategy = ADJOINT_STRATEGY or (
        "subpixel"
        if waste <= SUBPIXEL_MAX_WASTE and subpixel_traffic <= 2 * w.shape[1] * groups * taps
        else "col2im"
    )
    if strategy == "subpixel":
        return _adjoint_subpixel(y, w, plans, stride, groups, padded, crop)
    full = _adjoint_col2im(y, w, stride, dilation, groups, padded)
    return np.ascontiguousarray(crop_spatial(full, crop))


def _subpixel_plan(k: int, s: int, d: int) -> tuple[np.ndarray, int]:
    """How one dim of the adjoint splits into ``s`` phases, each a small stride-1 correlation.

    Full-signal position ``f = s*m + r`` (phase ``r``) receives tap ``t`` of input ``m - q``
    whenever ``t*d = s*q + r``. Returns the (phases, Q) table of which tap sits at each
    position of the phase's flipped length-Q sub-kernel (-1: no tap), and the sub-kernel's
    dilation. A stride-1 dim is one phase: the flipped kernel at the same dilation.
    """
    if s == 1:
        return np.arange(k)[::-1].reshape(1, k), d
    q = d * (k - 1) // s + 1
    table = np.full((s, q), -1)
    for t in range(k):
        table[(t * d) % s, q - 1 - (t * d) // s] = t
    return table, 1


def _adjoint_subpixel(y, w, plans, stride, groups, padded, crop) -> np.ndarray:
    """The adjoint as one stride-1 correlation with prod(s) * C_in outputs, then interleaving.

    This is the sub-pixel view of transposed convolution: each phase of the output
    is an ordinary convolution of ``y`` with a sub-kernel, and the phases interleave
    like pixel_shuffle. It needs no scatter-add and no zero insertion.
    """
    nd = len(plans)
    n, c_out, *out = y.shape
    _, ci, *k = w.shape
    co = c_out // groups
    phases = tuple(len(table) for table, _ in plans)
    sub = tuple(len(table[0]) for table, _ in plans)
    dilation = tuple(d for _, d in plans)
    # gather the sub-kernels: W[g, o, c, r_1, j_1, ..., r_d, j_d] = w[g, o, c, t_1, ..., t_d]
    wg = np.pad(w.reshape(groups, co, ci, *k), ((0, 0),) * 3 + ((0, 1),) * nd)  # tap k: a zero
    index = []
    for axis, ((table, _), kk) in enumerate(zip(plans, k)):
        shape = [1] * (2 * nd)
        shape[2 * axis : 2 * axis + 2] = table.shape
        index.append(np.where(table < 0, kk, table).reshape(shape))
    sub_w = wg[(slice(None),) * 3 + tuple(index)]  # (G, Co, Ci, r_1, j_1, ..., r_d, j_d)
    order = (0, 2, *range(3, 3 + 2 * nd, 2), 1, *range(4, 4 + 2 * nd, 2))
    sub_w = sub_w.transpose(order).reshape(groups * ci * math.prod(phases), co, *sub)  # (G*Ci*S, Co, *Q)
    halo = tuple(((q - 1) * d, (q - 1) * d) for q, d in zip(sub, dilation))
    m = tuple(o + (q - 1) * d for o, q, d in zip(out, sub, dilation))  # phase size (M)
    size = tuple(p - lo - hi for p, (lo, hi) in zip(padded, crop))
    covered = all(mm * s >= lo + o for mm, s, (lo, _), o in zip(m, stride, crop, size))
    result = (np.empty if covered else np.zeros)((n, groups * ci, *size), dtype=np.result_type(y, w))
    moves = []  # (target, source) per phase
    for phase in itertools.product(*map(range, phases)):
        source, target = [], []
        for r, s, mm, (lo, _), o in zip(phase, stride, m, crop, size):
            first = max(0, -(-(lo - r) // s))  # first m with s*m + r >= lo
            last = min(mm, -(-(lo + o - r) // s))  # one past the last inside the crop
            source.append(slice(first, max(first, last)))
            target.append(slice(s * first + r - lo, s * (last - 1) + r - lo + 1 if last > first else 0, s))
        moves.append(((Ellipsis, *target), (Ellipsis, *phase, *source)))
    # One sample at a time, so the phases (as large as the output) never exist for the
    # whole batch at once: the peak memory stays near the inputs plus the output.
    for i in range(n):
        if SHIFTED_CORRELATION:  # a view: interleave from it
            z = _correlate_shifted(
                pad_spatial(y[i : i + 1], halo, "zeros"), sub_w, dilation, groups, view=True
            )
        else:
            z = correlate(y[i : i + 1], sub_w, Spec((1,) * nd, dilation, groups), pad=halo)
        # z: (1, G*Ci*S, *M)
        phased = z.reshape(groups * ci, *phases, *m)  # (C_in, r_1..r_d, M_1..M_d)
        for target, source in moves:  # one thread, as in _im2col
            result[i][target] = phased[source]
        del z, phased  # before the next sample's
    return result


def _adjoint_col2im(y, w, stride, dilation, groups, padded) -> np.ndarray:
    """The adjoint as one matrix multiply, (G, Ci*K, Co) @ (N, G, Co, O), then col2im:
    each tap's plane is added into its strided window. Used when the sub-pixel split
    would waste work on empty taps (e.g. k=3, s=2 in 2-D)."""
    n, c_out, *out = y.shape
    out = tuple(out)
    _, ci, *k = w.shape
    co = c_out // groups
    wt = w.reshape(groups, co, -1).swapaxes(1, 2)  # (G, Ci*K, Co)
    yg = y.reshape(n, groups, co, *out)  # (N, G, Co, *O)
    xg = np.zeros((n, groups, ci, *padded), dtype=np.result_type(y, w))  # (N, G, Ci, *P)
    taps = list(itertools.product(*map(range, k)))
    for samples, rows in _chunks(n, out, wt.shape[1] * groups * y.itemsize):
        chunk_rows = (rows, *(slice(None),) * (len(out) - 1))
        block = yg[(samples, Ellipsis, *chunk_rows)]
        nb, rb = block.shape[0], block.shape[3]
        cols = wt @ block.reshape(nb, groups, co, -1)  # (n, G, Ci*K, O_chunk)
        cols = cols.reshape(nb, groups, ci, len(taps), rb, *out[1:])
        target = xg[samples]
        first = rows.start * stride[0]  # where this row block starts
        for t, tap in enumerate(taps):
            window = _tap_slices(tap, (rb, *out[1:]), stride, dilation)
            window = (slice(window[0].start + first, window[0].stop + first, stride[0]), *window[1:])
            target[(Ellipsis, *window)] += cols[:, :, :, t]
    return xg.reshape(n, groups * ci, *padded)


def correlate_weight(
    xp: np.ndarray, y: np.ndarray, spec: Spec, k: tuple[int, ...], pad: Pairs | None = None
) -> np.ndarray:
    """Gradient of ``<y, correlate(xp, w)>`` in ``w``: -> (C_out, C_in/G, *k).

    Stride 1, or a stride folded into channels, needs no im2col (:func:`_weight_shifted`);
    otherwise im2col per chunk, then (n, G, Co, O) @ (n, G, O, Ci*K) summed over the samples.
    """
    stride, dilation, groups = spec
    k = tuple(k)
    if compiled(xp, y):
        return _direct.correlate_weight(xp, y, k, spec, pad)
    if folds(k, stride, dilation):
        return _weight_folded(_fold(xp, stride, pad), y, stride, k, groups)
    if pad is not None:
        xp = pad_spatial(xp, pad, "zeros")
    if SHIFTED_CORRELATION and all(st == 1 for st in stride):
        return _weight_shifted(xp, y, k, dilation, groups)
    n, c_in, *padded = xp.shape
    _, c_out, *out = y.shape
    out = tuple(out)
    ci, co = c_in // groups, c_out // groups
    windows = _windows(xp.reshape(n, groups, ci, *padded), tuple(k), out, stride, dilation)
    yg = y.reshape(n, groups, co, *out)  # (N, G, Co, *O)
    gw = np.zeros((groups, co, ci * math.prod(k)), dtype=np.result_type(xp, y))  # (G, Co, Ci*K)
    for samples, rows in _chunks(n, out, ci * math.prod(k) * groups * xp.itemsize):
        chunk_rows = (rows, *(slice(None),) * (len(out) - 1))
        block = windows[(samples, Ellipsis, *chunk_rows)]
        nb = block.shape[0]
        cols = block.reshape(nb, groups, ci * math.prod(k), -1)  # (n, G, Ci*K, O_chunk), a copy
        g = yg[(samples, Ellipsis, *chunk_rows)].reshape(nb, groups, co, -1)  # (n, G, Co, O_chunk)
        gw += (g @ cols.swapaxes(-1, -2)).sum(axis=0)  # (G, Co, Ci*K)
    return gw.reshape(c_out, ci, *k)


def pad_spatial(x: np.ndarray, pairs: Pairs, mode: str) -> np.ndarray:
    """Pad the spatial axes of (N, C, *spatial) by ``pairs``; a no-op returns ``x`` itself."""
    if not any(lo or hi for lo, hi in pairs):
        return x
    if mode != "zeros":
        return np.pad(x, ((0, 0), (0, 0), *pairs), mode=PADDING_MODES[mode])
    padded = np.zeros((*x.shape[:2], *(i + lo + hi for i, (lo, hi) in zip(x.shape[2:], pairs))), x.dtype)
    inner = padded[(Ellipsis, *(slice(lo, lo + i) for i, (lo, _) in zip(x.shape[2:], pairs)))]
    inner[...] = x
    return padded


def pad_spatial_adjoint(g: np.ndarray, pairs: Pairs, mode: str) -> np.ndarray:
    """Adjoint of :func:`pad`: crop, then fold each padded position back onto its source."""
    for axis, (lo, hi) in enumerate(pairs, start=2):
        size = g.shape[axis] - lo - hi
        inner = g.take(range(lo, lo + size), axis=axis)
        if mode != "zeros" and (lo or hi):
            source = np.pad(np.arange(size), (lo, hi), mode=PADDING_MODES[mode])  # padded -> source
            edge = [j for j in range(g.shape[axis]) if not lo <= j < lo + size]
            moved = np.moveaxis(inner, axis, 0).copy()
            np.add.at(moved, source[edge], np.moveaxis(g.take(edge, axis=axis), axis, 0))
            inner = np.moveaxis(moved, 0, axis)
        g = inner
    return np.ascontiguousarray(g)


def crop_spatial(x: np.ndarray, pairs: Pairs) -> np.ndarray:
    return x[(..., *(slice(lo, x.shape[axis] - hi) for axis, (lo, hi) in enumerate(pairs, start=2)))]


def add_bias(y: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    if bias is not None:
        y += bias.reshape(1, -1, *(1,) * (y.ndim - 2))
    return y
