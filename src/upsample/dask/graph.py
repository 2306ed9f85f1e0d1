"""The graph engine of ops on Dask arrays: blocks, cuts, keys, concatenation, overlap-add.

An op on Dask arrays is a :class:`Plan`: per output axis a tuple of :class:`Cut` (the
output range of a block and the input range it reads), and the block functions that
run the in-memory op on one input slice. This module knows nothing of any op: it turns
a plan into a Dask graph (:func:`forward`, :func:`pullback`), checks its sizes against
the limits, and holds the helpers the planners share (cutting an axis, cropping a
block out of an uncropped result). The planners are in :mod:`upsample.dask.plans`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import itertools
import math
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import dask
import dask.array as da
import numpy as np
from dask.base import tokenize
from dask.highlevelgraph import HighLevelGraph

from .. import _args, shapes

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
class Cut:
    """One output block along one axis: outputs ``[start, stop)`` read inputs ``[lo, hi)``."""

    start: int
    stop: int
    lo: int
    hi: int
    extra: Any = None  # what the op's block function needs along this axis

    @property
    def size(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class Block:
    """What one task needs: its cut along every axis, and its input slice's shape and dtypes."""

    cuts: tuple[Cut, ...]
    shape: tuple[int, ...]  # of the input slice
    dtypes: tuple[np.dtype, ...]  # of each input


@dataclass
class Plan:
    """An op on Dask arrays: inputs, per-axis cuts, and the block functions."""

    op: str
    inputs: list[da.Array]  # x (and max_unpool's indices), with the same chunks
    cuts: list[tuple[Cut, ...]]  # per output axis
    dtype: np.dtype
    forward: Callable[..., Any]  # (block, shared, *slices) -> array, or a tuple of arrays
    backward: Callable[..., Any] | None  # (block, shared, g, *slices) -> (gx, *param grads)
    shared: Any = None  # weight, plans, ...: one graph key for every task
    dtypes: tuple[np.dtype, ...] = ()  # of each output when the forward returns a tuple
    params: tuple[tuple[int, ...] | None, ...] = ()  # shapes of the parameter gradients
    no_backward: str = ""  # why backward is None


# --------------------------------------------------------------------------- boundary


def as_array(op: str, value: Any, name: str = "x") -> da.Array:
    """A Dask array with known chunks and at least (N, C, L) dimensions."""
    array = value if isinstance(value, da.Array) else da.asarray(value)
    for axis, chunks in enumerate(array.chunks):
        if any(isinstance(c, float) and math.isnan(c) for c in chunks):
            raise ValueError(
                f"{op}: {name} has unknown chunk sizes (NaN) along axis {axis}; "
                f"call {name}.compute_chunk_sizes() first, or build it with known "
                "shapes (da.from_zarr, da.from_array)"
            )
    if array.ndim < 3:
        raise ValueError(
            f"{op}: {name} must have at least 3 dimensions (N, C, *spatial), got shape {array.shape}"
        )
    return array


def small(op: str, name: str, value: Any) -> Any:
    """Weights and biases are small: a Dask one is computed here, once."""
    return np.asarray(value.compute()) if isinstance(value, da.Array) else value


def standin(x: da.Array, dtype: Any = None) -> np.ndarray:
    """A zero-size array of x's shape with N = 0: the op's checks run on it for free."""
    return np.empty((0, *x.shape[1:]), dtype=x.dtype if dtype is None else dtype)


def check(x: da.Array, call: Callable[[np.ndarray], Any]) -> Any:
    """Run the in-memory op's boundary on the stand-in; messages show x's real shape."""
    stand = standin(x)
    try:
        return call(stand)
    except (ValueError, TypeError) as error:
        text = str(error).replace(str(stand.shape), str(x.shape))
        raise type(error)(text) from None


def chunk_bytes() -> int:
    return int(dask.utils.parse_bytes(dask.config.get("array.chunk-size")))


def layout(
    op: str,
    x: da.Array,
    out: Sequence[int],
    periods: Sequence[int],
    dtype: Any,
    channels: tuple[int, ...] | None = None,
) -> list[tuple[int, ...]]:
    """Output chunks: N as x's; C given (or as x's); each spatial axis follows x's chunks,
    scaled and cut at multiples of its period, then made regular and smaller while a
    block would exceed ``array.chunk-size``."""
    itemsize = np.dtype(dtype).itemsize
    chunks = [x.chunks[0], channels if channels is not None else x.chunks[1]]
    chunks += [shapes.aligned_chunks(x.chunks[2 + a], o, p) for a, (o, p) in enumerate(zip(out, periods))]
    target = chunk_bytes()
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


