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

import ast
import functools
import inspect
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


# --------------------------------------------------------------------------- the windowed ops

_REQUIRED = inspect.Parameter.empty
#: torch's arguments that are an int or one per spatial dim, and its flags
_SPATIAL = ("kernel_size", "stride", "padding", "output_padding", "dilation")
_FLAGS = ("ceil_mode", "return_indices", "count_include_pad")


def _signed(parameters: str) -> Callable[[Callable[..., _Call]], Callable[..., Any]]:
    """The drop-in with torch's signature ``parameters`` (as text) for a map from its
    arguments, bound by name with torch's defaults, to an upsample call."""
    signature = _signature(parameters)

    def decorate(mapping: Callable[..., _Call]) -> Callable[..., Any]:
        @functools.wraps(mapping)
        def bound(*args: Any, **kwargs: Any) -> _Call:
            try:
                call = signature.bind(*args, **kwargs)
            except TypeError as error:
                raise TypeError(f"{mapping.__name__}: {error}") from None
            call.apply_defaults()
            return mapping(**call.arguments)

        bound.__signature__ = signature  # type: ignore[attr-defined]
        return _dropin(bound)

    return decorate


def _made(
    op: str,
    nd: int,
    target: str,
    parameters: str,
    arrays: Sequence[str],
    note: str,
    check: Callable[[str, int, dict[str, Any], np.ndarray], None] | None = None,
) -> Callable[..., Any]:
    """The drop-in ``op`` over ``nd`` spatial dims: torch's ``parameters`` after ``input`` (its
    signature as text, ``"weight, bias=None, stride=1"``), mapped onto
    ``upsample.<target>(x, *arrays, **the rest)``; ``note`` finishes the docstring.

    The int-or-tuple arguments become one value per dim, a pool's ``stride=None`` (or ``[]``)
    means the kernel size, flags become bools; ``check(op, nd, values, input)`` refuses or
    rewrites what torch does differently.
    """
    pool_stride = "stride=None" in parameters

    def mapping(**values: Any) -> _Call:
        x, lead = _batched(op, values.pop("input"), nd, _FORMS[nd])
        if check is not None:
            check(op, nd, values, x[0] if lead == () else x)
        for name, value in values.items():
            if name == "stride" and pool_stride and (value is None or _empty(value)):
                values[name] = None
            elif name in _SPATIAL and not isinstance(value, str):
                values[name] = _ntuple(op, name, value, nd)
            elif name in _FLAGS:
                values[name] = bool(value)
        positional = tuple(values.pop(name) for name in arrays)
        return _Call(getattr(_upsample, target), (x, *positional), values, lead)

    mapping.__name__ = mapping.__qualname__ = op
    mapping.__doc__ = (
        f"``torch.nn.functional.{op}(input, {parameters})``: :func:`upsample.{target}` "
        f"{note.format(forms=_forms(nd), nd=nd)}"
    )
    return _signed(f"input, {parameters}")(mapping)


def _signature(parameters: str) -> inspect.Signature:
    """``"input, weight, bias=None"`` -> that signature (positional-or-keyword, literal defaults)."""
    arguments = ast.parse(f"def f({parameters}): pass").body[0].args  # type: ignore[attr-defined]
    defaults = [_REQUIRED] * (len(arguments.args) - len(arguments.defaults))
    defaults += [ast.literal_eval(d) for d in arguments.defaults]
    return inspect.Signature(
        [
            inspect.Parameter(a.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default)
            for a, default in zip(arguments.args, defaults)
        ]
    )


def _empty(value: Any) -> bool:
    return isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, str) and len(value) == 0


def _forms(nd: int) -> str:
    return f"{_FORMS[nd][1]} or {_FORMS[nd][0]} input"


def _conv_padding(op: str, nd: int, values: dict[str, Any], x: np.ndarray) -> None:
    padding = values["padding"]
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f"{op}: padding must be 'same', 'valid', an int or a tuple, got {padding!r}")
        if padding == "same" and any(s != 1 for s in np.broadcast_to(values["stride"], nd)):
            raise ValueError(
                f"{op}: padding='same' is not supported for strided "
                f"convolutions (stride {values['stride']!r}), as in torch"
            )


def _numeric_padding(op: str, nd: int, values: dict[str, Any], x: np.ndarray) -> None:
    if isinstance(values["padding"], str):
        raise TypeError(f"{op}: padding must be an int or a tuple of ints, got {values['padding']!r}")


