"""Reverse-mode derivatives of the public ops: ``vjp(fn, *args, **kwargs)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import ops

__all__ = ["vjp"]


def vjp(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, Callable[[Any], tuple[np.ndarray, ...]]]:
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
    """
    op = ops.by_function(fn)
    for name, value in zip(op.inputs, args):
        dtype = np.asarray(value).dtype if value is not None else None
        if dtype is not None and dtype.kind in "iub":
            raise TypeError(f"vjp: {op.name} {name} has dtype {dtype}, which has no gradient; "
                            "pass floating-point arrays")
    return op.vjp(*args, **kwargs)