class LimitError(ValueError):
    """A size refused before any task runs. ``limit`` names the limit: ``"block"`` (one
    input slice or output block over :func:`upsample.size_limit`), ``"total"`` (the whole
    output over :func:`get_total_limit`) or ``"disk"`` (over the free disk space); the
    message gives a library user's remedy, and the fields let a command give its own."""

    def __init__(
        self,
        message: str,
        *,
        limit: str,
        shape: tuple[int, ...],
        nbytes: int,
        allowed: int,
        what: str = "output",
    ) -> None:
        super().__init__(message)
        self.limit, self.shape, self.nbytes, self.allowed, self.what = limit, shape, nbytes, allowed, what


def check_total(op: str, shape: tuple[int, ...], nbytes: int) -> None:
    if nbytes > get_total_limit():
        raise LimitError(
            f"{op}: the output of shape {shape} would take "
            f"{nbytes / 2**30:.3g} GiB, over the limit of "
            f"{get_total_limit() / 2**30:.3g} GiB for Dask arrays; raise it with "
            "upsample.dask.total_limit(nbytes) if this is intended",
            limit="total",
            shape=tuple(shape),
            nbytes=nbytes,
            allowed=get_total_limit(),
        )


def check_sizes(plan: Plan) -> None:
    """The limits, at call time: each block is an in-memory call; the whole has a sanity limit."""
    itemsize = max(np.dtype(t).itemsize for t in (plan.dtypes or (plan.dtype,)))
    shape = tuple(sum(c.size for c in cuts) for cuts in plan.cuts)
    check_total(plan.op, shape, math.prod(shape) * itemsize * max(len(plan.dtypes), 1))
    block = tuple(max(c.size for c in cuts) for cuts in plan.cuts)
    piece = tuple(max(c.hi - c.lo for c in cuts) for cuts in plan.cuts)
    limit = _args.get_size_limit()
    for what, extent, size in (
        ("output block", block, itemsize),
        ("input slice", piece, plan.inputs[0].dtype.itemsize),
    ):
        nbytes = math.prod(extent) * size
        if nbytes > limit:
            raise LimitError(
                f"{plan.op}: one {what} of shape {extent} would take "
                f"{nbytes / 2**30:.3g} GiB, over the size limit of "
                f"{limit / 2**30:.3g} GiB for one in-memory call; give x smaller "
                "chunks (x.rechunk) or raise upsample.size_limit(nbytes)",
                limit="block",
                shape=extent,
                nbytes=nbytes,
                allowed=limit,
                what=what,
            )


# --------------------------------------------------------------------------- the graph


def _concat(nested: Any, depth: int) -> np.ndarray:
    if not isinstance(nested, list):
        return nested
    parts = [_concat(part, depth + 1) for part in nested]
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=depth)


def _run(fn: Callable[..., Any], block: Block, shared: Any, *nested: Any) -> Any:
    """One task: assemble each input's slice from its pieces, then run the block function."""
    slices = [
        np.empty(block.shape, dtype) if n is None else _concat(n, 0) for n, dtype in zip(nested, block.dtypes)
    ]
    return fn(block, shared, *slices)


def _run_backward(fn: Callable[..., Any], block: Block, shared: Any, g: np.ndarray, *nested: Any) -> Any:
    slices = [
        np.empty(block.shape, dtype) if n is None else _concat(n, 0) for n, dtype in zip(nested, block.dtypes)
    ]
    return fn(block, shared, g, *slices)


def _borders(chunks: tuple[int, ...]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(chunks)]).astype(np.int64)


Pieces = list[list[tuple[int, slice, bool]]]


def _blocks(plan: Plan) -> Iterator[tuple[tuple[int, ...], Block, Pieces | None]]:
    """Every output block: its index, its task description, and per axis the input chunks
    it reads with the part of each it needs (and whether that part is the whole chunk)."""
    x = plan.inputs[0]
    borders = [_borders(c) for c in x.chunks]
    dtypes = tuple(a.dtype for a in plan.inputs)
    for index in itertools.product(*(range(len(c)) for c in plan.cuts)):
        cuts = tuple(axis[i] for axis, i in zip(plan.cuts, index))
        if any(c.lo >= c.hi for c in cuts):  # reads nothing: the block is zeros
            yield index, Block(cuts, tuple(max(c.hi - c.lo, 0) for c in cuts), dtypes), None
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
        yield index, Block(cuts, tuple(c.hi - c.lo for c in cuts), dtypes), pieces


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


def _array(
    name: str, layer: dict, deps: list[Any], chunks: Sequence[tuple[int, ...]], dtype: Any
) -> da.Array:
    graph = HighLevelGraph.from_collections(name, layer, dependencies=deps)
    return da.Array(graph, name, tuple(chunks), meta=np.empty((0,) * len(chunks), dtype=dtype))


