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

**The package.** :mod:`upsample.dask.graph` is the engine (blocks, cuts, keys,
concatenation, overlap-add, limits), :mod:`upsample.dask.plans` the per-op planners in
one table keyed by op name, :mod:`upsample.dask.zarr` the Zarr input and output; this
module is the public API.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from . import graph, plans
from .graph import get_total_limit, total_limit
from .zarr import COMPLETE, from_zarr, is_complete, to_zarr

__all__ = [
    "COMPLETE",
    "apply",
    "from_zarr",
    "get_total_limit",
    "is_complete",
    "to_zarr",
    "total_limit",
    "vjp",
]


def _plan(fn: Callable[..., Any], args: tuple, kwargs: dict) -> graph.Plan:
    """The plan of op ``fn`` on these arguments, its sizes checked against the limits."""
    plan = plans.planner(inspect.unwrap(fn).__name__)(*args, **kwargs)
    graph.check_sizes(plan)
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
    return graph.forward(_plan(fn, args, kwargs))


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
    out = graph.forward(plan)
    chunks = [tuple(c.size for c in cuts) for cuts in plan.cuts]
    return out, graph.pullback(plan, chunks)
