"""The per-op block planners of ops on Dask arrays, one table keyed by op name.

A planner takes the op's own arguments (a Dask array in place of x) and returns a
:class:`upsample.dask.graph.Plan`: the op's checks run on a zero-size stand-in, each
output block's input range comes from ``upsample.shapes`` (the halo is computed in one
place for the op, its VJP and its Dask form), and the block functions run the in-memory
op, or its VJP, on one input slice. :data:`PLANNERS` maps each op's name to its planner.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
from collections.abc import Callable
from typing import Any

import dask.array as da
import numpy as np

from .. import _args, shapes
from .. import convolution as _conv
from .. import interpolation as _interp
from .. import nails as _nails
from .. import pool as _pool
from .. import shuffle as _shuffle
from . import graph

# --------------------------------------------------------------------------- conv


def _conv_block(block: graph.Block, shared: Any, x: np.ndarray) -> np.ndarray:
    weight, bias, stride, dilation, groups = shared
    if 0 in x.shape[2:]:  # the block reads only zero padding
        y = np.zeros((x.shape[0], weight.shape[0], *(c.size for c in block.cuts[2:])), weight.dtype)
    else:
        pads = tuple(c.extra for c in block.cuts[2:])
        y = _conv.conv(x, weight, stride=stride, padding=pads, dilation=dilation, groups=groups)
    return _conv.add_bias(y, bias)


def _conv_block_vjp(block: graph.Block, shared: Any, g: np.ndarray, x: np.ndarray):
    weight, bias, stride, dilation, groups = shared
    gb = None if bias is None else g.sum(axis=(0, *range(2, g.ndim)))
    if 0 in x.shape[2:]:
        return np.zeros(x.shape, weight.dtype), np.zeros(weight.shape, weight.dtype), gb
    pads = tuple(c.extra for c in block.cuts[2:])
    _, pullback = _conv.conv_vjp(x, weight, stride=stride, padding=pads, dilation=dilation, groups=groups)
    gx, gw = pullback(g)
    return gx, gw, gb


def _plan_conv(
    x, weight, bias=None, *, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"
) -> graph.Plan:
    op = "conv"
    x = graph.as_array(op, x)
    weight, bias = graph.small(op, "weight", weight), graph.small(op, "bias", bias)
    _, w, b, stride, pairs, dilation, groups, mode = graph.check(
        x, lambda s: _conv.conv_args(s, weight, bias, stride, padding, dilation, groups, padding_mode)
    )
    nd = w.ndim - 2
    no_backward = ""
    if mode != "zeros":  # the padding comes from elsewhere in x: pad the whole array first
        x = da.pad(x, ((0, 0), (0, 0), *pairs), mode=_conv.PADDING_MODES[mode])
        pairs = ((0, 0),) * nd
        no_backward = (
            f"the gradient on Dask arrays needs padding_mode='zeros', got {mode!r}; compute it in memory"
        )
    k = w.shape[2:]
    out = tuple(
        shapes.conv_size(i, kk, s, p, d) for i, kk, s, p, d in zip(x.shape[2:], k, stride, pairs, dilation)
    )
    chunks = graph.layout(op, x, out, (1,) * nd, w.dtype, channels=(w.shape[0],))

    def cutter(a):
        def cut(start, stop):
            lo, hi = shapes.conv_input_range(start, stop, k[a], stride[a], pairs[a][0], dilation[a])
            size = x.shape[2 + a]
            return graph.clip(start, stop, lo, hi, size, (max(-lo, 0), max(hi - size, 0)))

        return cut

    cuts = [
        graph.passthrough(chunks[0]),
        (graph.Cut(0, w.shape[0], 0, x.shape[1]),),
        *(graph.cut_axis(chunks[2 + a], cutter(a)) for a in range(nd)),
    ]
    return graph.Plan(
        op,
        [x],
        cuts,
        w.dtype,
        _conv_block,
        None if no_backward else _conv_block_vjp,
        (w, b, stride, dilation, groups),
        params=(w.shape, None if b is None else b.shape),
        no_backward=no_backward,
    )


# --------------------------------------------------------------------------- conv_transpose


def _conv_transpose_block(block: graph.Block, shared: Any, x: np.ndarray) -> np.ndarray:
    weight, bias, stride, dilation, groups, dtype = shared
    sizes = tuple(c.size for c in block.cuts[2:])
    c_out = weight.shape[1] * groups
    if 0 in x.shape[2:]:
        y = np.zeros((x.shape[0], c_out, *sizes), dtype=dtype)
    else:
        y = _conv.conv_transpose(x, weight, stride=stride, dilation=dilation, groups=groups)
        y = graph.window(y, [c.extra for c in block.cuts[2:]], sizes)
    return _conv.add_bias(y, bias)


def _conv_transpose_block_vjp(block: graph.Block, shared: Any, g: np.ndarray, x: np.ndarray):
    weight, bias, stride, dilation, groups, dtype = shared
    gb = None if bias is None else g.sum(axis=(0, *range(2, g.ndim)))
    if 0 in x.shape[2:]:
        return np.zeros(x.shape, dtype), np.zeros(weight.shape, dtype), gb
    y, pullback = _conv.conv_transpose_vjp(x, weight, stride=stride, dilation=dilation, groups=groups)
    gx, gw = pullback(graph.unwindow(g, [c.extra for c in block.cuts[2:]], y.shape[2:]))
    return gx, gw, gb


def _plan_conv_transpose(
    x, weight, bias=None, *, stride=1, padding=0, output_padding=0, dilation=1, groups=1, output_size=None
) -> graph.Plan:
    op = "conv_transpose"
    x = graph.as_array(op, x)
    weight, bias = graph.small(op, "weight", weight), graph.small(op, "bias", bias)
    _, w, b, stride, pairs, extra, dilation, groups = graph.check(
        x,
        lambda s: _conv.conv_transpose_args(
            s, weight, bias, stride, padding, output_padding, dilation, groups, output_size
        ),
    )
    nd = w.ndim - 2
    k = w.shape[2:]
    out = tuple(
        (i - 1) * s + d * (kk - 1) + 1 + a - lo - hi
        for i, kk, s, d, a, (lo, hi) in zip(x.shape[2:], k, stride, dilation, extra, pairs)
    )
    chunks = graph.layout(op, x, out, stride, w.dtype, channels=(w.shape[1] * groups,))

    def cutter(a):
        def cut(start, stop):
            lo, hi = shapes.conv_transpose_input_range(start, stop, k[a], stride[a], pairs[a][0], dilation[a])
            c = graph.clip(start, stop, lo, hi, x.shape[2 + a])
            return graph.Cut(start, stop, c.lo, c.hi, start + pairs[a][0] - c.lo * stride[a])

        return cut

    cuts = [
        graph.passthrough(chunks[0]),
        (graph.Cut(0, w.shape[1] * groups, 0, x.shape[1]),),
        *(graph.cut_axis(chunks[2 + a], cutter(a)) for a in range(nd)),
    ]
    return graph.Plan(
        op,
        [x],
        cuts,
        w.dtype,
        _conv_transpose_block,
        _conv_transpose_block_vjp,
        (w, b, stride, dilation, groups, w.dtype),
        params=(w.shape, None if b is None else b.shape),
    )


# --------------------------------------------------------------------------- interpolation


def _sub_plans(block: graph.Block, plans: tuple) -> list[_interp.SamplingPlan]:
    """The block's rows of each axis's plan, re-indexed into its input slice."""
    return [
        _interp.SamplingPlan(
            plan.index[c.start : c.stop] - c.lo, plan.weight[c.start : c.stop], c.hi - c.lo, c.size
        )
        for plan, c in zip(plans, block.cuts[2:])
    ]


def _interp_call(block: graph.Block, call: Any, x: np.ndarray) -> Any:
    """The whole call restricted to the block: its rows of every plan (and of a crop's
    outside cells), on its input slice; everything else (the integer arithmetic, the
    order of the axes, the fill value) as the whole op has it."""
    outside = tuple(None if o is None else o[c.start : c.stop] for o, c in zip(call.outside, block.cuts[2:]))
    return dataclasses.replace(
        call,
        x=x.astype(call.x.dtype, copy=False),
        plans=tuple(_sub_plans(block, call.plans)),
        out_shape=tuple(c.size for c in block.cuts),
        outside=outside,
        whole=call.plans,
        frame=(call.x.shape[1], block.cuts[1].start, block.cuts[-1].start),
    )


def _interp_block(block: graph.Block, call: Any, x: np.ndarray) -> np.ndarray:
    """The op's own forward (compiled loop, integer rounding and all) on the block's rows."""
    return _interp.run_call(_interp_call(block, call, x))


def _interp_block_vjp(block: graph.Block, call: Any, g: np.ndarray, x: np.ndarray):
    """The op's own pullback (the transposed plans) on the block's rows."""
    return _interp.pullback_call("interpolate", _interp_call(block, call, x))(g)


def _plan_interpolation(op: str, fixed_mode: str | None, x: Any, *args: Any, **kwargs: Any) -> graph.Plan:
    """interpolate, nearest or bilinear (the mode fixed by the op, or None for interpolate)."""
    fn = inspect.unwrap(getattr(_interp, op))
    x = graph.as_array(op, x)
    bound = inspect.signature(fn).bind(x, *args, **kwargs)
    bound.apply_defaults()
    given = {k: v for k, v in bound.arguments.items() if k not in ("x", "out")}  # out: None here
    try:  # the plans are as long as the output: refuse an absurd one before building them
        out = (
            _args.int_tuple(op, "size", given["size"], x.ndim - 2)
            if given.get("size") is not None
            else shapes.interpolate_output_size(tuple(x.shape[2:]), given["scale_factor"])
        )
    except (ValueError, TypeError, KeyError):
        out = None  # the op's own check says why
    if out is not None:
        shape = (*x.shape[:2], *out)
        graph.check_total(op, shape, math.prod(shape) * 8)
    y = graph.check(x, lambda s: fn(s, *args, **kwargs))  # every check, on N = 0
    if fixed_mode is not None:
        given["mode"] = fixed_mode
    call = _interp.plan_call(graph.standin(x), **given)
    plans = call.plans
    nd = x.ndim - 2
    periods = tuple(p.out_size // p.in_size if p.out_size % p.in_size == 0 else 1 for p in plans)
    chunks = graph.layout(op, x, y.shape[2:], periods, y.dtype)

    def cutter(a):
        index = plans[a].index

        def cut(start, stop):
            rows = index[start:stop]
            return graph.Cut(start, stop, int(rows.min()), int(rows.max()) + 1)

        return cut

    cuts = [
        graph.passthrough(chunks[0]),
        graph.passthrough(chunks[1]),
        *(graph.cut_axis(chunks[2 + a], cutter(a)) for a in range(nd)),
    ]
    return graph.Plan(op, [x], cuts, y.dtype, _interp_block, _interp_block_vjp, call)


# --------------------------------------------------------------------------- nails


def _nails_block(block: graph.Block, shared: Any, x: np.ndarray) -> np.ndarray:
    factor, dtype = shared
    sizes = tuple(c.size for c in block.cuts[2:])
    if 0 in x.shape[2:]:
        return np.zeros((*x.shape[:2], *sizes), dtype=dtype)
    return graph.window(_nails.bed_of_nails(x, factor), [c.extra for c in block.cuts[2:]], sizes)


def _nails_block_vjp(block: graph.Block, shared: Any, g: np.ndarray, x: np.ndarray):
    factor, _ = shared
    if 0 in x.shape[2:]:
        return (np.zeros(x.shape, g.dtype),)
    y, pullback = _nails.bed_of_nails_vjp(x, factor)
    return pullback(graph.unwindow(g, [c.extra for c in block.cuts[2:]], y.shape[2:]))


def _plan_bed_of_nails(x, scale_factor, *, size=None, offset=0) -> graph.Plan:
    op = "bed_of_nails"
    x = graph.as_array(op, x)
    graph.check(x, lambda s: _nails.bed_of_nails(s, scale_factor, size=size, offset=offset))
    _, factor, offset, out = _nails.bed_of_nails_args(graph.standin(x), scale_factor, size, offset)
    nd = x.ndim - 2
    chunks = graph.layout(op, x, out, factor, x.dtype)

    def cutter(a):
        def cut(start, stop):
            lo, hi = shapes.nails_input_range(start, stop, factor[a], offset[a])
            c = graph.clip(start, stop, lo, hi, x.shape[2 + a])
            return graph.Cut(start, stop, c.lo, c.hi, start - c.lo * factor[a] - offset[a])

        return cut

    cuts = [
        graph.passthrough(chunks[0]),
        graph.passthrough(chunks[1]),
        *(graph.cut_axis(chunks[2 + a], cutter(a)) for a in range(nd)),
    ]
    return graph.Plan(op, [x], cuts, x.dtype, _nails_block, _nails_block_vjp, (factor, x.dtype))


def _subsample_block(block: graph.Block, shared: Any, x: np.ndarray) -> np.ndarray:
    return _nails.subsample(x, shared)


def _subsample_block_vjp(block: graph.Block, shared: Any, g: np.ndarray, x: np.ndarray):
    return _nails.subsample_vjp(x, shared)[1](g)


def _plan_subsample(x, factor, *, offset=0) -> graph.Plan:
    op = "subsample"
    x = graph.as_array(op, x)
    y = graph.check(x, lambda s: _nails.subsample(s, factor, offset=offset))
    _, factor, offset = _nails.factor_args(op, graph.standin(x), "factor", factor, offset)
    nd = x.ndim - 2
    chunks = graph.layout(op, x, y.shape[2:], (1,) * nd, x.dtype)

    def cutter(a):
        def cut(start, stop):
            lo, hi = shapes.subsample_input_range(start, stop, factor[a], offset[a])
            return graph.Cut(start, stop, lo, hi)

        return cut

    cuts = [
        graph.passthrough(chunks[0]),
        graph.passthrough(chunks[1]),
        *(graph.cut_axis(chunks[2 + a], cutter(a)) for a in range(nd)),
    ]
    return graph.Plan(op, [x], cuts, x.dtype, _subsample_block, _subsample_block_vjp, factor)


# --------------------------------------------------------------------------- pooling


def _max_pool_block(block: graph.Block, shared: Any, x: np.ndarray) -> Any:
    k, s, p, d, ceil_mode, with_indices, size = shared
    window = (Ellipsis, *(slice(c.extra, c.extra + c.size) for c in block.cuts[2:]))
    if not with_indices:
        values = _pool.max_pool(x, k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)
        return np.ascontiguousarray(values[window])
    values, local = _pool.max_pool(
        x, k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode, return_indices=True
    )
    local = local[window]
    coords = np.unravel_index(local, x.shape[2:])  # per spatial axis, in the slice
    indices = np.ravel_multi_index(tuple(c + cut.lo for c, cut in zip(coords, block.cuts[2:])), size)
    return np.ascontiguousarray(values[window]), indices.astype(np.int64, copy=False)


def _max_pool_block_vjp(block: graph.Block, shared: Any, g: np.ndarray, x: np.ndarray):
    k, s, p, d, ceil_mode, _, _ = shared
    y, pullback = _pool.max_pool_vjp(x, k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)
    return pullback(graph.unwindow(g, [c.extra for c in block.cuts[2:]], y.shape[2:]))


def _pool_cuts(op: str, x: Any, out: tuple[int, ...], k, s, p, d, dtype: Any) -> list:
    """The cuts of a pooling op: each output block reads from the first window that starts at or
    after 0 in its range (so the in-memory op on the slice pads only where the whole input is
    padded) to the end of its last window."""
    nd = x.ndim - 2
    chunks = graph.layout(op, x, out, (1,) * nd, dtype)

    def cutter(a):
        def cut(start, stop):
            first = max(0, start - -(-p[a] // s[a]))  # a window start at or before the block's
            _, hi = shapes.pool_input_range(start, stop, k[a], s[a], p[a], d[a])
            return graph.Cut(start, stop, first * s[a], min(hi, x.shape[2 + a]), start - first)

        return cut

    return [
        graph.passthrough(chunks[0]),
        graph.passthrough(chunks[1]),
        *(graph.cut_axis(chunks[2 + a], cutter(a)) for a in range(nd)),
    ]


def _plan_max_pool(
    x, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
) -> graph.Plan:
    op = "max_pool"
    x = graph.as_array(op, x)
    graph.check(
        x,
        lambda st: _pool.max_pool(
            st,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            ceil_mode=ceil_mode,
            return_indices=return_indices,
        ),
    )
    _, k, s, p, d, out = _pool.max_pool_args(
        graph.standin(x), kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )
    pairs = shapes.pool_padding(x.shape[2:], k, s, padding, d, op=op)
    if any(lo != hi for lo, hi in pairs):  # the blocks are planned with one padding per axis
        raise ValueError(
            f"{op}: on Dask arrays the padding must be equal on both sides of each "
            f"axis, got {pairs}; compute this one in memory"
        )
    cuts = _pool_cuts(op, x, out, k, s, p, d, np.int64 if return_indices else x.dtype)
    shared = (k, s, p, d, bool(ceil_mode), bool(return_indices), tuple(x.shape[2:]))
    return graph.Plan(
        op,
        [x],
        cuts,
        x.dtype,
        _max_pool_block,
        _max_pool_block_vjp,
        shared,
        dtypes=(x.dtype, np.dtype(np.int64)) if return_indices else (),
    )


def _avg_pool_block(block: graph.Block, shared: Any, x: np.ndarray) -> np.ndarray:
    k, s, p, options = shared
    window = (Ellipsis, *(slice(c.extra, c.extra + c.size) for c in block.cuts[2:]))
    return np.ascontiguousarray(_pool.avg_pool(x, k, stride=s, padding=p, **options)[window])


def _avg_pool_block_vjp(block: graph.Block, shared: Any, g: np.ndarray, x: np.ndarray):
    k, s, p, options = shared
    y, pullback = _pool.avg_pool_vjp(x, k, stride=s, padding=p, **options)
    return pullback(graph.unwindow(g, [c.extra for c in block.cuts[2:]], y.shape[2:]))


def _plan_avg_pool(
    x, kernel_size, *, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None
) -> graph.Plan:
    """avg_pool by blocks: a window's divisor depends only on where it lies in the whole input,
    and each slice starts at a window's first cell, so the in-memory op on it divides alike."""
    op = "avg_pool"
    x = graph.as_array(op, x)
    options = dict(
        ceil_mode=ceil_mode, count_include_pad=count_include_pad, divisor_override=divisor_override
    )
    graph.check(x, lambda st: _pool.avg_pool(st, kernel_size, stride=stride, padding=padding, **options))
    standin, k, s, p, out, _ = _pool.avg_pool_args(
        graph.standin(x), kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )
    cuts = _pool_cuts(op, x, out, k, s, p, (1,) * len(k), standin.dtype)
    return graph.Plan(op, [x], cuts, standin.dtype, _avg_pool_block, _avg_pool_block_vjp, (k, s, p, options))


