"""The band drivers of the register tiles (:mod:`upsample._tiles`): the three correlation
primitives of :mod:`upsample._direct` as compiled loops over bands of a padded, folded input,
each band's tiles run while its copy is in cache. Imported with Numba, on the first compiled
convolution only."""

from __future__ import annotations

import numpy as np
from numba import literally as numba_literally
from numba import njit

from . import _jit
from ._tiles import SLACK, tile_dot, tile_gather, tile_stream

__all__ = [
    "adjoint_bands",
    "correlate_bands",
    "enter_band",
    "fill_band",
    "weight_bands",
    "weight_dot_bands",
    "SLACK",
]


# --------------------------------------------------------------------------- drivers
# A unit of work is one band of one sample: a run of output positions along the band
# axis. Each unit first copies the part of the input its band reads into ``buf``, its
# thread's buffer (zero padded and folded by the stride, see fill_band; at least
# ``channels * prod(stride) * plane + SLACK`` elements, whatever it held before), then
# runs its tiles on that buffer while it is in cache. _jit.split_planes runs ranges of
# units on two threads; every output value is written by exactly one unit.


@njit(cache=True, nogil=True)
def fill_band(x, n, buf, lo, stride, start, extent, pitch, plane, row):  # pragma: no cover - compiled
    """Sample ``n`` of ``x`` (N, C, S_1, S_2, S_3) into ``buf``, zero padded by ``lo`` and
    folded by ``stride``: plane ``c*prod(s) + flat(r)`` starts at ``buf[plane_index*plane]``
    and holds, at local position ``m`` (``extent`` per axis, row-major with ``pitch``),
    ``x[n, c, (start + m)*s + r - lo]``, zero outside ``x``.

    Each input row is copied, zero padded, into ``row`` (contiguous), then dealt out to
    its ``s_3`` planes; with no fold along the row it is copied straight in. The inner
    loops index with unsigned integers, so no negative-index wraparound stands in the way
    of vectorising them."""
    _, channels, n1, n2, n3 = x.shape
    flat = x.reshape(-1)
    s1, s2, s3 = stride[0], stride[1], stride[2]
    e1, e2, e3 = extent[0], extent[1], extent[2]
    phases = s1 * s2 * s3
    m0 = start[2] * s3 - lo[2]  # the input column of the row's first element
    first = min(e3 * s3, max(0, -m0))  # the row's elements inside x: first:last
    last = max(first, min(e3 * s3, n3 - m0))
    one = np.uint64(1)
    u3, ufirst, ulast, uplane = np.uint64(e3), np.uint64(first), np.uint64(last), np.uint64(plane)
    for c in range(channels):
        for r1 in range(s1):
            for r2 in range(s2):
                at0 = (c * phases + (r1 * s2 + r2) * s3) * plane
                for a in range(e1):
                    i = (start[0] + a) * s1 + r1 - lo[0]
                    for b in range(e2):
                        j = (start[1] + b) * s2 + r2 - lo[1]
                        at = np.uint64(at0 + a * pitch[0] + b * pitch[1])
                        inside = 0 <= i < n1 and 0 <= j < n2
                        frm = np.uint64((((n * channels + c) * n1 + i) * n2 + j) * n3 + m0 if inside else 0)
                        if not inside:
                            for r3 in range(np.uint64(s3)):
                                for e in range(u3):
                                    buf[at + r3 * uplane + e] = 0
                        elif s3 == 1:  # straight in
                            for e in range(ufirst):
                                buf[at + e] = 0
                            for e in range(ufirst, ulast):
                                buf[at + e] = flat[frm + e]
                            for e in range(ulast, u3):
                                buf[at + e] = 0
                        else:  # into row, then dealt out
                            for e in range(ufirst):
                                row[e] = 0
                            for e in range(ufirst, ulast):
                                row[e] = flat[frm + e]
                            for e in range(ulast, np.uint64(e3 * s3)):
                                row[e] = 0
                            if s3 == 2:
                                for e in range(u3):
                                    buf[at + e] = row[e + e]
                                    buf[at + uplane + e] = row[e + e + one]
                            else:
                                for r3 in range(np.uint64(s3)):
                                    for e in range(u3):
                                        buf[at + r3 * uplane + e] = row[e * np.uint64(s3) + r3]


