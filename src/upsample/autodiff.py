"""Reverse-mode derivatives of the public ops: ``vjp(fn, *args, **kwargs)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import _dispatch, ops

__all__ = ["vjp"]


def vjp(
    fn: Callable[..., Any], *args: Any, **kwargs: Any
) -> tuple[Any, Callable[[Any], tuple[np.ndarray, ...]]]:
    """Run ``fn(*args, **kwargs)`` and return ``(out, pullback)``.

    ``pullback(grad_out)`` returns one gradient per array positional argument, in
    order: ``(grad_x,)``, or ``(grad_x, grad_weight)`` and ``grad_bias`` when a bias is
    given. For ``max_pool(..., return_indices=True)`` it takes the gradient of the
    values only. Integer inputs have no gradient and are refused.

    >>> import numpy as np, upsample
    >>> y, pullback = upsample.vjp(upsample.conv, np.ones((1, 1, 3)), np.ones((1, 1, 2)))
    >>> y
    array([[[2., 2.]]])
    >>> pullback(np.ones_like(y))
    (array([[[1., 2., 1.]]]), array([[[2., 2.]]]))

    On Dask arrays (``x``, or max_unpool's ``indices``) both the output and the
    pullback are lazy: see :func:`upsample.dask.vjp`.

    A function that maps another signature onto an op (the drop-in modules in
    :mod:`upsample.compat`) carries its own VJP as ``fn.__upsample_vjp__``, with the same
    ``(*args, **kwargs) -> (out, pullback)`` contract; ``vjp`` calls it.
    """
    custom = getattr(fn, "__upsample_vjp__", None)
    if custom is not None:
        return custom(*args, **kwargs)
    op = ops.by_function(fn)
    lazy = _dispatch.on_dask(args, kwargs)
    for name, value in zip(op.inputs, args):
        if value is None:
            continue
        dtype = value.dtype if _dispatch.is_dask(value) else np.asarray(value).dtype
        if dtype.kind in "iub":
            raise TypeError(
                f"vjp: {op.name} {name} has dtype {dtype}, which has no gradient; pass floating-point arrays"
            )
    if lazy:
        return _dispatch.dask_module().vjp(op.forward, *args, **kwargs)
    return op.vjp(*args, **kwargs)