def _unpool_check(op: str, nd: int, values: dict[str, Any], x: np.ndarray) -> None:
    """The indices as an array of the input's shape; output_size as its spatial part."""
    _numeric_padding(op, nd, values, x)
    index = _as_array(op, "indices", values["indices"])
    if index.shape != x.shape:
        raise ValueError(f"{op}: indices must have the shape of input {x.shape}, got shape {index.shape}")
    values["indices"] = index.reshape(-1, *x.shape[-nd - 1 :])
    output_size = values["output_size"]
    if output_size is not None:  # torch keeps the spatial part of a full shape
        output_size = [int(v) for v in output_size]
        if len(output_size) == nd + 2:
            output_size = output_size[2:]
        if len(output_size) != nd:
            raise ValueError(
                f"{op}: output_size must have {nd} or {nd + 2} elements, got {tuple(output_size)}"
            )
        values["output_size"] = output_size


#: torch's windowed ops by name: upsample's op, torch's parameters after input, the arrays
#: upsample takes positionally, the rest of the docstring, and the check of what torch does
#: differently. torch's avg_pool1d has no divisor_override; conv_transpose takes groups
#: before dilation.
_WINDOWED = {
    "conv": (
        "weight, bias=None, stride=1, padding=0, dilation=1, groups=1",
        ("weight", "bias"),
        "on {forms}; ``padding`` may be ``'same'`` (stride 1) or ``'valid'``.",
        _conv_padding,
    ),
    "conv_transpose": (
        "weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1",
        ("weight", "bias"),
        "on {forms} (note torch's order, groups before dilation).",
        _numeric_padding,
    ),
    "max_pool": (
        "kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False",
        ("kernel_size",),
        "over {nd} spatial dims of {forms}; the indices count positions within each (n, c) "
        "plane, as torch's do.",
        _numeric_padding,
    ),
    "max_unpool": (
        "indices, kernel_size, stride=None, padding=0, output_size=None",
        ("indices",),
        "on {forms}; ``output_size`` is the spatial size or the full shape.",
        _unpool_check,
    ),
    "avg_pool": (
        "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True{override}",
        ("kernel_size",),
        "over {nd} spatial dims of {forms}.",
        _numeric_padding,
    ),
}


def _windowed(target: str, nd: int) -> Callable[..., Any]:
    """torch's ``<target><nd>d``, from its row of ``_WINDOWED``."""
    parameters, arrays, note, check = _WINDOWED[target]
    override = ", divisor_override=None" if nd > 1 else ""
    return _made(f"{target}{nd}d", nd, target, parameters.format(override=override), arrays, note, check)


conv1d = _windowed("conv", 1)
conv2d = _windowed("conv", 2)
conv3d = _windowed("conv", 3)
conv_transpose1d = _windowed("conv_transpose", 1)
conv_transpose2d = _windowed("conv_transpose", 2)
conv_transpose3d = _windowed("conv_transpose", 3)
max_pool1d = _windowed("max_pool", 1)
max_pool2d = _windowed("max_pool", 2)
max_pool3d = _windowed("max_pool", 3)
max_unpool1d = _windowed("max_unpool", 1)
max_unpool2d = _windowed("max_unpool", 2)
max_unpool3d = _windowed("max_unpool", 3)
avg_pool1d = _windowed("avg_pool", 1)
avg_pool2d = _windowed("avg_pool", 2)
avg_pool3d = _windowed("avg_pool", 3)


# --------------------------------------------------------------------------- interpolation

# modes whose name fixes the number of spatial dims, as torch checks them
_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_MODES = ("nearest", "nearest-exact", "area", *_MODE_DIMS)


@_signed(
    "input, size=None, scale_factor=None, mode='nearest', align_corners=None, "
    "recompute_scale_factor=None, antialias=False"
)
def interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor, antialias) -> _Call:
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


@_signed("input, size=None, scale_factor=None, mode='nearest', align_corners=None")
def upsample(input, size, scale_factor, mode, align_corners) -> _Call:
    """``torch.nn.functional.upsample`` (deprecated in torch): :func:`interpolate`."""
    return interpolate.__wrapped__(input, size, scale_factor, mode, align_corners)


@_signed("input, size=None, scale_factor=None")
def upsample_nearest(input, size, scale_factor) -> _Call:
    """``torch.nn.functional.upsample_nearest``: :func:`interpolate` with ``mode="nearest"``."""
    return interpolate.__wrapped__(input, size, scale_factor, "nearest")


@_signed("input, size=None, scale_factor=None")
def upsample_bilinear(input, size, scale_factor) -> _Call:
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