@njit(cache=True, nogil=True)
def enter_band(
    u, bands, band, axis, out_last, src_lo, src_step, x, buf, lo, stride, start, extent, pitch, plane, row
):  # pragma: no cover - compiled
    """Unit ``u``: copy its band's source into ``buf`` (from source position
    ``(b0 + src_lo) // src_step`` along the band axis) and return its sample ``n``, its
    first output position ``b0`` along the axis and the output columns of its rows."""
    n = u // bands
    b0 = (u % bands) * band
    start[axis] = (b0 + src_lo) // src_step
    fill_band(x, n, buf, lo, stride, start, extent, pitch, plane, row)
    return n, b0, (min(band, out_last - b0) if axis == 2 else out_last)


@njit(cache=True, nogil=True)
def open_band(u, source, output, channels, start, row):  # pragma: no cover - compiled
    """:func:`enter_band` for the drivers that read the input folded by its stride, with the
    band's source and output rows as :meth:`_Source.leading` and :meth:`_Source.output` give
    them: fill ``buf`` for unit ``u`` and return the band's first output position ``b0``,
    the output columns of its rows, and where its outputs start in the flat output of
    ``channels`` channels (sample ``n``, channel 0, position ``b0``)."""
    x, buf, lo, stride, axis, band, bands, extent, pitch, plane = source
    out_last, out_step, plane_out = output[4], output[5], output[6]
    n, b0, cols = enter_band(
        u, bands, band, axis, out_last, 0, 1, x, buf, lo, stride, start, extent, pitch, plane, row
    )
    return b0, cols, n * channels * plane_out + b0 * out_step