def _local_indices(block: graph.Block, shared: Any, indices: np.ndarray) -> np.ndarray:
    """Indices of the whole output plane -> indices of the block's local output, checked."""
    k, s, p, size, _ = shared
    cuts = block.cuts[2:]
    plane = math.prod(size)
    if indices.size and (indices.min() < 0 or indices.max() >= plane):
        bad = indices.min() if indices.min() < 0 else indices.max()
        raise ValueError(
            f"max_unpool: indices must lie in [0, {plane}) for an output plane of "
            f"size {size} ({plane} elements), got index {bad}"
        )
    coords = np.unravel_index(indices, size)
    local, extent = [], []
    for a, (coord, cut) in enumerate(zip(coords, cuts)):
        shape = [1] * indices.ndim
        shape[2 + a] = cut.hi - cut.lo
        start = (np.arange(cut.lo, cut.hi) * s[a] - p[a]).reshape(shape)  # each cell's window
        inside = (coord >= start) & (coord < start + k[a])
        if not inside.all():
            where = np.argwhere(~inside)[0]
            cell = tuple(int(w) + (c.lo if j >= 2 else 0) for j, (w, c) in enumerate(zip(where, block.cuts)))
            raise ValueError(
                f"max_unpool: on Dask arrays each index must lie in its own pooling "
                f"window (kernel_size {k}, stride {s}, padding {p}), as max_pool "
                f"without dilation gives; the index of cell {cell} lies outside it "
                f"along spatial axis {a}; compute this one in memory"
            )
        local.append(coord - (cut.lo * s[a] - p[a]))
        extent.append((cut.hi - cut.lo - 1) * s[a] + k[a])
    return np.ravel_multi_index(tuple(local), tuple(extent)).astype(np.int64, copy=False)


