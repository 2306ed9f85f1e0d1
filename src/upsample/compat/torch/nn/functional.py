"""``torch.nn.functional``'s upsampling ops on NumPy arrays, mapped onto upsample's ops.

Each function keeps torch's name, positional order, defaults and int-or-tuple arguments,
and accepts torch's unbatched forms: ``conv2d`` takes (N, C, H, W) or (C, H, W), and
the function's name, not the input, fixes the number of spatial dims (so
``max_pool2d(x, 3)`` pools a (C, H, W) array over H and W, as torch does). Arrays go in
and come out as NumPy arrays; torch is never imported.

Each function only maps its signature onto one of upsample's ops, and carries that op's
VJP as ``fn.__upsample_vjp__``, so ``_upsample.vjp(conv2d, x, w)`` differentiates it::

    torch                                   upsample
    conv{1,2,3}d(x, w, b, s, p, d, g)       conv(x, w, b, stride, padding, dilation, groups)
    conv_transpose{1,2,3}d(x, w, b, s, p,   conv_transpose(..., output_padding, dilation,
        output_padding, groups, dilation)       groups)    (note torch's order: groups first)
    max_pool{1,2,3}d                        max_pool
    avg_pool{1,2,3}d                        avg_pool
    max_unpool{1,2,3}d                      max_unpool
    interpolate, upsample*                  interpolate (convention "torch")
    pixel_shuffle, pixel_unshuffle          pixel_shuffle, pixel_unshuffle (2-D, any leading dims)

Axis legend: N batch, C channels, L/H/W/D spatial; "lead" is whatever precedes (C, *spatial).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import upsample as _upsample

__all__ = [
    "interpolate",
    "upsample",
    "upsample_nearest",
    "upsample_bilinear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "pixel_shuffle",
    "pixel_unshuffle",
]


# --------------------------------------------------------------------------- the mapping


@dataclass(frozen=True)
class _Call:
    """One call of an upsample op, and the leading dims to give back to its result.

    The op sees x as (N, C, *spatial) with ``N = prod(lead)``; ``lead`` is () for torch's
    unbatched form, (N,) for the batched one, or pixel_shuffle's any leading dims.
    """

    op: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    lead: tuple[int, ...] | None = None  # None: x's leading dim is already N


def _restore(value: Any, lead: tuple[int, ...] | None) -> Any:
    """(N, C, *S) -> (*lead, C, *S), for an array or each array of a tuple (values, indices)."""
    if lead is None:
        return value
    if isinstance(value, tuple):
        return tuple(_restore(v, lead) for v in value)
    return value.reshape(*lead, *value.shape[1:])


def _dropin(mapping: Callable[..., _Call]) -> Callable[..., Any]:
    """The drop-in function for a map from torch's signature to an upsample call, with its VJP.

    The VJP is the op's own (``upsample.vjp``): its pullback gets the gradient with the
    leading dims folded into N, and gives x's gradient back in x's shape. Weight and
    bias gradients need no change.
    """

    @functools.wraps(mapping)
    def forward(*args: Any, **kwargs: Any) -> Any:
        call = mapping(*args, **kwargs)
        return _restore(call.op(*call.args, **call.kwargs), call.lead)

    def vjp(*args: Any, **kwargs: Any) -> tuple[Any, Callable[[Any], tuple[np.ndarray, ...]]]:
        call = mapping(*args, **kwargs)
        out, pullback = _upsample.vjp(call.op, *call.args, **call.kwargs)
        if call.lead is None:
            return out, pullback
        lead = call.lead

        def pullback_unfolded(g: Any) -> tuple[np.ndarray, ...]:
            g = np.asarray(g)
            values = out[0] if isinstance(out, tuple) else out  # max_pool's (values, indices)
            if g.shape != _restore(values, lead).shape:
                raise ValueError(
                    f"{mapping.__name__}: the gradient must have the output's shape "
                    f"{_restore(values, lead).shape}, got shape {g.shape}"
                )
            grads = pullback(g.reshape(math.prod(lead), *g.shape[len(lead) :]))  # (N, C, *O)
            return (_restore(grads[0], lead), *grads[1:])

        return _restore(out, lead), pullback_unfolded

    forward.__upsample_vjp__ = vjp  # type: ignore[attr-defined]
    return forward


def _as_array(op: str, name: str, value: Any) -> np.ndarray:
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise TypeError(f"{op}: {name} must be an array, got {type(value).__name__}")
    return np.asarray(value)


def _batched(op: str, x: Any, nd: int, forms: str) -> tuple[np.ndarray, tuple[int, ...]]:
    """x as (N, C, *spatial) with ``nd`` spatial dims, and the lead to restore (() if unbatched)."""
    x = _as_array(op, "input", x)
    if x.ndim == nd + 2:
        return x, x.shape[:1]
    if x.ndim == nd + 1:
        return x[None], ()
    raise ValueError(
        f"{op}: input must be {nd + 1}-D {forms[0]} (unbatched) or {nd + 2}-D "
        f"{forms[1]} (batched), got shape {x.shape}"
    )


_FORMS = {
    1: ("(C, L)", "(N, C, L)"),
    2: ("(C, H, W)", "(N, C, H, W)"),
    3: ("(C, D, H, W)", "(N, C, D, H, W)"),
}


def _ntuple(op: str, name: str, value: Any, nd: int) -> Any:
    """torch's int-or-tuple rule: an int, or a sequence of one (repeated) or ``nd`` values."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) == 1:
            return tuple(value) * nd
        if len(value) != nd:
            raise ValueError(
                f"{op}: {name} must be an int or a tuple of 1 or {nd} ints, got {tuple(value)!r}"
            )
        return tuple(value)
    return value