@_jit.kernel(literal=("rows", "vectors"))
def correlate_bands(
    source,
    offs,
    klen,
    wp,
    blocks,
    y,
    output,
    per_group,
    groups,
    chunk,
    u0,
    u1,
    rows,
    vectors,
):  # pragma: no cover - compiled
    """The forward correlation, bands ``u0:u1`` (unit ``u`` is band ``u % bands`` of sample
    ``u // bands``; a band is ``band`` output positions along ``axis``).

    In a band, output row ``i`` reads the buffer from ``row_src[i]`` and is stored from
    ``row_out[i]`` (relative to the band); column ``j`` of channel
    ``c = g*per_group + b*R + r`` is ``sum_k wp[g, b, k, r] * buf[row_src[i] + j +
    offs[g*klen + k]]``. Full tiles go straight into ``y``; a tile cut by the last column
    or by the last channel of a group goes through a small scratch block."""
    x, buf, lo, stride, axis, band, bands, extent, pitch, plane = source
    row_src, row_out, row_pos, out_axis, out_last, out_step, plane_out = output
    numba_literally(rows)
    numba_literally(vectors)
    width = vectors * (64 // y.itemsize)
    row = np.empty(extent[2] * stride[2], dtype=y.dtype)
    scratch = np.empty(groups * blocks * rows * width, dtype=y.dtype)
    start = np.zeros(3, dtype=np.int64)
    for u in range(u0, u1):
        b0, cols, base = open_band(u, source, output, groups * per_group, start, row)
        for i in range(len(row_src)):
            if axis != 2 and b0 + row_pos[i] >= out_axis:
                break
            for j0 in range(0, cols, width):
                sb = row_src[i] + j0
                ob = base + row_out[i] + j0
                ncol = min(width, cols - j0)
                for k0 in range(0, klen, chunk):
                    steps = min(chunk, klen - k0)
                    for g in range(groups):
                        for b in range(blocks):
                            c0 = b * rows
                            # a full tile accumulates in place; a cut one in its scratch block
                            direct = ncol == width and c0 + rows <= per_group
                            target = y if direct else scratch
                            if direct:
                                into, stride_ = ob + (g * per_group + c0) * plane_out, plane_out
                            else:
                                into, stride_ = (g * blocks + b) * rows * width, width
                            tile_gather(
                                buf,
                                sb,
                                offs,
                                g * klen + k0,
                                steps,
                                wp,
                                ((g * blocks + b) * klen + k0) * rows,
                                target,
                                into,
                                stride_,
                                k0,
                                rows,
                                vectors,
                            )
                for g in range(groups):
                    for b in range(blocks):
                        c0 = b * rows
                        if ncol == width and c0 + rows <= per_group:
                            continue
                        for r in range(min(rows, per_group - c0)):
                            at = np.uint64(ob + (g * per_group + c0 + r) * plane_out)
                            frm = np.uint64(((g * blocks + b) * rows + r) * width)
                            for j in range(np.uint64(ncol)):
                                y[at + j] = scratch[frm + j]


@_jit.kernel(literal=("rows", "vectors"))
def adjoint_bands(
    x,
    buf,
    lo,
    axis,
    band,
    bands,
    extent,
    pitch,
    plane,
    src_step,
    src_lo,
    offs,
    kfirst,
    klen,
    wp,
    wfirst,
    blocks,
    y,
    row_src,
    row_out,
    row_pos,
    row_phase,
    phases,
    cls_src,
    cls_list,
    step,
    out_axis,
    out_last,
    out_step,
    plane_out,
    per_group,
    groups,
    u0,
    u1,
    rows,
    vectors,
):  # pragma: no cover - compiled
    """The adjoint (transposed) correlation, bands ``u0:u1`` as in :func:`correlate_bands`;
    the buffer holds ``x`` zero padded (no fold), band ``b0`` starting at source position
    ``(b0 + src_lo) // src_step`` along ``axis``.

    Along the last axis the output splits into ``step`` classes of columns
    (``c, c + step, ...``), each an ordinary correlation with its own tap list
    (``cls_list[c]``, with the row's phase and the group, picks it). The classes' tiles
    are computed into scratch blocks and interleaved as they are stored."""
    numba_literally(rows)
    numba_literally(vectors)
    width = vectors * (64 // y.itemsize)
    row = np.empty(extent[2], dtype=y.dtype)
    scratch = np.empty(step * rows * width, dtype=y.dtype)
    ones = np.ones(3, dtype=np.int64)
    start = np.zeros(3, dtype=np.int64)
    count = np.zeros(step, dtype=np.int64)
    c_out = groups * per_group
    for u in range(u0, u1):
        n, b0, cols = enter_band(
            u,
            bands,
            band,
            axis,
            out_last,
            src_lo,
            src_step,
            x,
            buf,
            lo,
            ones,
            start,
            extent,
            pitch,
            plane,
            row,
        )
        for c in range(step):
            count[c] = max(0, (cols - c + step - 1) // step)
        base = n * c_out * plane_out + b0 * out_step
        for i in range(len(row_src)):
            if axis != 2 and b0 + row_pos[i] >= out_axis:
                break
            for j0 in range(0, count[0], width):
                for g in range(groups):
                    for b in range(blocks):
                        c0 = b * rows
                        nrow = min(rows, per_group - c0)
                        # one class of full tiles is stored in place; else through scratch
                        direct = step == 1 and nrow == rows and j0 + width <= count[0]
                        target = y if direct else scratch
                        for c in range(step):
                            if j0 < count[c]:
                                kl = (g * phases + row_phase[i]) * step + cls_list[c]
                                if direct:
                                    into, stride_ = (
                                        base + row_out[i] + (g * per_group + c0) * plane_out + j0,
                                        plane_out,
                                    )
                                else:
                                    into, stride_ = c * rows * width, width
                                tile_gather(
                                    buf,
                                    row_src[i] + cls_src[c] + j0,
                                    offs,
                                    kfirst[kl],
                                    klen[kl],
                                    wp,
                                    wfirst[kl] + b * klen[kl] * rows,
                                    target,
                                    into,
                                    stride_,
                                    0,
                                    rows,
                                    vectors,
                                )
                        if direct:
                            continue
                        for r in range(nrow):
                            at = base + row_out[i] + (g * per_group + c0 + r) * plane_out + step * j0
                            # unsigned indices: no negative-index wraparound stands in
                            # the way of vectorising the interleave
                            to = np.uint64(at)
                            if step == 2:  # the common case
                                even = np.uint64(r * width)
                                odd = np.uint64((rows + r) * width)
                                both = np.uint64(max(0, min(width, count[1] - j0)))
                                for j in range(both):
                                    y[to + j + j] = scratch[even + j]
                                    y[to + j + j + np.uint64(1)] = scratch[odd + j]
                                for j in range(both, np.uint64(max(0, min(width, count[0] - j0)))):
                                    y[to + j + j] = scratch[even + j]
                                continue
                            for c in range(step):
                                from_ = np.uint64((c * rows + r) * width)
                                for j in range(np.uint64(max(0, min(width, count[c] - j0)))):
                                    y[to + np.uint64(c) + np.uint64(step) * j] = scratch[from_ + j]


@_jit.kernel(literal=("rows", "vectors"))
def weight_bands(
    source,
    offs,
    kpad,
    cot,
    output,
    per_group,
    groups,
    chunk,
    ldg,
    gwt,
    u0,
    u1,
    rows,
    vectors,
):  # pragma: no cover - compiled
    """The weight gradient of bands ``u0:u1``, added into ``gwt`` (G, kpad, ldg):
    ``gwt[g, e, co] += sum_l buf[l + offs[g*kpad + e]] * cot_band[l, g*ldg + co]``.

    ``cot_band`` is the band's cotangent laid out like the buffer's rows (position ``l``
    of the buffer's flattened plane, zero where no output sits) and transposed to
    (L, C), one chunk of positions at a time; R taps walk along the buffer while each
    step loads vectors of output channels."""
    x, buf, lo, stride, axis, band, bands, extent, pitch, plane = source
    row_src, row_out, row_pos, out_axis, out_last, out_step, plane_out = output
    numba_literally(rows)
    numba_literally(vectors)
    width = vectors * (64 // gwt.itemsize)
    ld = groups * ldg
    row = np.empty(extent[2] * stride[2], dtype=gwt.dtype)
    packed = np.zeros(chunk * ld, dtype=gwt.dtype)
    start = np.zeros(3, dtype=np.int64)
    for u in range(u0, u1):
        b0, cols, base = open_band(u, source, output, groups * per_group, start, row)
        count = 0  # the rows of this band
        while count < len(row_src) and (axis == 2 or b0 + row_pos[count] < out_axis):
            count += 1
        span = row_src[count - 1] + cols
        first = 0  # the first row that meets the chunk
        for l0 in range(0, span, chunk):
            length = min(chunk, span - l0)
            packed[: length * ld] = 0
            while first < count and row_src[first] + cols <= l0:
                first += 1
            i = first
            while i < count and row_src[i] < l0 + length:
                a = max(row_src[i], l0)
                e = min(row_src[i] + cols, l0 + length)
                for g in range(groups):
                    for co in range(per_group):
                        # unsigned: the copy's indices need no negative-index checks
                        frm = np.uint64(base + (g * per_group + co) * plane_out + row_out[i] - row_src[i] + a)
                        to = np.uint64((a - l0) * ld + g * ldg + co)
                        step = np.uint64(ld)
                        for lane in range(np.uint64(e - a)):
                            packed[to + lane * step] = cot[frm + lane]
                i += 1
            for g in range(groups):
                for e0 in range(0, kpad, rows):
                    for v0 in range(0, ldg, width):
                        tile_stream(
                            buf,
                            l0,
                            offs,
                            g * kpad + e0,
                            length,
                            packed,
                            g * ldg + v0,
                            ld,
                            gwt,
                            (g * kpad + e0) * ldg + v0,
                            ldg,
                            1,
                            rows,
                            vectors,
                        )


@_jit.kernel(literal=("rows",))
def weight_dot_bands(
    source,
    offs,
    kpad,
    cot,
    output,
    per_group,
    groups,
    acc,
    u0,
    u1,
    rows,
):  # pragma: no cover - compiled
    """The weight gradient of bands ``u0:u1`` for thin groups, added into ``acc``
    (G, per_group, kpad, LANES) as lane-wise partial sums: for each output row and
    channel, R taps at a time, ``sum_j cot[row, j] * buf[row_src + offs[e] + j]`` along the
    row, vectors of LANES positions (the row's tail one by one, into lane 0)."""
    x, buf, lo, stride, axis, band, bands, extent, pitch, plane = source
    row_src, row_out, row_pos, out_axis, out_last, out_step, plane_out = output
    numba_literally(rows)
    lanes_ = 64 // acc.itemsize
    row = np.empty(extent[2] * stride[2], dtype=acc.dtype)
    start = np.zeros(3, dtype=np.int64)
    for u in range(u0, u1):
        b0, cols, base = open_band(u, source, output, groups * per_group, start, row)
        steps = cols // lanes_
        for i in range(len(row_src)):
            if axis != 2 and b0 + row_pos[i] >= out_axis:
                break
            for g in range(groups):
                for co in range(per_group):
                    at = base + (g * per_group + co) * plane_out + row_out[i]
                    into = ((g * per_group + co) * kpad) * lanes_
                    for e0 in range(0, kpad, rows):
                        tile_dot(
                            buf,
                            row_src[i],
                            offs,
                            g * kpad + e0,
                            steps,
                            cot,
                            at,
                            acc,
                            into + e0 * lanes_,
                            1,
                            rows,
                        )
                    for j in range(steps * lanes_, cols):
                        value = cot[at + j]
                        for e in range(kpad):
                            acc[into + e * lanes_] += value * buf[row_src[i] + offs[g * kpad + e] + j]