def _max_unpool_block(block: graph.Block, shared: Any, x: np.ndarray, indices: np.ndarray) -> np.ndarray:
    k, s, _, _, dtype = shared
    sizes = tuple(c.size for c in block.cuts[2:])
    if 0 in x.shape[2:]:
        return np.zeros((*x.shape[:2], *sizes), dtype=dtype)
    y = _pool.max_unpool(x, _local_indices(block, shared, indices), k, stride=s)
    return graph.window(y, [c.extra for c in block.cuts[2:]], sizes)


def _max_unpool_block_vjp(block: graph.Block, shared: Any, g: np.ndarray, x: np.ndarray, indices: np.ndarray):
    k, s, _, _, _ = shared
    if 0 in x.shape[2:]:
        return (np.zeros(x.shape, g.dtype),)
    y, pullback = _pool.max_unpool_vjp(x, _local_indices(block, shared, indices), k, stride=s)
    return pullback(graph.unwindow(g, [c.extra for c in block.cuts[2:]], y.shape[2:]))


def _plan_max_unpool(x, indices, kernel_size, *, stride=None, padding=0, output_size=None) -> graph.Plan:
    op = "max_unpool"
    x = graph.as_array(op, x)
    indices = graph.as_array(op, indices, "indices")
    if indices.shape != x.shape:
        raise ValueError(f"{op}: indices must have the shape of x {x.shape}, got shape {indices.shape}")
    kinds = graph.standin(indices)
    graph.check(
        x,
        lambda st: _pool.max_unpool(
            st, kinds, kernel_size, stride=stride, padding=padding, output_size=output_size
        ),
    )
    _, _, size = _pool.max_unpool_args(graph.standin(x), kinds, kernel_size, stride, padding, output_size)
    nd = x.ndim - 2
    k = _args.int_tuple(op, "kernel_size", kernel_size, nd, minimum=1)
    s = k if stride is None else _args.int_tuple(op, "stride", stride, nd, minimum=1)
    p = _args.int_tuple(op, "padding", padding, nd, minimum=0)
    indices = indices.rechunk(x.chunks)
    chunks = graph.layout(op, x, size, s, x.dtype)

    def cutter(a):
        def cut(start, stop):
            lo, hi = shapes.unpool_input_range(start, stop, k[a], s[a], p[a])
            c = graph.clip(start, stop, lo, hi, x.shape[2 + a])
            return graph.Cut(start, stop, c.lo, c.hi, start - (c.lo * s[a] - p[a]))

        return cut

    cuts = [
        graph.passthrough(chunks[0]),
        graph.passthrough(chunks[1]),
        *(graph.cut_axis(chunks[2 + a], cutter(a)) for a in range(nd)),
    ]
    return graph.Plan(
        op,
        [x, indices],
        cuts,
        x.dtype,
        _max_unpool_block,
        _max_unpool_block_vjp,
        (k, s, p, tuple(size), x.dtype),
    )


