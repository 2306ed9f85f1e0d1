"""Argument normalisation at the public boundary.

Every public op passes its arguments through these helpers exactly once, so every
bad input gets the same kind of message: the op, the parameter, what was expected
and what arrived, e.g.::

    conv_transpose: output_padding (2) must be smaller than stride (2) or dilation (1)

Nothing below the boundary re-checks; kernels may assume clean, normalised input.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import numbers
import os
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

__all__ = ["size_limit", "set_size_limit", "get_size_limit"]

Pairs = tuple[tuple[int, int], ...]


def describe(value: Any) -> str:
    """A short, readable rendering of a bad value for an error message."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_describe = describe  # the name modules used before it was public


# --------------------------------------------------------------------------- arrays

_DTYPE_KINDS = {"f": "floating", "i": "integer", "u": "unsigned integer"}


def as_array(
    op: str,
    name: str,
    value: Any,
    *,
    ndim: int | None = None,
    min_ndim: int | None = None,
    kinds: str = "fiu",
) -> np.ndarray:
    """Turn ``value`` into an ndarray without copying, or raise a clear error.

    ``kinds`` lists the accepted dtype kinds (``f`` float, ``i`` signed, ``u`` unsigned).
    bool, complex, object and string data are always refused with a TypeError.
    """
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        raise TypeError(f"{op}: {name} must be an array of numbers, got {_describe(value)}")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:  # ragged lists and the like
        raise TypeError(
            f"{op}: {name} must be an array of numbers, got {_describe(value)} ({error})"
        ) from None
    if array.dtype.kind not in kinds:
        wanted = " or ".join(_DTYPE_KINDS[k] for k in kinds)
        raise TypeError(f"{op}: {name} must have a {wanted} dtype, got dtype {array.dtype}")
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{op}: {name} must have {ndim} dimensions, got shape {array.shape}")
    if min_ndim is not None and array.ndim < min_ndim:
        raise ValueError(
            f"{op}: {name} must have at least {min_ndim} dimensions (N, C, *spatial), got shape {array.shape}"
        )
    return array


def float_dtype(*arrays: np.ndarray | None) -> np.dtype:
    """The dtype an arithmetic op computes and returns in.

    float32 stays float32 and float64 stays float64; mixed floats promote as NumPy
    does; integers compute in float64; float16 computes in float32.
    """
    dtype = np.result_type(*(a.dtype for a in arrays if a is not None))
    if dtype.kind != "f":
        return np.dtype(np.float64)
    return np.result_type(dtype, np.float32)


def floating(op: str, name: str, value: Any) -> np.dtype:
    """``value`` as a floating-point NumPy dtype (``np.float32``, ``"float64"``, ...), or a
    TypeError naming ``op`` and ``name``."""
    try:
        dtype = np.dtype(value)
    except TypeError:
        raise TypeError(f"{op}: {name} must be a floating-point dtype, got {value!r}") from None
    if dtype.kind != "f":
        raise TypeError(f"{op}: {name} must be a floating-point dtype, got {dtype}")
    return dtype


# --------------------------------------------------------------------------- integers