# --------------------------------------------------------------------------- convolution


def _conv(nd: int) -> Callable[..., Any]:
    op = f"conv{nd}d"

    def conv(
        input: Any,
        weight: Any,
        bias: Any = None,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
    ) -> Any:
        x, lead = _batched(op, input, nd, _FORMS[nd])
        stride = _ntuple(op, "stride", stride, nd)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{op}: padding must be 'same', 'valid', an int or a tuple, got {padding!r}")
            if padding == "same" and any(s != 1 for s in np.broadcast_to(stride, nd)):
                raise ValueError(
                    f"{op}: padding='same' is not supported for strided "
                    f"convolutions (stride {stride!r}), as in torch"
                )
        else:
            padding = _ntuple(op, "padding", padding, nd)
        return _Call(
            _upsample.conv,
            (x, weight, bias),
            dict(
                stride=stride, padding=padding, dilation=_ntuple(op, "dilation", dilation, nd), groups=groups
            ),
            lead,
        )

    conv.__name__ = conv.__qualname__ = op
    conv.__doc__ = (
        f"``torch.nn.functional.{op}(input, weight, bias=None, stride=1, padding=0, "
        f"dilation=1, groups=1)``: :func:`upsample.conv` on {_FORMS[nd][1]} or "
        f"{_FORMS[nd][0]} input; ``padding`` may be ``'same'`` (stride 1) or ``'valid'``."
    )
    return _dropin(conv)


def _conv_transpose(nd: int) -> Callable[..., Any]:
    op = f"conv_transpose{nd}d"

    def conv_transpose(
        input: Any,
        weight: Any,
        bias: Any = None,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        dilation: Any = 1,
    ) -> Any:
        x, lead = _batched(op, input, nd, _FORMS[nd])
        if isinstance(padding, str):
            raise TypeError(f"{op}: padding must be an int or a tuple of ints, got {padding!r}")
        return _Call(
            _upsample.conv_transpose,
            (x, weight, bias),
            dict(
                stride=_ntuple(op, "stride", stride, nd),
                padding=_ntuple(op, "padding", padding, nd),
                output_padding=_ntuple(op, "output_padding", output_padding, nd),
                dilation=_ntuple(op, "dilation", dilation, nd),
                groups=groups,
            ),
            lead,
        )

    conv_transpose.__name__ = conv_transpose.__qualname__ = op
    conv_transpose.__doc__ = (
        f"``torch.nn.functional.{op}(input, weight, bias=None, stride=1, padding=0, "
        f"output_padding=0, groups=1, dilation=1)``: :func:`upsample.conv_transpose` on "
        f"{_FORMS[nd][1]} or {_FORMS[nd][0]} input (note torch's order, groups before dilation)."
    )
    return _dropin(conv_transpose)


conv1d = _conv(1)
conv2d = _conv(2)
conv3d = _conv(3)
conv_transpose1d = _conv_transpose(1)
conv_transpose2d = _conv_transpose(2)
conv_transpose3d = _conv_transpose(3)


# --------------------------------------------------------------------------- pooling


def _stride(op: str, stride: Any, nd: int) -> Any:
    """torch's max pooling stride: None or an empty list mean the kernel size."""
    if stride is None or (isinstance(stride, (Sequence, np.ndarray)) and len(stride) == 0):
        return None
    return _ntuple(op, "stride", stride, nd)


