"""The one seam between the public ops and Dask: a Dask array goes to :mod:`upsample.dask`.

Each public op in the op table carries ``@chunked``, and ``upsample.vjp`` asks
:func:`on_dask` too, so the forward and the VJP are routed in one place. A call whose
data (``x``, or max_unpool's ``indices``) is a ``dask.array.Array`` is answered by
:func:`upsample.dask.apply` (or :func:`upsample.dask.vjp`), lazily and block by block;
every other call runs the op itself. Dask is never imported here: an array can only be a Dask array once
``dask.array`` has been imported by whoever made it, so looking in ``sys.modules`` is
enough and ``import upsample`` stays light.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def is_dask(value: Any) -> bool:
    """True for a ``dask.array.Array`` (without importing Dask)."""
    module = sys.modules.get("dask.array")
    return module is not None and isinstance(value, module.Array)


def on_dask(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether a call's data is a Dask array: ``x`` or the second array (a weight, or
    max_unpool's indices), positionally or as ``indices=``."""
    return any(is_dask(a) for a in args[:2]) or is_dask(kwargs.get("indices"))


def dask_module() -> Any:
    """:mod:`upsample.dask`, imported on the first call that needs it."""
    from . import dask

    return dask


def chunked(fn: F) -> F:
    """Route calls on Dask arrays to :func:`upsample.dask.apply`; the signature is unchanged."""

    @functools.wraps(fn)
    def op(*args: Any, **kwargs: Any) -> Any:
        if on_dask(args, kwargs):
            if kwargs.get("out") is not None:
                raise TypeError(
                    f"{fn.__name__}: out must be None for a Dask array (the result "
                    f"is lazy: store it with to_zarr or compute it), got "
                    f"{type(kwargs['out']).__name__}"
                )
            return dask_module().apply(fn, *args, **kwargs)
        return fn(*args, **kwargs)

    return op  # type: ignore[return-value]