def _as_int(op: str, name: str, value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{op}: {name} must be an integer, got {_describe(value)}")
    return int(value)


def integer(op: str, name: str, value: Any, *, minimum: int | None = None) -> int:
    """One int (not a bool), at least ``minimum`` if given."""
    result = _as_int(op, name, value)
    if minimum is not None and result < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {result}")
    return result


def flag(op: str, name: str, value: Any, *, optional: bool = False) -> bool | None:
    """True or False (or None when ``optional``), never a truthy stand-in like 1 or "yes"."""
    if optional and value is None:
        return None
    if not isinstance(value, (bool, np.bool_)):
        expected = "True, False or None" if optional else "True or False"
        raise TypeError(f"{op}: {name} must be {expected}, got {describe(value)}")
    return bool(value)


def finite(op: str, name: str, value: Any) -> float:
    """One finite real number (not a bool), as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{op}: {name} must be a number, got {describe(value)}")
    if not math.isfinite(float(value)):
        raise ValueError(f"{op}: {name} must be finite, got {value!r}")
    return float(value)


def roi_pairs(op: str, roi: Any, nd: int) -> tuple[tuple[float, float], ...]:
    """ONNX's ``roi``: ``(start, end)`` per spatial dim, or its flat ``[starts..., ends...]``."""
    flat = np.asarray(roi, dtype=object).ravel().tolist() if not isinstance(roi, str) else None
    if flat is None or len(flat) != 2 * nd:
        raise ValueError(
            f"{op}: roi must hold one (start, end) pair per spatial dimension "
            f"({2 * nd} numbers), got {describe(roi)}"
        )
    values = [finite(op, "roi", v) for v in flat]
    if np.ndim(roi) == 1:  # ONNX: starts, then ends
        return tuple((values[a], values[nd + a]) for a in range(nd))
    return tuple((values[2 * a], values[2 * a + 1]) for a in range(nd))


def window_pairs(op: str, window: Any, nd: int | None) -> tuple[tuple[float, float], ...]:
    """One ``(start, end)`` pair per spatial dim, ``start < end``, in input pixel edges."""
    pairs = np.asarray(window, dtype=object) if not isinstance(window, str) else None
    if pairs is None or pairs.ndim != 2 or pairs.shape[1] != 2 or (nd is not None and len(pairs) != nd):
        raise ValueError(
            f"{op}: window must hold one (start, end) pair per spatial dimension"
            f"{'' if nd is None else f' ({nd})'}, got {describe(window)}"
        )
    spans = tuple((finite(op, "window", a), finite(op, "window", b)) for a, b in pairs.tolist())
    if any(end <= start for start, end in spans):
        raise ValueError(f"{op}: each window pair must have start < end, got {spans}")
    return spans


def int_tuple(op: str, name: str, value: Any, n: int, *, minimum: int | None = None) -> tuple[int, ...]:
    """An int or a length-``n`` sequence of ints, as a tuple of ``n`` ints."""
    if isinstance(value, Sequence) and not isinstance(value, str) or isinstance(value, np.ndarray):
        items = list(value)
        if len(items) != n:
            raise ValueError(
                f"{op}: {name} must be an int or a sequence of {n} ints "
                f"(one per spatial dimension), got {_describe(value)}"
            )
        result = tuple(_as_int(op, name, v) for v in items)
    else:
        result = (_as_int(op, name, value),) * n
    if minimum is not None and any(v < minimum for v in result):
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {_describe(value)}")
    return result


def pad_pairs(op: str, name: str, value: Any, n: int) -> Pairs:
    """Padding as an int, ``n`` ints, or ``n`` ``(lo, hi)`` pairs, as ``n`` pairs of ints >= 0."""
    if (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == n
        and any(isinstance(v, Sequence) for v in value)
    ):
        pairs = []
        for v in value:
            if not isinstance(v, Sequence) or len(v) != 2:
                raise ValueError(
                    f"{op}: {name} must be an int, {n} ints, or {n} (lo, hi) pairs, got {_describe(value)}"
                )
            pairs.append((_as_int(op, name, v[0]), _as_int(op, name, v[1])))
        result = tuple(pairs)
    else:
        try:
            result = tuple((p, p) for p in int_tuple(op, name, value, n))
        except ValueError:
            raise ValueError(
                f"{op}: {name} must be an int, {n} ints, or {n} (lo, hi) pairs, got {_describe(value)}"
            ) from None
    if any(p < 0 for pair in result for p in pair):
        raise ValueError(f"{op}: {name} must be >= 0, got {_describe(value)}")
    return result


def choice(op: str, name: str, value: Any, options: Sequence[str] | dict[str, Any]) -> str:
    """One of ``options``; the error lists them all."""
    if not isinstance(value, str) or value not in options:
        valid = ", ".join(repr(o) for o in options)
        raise ValueError(f"{op}: {name} must be one of {valid}, got {_describe(value)}")
    return value


# --------------------------------------------------------------------------- size limit


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX: assume a modest machine
        return 8 << 30


_DEFAULT_LIMIT = _physical_memory() // 4
_limit: contextvars.ContextVar[int] = contextvars.ContextVar("upsample_size_limit", default=_DEFAULT_LIMIT)


def get_size_limit() -> int:
    """The largest output, in bytes, that an op will allocate (default: a quarter of RAM)."""
    return _limit.get()


def set_size_limit(nbytes: int | None) -> None:
    """Set the output size limit in bytes for this context; ``None`` restores the default."""
    _limit.set(_DEFAULT_LIMIT if nbytes is None else _as_int("set_size_limit", "nbytes", nbytes))


@contextlib.contextmanager
def size_limit(nbytes: int) -> Iterator[None]:
    """Temporarily change the output size limit::

    with upsample.size_limit(64 << 30):
        y = upsample.nearest(x, 8)
    """
    token = _limit.set(_as_int("size_limit", "nbytes", nbytes))
    try:
        yield
    finally:
        _limit.reset(token)


def check_output(op: str, shape: Sequence[int], dtype: Any) -> tuple[int, ...]:
    """Refuse an output that is empty-by-mistake or too large, before anything is allocated."""
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(
            f"{op}: the output shape {shape} would be negative; "
            "check kernel_size, stride, padding and dilation"
        )
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    limit = _limit.get()
    if nbytes > limit:
        raise ValueError(
            f"{op}: the output of shape {shape} would take {nbytes / 2**30:.3g} GiB, "
            f"over the size limit of {limit / 2**30:.3g} GiB; "
            "raise it with upsample.size_limit(nbytes) if this is intended"
        )
    return shape


def out_array(
    op: str, out: Any, shape: Sequence[int], dtype: Any, inputs: Sequence[np.ndarray] = ()
) -> np.ndarray | None:
    """Check a caller's ``out=`` buffer (NumPy's convention): None, or a writeable
    C-contiguous ndarray of exactly the result's shape and dtype that shares no memory
    with the inputs. Returns it (or None)."""
    if out is None:
        return None
    shape, dtype = tuple(int(s) for s in shape), np.dtype(dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(
            f"{op}: out must be a numpy.ndarray of shape {shape} and dtype {dtype}, got {_describe(out)}"
        )
    if out.shape != shape or out.dtype != dtype:
        raise ValueError(
            f"{op}: out must have shape {shape} and dtype {dtype}, "
            f"got shape {out.shape} and dtype {out.dtype}"
        )
    if not (out.flags.c_contiguous and out.flags.writeable):
        raise ValueError(f"{op}: out must be a writeable C-contiguous array")
    if any(np.may_share_memory(out, a) for a in inputs):
        raise ValueError(f"{op}: out must not share memory with the inputs")
    return out
