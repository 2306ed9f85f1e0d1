"""The table of ops: the one seam where a new op plugs in.

Each entry bundles an op's forward function and its VJP (``*_vjp(*args, **kwargs) ->
(out, pullback)``, written beside the forward in the op's own module). ``upsample.vjp``,
the layers, the command line, explain mode and the generic tests all iterate over
this table, so an op added here is covered without new plumbing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import convolution as _conv
from . import interpolation as _interp
from . import nails as _nails
from . import pool as _pool
from . import shuffle as _shuffle

__all__ = ["Op", "OPS", "by_function"]


@dataclass(frozen=True)
class Op:
    """One op: its name, forward, VJP, differentiable inputs, and whether it is linear in x."""

    name: str
    forward: Callable[..., Any]
    vjp: Callable[..., tuple[Any, Callable[[Any], tuple[Any, ...]]]]
    #: the leading positional arguments that get a gradient (max_unpool's indices do not)
    inputs: tuple[str, ...]
    linear: bool
    #: the op this one is the adjoint (transpose) of, if any, e.g. conv_transpose -> conv
    adjoint_of: str | None = None


OPS: dict[str, Op] = {op.name: op for op in [
    Op("conv", _conv.conv, _conv._conv_vjp, ("x", "weight", "bias"), linear=True),
    Op("conv_transpose", _conv.conv_transpose, _conv._conv_transpose_vjp, ("x", "weight", "bias"),
       linear=True, adjoint_of="conv"),
    Op("bed_of_nails", _nails.bed_of_nails, _nails._bed_of_nails_vjp, ("x",), linear=True,
       adjoint_of="subsample"),
    Op("subsample", _nails.subsample, _nails._subsample_vjp, ("x",), linear=True,
       adjoint_of="bed_of_nails"),
    Op("pixel_shuffle", _shuffle.pixel_shuffle, _shuffle._pixel_shuffle_vjp, ("x",), linear=True,
       adjoint_of="pixel_unshuffle"),
    Op("pixel_unshuffle", _shuffle.pixel_unshuffle, _shuffle._pixel_unshuffle_vjp, ("x",),
       linear=True, adjoint_of="pixel_shuffle"),
    Op("max_pool", _pool.max_pool, _pool._max_pool_vjp, ("x",), linear=False),
    Op("max_unpool", _pool.max_unpool, _pool._max_unpool_vjp, ("x",), linear=True),
    Op("interpolate", _interp.interpolate, _interp._interpolate_vjp, ("x",), linear=True),
    Op("nearest", _interp.nearest, _interp._nearest_vjp, ("x",), linear=True),
    Op("bilinear", _interp.bilinear, _interp._bilinear_vjp, ("x",), linear=True),
]}

_BY_FUNCTION = {op.forward: op for op in OPS.values()}


def by_function(fn: Callable[..., Any]) -> Op:
    """The table entry of a public op function, or a TypeError naming the known ops."""
    try:
        return _BY_FUNCTION[fn]
    except (KeyError, TypeError):
        known = ", ".join(sorted(OPS))
        name = getattr(fn, "__name__", repr(fn))
        raise TypeError(f"vjp: {name} is not an upsample op; the ops are: {known}") from None
