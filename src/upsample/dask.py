"""Every op on Dask arrays: lazy, block by block, and exact across chunk borders.

Pass a ``dask.array.Array`` to any op of the op table and it returns one, with nothing
computed until ``.compute()`` or a store::

    x = da.from_zarr("in.zarr")                     # (N, C, *spatial), any chunks
    y = upsample.bilinear(x, 2)                     # a dask array, lazy
    upsample.dask.to_zarr(y, "out.zarr")            # streamed, complete or absent

There is no second API: the public op (through ``upsample._dispatch``) hands the call
to :func:`apply`. The arguments are checked at call time, before any task exists, by
the op's own boundary run on a zero-size stand-in of x's shape (N = 0), so a bad
argument gets the in-memory op's exact message.

**How a block is computed.** Every output chunk is computed from the exact input cells
it needs, and only those, by the in-memory op itself. Per axis, ``upsample.shapes``
gives the input range ``[lo, hi)`` of an output range (``conv_input_range``,
``conv_transpose_input_range``, ``pool_input_range``, ``unpool_input_range``,
``nails_input_range``, ``subsample_input_range``); for interpolation it is the
smallest and largest source index of the block's rows in the op's own sampling plan,
so every mode, antialias width and coordinate convention is covered by construction.
The block's task concatenates the input chunks that range touches, slices it, and runs
the op with its geometry adjusted:

* conv: the block's share of the zero padding is passed as the op's ``padding``
  (other padding modes pad the whole array first, ``da.pad``, then use none);
* conv_transpose, bed_of_nails, max_unpool: the op runs uncropped on the slice and the
  block is cut out of its result (positions the slice does not reach are zeros);
* max_pool: the slice starts at a multiple of the stride and keeps the op's padding,
  so every window keeps its cells and its ``-inf`` padding; the indices are turned
  into flat indices of the whole input plane;
* max_unpool: each block reads the cells whose pooling window meets it, with their
  indices made local; an index outside its own window (not from ``max_pool``
  without dilation) is an error at compute time, since no block could own it;
* subsample, pixel_shuffle, pixel_unshuffle: the slice maps onto the block exactly.

No output is ever summed across blocks, so nothing at a border is counted twice or
recomputed from partial sums. Output chunks follow the input's, scaled by the op and
cut at multiples of its period (stride or integer scale factor), and are split further
when a block would exceed Dask's ``array.chunk-size``.

**Exactness.** The gathers and copies (nearest and nearest-exact, bed_of_nails,
subsample, pixel_shuffle/unshuffle, max_pool values and indices, max_unpool) are
identical to the in-memory op for every chunking, and so is interpolation in every
mode: each output is the same weighted sum of the same taps, computed by the same
loop (the op's forward on the block's rows of its plans). So are the convolutions on
the compiled tiles (upsample._direct), which add each output's taps in a fixed order
whatever the block; on the NumPy path they agree within float rounding, as BLAS picks
its blocking, and so the order of the additions, from the size of the matrices.
Gradients are sums over the blocks that share an input cell (the halo), so they agree
within rounding.

**Axes.** N passes through. C passes through, except conv and conv_transpose (every
output channel reads every input channel: each block reads the whole channel axis,
which Dask concatenates for it; the output has one chunk along C) and pixel
shuffle/unshuffle (channel groups of ``r**d`` move with their block).

**Limits.** Each block is an in-memory call, so the size limit
(:func:`upsample.size_limit`) applies to the largest output block and input slice;
it is checked at call time. The whole output is refused above :func:`get_total_limit`
(1 PiB by default; :func:`total_limit` changes it) and :func:`to_zarr` refuses an
output larger than the free disk space. Unknown chunk sizes (NaN) are refused.

**Gradients.** ``upsample.vjp(op, x_dask, ...)`` returns a lazy output and a lazy
pullback: each block runs the in-memory op's VJP (its adjoint op) on its slice, the
input-gradient slices are added into the input's chunks, and weight and bias
gradients are summed over blocks.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import inspect
import itertools
import math
import operator
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import dask
import dask.array as da
import numpy as np
from dask.base import tokenize
from dask.highlevelgraph import HighLevelGraph

from . import _args, shapes
from . import convolution as _conv
from . import interpolation as _interp
from . import nails as _nails
from . import pool as _pool
from . import shuffle as _shuffle

__all__ = ["apply", "vjp", "to_zarr", "from_zarr", "is_complete", "total_limit",
           "get_total_limit", "COMPLETE"]

#: The attribute :func:`to_zarr` sets on a store once every block is written.
COMPLETE = "upsample_complete"

_TOTAL = contextvars.ContextVar("upsample_dask_total_limit", default=1 << 50)


def get_total_limit() -> int:
    """The largest whole output, in bytes, that an op on Dask arrays accepts (default 1 PiB)."""
    return _TOTAL.get()


@contextlib.contextmanager
def total_limit(nbytes: int) -> Iterator[None]:
    """Temporarily change the whole-output limit of ops on Dask arrays."""
    token = _TOTAL.set(_args._as_int("total_limit", "nbytes", nbytes))
    try:
        yield
    finally:
        _TOTAL.reset(token)


# --------------------------------------------------------------------------- the plan

@dataclass(frozen=True)
class _Cut:
    """One output block along one axis: outputs ``[start, stop)`` read inputs ``[lo, hi)``."""

    start: int
    stop: int
    lo: int
    hi: int
    extra: Any = None      # what the op's block function needs along this axis

    @property
    def size(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class _Block:
    """What one task needs: its cut along every axis, and its input slice's shape and dtypes."""

    cuts: tuple[_Cut, ...]
    shape: tuple[int, ...]          # of the input slice
    dtypes: tuple[np.dtype, ...]    # of each input


@dataclass
class _Plan:
    """An op on Dask arrays: inputs, per-axis cuts, and the block functions."""

    op: str
    inputs: list[da.Array]          # x (and max_unpool's indices), with the same chunks
    cuts: list[tuple[_Cut, ...]]    # per output axis
    dtype: np.dtype
    forward: Callable[..., Any]     # (block, shared, *slices) -> array, or a tuple of arrays
    backward: Callable[..., Any] | None  # (block, shared, g, *slices) -> (gx, *param grads)
    shared: Any = None              # weight, plans, ...: one graph key for every task
    dtypes: tuple[np.dtype, ...] = ()    # of each output when the forward returns a tuple
    params: tuple[tuple[int, ...] | None, ...] = ()  # shapes of the parameter gradients
    no_backward: str = ""           # why backward is None


