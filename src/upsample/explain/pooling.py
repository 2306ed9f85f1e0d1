"""The pooling ops' explanations: max pooling and average pooling one window a step, max
unpooling one value a step."""

from __future__ import annotations

from typing import Any

import upsample as _up

from ..pool import avg_pool_args, max_pool_args
from ._boundary import _check_size, _example, _formula_notes, _frozen
from .records import Explanation
from .steps import avg_pool_steps, max_pool_steps, max_unpool_steps

__all__ = ["max_pool", "avg_pool", "max_unpool"]


def max_pool(
    x: Any,
    kernel_size: Any,
    *,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    spatial_dims: int | None = None,
) -> Explanation:
    """Max pooling, one step per window; ``extras["indices"]`` holds the indices for unpooling.

    >>> from upsample import explain
    >>> ex = explain.max_pool([[1, 2, 4, 1], [3, 4, 2, 3], [1, 4, 1, 2], [2, 3, 4, 3]], 2)
    >>> ex.output, ex.extras["indices"]
    (array([[[4, 4],
            [4, 4]]]), array([[[ 5,  2],
            [ 9, 14]]]))
    """
    op = "explain.max_pool"
    x, nd = _example(op, x, spatial_dims)
    settings = {
        "kernel_size": kernel_size,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "ceil_mode": ceil_mode,
    }
    values, indices = _up.max_pool(x[None], **settings, return_indices=True)
    values, indices = values[0], indices[0]
    _check_size(op, values.size, values.size)
    _, k, s, p, d, _ = max_pool_args(x[None], **settings, with_indices=True)
    steps = tuple(max_pool_steps(x, values, indices, k, s, p, d))
    notes = _formula_notes(
        "output size",
        "o = floor((i + 2p - d*(k - 1) - 1) / s) + 1" + (" (ceil)" if ceil_mode else ""),
        [
            (f"floor(({i} + 2*{pp} - {dd}*({kk} - 1) - 1) / {ss}) + 1", o)
            for i, kk, ss, pp, dd, o in zip(x.shape[1:], k, s, p, d, values.shape[1:])
        ],
    )
    notes.append(
        "each window keeps its largest value and remembers where it was (a flat, "
        "row-major index into the input)"
    )
    return Explanation(
        "max_pool",
        settings,
        _frozen(x),
        _frozen(values),
        steps,
        nd,
        notes=tuple(notes),
        extras={"indices": _frozen(indices)},
    )


def avg_pool(
    x: Any,
    kernel_size: Any,
    *,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    spatial_dims: int | None = None,
) -> Explanation:
    """Average pooling, one step per window: its values summed and divided by its divisor.

    >>> from upsample import explain
    >>> explain.avg_pool([[1, 2, 4, 1], [3, 4, 2, 3], [1, 4, 1, 2], [2, 3, 4, 3]], 2).output
    array([[[2.5, 2.5],
            [2.5, 2.5]]])
    """
    op = "explain.avg_pool"
    x, nd = _example(op, x, spatial_dims)
    settings = {
        "kernel_size": kernel_size,
        "stride": stride,
        "padding": padding,
        "ceil_mode": ceil_mode,
        "count_include_pad": count_include_pad,
        "divisor_override": divisor_override,
    }
    values = _up.avg_pool(x[None], **settings)[0]
    _check_size(op, values.size, values.size)
    _, k, s, p, _, divisor = avg_pool_args(x[None], **settings)
    steps = tuple(avg_pool_steps(x, values, divisor[0, 0], k, s, p))
    notes = _formula_notes(
        "output size",
        "o = floor((i + 2p - k) / s) + 1" + (" (ceil)" if ceil_mode else ""),
        [
            (f"floor(({i} + 2*{pp} - {kk}) / {ss}) + 1", o)
            for i, kk, ss, pp, o in zip(x.shape[1:], k, s, p, values.shape[1:])
        ],
    )
    notes.append(
        "each window is replaced by the mean of its values"
        + (" (the padding counts in the divisor)" if count_include_pad and any(p) else "")
    )
    return Explanation(
        "avg_pool",
        settings,
        _frozen(x),
        _frozen(values),
        steps,
        nd,
        notes=tuple(notes),
    )


def max_unpool(
    x: Any,
    indices: Any,
    kernel_size: Any,
    *,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
    spatial_dims: int | None = None,
) -> Explanation:
    """Max unpooling, one step per input cell: put back at its index, zeros elsewhere.

    >>> from upsample import explain
    >>> ex = explain.max_unpool([[1, 2], [3, 4]], [[5, 2], [9, 14]], 2)
    >>> ex.output
    array([[[0, 0, 2, 0],
            [0, 1, 0, 0],
            [0, 3, 0, 0],
            [0, 0, 4, 0]]])
    """
    op = "explain.max_unpool"
    x, nd = _example(op, x, spatial_dims)
    idx, _ = _example(op, indices, nd, name="indices", kinds="iu")
    if idx.shape != x.shape:
        raise ValueError(f"{op}: indices must have the shape of x {x.shape}, got shape {idx.shape}")
    settings = {"kernel_size": kernel_size, "stride": stride, "padding": padding, "output_size": output_size}
    y = _up.max_unpool(x[None], idx[None], **settings)[0]
    _check_size(op, x.size, y.size)
    steps = tuple(max_unpool_steps(x, idx, y.shape[1:], y.dtype))
    notes = ["each value goes back to the position its max_pool index records; every other output is 0"]
    return Explanation(
        "max_unpool",
        settings,
        _frozen(x),
        _frozen(y),
        steps,
        nd,
        notes=tuple(notes),
        extras={"indices": _frozen(idx)},
    )