def _max_pool(nd: int) -> Callable[..., Any]:
    op = f"max_pool{nd}d"

    def max_pool(
        input: Any,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        ceil_mode: bool = False,
        return_indices: bool = False,
    ) -> Any:
        x, lead = _batched(op, input, nd, _FORMS[nd])
        return _Call(
            _upsample.max_pool,
            (x, _ntuple(op, "kernel_size", kernel_size, nd)),
            dict(
                stride=_stride(op, stride, nd),
                padding=_ntuple(op, "padding", padding, nd),
                dilation=_ntuple(op, "dilation", dilation, nd),
                ceil_mode=bool(ceil_mode),
                return_indices=bool(return_indices),
            ),
            lead,
        )

    max_pool.__name__ = max_pool.__qualname__ = op
    max_pool.__doc__ = (
        f"``torch.nn.functional.{op}(input, kernel_size, stride=None, padding=0, dilation=1, "
        f"ceil_mode=False, return_indices=False)``: :func:`upsample.max_pool` over {nd} spatial "
        f"dims of {_FORMS[nd][1]} or {_FORMS[nd][0]} input; the indices count positions within "
        f"each (n, c) plane, as torch's do."
    )
    return _dropin(max_pool)


def _max_unpool(nd: int) -> Callable[..., Any]:
    op = f"max_unpool{nd}d"

    def max_unpool(
        input: Any,
        indices: Any,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        output_size: Any = None,
    ) -> Any:
        x, lead = _batched(op, input, nd, _FORMS[nd])
        index = _as_array(op, "indices", indices)
        if index.shape != tuple(lead) + x.shape[1:]:
            raise ValueError(
                f"{op}: indices must have the shape of input "
                f"{tuple(lead) + x.shape[1:]}, got shape {index.shape}"
            )
        if output_size is not None:  # torch keeps the spatial part of a full shape
            output_size = [int(v) for v in output_size]
            if len(output_size) == nd + 2:
                output_size = output_size[2:]
            if len(output_size) != nd:
                raise ValueError(
                    f"{op}: output_size must have {nd} or {nd + 2} elements, got {tuple(output_size)}"
                )
        return _Call(
            _upsample.max_unpool,
            (x, index.reshape(x.shape)),
            dict(
                stride=_stride(op, stride, nd),
                padding=_ntuple(op, "padding", padding, nd),
                output_size=output_size,
                kernel_size=_ntuple(op, "kernel_size", kernel_size, nd),
            ),
            lead,
        )

    max_unpool.__name__ = max_unpool.__qualname__ = op
    max_unpool.__doc__ = (
        f"``torch.nn.functional.{op}(input, indices, kernel_size, stride=None, padding=0, "
        f"output_size=None)``: :func:`upsample.max_unpool` on {_FORMS[nd][1]} or "
        f"{_FORMS[nd][0]} input; ``output_size`` is the spatial size or the full shape."
    )
    return _dropin(max_unpool)


def _avg_pool(nd: int) -> Callable[..., Any]:
    op = f"avg_pool{nd}d"

    def avg_pool(
        input: Any,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: Any = None,
    ) -> Any:
        x, lead = _batched(op, input, nd, _FORMS[nd])
        return _Call(
            _upsample.avg_pool,
            (x, _ntuple(op, "kernel_size", kernel_size, nd)),
            dict(
                stride=_stride(op, stride, nd),
                padding=_ntuple(op, "padding", padding, nd),
                ceil_mode=bool(ceil_mode),
                count_include_pad=bool(count_include_pad),
                divisor_override=divisor_override,
            ),
            lead,
        )

    avg_pool.__name__ = avg_pool.__qualname__ = op
    avg_pool.__doc__ = (
        f"``torch.nn.functional.{op}(input, kernel_size, stride=None, padding=0, ceil_mode=False, "
        f"count_include_pad=True{', divisor_override=None' if nd > 1 else ''})``: "
        f":func:`upsample.avg_pool` over {nd} spatial dims of {_FORMS[nd][1]} or {_FORMS[nd][0]} "
        f"input."
    )
    if nd == 1:  # torch's avg_pool1d has no divisor_override

        def avg_pool1d(
            input: Any,
            kernel_size: Any,
            stride: Any = None,
            padding: Any = 0,
            ceil_mode: bool = False,
            count_include_pad: bool = True,
        ) -> Any:
            return avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad)

        avg_pool1d.__doc__ = avg_pool.__doc__
        return _dropin(avg_pool1d)
    return _dropin(avg_pool)