# --------------------------------------------------------------------------- boundary

def _data(op: str, value: Any, name: str = "x") -> da.Array:
    """A Dask array with known chunks and at least (N, C, L) dimensions."""
    array = value if isinstance(value, da.Array) else da.asarray(value)
    for axis, chunks in enumerate(array.chunks):
        if any(isinstance(c, float) and math.isnan(c) for c in chunks):
            raise ValueError(f"{op}: {name} has unknown chunk sizes (NaN) along axis {axis}; "
                             f"call {name}.compute_chunk_sizes() first, or build it with known "
                             "shapes (da.from_zarr, da.from_array)")
    if array.ndim < 3:
        raise ValueError(f"{op}: {name} must have at least 3 dimensions (N, C, *spatial), "
                         f"got shape {array.shape}")
    return array


def _small(op: str, name: str, value: Any) -> Any:
    """Weights and biases are small: a Dask one is computed here, once."""
    return np.asarray(value.compute()) if isinstance(value, da.Array) else value


def _standin(x: da.Array, dtype: Any = None) -> np.ndarray:
    """A zero-size array of x's shape with N = 0: the op's checks run on it for free."""
    return np.empty((0, *x.shape[1:]), dtype=x.dtype if dtype is None else dtype)


def _check(x: da.Array, call: Callable[[np.ndarray], Any]) -> Any:
    """Run the in-memory op's boundary on the stand-in; messages show x's real shape."""
    standin = _standin(x)
    try:
        return call(standin)
    except (ValueError, TypeError) as error:
        text = str(error).replace(str(standin.shape), str(x.shape))
        raise type(error)(text) from None


def _chunk_bytes() -> int:
    return int(dask.utils.parse_bytes(dask.config.get("array.chunk-size")))


