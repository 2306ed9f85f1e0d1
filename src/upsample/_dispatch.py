"""The one seam between the public ops and Dask: a Dask array goes to :mod:`upsample.dask`.

Each public op in the op table carries ``@chunked``. A call whose data (``x``, or
max_unpool's ``indices``) is a ``dask.array.Array`` is answered by
:func:`upsample.dask.apply`, lazily and block by block; every other call runs the op
itself. Dask is never imported here: an array can only be a Dask array once
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


def chunked(fn: F) -> F:
    """Route calls on Dask arrays to :func:`upsample.dask.apply`; the signature is unchanged."""
    @functools.wraps(fn)
    def op(*args: Any, **kwargs: Any) -> Any:
        if any(is_dask(a) for a in args[:2]) or is_dask(kwargs.get("indices")):
            if kwargs.get("out") is not None:
                raise TypeError(f"{fn.__name__}: out must be None for a Dask array (the result "
                                f"is lazy: store it with to_zarr or compute it), got "
                                f"{type(kwargs['out']).__name__}")
            from . import dask as _dask

            return _dask.apply(fn, *args, **kwargs)
        return fn(*args, **kwargs)
    return op  # type: ignore[return-value]