def _shared_key(plan: Plan, name: str, layer: dict) -> str | None:
    if plan.shared is None:
        return None
    key = f"shared-{name}"
    layer[key] = plan.shared
    return key


def forward(plan: Plan) -> Any:
    name = f"{plan.op}-{tokenize(plan.op, [a.name for a in plan.inputs], plan.cuts, plan.shared)}"
    layer: dict = {}
    shared = _shared_key(plan, name, layer)
    for index, block, pieces in _blocks(plan):
        nested = [
            None if pieces is None else _keys(layer, a.name, pieces, (name, *index)) for a in plan.inputs
        ]
        layer[(name, *index)] = (_run, plan.forward, block, shared, *nested)
    chunks = [tuple(c.size for c in cuts) for cuts in plan.cuts]
    if not plan.dtypes:
        return _array(name, layer, plan.inputs, chunks, plan.dtype)
    whole = _array(name, layer, plan.inputs, chunks, plan.dtype)  # blocks are tuples
    parts = []
    for k, dtype in enumerate(plan.dtypes):
        part = f"{name}-{k}"
        picks = {
            (part, *key[1:]): (operator.getitem, key, k)
            for key in layer
            if isinstance(key, tuple) and key[0] == name
        }
        parts.append(_array(part, picks, [whole], chunks, dtype))
    return tuple(parts)


def _overlap_add(
    shape: tuple[int, ...],
    dtype: Any,
    places: list[tuple[tuple[slice, ...], tuple[slice, ...]]],
    parts: list[Any],
) -> np.ndarray:
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
        groups = [keys[i : i + fan_in] for i in range(0, len(keys), fan_in)]
        next_keys = []
        for j, group in enumerate(groups):
            key = (f"{name}-p{k}-{level}", j)
            layer[key] = (_sum_param, k, group) if first else (_sum, group)
            next_keys.append(key)
        keys, level, first = next_keys, level + 1, False
    return keys[0]


def pullback(plan: Plan, out_chunks: list[tuple[int, ...]]) -> Callable[[Any], tuple[Any, ...]]:
    x = plan.inputs[0]
    shape = tuple(sum(c) for c in out_chunks)
    grad_dtype = _args.float_dtype(np.empty(0, x.dtype))

    def pullback(g: Any) -> tuple[Any, ...]:
        if plan.backward is None:
            raise ValueError(f"{plan.op}: {plan.no_backward}")
        g = g if isinstance(g, da.Array) else da.asarray(g)
        if g.shape != shape:
            raise ValueError(f"{plan.op}: the output gradient must have shape {shape}, got shape {g.shape}")
        g = g.astype(plan.dtype if not plan.dtypes else plan.dtypes[0]).rechunk(tuple(out_chunks))
        token = tokenize(plan.op, [a.name for a in plan.inputs], g.name, plan.cuts, plan.shared)
        name = f"{plan.op}-vjp-{token}"
        layer: dict = {}
        shared = _shared_key(plan, name, layer)
        blocks = []
        for index, block, pieces in _blocks(plan):
            key = (name, *index)
            nested = [None if pieces is None else _keys(layer, a.name, pieces, key) for a in plan.inputs]
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
            layer[(gx_name, *index)] = (_overlap_add, tuple(b - a for a, b in box), grad_dtype, places, parts)
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


def window(y: np.ndarray, starts: Sequence[int], sizes: Sequence[int]) -> np.ndarray:
    """Positions ``[start, start + size)`` of y's spatial axes; those outside y are zeros."""
    if all(s == 0 for s in starts) and tuple(sizes) == y.shape[2:]:
        return y
    out = np.zeros((*y.shape[:2], *sizes), dtype=y.dtype)
    source, target = _overlap(y.shape[2:], starts, sizes)
    if source is not None:
        out[target] = y[source]
    return out


def unwindow(g: np.ndarray, starts: Sequence[int], local: Sequence[int]) -> np.ndarray:
    """The adjoint of :func:`window`: g placed at ``starts`` in zeros of the local size."""
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


def passthrough(chunks: tuple[int, ...]) -> tuple[Cut, ...]:
    """An axis that passes through: output block = input chunk."""
    edge = _borders(chunks)
    return tuple(Cut(int(a), int(b), int(a), int(b)) for a, b in itertools.pairwise(edge))


def cut_axis(chunks: tuple[int, ...], cut: Callable[[int, int], Cut]) -> tuple[Cut, ...]:
    edge = _borders(chunks)
    return tuple(cut(int(a), int(b)) for a, b in itertools.pairwise(edge))


def clip(start: int, stop: int, lo: int, hi: int, size: int, extra: Any = None) -> Cut:
    return Cut(start, stop, min(max(lo, 0), size), max(min(hi, size), 0), extra)