def _layout(op: str, x: da.Array, out: Sequence[int], periods: Sequence[int], dtype: Any,
            channels: tuple[int, ...] | None = None) -> list[tuple[int, ...]]:
    """Output chunks: N as x's; C given (or as x's); each spatial axis follows x's chunks,
    scaled and cut at multiples of its period, then made regular and smaller while a
    block would exceed ``array.chunk-size``."""
    itemsize = np.dtype(dtype).itemsize
    chunks = [x.chunks[0], channels if channels is not None else x.chunks[1]]
    chunks += [shapes.aligned_chunks(x.chunks[2 + a], o, p)
               for a, (o, p) in enumerate(zip(out, periods))]
    target = _chunk_bytes()
    for _ in range(64):
        if math.prod(max(c) for c in chunks) * itemsize <= target:
            break
        axis = max(range(2, len(chunks)), key=lambda a: max(chunks[a]) // periods[a - 2])
        period, size, total = periods[axis - 2], max(chunks[axis]), sum(chunks[axis])
        step = max(period, size // 2 // period * period)
        if step >= size:
            break
        chunks[axis] = (step,) * (total // step) + ((total % step,) if total % step else ())
    return chunks


def _check_total(op: str, shape: tuple[int, ...], nbytes: int) -> None:
    if nbytes > get_total_limit():
        raise ValueError(f"{op}: the output of shape {shape} would take "
                         f"{nbytes / 2**30:.3g} GiB, over the limit of "
                         f"{get_total_limit() / 2**30:.3g} GiB for Dask arrays; raise it with "
                         "upsample.dask.total_limit(nbytes) if this is intended")


def _check_sizes(plan: _Plan) -> None:
    """The limits, at call time: each block is an in-memory call; the whole has a sanity limit."""
    itemsize = max(np.dtype(t).itemsize for t in (plan.dtypes or (plan.dtype,)))
    shape = tuple(sum(c.size for c in cuts) for cuts in plan.cuts)
    _check_total(plan.op, shape, math.prod(shape) * itemsize * max(len(plan.dtypes), 1))
    block = tuple(max(c.size for c in cuts) for cuts in plan.cuts)
    piece = tuple(max(c.hi - c.lo for c in cuts) for cuts in plan.cuts)
    limit = _args.get_size_limit()
    for what, extent, size in (("output block", block, itemsize),
                               ("input slice", piece, plan.inputs[0].dtype.itemsize)):
        nbytes = math.prod(extent) * size
        if nbytes > limit:
            raise ValueError(f"{plan.op}: one {what} of shape {extent} would take "
                             f"{nbytes / 2**30:.3g} GiB, over the size limit of "
                             f"{limit / 2**30:.3g} GiB for one in-memory call; give x smaller "
                             "chunks (x.rechunk) or raise upsample.size_limit(nbytes)")


# --------------------------------------------------------------------------- the graph

def _concat(nested: Any, depth: int) -> np.ndarray:
    if not isinstance(nested, list):
        return nested
    parts = [_concat(part, depth + 1) for part in nested]
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=depth)


def _run(fn: Callable[..., Any], block: _Block, shared: Any, *nested: Any) -> Any:
    """One task: assemble each input's slice from its pieces, then run the block function."""
    slices = [np.empty(block.shape, dtype) if n is None else _concat(n, 0)
              for n, dtype in zip(nested, block.dtypes)]
    return fn(block, shared, *slices)


def _run_backward(fn: Callable[..., Any], block: _Block, shared: Any, g: np.ndarray,
                  *nested: Any) -> Any:
    slices = [np.empty(block.shape, dtype) if n is None else _concat(n, 0)
              for n, dtype in zip(nested, block.dtypes)]
    return fn(block, shared, g, *slices)


def _borders(chunks: tuple[int, ...]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(chunks)]).astype(np.int64)


Pieces = list[list[tuple[int, slice, bool]]]


def _blocks(plan: _Plan) -> Iterator[tuple[tuple[int, ...], _Block, Pieces | None]]:
    """Every output block: its index, its task description, and per axis the input chunks
    it reads with the part of each it needs (and whether that part is the whole chunk)."""
    x = plan.inputs[0]
    borders = [_borders(c) for c in x.chunks]
    dtypes = tuple(a.dtype for a in plan.inputs)
    for index in itertools.product(*(range(len(c)) for c in plan.cuts)):
        cuts = tuple(axis[i] for axis, i in zip(plan.cuts, index))
        if any(c.lo >= c.hi for c in cuts):           # reads nothing: the block is zeros
            yield index, _Block(cuts, tuple(max(c.hi - c.lo, 0) for c in cuts), dtypes), None
            continue
        pieces = []
        for cut, edge in zip(cuts, borders):
            first = int(np.searchsorted(edge, cut.lo, side="right")) - 1
            last = int(np.searchsorted(edge, cut.hi, side="left")) - 1
            axis = []
            for j in range(first, last + 1):
                a, b = max(cut.lo, int(edge[j])), min(cut.hi, int(edge[j + 1]))
                whole = a == edge[j] and b == edge[j + 1]
                axis.append((j, slice(a - int(edge[j]), b - int(edge[j])), whole))
            pieces.append(axis)
        yield index, _Block(cuts, tuple(c.hi - c.lo for c in cuts), dtypes), pieces


def _keys(layer: dict, name: str, pieces: Pieces, owner: tuple[Any, ...]) -> Any:
    """Nested lists of input keys, one level per axis, for the task to concatenate.

    A chunk the block needs whole is its own key; of a chunk it needs part of (a halo),
    a small slicing task takes just that part, so between workers only the halo travels.
    """
    def nest(prefix: tuple[tuple[int, slice, bool], ...]) -> Any:
        if len(prefix) == len(pieces):
            chunk = (name, *(j for j, _, _ in prefix))
            if all(whole for _, _, whole in prefix):
                return chunk
            key = (f"{name}-piece-{owner[0]}", *owner[1:], *(j for j, _, _ in prefix))
            layer[key] = (operator.getitem, chunk, tuple(sl for _, sl, _ in prefix))
            return key
        return [nest((*prefix, part)) for part in pieces[len(prefix)]]
    return nest(())


def _array(name: str, layer: dict, deps: list[Any], chunks: Sequence[tuple[int, ...]],
           dtype: Any) -> da.Array:
    graph = HighLevelGraph.from_collections(name, layer, dependencies=deps)
    return da.Array(graph, name, tuple(chunks), meta=np.empty((0,) * len(chunks), dtype=dtype))


def _shared_key(plan: _Plan, name: str, layer: dict) -> str | None:
    if plan.shared is None:
        return None
    key = f"shared-{name}"
    layer[key] = plan.shared
    return key


def _forward_arrays(plan: _Plan) -> Any:
    name = f"{plan.op}-{tokenize(plan.op, [a.name for a in plan.inputs], plan.cuts, plan.shared)}"
    layer: dict = {}
    shared = _shared_key(plan, name, layer)
    for index, block, pieces in _blocks(plan):
        nested = [None if pieces is None else _keys(layer, a.name, pieces, (name, *index))
                  for a in plan.inputs]
        layer[(name, *index)] = (_run, plan.forward, block, shared, *nested)
    chunks = [tuple(c.size for c in cuts) for cuts in plan.cuts]
    if not plan.dtypes:
        return _array(name, layer, plan.inputs, chunks, plan.dtype)
    whole = _array(name, layer, plan.inputs, chunks, plan.dtype)   # blocks are tuples
    parts = []
    for k, dtype in enumerate(plan.dtypes):
        part = f"{name}-{k}"
        picks = {(part, *key[1:]): (operator.getitem, key, k) for key in layer
                 if isinstance(key, tuple) and key[0] == name}
        parts.append(_array(part, picks, [whole], chunks, dtype))
    return tuple(parts)


def _overlap_add(shape: tuple[int, ...], dtype: Any, places: list[tuple[tuple[slice, ...], tuple[slice, ...]]],
                 parts: list[Any]) -> np.ndarray:
    """An input chunk's gradient: the sum of the block gradients that overlap it, in block order."""
    out = np.zeros(shape, dtype=dtype)
    for (source, target), part in zip(places, parts):
        out[target] += part[0][source]
    return out


def _sum_param(k: int, parts: list[Any]) -> np.ndarray:
    """Parameter gradient ``k`` of several block VJPs, added in block order."""
    return functools.reduce(operator.add, (part[k] for part in parts))


def _sum(parts: list[np.ndarray]) -> np.ndarray:
    return functools.reduce(operator.add, parts)


def _tree_sum(layer: dict, name: str, keys: list[Any], k: int, fan_in: int = 16) -> Any:
    """Add one parameter gradient over every block, ``fan_in`` at a time."""
    level, first = 0, True
    while len(keys) > 1 or first:
        groups = [keys[i:i + fan_in] for i in range(0, len(keys), fan_in)]
        next_keys = []
        for j, group in enumerate(groups):
            key = (f"{name}-p{k}-{level}", j)
            layer[key] = (_sum_param, k, group) if first else (_sum, group)
            next_keys.append(key)
        keys, level, first = next_keys, level + 1, False
    return keys[0]


def _pullback(plan: _Plan, out_chunks: list[tuple[int, ...]]) -> Callable[[Any], tuple[Any, ...]]:
    x = plan.inputs[0]
    shape = tuple(sum(c) for c in out_chunks)
    grad_dtype = _args.float_dtype(np.empty(0, x.dtype))

    def pullback(g: Any) -> tuple[Any, ...]:
        if plan.backward is None:
            raise NotImplementedError(f"{plan.op}: {plan.no_backward}")
        g = g if isinstance(g, da.Array) else da.asarray(g)
        if g.shape != shape:
            raise ValueError(f"{plan.op}: the output gradient must have shape {shape}, "
                             f"got shape {g.shape}")
        g = g.astype(plan.dtype if not plan.dtypes else plan.dtypes[0]).rechunk(tuple(out_chunks))
        name = f"{plan.op}-vjp-{tokenize(plan.op, [a.name for a in plan.inputs], g.name, plan.cuts, plan.shared)}"
        layer: dict = {}
        shared = _shared_key(plan, name, layer)
        blocks = []
        for index, block, pieces in _blocks(plan):
            key = (name, *index)
            nested = [None if pieces is None else _keys(layer, a.name, pieces, key)
                      for a in plan.inputs]
            layer[key] = (_run_backward, plan.backward, block, shared, (g.name, *index), *nested)
            blocks.append((key, block))
        # the input-gradient: every input chunk adds the block gradients that overlap it
        gx_name = f"{name}-x"
        borders = [_borders(c) for c in x.chunks]
        for index in itertools.product(*(range(len(c)) for c in x.chunks)):
            box = [(int(edge[i]), int(edge[i + 1])) for edge, i in zip(borders, index)]
            places, parts = [], []
            for key, block in blocks:
                overlap = [(max(c.lo, a), min(c.hi, b)) for c, (a, b) in zip(block.cuts, box)]
                if any(lo >= hi for lo, hi in overlap):
                    continue
                source = tuple(slice(lo - c.lo, hi - c.lo) for (lo, hi), c in zip(overlap, block.cuts))
                target = tuple(slice(lo - a, hi - a) for (lo, hi), (a, _) in zip(overlap, box))
                places.append((source, target))
                parts.append(key)
            layer[(gx_name, *index)] = (_overlap_add, tuple(b - a for a, b in box), grad_dtype,
                                        places, parts)
        gx = _array(gx_name, layer, [*plan.inputs, g], x.chunks, grad_dtype)
        grads: list[Any] = [gx]
        for k, param in enumerate(plan.params, start=1):
            if param is None:
                continue
            pname = f"{name}-param{k}"
            player: dict = {}
            top = _tree_sum(player, pname, [key for key, _ in blocks], k)
            player[(pname, *(0,) * len(param))] = (np.asarray, top)
            grads.append(_array(pname, player, [gx], [(s,) for s in param], grad_dtype))
        return tuple(grads)
    return pullback


# --------------------------------------------------------------------------- cutting

def _window(y: np.ndarray, starts: Sequence[int], sizes: Sequence[int]) -> np.ndarray:
    """Positions ``[start, start + size)`` of y's spatial axes; those outside y are zeros."""
    if all(s == 0 for s in starts) and tuple(sizes) == y.shape[2:]:
        return y
    out = np.zeros((*y.shape[:2], *sizes), dtype=y.dtype)
    source, target = _overlap(y.shape[2:], starts, sizes)
    if source is not None:
        out[target] = y[source]
    return out


def _unwindow(g: np.ndarray, starts: Sequence[int], local: Sequence[int]) -> np.ndarray:
    """The adjoint of :func:`_window`: g placed at ``starts`` in zeros of the local size."""
    if all(s == 0 for s in starts) and tuple(local) == g.shape[2:]:
        return g
    out = np.zeros((*g.shape[:2], *local), dtype=g.dtype)
    source, target = _overlap(local, starts, g.shape[2:])
    if source is not None:
        out[source] = g[target]
    return out


def _overlap(local: Sequence[int], starts: Sequence[int], sizes: Sequence[int]):
    source, target = [], []
    for n, st, size in zip(local, starts, sizes):
        a, b = max(st, 0), min(st + size, n)
        if a >= b:
            return None, None
        source.append(slice(a, b))
        target.append(slice(a - st, b - st))
    return (Ellipsis, *source), (Ellipsis, *target)


def _pass(chunks: tuple[int, ...]) -> tuple[_Cut, ...]:
    """An axis that passes through: output block = input chunk."""
    edge = _borders(chunks)
    return tuple(_Cut(int(a), int(b), int(a), int(b)) for a, b in zip(edge, edge[1:]))


def _cuts(chunks: tuple[int, ...], cut: Callable[[int, int], _Cut]) -> tuple[_Cut, ...]:
    edge = _borders(chunks)
    return tuple(cut(int(a), int(b)) for a, b in zip(edge, edge[1:]))


def _clip(start: int, stop: int, lo: int, hi: int, size: int, extra: Any = None) -> _Cut:
    return _Cut(start, stop, min(max(lo, 0), size), max(min(hi, size), 0), extra)


# --------------------------------------------------------------------------- conv

def _conv_block(block: _Block, shared: Any, x: np.ndarray) -> np.ndarray:
    weight, bias, stride, dilation, groups = shared
    if 0 in x.shape[2:]:                          # the block reads only zero padding
        y = np.zeros((x.shape[0], weight.shape[0], *(c.size for c in block.cuts[2:])), weight.dtype)
    else:
        pads = tuple(c.extra for c in block.cuts[2:])
        y = _conv.conv(x, weight, stride=stride, padding=pads, dilation=dilation, groups=groups)
    return _conv.add_bias(y, bias)


def _conv_block_vjp(block: _Block, shared: Any, g: np.ndarray, x: np.ndarray):
    weight, bias, stride, dilation, groups = shared
    gb = None if bias is None else g.sum(axis=(0, *range(2, g.ndim)))
    if 0 in x.shape[2:]:
        return np.zeros(x.shape, weight.dtype), np.zeros(weight.shape, weight.dtype), gb
    pads = tuple(c.extra for c in block.cuts[2:])
    _, pullback = _conv.conv_vjp(x, weight, stride=stride, padding=pads, dilation=dilation,
                                  groups=groups)
    gx, gw = pullback(g)
    return gx, gw, gb


def _plan_conv(x, weight, bias=None, *, stride=1, padding=0, dilation=1, groups=1,
               padding_mode="zeros") -> _Plan:
    op = "conv"
    x = _data(op, x)
    weight, bias = _small(op, "weight", weight), _small(op, "bias", bias)
    _, w, b, stride, pairs, dilation, groups, mode = _check(x, lambda s: _conv.conv_args(
        s, weight, bias, stride, padding, dilation, groups, padding_mode))
    nd = w.ndim - 2
    no_backward = ""
    if mode != "zeros":  # the padding comes from elsewhere in x: pad the whole array first
        x = da.pad(x, ((0, 0), (0, 0), *pairs), mode=_conv.PADDING_MODES[mode])
        pairs = ((0, 0),) * nd
        no_backward = (f"the gradient on Dask arrays needs padding_mode='zeros', got {mode!r}; "
                       "compute it in memory")
    k = w.shape[2:]
    out = tuple(shapes._conv_size(i, kk, s, p, d)
                for i, kk, s, p, d in zip(x.shape[2:], k, stride, pairs, dilation))
    chunks = _layout(op, x, out, (1,) * nd, w.dtype, channels=(w.shape[0],))

    def cutter(a):
        def cut(start, stop):
            lo, hi = shapes.conv_input_range(start, stop, k[a], stride[a], pairs[a][0], dilation[a])
            size = x.shape[2 + a]
            return _clip(start, stop, lo, hi, size, (max(-lo, 0), max(hi - size, 0)))
        return cut
    cuts = [_pass(chunks[0]), (_Cut(0, w.shape[0], 0, x.shape[1]),),
            *(_cuts(chunks[2 + a], cutter(a)) for a in range(nd))]
    return _Plan(op, [x], cuts, w.dtype, _conv_block, None if no_backward else _conv_block_vjp,
                 (w, b, stride, dilation, groups), params=(w.shape, None if b is None else b.shape),
                 no_backward=no_backward)


# --------------------------------------------------------------------------- conv_transpose

def _conv_transpose_block(block: _Block, shared: Any, x: np.ndarray) -> np.ndarray:
    weight, bias, stride, dilation, groups, dtype = shared
    sizes = tuple(c.size for c in block.cuts[2:])
    c_out = weight.shape[1] * groups
    if 0 in x.shape[2:]:
        y = np.zeros((x.shape[0], c_out, *sizes), dtype=dtype)
    else:
        y = _conv.conv_transpose(x, weight, stride=stride, dilation=dilation, groups=groups)
        y = _window(y, [c.extra for c in block.cuts[2:]], sizes)
    return _conv.add_bias(y, bias)


def _conv_transpose_block_vjp(block: _Block, shared: Any, g: np.ndarray, x: np.ndarray):
    weight, bias, stride, dilation, groups, dtype = shared
    gb = None if bias is None else g.sum(axis=(0, *range(2, g.ndim)))
    if 0 in x.shape[2:]:
        return np.zeros(x.shape, dtype), np.zeros(weight.shape, dtype), gb
    y, pullback = _conv.conv_transpose_vjp(x, weight, stride=stride, dilation=dilation,
                                            groups=groups)
    gx, gw = pullback(_unwindow(g, [c.extra for c in block.cuts[2:]], y.shape[2:]))
    return gx, gw, gb


def _plan_conv_transpose(x, weight, bias=None, *, stride=1, padding=0, output_padding=0,
                         dilation=1, groups=1, output_size=None) -> _Plan:
    op = "conv_transpose"
    x = _data(op, x)
    weight, bias = _small(op, "weight", weight), _small(op, "bias", bias)
    _, w, b, stride, pairs, extra, dilation, groups = _check(x, lambda s: _conv.conv_transpose_args(
        s, weight, bias, stride, padding, output_padding, dilation, groups, output_size))
    nd = w.ndim - 2
    k = w.shape[2:]
    out = tuple((i - 1) * s + d * (kk - 1) + 1 + a - lo - hi for i, kk, s, d, a, (lo, hi)
                in zip(x.shape[2:], k, stride, dilation, extra, pairs))
    chunks = _layout(op, x, out, stride, w.dtype, channels=(w.shape[1] * groups,))

    def cutter(a):
        def cut(start, stop):
            lo, hi = shapes.conv_transpose_input_range(start, stop, k[a], stride[a], pairs[a][0],
                                                       dilation[a])
            c = _clip(start, stop, lo, hi, x.shape[2 + a])
            return _Cut(start, stop, c.lo, c.hi, start + pairs[a][0] - c.lo * stride[a])
        return cut
    cuts = [_pass(chunks[0]), (_Cut(0, w.shape[1] * groups, 0, x.shape[1]),),
            *(_cuts(chunks[2 + a], cutter(a)) for a in range(nd))]
    return _Plan(op, [x], cuts, w.dtype, _conv_transpose_block, _conv_transpose_block_vjp,
                 (w, b, stride, dilation, groups, w.dtype),
                 params=(w.shape, None if b is None else b.shape))


# --------------------------------------------------------------------------- interpolation

def _sub_plans(block: _Block, plans: tuple) -> list[_interp.SamplingPlan]:
    """The block's rows of each axis's plan, re-indexed into its input slice."""
    return [_interp.SamplingPlan(plan.index[c.start:c.stop] - c.lo, plan.weight[c.start:c.stop],
                                 c.hi - c.lo, c.size)
            for plan, c in zip(plans, block.cuts[2:])]


def _interp_call(block: _Block, call: Any, x: np.ndarray) -> Any:
    """The whole call restricted to the block: its rows of every plan (and of a crop's
    outside cells), on its input slice; everything else (the integer arithmetic, the
    order of the axes, the fill value) as the whole op has it."""
    outside = tuple(None if o is None else o[c.start:c.stop]
                    for o, c in zip(call.outside, block.cuts[2:]))
    return dataclasses.replace(call, x=x.astype(call.x.dtype, copy=False),
                               plans=tuple(_sub_plans(block, call.plans)),
                               out_shape=tuple(c.size for c in block.cuts), outside=outside,
                               whole=call.plans)


def _interp_block(block: _Block, call: Any, x: np.ndarray) -> np.ndarray:
    """The op's own forward (compiled loop, integer rounding and all) on the block's rows."""
    return _interp._run(_interp_call(block, call, x))


def _interp_block_vjp(block: _Block, call: Any, g: np.ndarray, x: np.ndarray):
    """The op's own pullback (the transposed plans) on the block's rows."""
    return _interp._pullback("interpolate", _interp_call(block, call, x))(g)


def _plan_interpolation(op: str, fn: Callable[..., Any], x: Any, args: tuple, kwargs: dict,
                        mode: str | None) -> _Plan:
    x = _data(op, x)
    bound = inspect.signature(fn).bind(x, *args, **kwargs)
    bound.apply_defaults()
    given = {k: v for k, v in bound.arguments.items() if k not in ("x", "out")}  # out: None here
    try:  # the plans are as long as the output: refuse an absurd one before building them
        out = (_args.int_tuple(op, "size", given["size"], x.ndim - 2) if given.get("size") is not None
               else shapes.interpolate_output_size(tuple(x.shape[2:]), given["scale_factor"]))
    except (ValueError, TypeError, KeyError):
        out = None                                           # the op's own check says why
    if out is not None:
        shape = (*x.shape[:2], *out)
        _check_total(op, shape, math.prod(shape) * 8)
    y = _check(x, lambda s: fn(s, *args, **kwargs))          # every check, on N = 0
    if mode is not None:
        given["mode"] = mode
    call = _interp._plan_call(_standin(x), **given)
    plans = call.plans
    nd = x.ndim - 2
    periods = tuple(p.out_size // p.in_size if p.out_size % p.in_size == 0 else 1 for p in plans)
    chunks = _layout(op, x, y.shape[2:], periods, y.dtype)

    def cutter(a):
        index = plans[a].index

        def cut(start, stop):
            rows = index[start:stop]
            return _Cut(start, stop, int(rows.min()), int(rows.max()) + 1)
        return cut
    cuts = [_pass(chunks[0]), _pass(chunks[1]), *(_cuts(chunks[2 + a], cutter(a)) for a in range(nd))]
    return _Plan(op, [x], cuts, y.dtype, _interp_block, _interp_block_vjp, call)


# --------------------------------------------------------------------------- nails

def _nails_block(block: _Block, shared: Any, x: np.ndarray) -> np.ndarray:
    factor, dtype = shared
    sizes = tuple(c.size for c in block.cuts[2:])
    if 0 in x.shape[2:]:
        return np.zeros((*x.shape[:2], *sizes), dtype=dtype)
    return _window(_nails.bed_of_nails(x, factor), [c.extra for c in block.cuts[2:]], sizes)


def _nails_block_vjp(block: _Block, shared: Any, g: np.ndarray, x: np.ndarray):
    factor, dtype = shared
    if 0 in x.shape[2:]:
        return (np.zeros(x.shape, g.dtype),)
    y, pullback = _nails.bed_of_nails_vjp(x, factor)
    return pullback(_unwindow(g, [c.extra for c in block.cuts[2:]], y.shape[2:]))


def _plan_bed_of_nails(x, scale_factor, *, size=None, offset=0) -> _Plan:
    op = "bed_of_nails"
    x = _data(op, x)
    _check(x, lambda s: _nails.bed_of_nails(s, scale_factor, size=size, offset=offset))
    _, factor, offset, out = _nails._bed_of_nails_args(_standin(x), scale_factor, size, offset)
    nd = x.ndim - 2
    chunks = _layout(op, x, out, factor, x.dtype)

    def cutter(a):
        def cut(start, stop):
            lo, hi = shapes.nails_input_range(start, stop, factor[a], offset[a])
            c = _clip(start, stop, lo, hi, x.shape[2 + a])
            return _Cut(start, stop, c.lo, c.hi, start - c.lo * factor[a] - offset[a])
        return cut
    cuts = [_pass(chunks[0]), _pass(chunks[1]), *(_cuts(chunks[2 + a], cutter(a)) for a in range(nd))]
    return _Plan(op, [x], cuts, x.dtype, _nails_block, _nails_block_vjp, (factor, x.dtype))


def _subsample_block(block: _Block, shared: Any, x: np.ndarray) -> np.ndarray:
    return _nails.subsample(x, shared)


def _subsample_block_vjp(block: _Block, shared: Any, g: np.ndarray, x: np.ndarray):
    return _nails.subsample_vjp(x, shared)[1](g)


def _plan_subsample(x, factor, *, offset=0) -> _Plan:
    op = "subsample"
    x = _data(op, x)
    y = _check(x, lambda s: _nails.subsample(s, factor, offset=offset))
    _, factor, offset = _nails._factor_args(op, _standin(x), "factor", factor, offset)
    nd = x.ndim - 2
    chunks = _layout(op, x, y.shape[2:], (1,) * nd, x.dtype)

    def cutter(a):
        def cut(start, stop):
            lo, hi = shapes.subsample_input_range(start, stop, factor[a], offset[a])
            return _Cut(start, stop, lo, hi)
        return cut
    cuts = [_pass(chunks[0]), _pass(chunks[1]), *(_cuts(chunks[2 + a], cutter(a)) for a in range(nd))]
    return _Plan(op, [x], cuts, x.dtype, _subsample_block, _subsample_block_vjp, factor)


# --------------------------------------------------------------------------- pooling

def _max_pool_block(block: _Block, shared: Any, x: np.ndarray) -> Any:
    k, s, p, d, ceil_mode, with_indices, size = shared
    sizes = tuple(c.size for c in block.cuts[2:])
    window = (Ellipsis, *(slice(c.extra, c.extra + c.size) for c in block.cuts[2:]))
    if not with_indices:
        values = _pool.max_pool(x, k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)
        return np.ascontiguousarray(values[window])
    values, local = _pool.max_pool(x, k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode,
                                   return_indices=True)
    local = local[window]
    coords = np.unravel_index(local, x.shape[2:])             # per spatial axis, in the slice
    indices = np.ravel_multi_index(tuple(c + cut.lo for c, cut in zip(coords, block.cuts[2:])), size)
    return np.ascontiguousarray(values[window]), indices.astype(np.int64, copy=False)


def _max_pool_block_vjp(block: _Block, shared: Any, g: np.ndarray, x: np.ndarray):
    k, s, p, d, ceil_mode, _, _ = shared
    y, pullback = _pool.max_pool_vjp(x, k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)
    return pullback(_unwindow(g, [c.extra for c in block.cuts[2:]], y.shape[2:]))


def _plan_max_pool(x, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False,
                   return_indices=False) -> _Plan:
    op = "max_pool"
    x = _data(op, x)
    _check(x, lambda st: _pool.max_pool(st, kernel_size, stride=stride, padding=padding,
                                        dilation=dilation, ceil_mode=ceil_mode,
                                        return_indices=return_indices))
    _, k, s, p, d, out = _pool._pool_args(_standin(x), kernel_size, stride, padding, dilation,
                                          ceil_mode, return_indices)
    nd = x.ndim - 2
    chunks = _layout(op, x, out, (1,) * nd, np.int64 if return_indices else x.dtype)

    def cutter(a):
        def cut(start, stop):
            first = max(0, start - -(-p[a] // s[a]))   # a window start at or before the block's
            _, hi = shapes.pool_input_range(start, stop, k[a], s[a], p[a], d[a])
            return _Cut(start, stop, first * s[a], min(hi, x.shape[2 + a]), start - first)
        return cut
    cuts = [_pass(chunks[0]), _pass(chunks[1]), *(_cuts(chunks[2 + a], cutter(a)) for a in range(nd))]
    shared = (k, s, p, d, bool(ceil_mode), bool(return_indices), tuple(x.shape[2:]))
    return _Plan(op, [x], cuts, x.dtype, _max_pool_block, _max_pool_block_vjp, shared,
                 dtypes=(x.dtype, np.dtype(np.int64)) if return_indices else ())


def _local_indices(block: _Block, shared: Any, indices: np.ndarray) -> np.ndarray:
    """Indices of the whole output plane -> indices of the block's local output, checked."""
    k, s, p, size, _ = shared
    cuts = block.cuts[2:]
    plane = math.prod(size)
    if indices.size and (indices.min() < 0 or indices.max() >= plane):
        bad = indices.min() if indices.min() < 0 else indices.max()
        raise ValueError(f"max_unpool: indices must lie in [0, {plane}) for an output plane of "
                         f"size {size} ({plane} elements), got index {bad}")
    coords = np.unravel_index(indices, size)
    local, extent = [], []
    for a, (coord, cut) in enumerate(zip(coords, cuts)):
        shape = [1] * indices.ndim
        shape[2 + a] = cut.hi - cut.lo
        start = (np.arange(cut.lo, cut.hi) * s[a] - p[a]).reshape(shape)   # each cell's window
        inside = (coord >= start) & (coord < start + k[a])
        if not inside.all():
            where = np.argwhere(~inside)[0]
            cell = tuple(int(w) + (c.lo if j >= 2 else 0) for j, (w, c) in
                         enumerate(zip(where, block.cuts)))
            raise ValueError(f"max_unpool: on Dask arrays each index must lie in its own pooling "
                             f"window (kernel_size {k}, stride {s}, padding {p}), as max_pool "
                             f"without dilation gives; the index of cell {cell} lies outside it "
                             f"along spatial axis {a}; compute this one in memory")
        local.append(coord - (cut.lo * s[a] - p[a]))
        extent.append((cut.hi - cut.lo - 1) * s[a] + k[a])
    return np.ravel_multi_index(tuple(local), tuple(extent)).astype(np.int64, copy=False)


def _max_unpool_block(block: _Block, shared: Any, x: np.ndarray, indices: np.ndarray) -> np.ndarray:
    k, s, p, size, dtype = shared
    sizes = tuple(c.size for c in block.cuts[2:])
    if 0 in x.shape[2:]:
        return np.zeros((*x.shape[:2], *sizes), dtype=dtype)
    y = _pool.max_unpool(x, _local_indices(block, shared, indices), k, stride=s)
    return _window(y, [c.extra for c in block.cuts[2:]], sizes)


def _max_unpool_block_vjp(block: _Block, shared: Any, g: np.ndarray, x: np.ndarray,
                          indices: np.ndarray):
    k, s, p, size, dtype = shared
    if 0 in x.shape[2:]:
        return (np.zeros(x.shape, g.dtype),)
    y, pullback = _pool.max_unpool_vjp(x, _local_indices(block, shared, indices), k, stride=s)
    return pullback(_unwindow(g, [c.extra for c in block.cuts[2:]], y.shape[2:]))


def _plan_max_unpool(x, indices, kernel_size, *, stride=None, padding=0, output_size=None) -> _Plan:
    op = "max_unpool"
    x = _data(op, x)
    indices = _data(op, indices, "indices")
    if indices.shape != x.shape:
        raise ValueError(f"{op}: indices must have the shape of x {x.shape}, got shape {indices.shape}")
    kinds = _standin(indices)
    _check(x, lambda st: _pool.max_unpool(st, kinds, kernel_size, stride=stride, padding=padding,
                                          output_size=output_size))
    _, _, size = _pool._unpool_args(_standin(x), kinds, kernel_size, stride, padding, output_size)
    nd = x.ndim - 2
    k = _args.int_tuple(op, "kernel_size", kernel_size, nd, minimum=1)
    s = k if stride is None else _args.int_tuple(op, "stride", stride, nd, minimum=1)
    p = _args.int_tuple(op, "padding", padding, nd, minimum=0)
    indices = indices.rechunk(x.chunks)
    chunks = _layout(op, x, size, s, x.dtype)

    def cutter(a):
        def cut(start, stop):
            lo, hi = shapes.unpool_input_range(start, stop, k[a], s[a], p[a])
            c = _clip(start, stop, lo, hi, x.shape[2 + a])
            return _Cut(start, stop, c.lo, c.hi, start - (c.lo * s[a] - p[a]))
        return cut
    cuts = [_pass(chunks[0]), _pass(chunks[1]), *(_cuts(chunks[2 + a], cutter(a)) for a in range(nd))]
    return _Plan(op, [x, indices], cuts, x.dtype, _max_unpool_block, _max_unpool_block_vjp,
                 (k, s, p, tuple(size), x.dtype))


# --------------------------------------------------------------------------- shuffle

def _shuffle_block(block: _Block, shared: Any, x: np.ndarray) -> np.ndarray:
    return _shuffle.pixel_shuffle(x, shared)


def _shuffle_block_vjp(block: _Block, shared: Any, g: np.ndarray, x: np.ndarray):
    return _shuffle.pixel_shuffle_vjp(x, shared)[1](g)


def _unshuffle_block(block: _Block, shared: Any, x: np.ndarray) -> np.ndarray:
    return _shuffle.pixel_unshuffle(x, shared)


def _unshuffle_block_vjp(block: _Block, shared: Any, g: np.ndarray, x: np.ndarray):
    return _shuffle.pixel_unshuffle_vjp(x, shared)[1](g)


def _plan_pixel_shuffle(x, upscale_factor) -> _Plan:
    op = "pixel_shuffle"
    x = _data(op, x)
    y = _check(x, lambda s: _shuffle.pixel_shuffle(s, upscale_factor))
    nd = x.ndim - 2
    r = _args.int_tuple(op, "upscale_factor", upscale_factor, nd, minimum=1)
    group = math.prod(r)
    chunks = _layout(op, x, y.shape[2:], r, x.dtype,
                     channels=shapes.aligned_chunks(x.chunks[1], y.shape[1]))
    cuts = [_pass(chunks[0]), _cuts(chunks[1], lambda a, b: _Cut(a, b, a * group, b * group)),
            *(_cuts(chunks[2 + a], lambda lo, hi, f=r[a]: _Cut(lo, hi, lo // f, hi // f))
              for a in range(nd))]
    return _Plan(op, [x], cuts, x.dtype, _shuffle_block, _shuffle_block_vjp, r)


def _plan_pixel_unshuffle(x, downscale_factor) -> _Plan:
    op = "pixel_unshuffle"
    x = _data(op, x)
    y = _check(x, lambda s: _shuffle.pixel_unshuffle(s, downscale_factor))
    nd = x.ndim - 2
    r = _args.int_tuple(op, "downscale_factor", downscale_factor, nd, minimum=1)
    group = math.prod(r)
    chunks = _layout(op, x, y.shape[2:], (1,) * nd, x.dtype,
                     channels=tuple(c * group for c in x.chunks[1]))
    cuts = [_pass(chunks[0]), _cuts(chunks[1], lambda a, b: _Cut(a, b, a // group, b // group)),
            *(_cuts(chunks[2 + a], lambda lo, hi, f=r[a]: _Cut(lo, hi, lo * f, hi * f))
              for a in range(nd))]
    return _Plan(op, [x], cuts, x.dtype, _unshuffle_block, _unshuffle_block_vjp, r)


# --------------------------------------------------------------------------- dispatch

def _planner(name: str, fn: Callable[..., Any]) -> Callable[..., _Plan]:
    planners: dict[str, Callable[..., _Plan]] = {
        "conv": _plan_conv,
        "conv_transpose": _plan_conv_transpose,
        "bed_of_nails": _plan_bed_of_nails,
        "subsample": _plan_subsample,
        "max_pool": _plan_max_pool,
        "max_unpool": _plan_max_unpool,
        "pixel_shuffle": _plan_pixel_shuffle,
        "pixel_unshuffle": _plan_pixel_unshuffle,
        "interpolate": lambda x, *a, **k: _plan_interpolation("interpolate", fn, x, a, k, None),
        "nearest": lambda x, *a, **k: _plan_interpolation("nearest", fn, x, a, k, "nearest"),
        "bilinear": lambda x, *a, **k: _plan_interpolation("bilinear", fn, x, a, k, "linear"),
    }
    if name not in planners:
        raise TypeError(f"{name} does not take Dask arrays; the ops that do are: "
                        f"{', '.join(sorted(planners))}")
    return planners[name]


def _plan(fn: Callable[..., Any], args: tuple, kwargs: dict) -> _Plan:
    raw = inspect.unwrap(fn)
    plan = _planner(raw.__name__, raw)(*args, **kwargs)
    _check_sizes(plan)
    return plan


def apply(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run op ``fn`` (e.g. ``upsample.bilinear``) lazily on a Dask array: ``fn(*args, **kwargs)``.

    The public ops call this themselves when given a Dask array; call it directly only
    to be explicit. The result is a Dask array (a tuple of two for ``max_pool`` with
    ``return_indices``) with the in-memory op's shape and dtype.

    >>> import dask.array as da, numpy as np, upsample
    >>> x = da.from_array(np.arange(8.0).reshape(1, 1, 8), chunks=3)
    >>> y = upsample.bilinear(x, 2)
    >>> y.chunks[2], bool((y.compute() == upsample.bilinear(x.compute(), 2)).all())
    ((6, 6, 4), True)
    """
    return _forward_arrays(_plan(fn, args, kwargs))


def vjp(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, Callable[[Any], tuple[Any, ...]]]:
    """``(out, pullback)`` on Dask arrays, both lazy: ``upsample.vjp`` calls this for Dask inputs.

    ``pullback(g)`` returns Dask arrays: the input-gradient with x's chunks (each block's
    adjoint, added where blocks overlap) and, for conv and conv_transpose, the weight
    (and bias) gradients summed over blocks.

    >>> import dask.array as da, numpy as np, upsample
    >>> x = da.ones((1, 1, 6), chunks=2)
    >>> y, pullback = upsample.vjp(upsample.conv, x, np.ones((1, 1, 3)), padding=1)
    >>> [g.compute().tolist() for g in pullback(da.ones_like(y))]
    [[[[2.0, 3.0, 3.0, 3.0, 3.0, 2.0]]], [[[5.0, 6.0, 5.0]]]]
    """
    plan = _plan(fn, args, kwargs)
    out = _forward_arrays(plan)
    chunks = [tuple(c.size for c in cuts) for cuts in plan.cuts]
    return out, _pullback(plan, chunks)


# --------------------------------------------------------------------------- zarr

def from_zarr(path: str | os.PathLike, component: str | None = None, *, chunks: Any = None,
              require_complete: bool = True) -> da.Array:
    """``da.from_zarr``, refusing a store that :func:`to_zarr` did not finish.

    A store written by someone else (no completion attribute at all) is read as is.
    """
    import zarr

    group = zarr.open(str(path), mode="r")
    node = group[component] if component else group
    if require_complete and node.attrs.get(COMPLETE) is False:
        raise ValueError(f"{path}: this store was not finished (attribute {COMPLETE} is False); "
                         "the run that wrote it failed")
    return da.from_zarr(str(path), component=component, chunks=chunks)


def is_complete(path: str | os.PathLike) -> bool:
    """Whether a store at ``path`` exists and carries :data:`COMPLETE` = True."""
    import zarr

    try:
        return zarr.open(str(path), mode="r").attrs.get(COMPLETE) is True
    except (FileNotFoundError, ValueError, KeyError, OSError):
        return False
    except Exception as error:  # zarr's own "nothing here" errors
        if type(error).__name__ in ("PathNotFoundError", "GroupNotFoundError", "NodeNotFoundError",
                                    "ArrayNotFoundError"):
            return False
        raise


def to_zarr(y: da.Array, path: str | os.PathLike, *, overwrite: bool = False,
            check_space: bool = True, compute: Callable[[Any], Any] | None = None,
            **zarr_kwargs: Any) -> str:
    """Write ``y`` to a Zarr array at ``path``: complete, or not there at all.

    The blocks go to a temporary store beside ``path``; only when every block is
    written does it get the attribute :data:`COMPLETE` = True and move to ``path``. A
    failure (a task error, a worker lost for good, an interrupt) removes the temporary
    store and re-raises, so ``path`` never holds a partial result. Irregular chunks are
    made regular first (Zarr needs equal chunks).

    Args:
        overwrite: replace an existing store at ``path`` (after the new one is complete).
        check_space: refuse an output larger than the free disk space (uncompressed size).
        compute: how to run the delayed write, e.g. ``client.compute`` plus waiting;
            default ``dask.compute`` on the current scheduler.
        zarr_kwargs: passed on to ``da.to_zarr`` (e.g. ``compressors=None``).

    Returns:
        the path written.
    """
    path = os.fspath(path)
    if os.path.exists(path) and not overwrite:
        raise ValueError(f"to_zarr: {path} exists; pass overwrite=True to replace it")
    parent = os.path.dirname(os.path.abspath(path)) or "."
    if check_space:
        free = shutil.disk_usage(parent).free
        if y.nbytes > free:
            raise ValueError(f"to_zarr: the output of shape {y.shape} takes {y.nbytes / 2**30:.3g} GiB "
                             f"uncompressed, more than the {free / 2**30:.3g} GiB free at {parent}; "
                             "pass check_space=False if it compresses well")
    irregular = {a: max(c) for a, c in enumerate(y.chunks)
                 if len(c) > 1 and (len(set(c[:-1])) > 1 or c[-1] > c[0])}
    if irregular:  # Zarr needs equal chunks, the last one possibly smaller
        y = y.rechunk(irregular)
    temporary = os.path.join(parent, f".{os.path.basename(path)}.partial-{uuid.uuid4().hex[:8]}")
    try:
        write = da.to_zarr(y, temporary, compute=False, **zarr_kwargs)
        (compute or dask.compute)(write)
        import zarr

        zarr.open_array(temporary, mode="r+").attrs[COMPLETE] = True
        if os.path.exists(path):
            shutil.rmtree(path)
        os.replace(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return path
