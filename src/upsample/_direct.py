"""Direct convolution on register tiles: the compiled path of conv and conv_transpose.

The three correlation primitives of :mod:`upsample.convolution` (the forward, its
adjoint, and the weight gradient) are planned here as lists of kernel taps over a zero
padded, folded copy of the input, and computed by the register tiles of
:mod:`upsample._tiles`; no im2col matrix is built and no BLAS is called.

* **Source.** The input is zero padded and, for a stride ``s``, folded (space to depth:
  position ``m*s + r`` of channel ``c`` becomes position ``m`` of plane ``(c, r)``). A
  kernel tap ``t`` then reads plane ``(c, (t*d) % s)`` shifted by ``(t*d) // s``: every
  tap of every stride and dilation is a fixed offset into the source, and output row
  ``o`` reads the same offsets from row ``o``. Only real taps are listed, so a kernel that
  the stride does not divide wastes nothing.
* **Bands.** The work is cut into bands, runs of output positions along the first
  spatial axis (the only one in 1-D), one sample at a time. Each band copies just the
  source it reads into a buffer of its thread (about ``BAND_BYTES``, so it stays in
  cache) and computes from there: no copy of the whole input is ever made.
* **Forward.** A tile holds R output channels x V vectors of one output row; it runs
  over the tap list (``C_in/G * prod(k)`` offsets) and stores once.
* **Adjoint.** Output position ``f = s*M + r`` collects the taps with ``(t*d) % s == r``
  from input ``M - (t*d)//s``: per phase, an ordinary correlation with its own tap
  list (the sub-pixel view of transposed convolution). Along the last axis the phases
  are classes of columns, computed tile by tile and interleaved as they are stored.
* **Weight gradient.** The same tap offsets read the other way: R taps walk along the
  buffer while the cotangent, transposed to (positions, channels) a chunk at a time,
  supplies vectors of output channels.

Axis legend as in :mod:`upsample.convolution`; T is the number of kernel taps, K the
length of a tap list, M the folded size. Arrays are lifted to three spatial dims.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from . import _jit

__all__ = ["applies", "Spec", "correlate", "correlate_adjoint", "correlate_weight"]

Pairs = tuple[tuple[int, ...], ...]


class Spec(NamedTuple):
    """How a kernel meets the signal, as every correlation (NumPy's in :mod:`upsample._correlation`
    and the compiled ones here) takes it beside its arrays: per spatial dim the stride and the
    dilation, and the number of groups."""

    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int


#: Register tiles the planner chooses from, (R rows, V vectors), with their speed relative
#: to (6, 4) measured in L1 on one core (float32; 200 GFLOP/s for the best): at most 24
#: accumulators plus V loaded vectors and a broadcast fit AVX-512's 32 registers. (12, 2)
#: would fit too, but LLVM's register allocator spills it (55-146 GFLOP/s).
TILE_SHAPES = {
    (6, 4): 1.0,
    (8, 3): 1.0,
    (10, 2): 0.93,
    (8, 2): 0.89,
    (4, 4): 0.9,
    (24, 1): 0.95,
    (16, 1): 0.88,
    (2, 4): 0.7,
    (1, 4): 0.42,
}

#: The size a band's buffer aims at: it stays in the core's L2 cache beside the tiles'
#: working set.
BAND_BYTES = 1 << 20

#: Taps per pass of a forward tile.
TAP_CHUNK = 128

#: Positions of the cotangent packed per weight-gradient chunk: (chunk x C) stays in L1/L2.
#: Measured on one core (weight gradients of conv 1d/2d/3d k4): 192 is within 5% of the
#: best of 64-512 for each.
WEIGHT_CHUNK = 192

#: The weight gradient is summed in this many fixed parts of the bands (each a thread's
#: work), so its rounding does not depend on the number of threads.
WEIGHT_PARTS = 4


def applies(*arrays: np.ndarray) -> bool:
    """Whether the compiled path takes these arrays: float32 or float64 alike, 1 to 3
    spatial dims, non-empty, and compiled kernels enabled."""
    return _jit.applies(*arrays, dtypes=_jit.FLOATS)


def _kernels():
    from . import _bands  # imports Numba: only on the first compiled convolution

    return _bands


def _lanes(dtype: np.dtype) -> int:
    return 64 // dtype.itemsize


def _tile_shape(rows_needed: int, cols_needed: int, lanes: int) -> tuple[int, int]:
    """The (R, V) of TILE_SHAPES that does ``rows_needed x cols_needed`` in the least
    time: the work padded to whole tiles, over the tile's speed."""

    def cost(shape):
        r, v = shape
        padded = -(-rows_needed // r) * r * -(-cols_needed // (v * lanes)) * v * lanes
        return padded / TILE_SHAPES[shape]

    return min(TILE_SHAPES, key=cost)


def _pitches(size: tuple[int, ...]) -> list[int]:
    """Row-major strides, in elements, of an array of ``size``."""
    return [math.prod(size[a + 1 :]) for a in range(len(size))]


def _lift(values: tuple[int, ...], fill: int) -> tuple[int, ...]:
    """A per-spatial-dim tuple padded at the front to three dims."""
    return (fill,) * (3 - len(values)) + tuple(values)


def _plane_pitch(size: int, itemsize: int) -> int:
    """Elements from one buffer plane to the next: ``size`` rounded up to an odd number
    of 64-byte lines. A tile reads the same position of many planes at once; were they a
    multiple of 4 KiB apart they would all fall into the same few cache sets."""
    per_line = 64 // itemsize
    lines = -(-size // per_line)
    return (lines + 1 - lines % 2) * per_line


def _as5d(x: np.ndarray) -> np.ndarray:
    """(N, C, *S) -> (N, C, S_1, S_2, S_3), C-contiguous."""
    return np.ascontiguousarray(x).reshape(*x.shape[:2], *_lift(x.shape[2:], 1))


#: A thread keeps its band buffer between calls up to this size (a fresh buffer would
#: cost the first touch of its pages on every call); larger ones are made per call.
WORKSPACE_BYTES = 64 << 20

_local = threading.local()


def _workspace(bands: Bands, channels: int, dtype: np.dtype) -> np.ndarray:
    """This thread's band buffer for ``channels`` planes of ``bands``: kept between calls
    (up to WORKSPACE_BYTES), so its contents are whatever the last call left."""
    from ._bands import SLACK

    nbytes = (channels * bands.plane + SLACK) * dtype.itemsize
    held = getattr(_local, "buffer", None)
    if held is None or held.nbytes < nbytes:
        held = np.zeros(nbytes, np.uint8)
        if nbytes <= WORKSPACE_BYTES:
            _local.buffer = held
    return held[:nbytes].view(dtype)


def _run(work, units: int, elements: int) -> list[Any]:
    """:func:`_jit.split_planes` that keeps what each range returns, in range order."""
    results: dict[int, Any] = {}
    lock = threading.Lock()

    def task(a: int, b: int) -> None:
        value = work(a, b)
        with lock:
            results[a] = value

    _jit.split_planes(task, units, elements)
    return [results[a] for a in sorted(results)]


class Bands:
    """How the output is cut into bands, and the layout of a band's buffer.

    ``out`` is the output size, ``fold`` the source's size (folded, padded), ``halo`` the
    extra source positions a band reads along each axis, all lifted to three dims; a band
    is ``band`` output positions along ``axis`` (the first spatial axis; the only one in
    1-D), ``multiple`` divides it. The buffer holds ``planes`` planes of ``extent``.
    """

    def __init__(
        self,
        n: int,
        planes: int,
        out: tuple[int, ...],
        fold: tuple[int, ...],
        halo: tuple[int, ...],
        itemsize: int,
        nd: int,
        multiple: int = 1,
        span: Callable[[int], int] | None = None,
    ):
        self.axis = 3 - nd if nd >= 2 else 2
        a = self.axis
        per_position = planes * itemsize * math.prod(f for j, f in enumerate(fold) if j != a)
        # a band reads ``halo`` more positions than it computes: at least 4x that, so the
        # overlap between bands costs at most a quarter more copying
        band = max(1, 4 * halo[a], BAND_BYTES // max(per_position, 1) - halo[a])
        band = min(band, -(-out[a] // -(-4 // n)))  # at least 4 units where it can
        band = max(multiple, band // multiple * multiple)
        self.band = min(band, -(-out[a] // multiple) * multiple)
        self.bands = -(-out[a] // self.band)
        self.units = n * self.bands
        length = span(self.band) if span else self.band + halo[a]
        self.extent = tuple(length if j == a else f for j, f in enumerate(fold))
        self.pitch = _pitches(self.extent)
        self.plane = _plane_pitch(math.prod(self.extent), itemsize)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The buffer's extent and row-major pitch, as the loops take them."""
        return np.array(self.extent, np.int64), np.array(self.pitch, np.int64)


def _band_rows(bands: Bands, out: tuple[int, ...], src_at, out_pitch: list[int]):
    """The output rows of one full band (every lifted output position but the last axis,
    the band axis limited to the band), in row-major order: where each reads the buffer
    (``src_at(axis, p)`` per axis), where it is stored relative to the band, and its
    position along the band axis."""
    a = bands.axis
    lead = [bands.band if j == a else out[j] for j in range(2)]
    if a == 2:
        lead = [1, 1]
    grids = np.meshgrid(*(np.arange(m, dtype=np.int64) for m in lead), indexing="ij")
    src = np.zeros(lead, np.int64)
    dst = np.zeros(lead, np.int64)
    for j, grid in enumerate(grids):
        if a != 2:
            src = src + src_at(j, grid) * bands.pitch[j]
            dst = dst + grid * out_pitch[j]
    position = grids[a] if a != 2 else np.zeros(lead, np.int64)
    return src.ravel(), dst.ravel(), position.ravel()


# --------------------------------------------------------------------------- forward


def _geometry(
    x: np.ndarray,
    k: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    pad: Pairs | None,
    size: tuple[int, ...] | None = None,
):
    """The output size, and the folded source size and halo, for a correlation of ``x``."""
    nd = len(k)
    pad = pad or ((0, 0),) * nd
    padded = [i + lo + hi for i, (lo, hi) in zip(x.shape[2:], pad)]
    out = tuple(size or ((p - d * (kk - 1) - 1) // s + 1 for p, kk, s, d in zip(padded, k, stride, dilation)))
    fold = tuple(-(-p // s) for p, s in zip(padded, stride))
    halo = tuple(((kk - 1) * d) // s for kk, s, d in zip(k, stride, dilation))
    return pad, out, fold, halo


def _tap_list(
    bands: Bands, stride: tuple[int, ...], groups: int, ci: int, k: tuple[int, ...], dilation: tuple[int, ...]
) -> np.ndarray:
    """(G, Ci * T) buffer offsets of the taps, channel-major, taps in the weight's order:
    tap ``t`` of channel ``c`` reads plane ``c*prod(s) + flat((t*d) % s)`` at ``(t*d) // s``."""
    stride3, pitch = _lift(stride, 1), bands.pitch
    starts = []
    for tap in itertools.product(*map(range, k)):
        offset = _lift(tuple(t * d for t, d in zip(tap, dilation)), 0)
        phase = shift = 0
        for o, s, p in zip(offset, stride3, pitch):
            phase = phase * s + o % s
            shift += (o // s) * p
        starts.append(phase * bands.plane + shift)
    channels = np.arange(groups * ci, dtype=np.int64) * math.prod(stride) * bands.plane
    return (channels[:, None] + np.array(starts, np.int64)[None, :]).reshape(groups, -1)


def _pack(w: np.ndarray, rows: int) -> tuple[np.ndarray, int]:
    """(G, Co, K) weights -> (G, B, K, R) blocks of R output channels, zero filled."""
    groups, co, k = w.shape
    blocks = -(-co // rows)
    padded = np.zeros((groups, blocks * rows, k), dtype=w.dtype)
    padded[:, :co] = w
    return np.ascontiguousarray(padded.reshape(groups, blocks, rows, k).transpose(0, 1, 3, 2)), blocks


class _Source:
    """What the forward and the weight gradient share: the bands of a correlation of ``x``
    (zero padded by ``pad``, folded by ``stride``) with ``channels`` planes per sample, its
    tap lists and the rows of a band, and the leading arguments of their loops."""

    def __init__(
        self,
        x: np.ndarray,
        k: tuple[int, ...],
        stride: tuple[int, ...],
        dilation: tuple[int, ...],
        groups: int,
        pad: Pairs | None,
        size: tuple[int, ...] | None = None,
    ):
        n, c_in, *_ = x.shape
        nd = len(k)
        pad, self.out, fold, halo = _geometry(x, k, stride, dilation, pad, size)
        self.out3 = _lift(self.out, 1)
        self.channels = c_in * math.prod(stride)
        self.bands = Bands(n, self.channels, self.out3, _lift(fold, 1), _lift(halo, 0), x.itemsize, nd)
        self.taps = _tap_list(self.bands, stride, groups, c_in // groups, k, dilation)  # (G, K)
        self.out_pitch = _pitches(self.out3)
        self.rows = _band_rows(self.bands, self.out3, lambda j, p: p, self.out_pitch)
        self.x5, self.dtype = _as5d(x), x.dtype
        self.lo = np.array(_lift(tuple(a for a, _ in pad), 0), np.int64)
        self.stride3 = np.array(_lift(stride, 1), np.int64)

    def leading(self) -> tuple[Any, ...]:
        """The loops' first argument (one tuple): the input, this thread's buffer, the fold."""
        b = self.bands
        return (
            self.x5,
            _workspace(b, self.channels, self.dtype),
            self.lo,
            self.stride3,
            b.axis,
            b.band,
            b.bands,
            *b.arrays(),
            b.plane,
        )

    def output(self) -> tuple[Any, ...]:
        """The loops' description of the output rows of a band (one tuple)."""
        a = self.bands.axis
        return (*self.rows, self.out3[a], self.out3[2], self.out_pitch[a], math.prod(self.out))


def correlate(x: np.ndarray, w: np.ndarray, spec: Spec, pad: Pairs | None = None) -> np.ndarray:
    """Valid correlation of ``x`` (N, C_in, *S), zero padded by ``pad``, with ``w``
    (C_out, C_in/G, *k): (N, C_out, *O)."""
    n = x.shape[0]
    c_out = w.shape[0]
    groups = spec.groups
    source = _Source(x, tuple(w.shape[2:]), *spec, pad)
    bands, taps = source.bands, source.taps
    co = c_out // groups
    rows, vectors = _tile_shape(co, bands.band if bands.axis == 2 else source.out3[2], _lanes(x.dtype))
    wp, blocks = _pack(w.reshape(groups, co, -1), rows)  # (G, B, K, R)
    y = np.empty(n * c_out * math.prod(source.out), dtype=x.dtype)
    kernel = _kernels().correlate_bands
    _jit.split_planes(
        lambda a, b: kernel(
            source.leading(),
            taps.ravel(),
            taps.shape[1],
            wp.ravel(),
            blocks,
            y,
            source.output(),
            co,
            groups,
            TAP_CHUNK,
            a,
            b,
            rows,
            vectors,
        ),
        bands.units,
        y.size,
    )
    return y.reshape(n, c_out, *source.out)


# --------------------------------------------------------------------------- adjoint


def _adjoint_geometry(
    shape: tuple[int, ...],
    k: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    padded: tuple[int, ...],
    crop: Pairs,
    itemsize: int,
):
    """The adjoint's output size U, its crop's low sides, the shift A each tap list is
    relative to, and its bands: the source is ``y`` (of ``shape``) padded by A before and
    by enough after for the last phase, not folded; band ``b0`` starts at source position
    ``(b0 + lo) // s`` along the band axis."""
    n, c_y, *o_size = shape
    nd = len(k)
    size = tuple(p - lo - hi for p, (lo, hi) in zip(padded, crop))  # U, the output
    lows = tuple(lo for lo, _ in crop)
    before = tuple(((kk - 1) * d) // s for kk, s, d in zip(k, stride, dilation))
    after = tuple(max(0, (u - 1 + lo) // s - o + 1) for u, lo, s, o in zip(size, lows, stride, o_size))
    source = tuple(o + a + b for o, a, b in zip(o_size, before, after))
    axis = 3 - nd if nd >= 2 else 2
    s_a, lo_a, a_a = _lift(stride, 1)[axis], _lift(lows, 0)[axis], _lift(before, 0)[axis]
    bands = Bands(
        n,
        c_y,
        _lift(size, 1),
        _lift(source, 1),
        (0, 0, 0),
        itemsize,
        nd,
        multiple=s_a,
        span=lambda band: (band - 1 + lo_a) // s_a - lo_a // s_a + 1 + a_a,
    )
    return size, lows, before, bands


def correlate_adjoint(
    y: np.ndarray, w: np.ndarray, spec: Spec, padded: tuple[int, ...], crop: Pairs
) -> np.ndarray:
    """Adjoint of :func:`correlate`: ``y`` (N, C_out, *O) -> (N, C_in, *padded) minus ``crop``."""
    n, c_y = y.shape[:2]
    _, cx, *k = w.shape
    nd = len(k)
    stride, dilation, groups = spec
    size, lows, before, bands = _adjoint_geometry(
        y.shape, tuple(k), stride, dilation, padded, crop, y.itemsize
    )
    size3, stride3, lows3, before3 = _lift(size, 1), _lift(stride, 1), _lift(lows, 0), _lift(before, 0)
    axis = bands.axis
    s_a, lo_a = stride3[axis], lows3[axis]
    cy = c_y // groups
    # per dim and phase r: the taps t with (t*d) % s == r, and their buffer shift A - (t*d)//s
    per_dim = [
        [[(t, a - (t * d) // s) for t in range(kk) if (t * d) % s == r] for r in range(s)]
        for kk, s, d, a in zip(k, stride, dilation, before)
    ]
    rows, vectors = _tile_shape(
        cx, -(-(bands.band if axis == 2 else size[-1]) // stride[-1]), _lanes(y.dtype)
    )
    wg = w.reshape(groups, cy, cx, *k)
    planes = np.arange(c_y, dtype=np.int64).reshape(groups, cy) * bands.plane
    pitch = bands.pitch[3 - nd :]
    offs, kfirst, klen, wfirst, packs = [], [], [], [], []
    at_offs = at_w = 0
    blocks = -(-cx // rows)
    for g in range(groups):
        for phase in itertools.product(*(range(s) for s in stride)):
            taps = list(itertools.product(*(per_dim[j][r] for j, r in enumerate(phase))))
            shifts = np.array([sum(sh * p for (_, sh), p in zip(tap, pitch)) for tap in taps], np.int64)
            entries = (planes[g][:, None] + shifts[None, :]).ravel()  # (Cy * T_r,)
            if taps:
                index = tuple(np.array([tap[j][0] for tap in taps]) for j in range(nd))
                sub = wg[g][(slice(None), slice(None), *index)]  # (Cy, Cx, T_r)
                sub = sub.transpose(1, 0, 2).reshape(1, cx, -1)  # (1, Cx, Cy * T_r)
                pack = _pack(sub, rows)[0]  # (1, B, K, R)
            else:
                pack = np.zeros(0, dtype=w.dtype)
            offs.append(entries)
            kfirst.append(at_offs)
            klen.append(len(entries))
            wfirst.append(at_w)
            packs.append(pack.ravel())
            at_offs += len(entries)
            at_w += pack.size
    offs_all = np.concatenate(offs) if at_offs else np.zeros(1, np.int64)
    wp = np.concatenate(packs) if at_w else np.zeros(1, dtype=w.dtype)

    # the rows of a band: their phase and where they read (the band axis relative to the
    # band's first source position, lo // s)
    def src_at(j, p):
        f = p + lows3[j]
        return f // stride3[j] - (lows3[j] // stride3[j] if j == axis else 0)

    out_pitch = _pitches(size3)
    row_src, row_out, row_pos = _band_rows(bands, size3, src_at, out_pitch)
    lead = [bands.band if j == axis else size3[j] for j in range(2)] if axis != 2 else [1, 1]
    grids = np.meshgrid(*(np.arange(m, dtype=np.int64) for m in lead), indexing="ij")
    row_phase = np.zeros(lead, np.int64)
    for j, grid in enumerate(grids):
        if axis != 2:
            row_phase = row_phase * stride3[j] + (grid + lows3[j]) % stride3[j]
    # the column classes of the last axis (relative to the band's start in 1-D)
    s, lo = stride[-1], lows[-1]
    classes = np.arange(s, dtype=np.int64)
    cls_src = (classes + lo) // s - (lo // s if axis == 2 else 0)
    cls_list = (classes + lo) % s
    out = np.empty(n * groups * cx * math.prod(size), dtype=y.dtype)
    y5 = _as5d(y)
    extent, bpitch = bands.arrays()
    kernel = _kernels().adjoint_bands
    _jit.split_planes(
        lambda a, b: kernel(
            y5,
            _workspace(bands, c_y, y.dtype),
            np.array(before3, np.int64),
            axis,
            bands.band,
            bands.bands,
            extent,
            bpitch,
            bands.plane,
            s_a,
            lo_a,
            offs_all,
            np.array(kfirst, np.int64),
            np.array(klen, np.int64),
            wp,
            np.array(wfirst, np.int64),
            blocks,
            out,
            row_src,
            row_out,
            row_pos,
            row_phase.ravel(),
            math.prod(stride[:-1]),
            cls_src,
            cls_list,
            s,
            size3[axis],
            size3[2],
            out_pitch[axis],
            math.prod(size),
            cx,
            groups,
            a,
            b,
            rows,
            vectors,
        ),
        bands.units,
        out.size,
    )
    return out.reshape(n, groups * cx, *size)


# --------------------------------------------------------------------------- weight gradient


def correlate_weight(
    x: np.ndarray, cot: np.ndarray, k: tuple[int, ...], spec: Spec, pad: Pairs | None = None
) -> np.ndarray:
    """Gradient of ``<cot, correlate(x, w)>`` in ``w``: (C_out, C_in/G, *k)."""
    c_in = x.shape[1]
    c_out = cot.shape[1]
    groups = spec.groups
    source = _Source(x, tuple(k), *spec, pad, size=cot.shape[2:])
    ci, co = c_in // groups, c_out // groups
    taps = source.taps  # (G, K)
    lanes = _lanes(x.dtype)
    thin = co < lanes // 2  # too few output channels per group to fill a vector
    if thin:
        rows, vectors = next(r for r in (4, 8, 12) if r >= taps.shape[1] or r == 12), 1
    else:
        rows, vectors = _tile_shape(taps.shape[1], co, lanes)
    kpad = -(-taps.shape[1] // rows) * rows
    offs = np.zeros((groups, kpad), np.int64)
    offs[:, : taps.shape[1]] = taps
    ldg = -(-co // (vectors * lanes)) * vectors * lanes
    cot_flat = np.ascontiguousarray(cot).reshape(-1)
    args = lambda: (
        source.leading(),
        offs.ravel(),
        kpad,
        cot_flat,
        source.output(),  # noqa: E731
        co,
        groups,
    )
    units, elements = source.bands.units, cot.size * taps.shape[1]
    if thin:
        return _weight_thin(
            args, units, elements, groups, co, kpad, taps.shape[1], lanes, rows, x.dtype
        ).reshape(c_out, ci, *k)
    kernel = _kernels().weight_bands

    def work(a: int, b: int) -> np.ndarray:
        gwt = np.zeros(groups * kpad * ldg, dtype=x.dtype)
        kernel(*args(), WEIGHT_CHUNK, ldg, gwt, a, b, rows, vectors)
        return gwt

    gwt = _parts(work, units, elements)
    gwt = gwt.reshape(groups, kpad, ldg)[:, : taps.shape[1], :co]  # (G, Ci*T, Co)
    return np.ascontiguousarray(gwt.transpose(0, 2, 1)).reshape(c_out, ci, *k)


def _parts(work, units: int, elements: int) -> np.ndarray:
    """Sum ``work(part, first, stop)`` over WEIGHT_PARTS fixed parts of ``range(units)``,
    in order: the same bits on any number of threads."""
    parts = min(units, WEIGHT_PARTS)
    bounds = [units * p // parts for p in range(parts + 1)]
    sums = _run(lambda a, b: [work(bounds[p], bounds[p + 1]) for p in range(a, b)], parts, elements)
    return sum(part for chunk in sums for part in chunk)


def _weight_thin(
    args,
    units: int,
    elements: int,
    groups: int,
    co: int,
    kpad: int,
    taps: int,
    lanes: int,
    rows: int,
    dtype: np.dtype,
) -> np.ndarray:
    """The weight gradient for thin groups (depthwise), as lane-wise dot products along the
    output rows: (G, Co, Ci*T)."""
    kernel = _kernels().weight_dot_bands

    def work(a: int, b: int) -> np.ndarray:
        acc = np.zeros(groups * co * kpad * lanes, dtype=dtype)
        kernel(*args(), acc, a, b, rows)
        return acc

    acc = _parts(work, units, elements).reshape(groups, co, kpad, lanes)
    return acc.sum(axis=-1)[:, :, :taps]