# --------------------------------------------------------------------------- shuffle


def _shuffle_block(block: graph.Block, shared: Any, x: np.ndarray) -> np.ndarray:
    op, r = shared
    return getattr(_shuffle, op)(x, r)


def _shuffle_block_vjp(block: graph.Block, shared: Any, g: np.ndarray, x: np.ndarray):
    op, r = shared
    return getattr(_shuffle, f"{op}_vjp")(x, r)[1](g)


def _plan_shuffle(op: str, factor_name: str, x: Any, factor: Any) -> graph.Plan:
    """pixel_shuffle (channels / r**d into space) or pixel_unshuffle (space into channels):
    each output block is the op of one input block, the channel cut scaled by ``r**d`` and
    the spatial cuts by ``r`` the other way."""
    x = graph.as_array(op, x)
    y = graph.check(x, lambda s: getattr(_shuffle, op)(s, factor))
    nd = x.ndim - 2
    r = _args.int_tuple(op, factor_name, factor, nd, minimum=1)
    group = math.prod(r)
    if op == "pixel_shuffle":  # a block of group*c channels gives c; each position r positions
        channels = shapes.aligned_chunks(x.chunks[1], y.shape[1])
        grow, channel_cut, spatial_cut = r, (lambda v: v * group), (lambda v, f: v // f)
    else:
        channels = tuple(c * group for c in x.chunks[1])
        grow, channel_cut, spatial_cut = (1,) * nd, (lambda v: v // group), (lambda v, f: v * f)
    chunks = graph.layout(op, x, y.shape[2:], grow, x.dtype, channels=channels)
    cuts = [
        graph.passthrough(chunks[0]),
        graph.cut_axis(chunks[1], lambda a, b: graph.Cut(a, b, channel_cut(a), channel_cut(b))),
        *(
            graph.cut_axis(
                chunks[2 + a],
                lambda lo, hi, f=r[a]: graph.Cut(lo, hi, spatial_cut(lo, f), spatial_cut(hi, f)),
            )
            for a in range(nd)
        ),
    ]
    return graph.Plan(op, [x], cuts, x.dtype, _shuffle_block, _shuffle_block_vjp, (op, r))


# --------------------------------------------------------------------------- the table

#: Each op that takes Dask arrays, by name: its planner, called with the op's own arguments.
PLANNERS: dict[str, Callable[..., graph.Plan]] = {
    "conv": _plan_conv,
    "conv_transpose": _plan_conv_transpose,
    "bed_of_nails": _plan_bed_of_nails,
    "subsample": _plan_subsample,
    "max_pool": _plan_max_pool,
    "avg_pool": _plan_avg_pool,
    "max_unpool": _plan_max_unpool,
    "pixel_shuffle": functools.partial(_plan_shuffle, "pixel_shuffle", "upscale_factor"),
    "pixel_unshuffle": functools.partial(_plan_shuffle, "pixel_unshuffle", "downscale_factor"),
    "interpolate": functools.partial(_plan_interpolation, "interpolate", None),
    "nearest": functools.partial(_plan_interpolation, "nearest", "nearest"),
    "bilinear": functools.partial(_plan_interpolation, "bilinear", "linear"),
}


def planner(name: str) -> Callable[..., graph.Plan]:
    """The planner of op ``name``; a clear error for an op that does not take Dask arrays."""
    if name not in PLANNERS:
        raise TypeError(
            f"{name} does not take Dask arrays; the ops that do are: {', '.join(sorted(PLANNERS))}"
        )
    return PLANNERS[name]