max_pool1d = _max_pool(1)
max_pool2d = _max_pool(2)
max_pool3d = _max_pool(3)
max_unpool1d = _max_unpool(1)
max_unpool2d = _max_unpool(2)
max_unpool3d = _max_unpool(3)
avg_pool1d = _avg_pool(1)
avg_pool2d = _avg_pool(2)
avg_pool3d = _avg_pool(3)


# --------------------------------------------------------------------------- interpolation

# modes whose name fixes the number of spatial dims, as torch checks them
_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_MODES = ("nearest", "nearest-exact", "area", *_MODE_DIMS)


@_dropin
def interpolate(
    input: Any,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Any:
    """``torch.nn.functional.interpolate``: :func:`upsample.interpolate` with torch's convention.

    ``input`` is (N, C, L), (N, C, H, W) or (N, C, D, H, W); ``"linear"``, ``"bilinear"``/
    ``"bicubic"`` and ``"trilinear"`` need 1, 2 and 3 spatial dims, and ``align_corners``
    only goes with them, as torch requires.
    """
    op = "interpolate"
    x = _as_array(op, "input", input)
    if x.ndim not in (3, 4, 5):
        raise ValueError(f"{op}: input must be 3-D, 4-D or 5-D (N, C, *spatial), got shape {x.shape}")
    if mode not in _MODES:
        raise ValueError(f"{op}: mode must be one of {', '.join(_MODES)}, got {mode!r}")
    nd = x.ndim - 2
    if _MODE_DIMS.get(mode, nd) != nd:
        raise ValueError(f"{op}: mode {mode!r} needs {_MODE_DIMS[mode] + 2}-D input, got shape {x.shape}")
    if align_corners is not None and mode not in _MODE_DIMS:
        raise ValueError(
            f"{op}: align_corners can only be set with the interpolating modes "
            f"linear, bilinear, bicubic and trilinear, got mode {mode!r}"
        )
    if antialias and mode not in ("bilinear", "bicubic"):
        raise ValueError(
            f"{op}: antialias is only available for bilinear and bicubic modes, got mode {mode!r}"
        )
    return _Call(
        _upsample.interpolate,
        (x, size, scale_factor),
        dict(
            mode=mode,
            align_corners=align_corners,
            recompute_scale_factor=recompute_scale_factor,
            antialias=bool(antialias),
        ),
    )


@_dropin
def upsample(
    input: Any,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Any:
    """``torch.nn.functional.upsample`` (deprecated in torch): :func:`interpolate`."""
    return interpolate.__wrapped__(input, size, scale_factor, mode, align_corners)


@_dropin
def upsample_nearest(input: Any, size: Any = None, scale_factor: Any = None) -> Any:
    """``torch.nn.functional.upsample_nearest``: :func:`interpolate` with ``mode="nearest"``."""
    return interpolate.__wrapped__(input, size, scale_factor, "nearest")


@_dropin
def upsample_bilinear(input: Any, size: Any = None, scale_factor: Any = None) -> Any:
    """``torch.nn.functional.upsample_bilinear``: bilinear with ``align_corners=True``, on (N, C, H, W)."""
    return interpolate.__wrapped__(input, size, scale_factor, "bilinear", True)


# --------------------------------------------------------------------------- pixel shuffle


def _planes(op: str, x: Any) -> tuple[np.ndarray, tuple[int, ...]]:
    """(*lead, C, H, W) -> (prod(lead), C, H, W) and lead: torch's shuffles take any leading dims."""
    x = _as_array(op, "input", x)
    if x.ndim < 3:
        raise ValueError(f"{op}: input must have at least 3 dimensions (*, C, H, W), got shape {x.shape}")
    lead = x.shape[:-3]
    return x.reshape(math.prod(lead), *x.shape[-3:]), lead


@_dropin
def pixel_shuffle(input: Any, upscale_factor: int) -> Any:
    """``torch.nn.functional.pixel_shuffle``: (*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    x, lead = _planes("pixel_shuffle", input)
    return _Call(_upsample.pixel_shuffle, (x, upscale_factor), {}, lead)


@_dropin
def pixel_unshuffle(input: Any, downscale_factor: int) -> Any:
    """``torch.nn.functional.pixel_unshuffle``: (*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    x, lead = _planes("pixel_unshuffle", input)
    return _Call(_upsample.pixel_unshuffle, (x, downscale_factor), {}, lead)
