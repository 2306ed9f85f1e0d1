"""Convolution (downsampling) and transposed convolution (upsampling), each other's adjoint.

Both ops are built from three primitives on an explicitly padded signal, in
:mod:`upsample._correlation`:

* ``correlate(xp, w)``          valid, strided, dilated cross-correlation: the conv forward;
* ``correlate_adjoint(y, w)``   its exact adjoint, a scatter of ``w * y`` into the padded
  signal: the conv input-gradient and the conv_transpose forward;
* ``correlate_weight(xp, y)``   the gradient of ``<y, correlate(xp, w)>`` with respect to ``w``.

The compiled tiles (:mod:`upsample._direct`) and the NumPy strategies both live there;
this module is the boundary (argument checks, shapes) and the two ops with their VJPs.

So ``conv_transpose(y, w)`` is literally ``conv``'s input-gradient applied to ``y`` and
vice versa, which is why it is called the *transpose*: with ``C`` the matrix of
``x -> conv(x, w)``, ``conv_transpose(y, w) == C.T @ y``.

Axis legend: N batch, C channels, G groups, Ci/Co channels per group, P padded spatial,
O output spatial, K kernel taps (flattened), k kernel spatial.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import _args, _layout, shapes
from ._correlation import (
    PADDING_MODES,
    Spec,
    add_bias,
    compiled,
    correlate,
    correlate_adjoint,
    correlate_weight,
    folds,
    pad_spatial,
    pad_spatial_adjoint,
    padded_size,
)
from ._dispatch import chunked

__all__ = [
    "conv",
    "conv_transpose",
    "conv_vjp",
    "conv_transpose_vjp",
    "conv_args",
    "conv_transpose_args",
    "add_bias",
    "PADDING_MODES",
]

# --------------------------------------------------------------------------- boundary


def _check_common(
    op: str,
    x: Any,
    weight: Any,
    bias: Any,
    groups: Any,
    channels_of: Callable[[tuple[int, ...], int], tuple[int, int]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int, int]:
    """Arrays, dims and channel bookkeeping shared by conv and conv_transpose."""
    weight = _args.as_array(op, "weight", weight, min_ndim=3)
    nd = weight.ndim - 2
    x = _args.as_array(op, "x", x)
    if x.ndim != nd + 2:
        raise ValueError(
            f"{op}: x must have {nd + 2} dimensions (N, C, *spatial) to match a "
            f"weight of shape {weight.shape}, got shape {x.shape}"
        )
    groups = _args.int_tuple(op, "groups", groups, 1, minimum=1)[0]
    c_in, c_out = channels_of(weight.shape, groups)
    if x.shape[1] != c_in:
        raise ValueError(
            f"{op}: x has {x.shape[1]} channels but weight of shape {weight.shape} "
            f"with groups={groups} expects {c_in}"
        )
    if c_in % groups or c_out % groups:
        raise ValueError(
            f"{op}: groups ({groups}) must divide both the input channels ({c_in}) "
            f"and the output channels ({c_out})"
        )
    if 0 in x.shape[2:]:
        raise ValueError(f"{op}: x must have non-empty spatial dimensions, got shape {x.shape}")
    if any(k == 0 for k in weight.shape[2:]):
        raise ValueError(f"{op}: kernel_size must be >= 1, got weight of shape {weight.shape}")
    if bias is not None:
        bias = _args.as_array(op, "bias", bias)
        if bias.shape != (c_out,):
            raise ValueError(f"{op}: bias must have shape ({c_out},), got shape {bias.shape}")
    return x, weight, bias, groups, nd


def conv_args(x, weight, bias, stride, padding, dilation, groups, padding_mode):
    op = "conv"
    x, weight, bias, groups, nd = _check_common(
        op, x, weight, bias, groups, lambda shape, g: (shape[1] * g, shape[0])
    )
    stride = _args.int_tuple(op, "stride", stride, nd, minimum=1)
    dilation = _args.int_tuple(op, "dilation", dilation, nd, minimum=1)
    mode = _args.choice(op, "padding_mode", padding_mode, PADDING_MODES)
    k = weight.shape[2:]
    pairs = shapes.conv_padding(x.shape[2:], k, stride, padding, dilation, op=op)
    for axis, (size, (lo, hi), kk, d) in enumerate(zip(x.shape[2:], pairs, k, dilation)):
        if size + lo + hi < d * (kk - 1) + 1:
            raise ValueError(
                f"{op}: the kernel ({d * (kk - 1) + 1} with dilation) is larger than "
                f"the padded input ({size + lo + hi}) along spatial axis {axis}"
            )
        limit = size - 1 if mode == "reflect" else size
        if mode in ("reflect", "circular") and max(lo, hi) > limit:
            raise ValueError(
                f"{op}: padding ({max(lo, hi)}) must be at most {limit} along "
                f"spatial axis {axis} (size {size}) for padding_mode={mode!r}"
            )
    out = tuple(shapes.conv_size(*a) for a in zip(x.shape[2:], k, stride, pairs, dilation))
    dtype = _args.float_dtype(x, weight, bias)
    _args.check_output(op, (x.shape[0], weight.shape[0], *out), dtype)
    return (
        x.astype(dtype, copy=False),
        weight.astype(dtype, copy=False),
        None if bias is None else bias.astype(dtype, copy=False),
        stride,
        pairs,
        dilation,
        groups,
        mode,
    )


def conv_transpose_args(x, weight, bias, stride, padding, output_padding, dilation, groups, output_size):
    op = "conv_transpose"
    x, weight, bias, groups, nd = _check_common(
        op, x, weight, bias, groups, lambda shape, g: (shape[0], shape[1] * g)
    )
    stride = _args.int_tuple(op, "stride", stride, nd, minimum=1)
    dilation = _args.int_tuple(op, "dilation", dilation, nd, minimum=1)
    k = weight.shape[2:]
    tf_size = _spatial_size(output_size, nd) if isinstance(padding, str) else None
    pairs, extra = shapes.conv_transpose_padding(
        x.shape[2:],
        k,
        stride,
        padding,
        output_padding if output_size is None else 0,
        dilation,
        output_size=tf_size,
        op=op,
    )  # a string padding places output_size as TensorFlow does
    full = tuple((i - 1) * s + d * (kk - 1) + 1 for i, kk, s, d in zip(x.shape[2:], k, stride, dilation))
    out = tuple(f + a - lo - hi for f, a, (lo, hi) in zip(full, extra, pairs))
    if output_size is not None and tf_size is None:
        extra = _output_padding_for(op, out, stride, output_size)
        out = tuple(o + a for o, a in zip(out, extra))
    if any(o <= 0 for o in out):
        raise ValueError(
            f"{op}: padding {padding!r} crops away the whole output (the uncropped size is {full})"
        )
    dtype = _args.float_dtype(x, weight, bias)
    _args.check_output(op, (x.shape[0], weight.shape[1] * groups, *out), dtype)
    return (
        x.astype(dtype, copy=False),
        weight.astype(dtype, copy=False),
        None if bias is None else bias.astype(dtype, copy=False),
        stride,
        pairs,
        extra,
        dilation,
        groups,
    )


def _spatial_size(output_size: Any, nd: int) -> Any:
    """The spatial part of an ``output_size`` given as the spatial size or the full shape."""
    if isinstance(output_size, (tuple, list)) and len(output_size) == nd + 2:
        return tuple(output_size[2:])
    return output_size


def _output_padding_for(op, smallest, stride, output_size) -> tuple[int, ...]:
    """The output_padding that makes the output ``output_size``, as PyTorch's modules choose it.

    ``output_size`` is the spatial size, or the full (N, C, *spatial) shape. Like
    ``torch.nn.ConvTranspose2d``, it may exceed the smallest output by at most
    ``stride - 1``.
    """
    nd = len(smallest)
    wanted = list(output_size) if isinstance(output_size, (tuple, list)) else output_size
    if isinstance(wanted, list) and len(wanted) == nd + 2:
        wanted = wanted[2:]
    wanted = _args.int_tuple(op, "output_size", wanted, nd, minimum=0)
    largest = tuple(lo + s - 1 for lo, s in zip(smallest, stride))
    if any(not lo <= w <= hi for w, lo, hi in zip(wanted, smallest, largest)):
        raise ValueError(
            f"{op}: output_size {wanted} cannot be reached; with these settings "
            f"each output size must lie between {smallest} and {largest}"
        )
    return tuple(w - lo for w, lo in zip(wanted, smallest))


# --------------------------------------------------------------------------- conv


@_layout.data_format()
@chunked
def conv(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    """N-dimensional convolution (cross-correlation, as in deep learning): downsampling.

    Shapes: ``x`` is (N, C_in, *spatial) with any number of spatial dims, inferred from
    ``weight`` of shape (C_out, C_in/groups, *kernel_size); ``bias`` is (C_out,).

    Output size per spatial dim (:func:`upsample.shapes.conv_output_size`)::

        o = floor((i + p_lo + p_hi - dilation*(k-1) - 1) / stride) + 1

    Args:
        stride: int or one per spatial dim (default 1).
        padding: int, one per dim, one ``(lo, hi)`` pair per dim, ``"valid"`` or ``"same"``
            (default 0). ``"same"`` with stride > 1 follows TensorFlow: ``o = ceil(i / s)``,
            the odd padding pixel at the end. PyTorch refuses "same" with stride > 1.
        dilation: spacing between kernel taps (default 1).
        groups: split channels into this many independent convolutions (default 1).
        padding_mode: ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``.
        data_format: ``"channels_first"`` (default, (N, C, *spatial)) or ``"channels_last"``
            ((N, *spatial, C), TensorFlow's and Keras' layout); the weight keeps its layout
            (:func:`upsample.from_tf_kernel` converts a Keras kernel).

    Returns:
        (N, C_out, *o), float32 for float32 input, float64 for float64 or integer input.

    The article's example, a 5x5x3 input and one 3x3x3 filter, channels first:

    >>> import numpy as np, upsample
    >>> y = upsample.conv(np.ones((1, 3, 5, 5)), np.ones((1, 3, 3, 3)))
    >>> y.shape
    (1, 1, 3, 3)
    >>> upsample.conv(np.arange(5.0).reshape(1, 1, 5), np.array([[[1.0, 1.0]]]), stride=2)
    array([[[1., 5.]]])
    """
    x, weight, bias, stride, pairs, dilation, groups, mode = conv_args(
        x, weight, bias, stride, padding, dilation, groups, padding_mode
    )
    xp, pad = (x, pairs) if mode == "zeros" else (pad_spatial(x, pairs, mode), None)
    return add_bias(correlate(xp, weight, Spec(stride, dilation, groups), pad=pad), bias)


@_layout.data_format(vjp=True)
def conv_vjp(x, weight, bias=None, *, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    """conv and its pullback: the input-gradient is a transposed convolution."""
    x, weight, bias, stride, pairs, dilation, groups, mode = conv_args(
        x, weight, bias, stride, padding, dilation, groups, padding_mode
    )
    if mode == "zeros" and (folds(weight.shape[2:], stride, dilation) or compiled(x, weight)):
        signal, pad = x, pairs  # folding applies the zero padding while it copies
    else:
        signal, pad = pad_spatial(x, pairs, mode), None
    spec = Spec(stride, dilation, groups)
    y = add_bias(correlate(signal, weight, spec, pad=pad), bias)

    def pullback(g):
        g = np.asarray(g, dtype=y.dtype)
        padded = padded_size(signal, pad)
        if mode == "zeros":  # the adjoint of zero padding is the crop
            gx = correlate_adjoint(g, weight, spec, padded, crop=pairs)
        else:
            gx = pad_spatial_adjoint(correlate_adjoint(g, weight, spec, padded), pairs, mode)
        gw = correlate_weight(signal, g, spec, weight.shape[2:], pad=pad)
        grads = (gx, gw)
        return grads if bias is None else grads + (g.sum(axis=(0, *range(2, g.ndim))),)

    return y, pullback


# --------------------------------------------------------------------------- conv_transpose


@_layout.data_format(sizes=("output_size",))
@chunked
def conv_transpose(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
    output_size: Any = None,
) -> np.ndarray:
    """N-dimensional transposed convolution: learnable upsampling, the adjoint of :func:`conv`.

    Every input element multiplies the whole kernel and the scaled kernels are added
    into the output at ``stride`` apart; ``padding`` then crops the border and
    ``output_padding`` appends zero positions at the end. It equals ``conv``'s
    input-gradient with the same ``weight``.

    Shapes: ``x`` is (N, C_in, *spatial); ``weight`` is (C_in, C_out/groups, *kernel_size),
    PyTorch's layout; ``bias`` is (C_out,).

    Output size per spatial dim (:func:`upsample.shapes.conv_transpose_output_size`)::

        o = (i - 1)*stride - p_lo - p_hi + dilation*(k - 1) + output_padding + 1

    Args:
        stride, dilation: int or one per spatial dim (default 1).
        padding: int, one per dim, one ``(lo, hi)`` crop pair per dim, or ``"same"`` /
            ``"valid"`` as Keras' ``Conv*DTranspose`` and ``tf.nn.conv_transpose`` place
            them: ``"same"`` gives ``o = i * stride``, ``"valid"`` gives
            ``o = max((i-1)*stride + dilation*(k-1) + 1, i * stride)`` (see
            :func:`upsample.shapes.conv_transpose_padding`, also for the one-pixel shift
            of "same" against PyTorch when ``k - stride`` is odd).
        output_padding: extra size at the end of each dim, smaller than stride or
            dilation; 0 with a string padding.
        groups: independent groups of channels (default 1).
        output_size: the wanted spatial size (or full shape). With a numeric padding it
            chooses ``output_padding`` as PyTorch's ``ConvTranspose`` modules do; with
            "same" or "valid" it is ``tf.nn.conv_transpose``'s ``output_shape`` and places
            the crop as TensorFlow does. Unreachable sizes are an error.
        data_format: ``"channels_first"`` (default, (N, C, *spatial)) or ``"channels_last"``
            ((N, *spatial, C), TensorFlow's and Keras' layout), a full-shape ``output_size``
            too; the weight keeps its layout (:func:`upsample.from_tf_kernel` converts a
            Keras kernel).

    Returns:
        (N, C_out, *o), float32 for float32 input, float64 for float64 or integer input.

    The article's example: ``[[1, 2], [3, 4]]`` with a 2x2 kernel of fives.

    >>> import numpy as np, upsample
    >>> x = np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    >>> upsample.conv_transpose(x, np.full((1, 1, 2, 2), 5.0))[0, 0]
    array([[ 5., 15., 10.],
           [20., 50., 30.],
           [15., 35., 20.]])
    """
    x, weight, bias, stride, pairs, extra, dilation, groups = conv_transpose_args(
        x, weight, bias, stride, padding, output_padding, dilation, groups, output_size
    )
    full = _full_size(x, weight, stride, dilation, extra)
    y = correlate_adjoint(x, weight, Spec(stride, dilation, groups), full, crop=pairs)
    return add_bias(y, bias)


def _full_size(x, weight, stride, dilation, extra) -> tuple[int, ...]:
    """The uncropped size: every tap of every input element, plus output_padding."""
    return tuple(
        (i - 1) * s + d * (k - 1) + 1 + a
        for i, k, s, d, a in zip(x.shape[2:], weight.shape[2:], stride, dilation, extra)
    )


@_layout.data_format(sizes=("output_size",), vjp=True)
def conv_transpose_vjp(
    x, weight, bias=None, *, stride=1, padding=0, output_padding=0, dilation=1, groups=1, output_size=None
):
    """conv_transpose and its pullback: the input-gradient is a convolution."""
    x, weight, bias, stride, pairs, extra, dilation, groups = conv_transpose_args(
        x, weight, bias, stride, padding, output_padding, dilation, groups, output_size
    )
    full = _full_size(x, weight, stride, dilation, extra)
    spec = Spec(stride, dilation, groups)
    y = add_bias(correlate_adjoint(x, weight, spec, full, crop=pairs), bias)

    def pullback(g):
        g = np.asarray(g, dtype=y.dtype)
        reached = tuple(
            (p - d * (k - 1) - 1) // s + 1
            for p, k, s, d in zip(padded_size(g, pairs), weight.shape[2:], stride, dilation)
        )
        if reached == x.shape[2:]:  # one im2col (or one fold) serves both gradients; the
            gx, gw = correlate(g, weight, spec, cotangent=x, pad=pairs)
        else:  # padding undoes the crop. output_padding >= stride (allowed when dilation >
            # stride) reaches past x
            gp = pad_spatial(g, pairs, "zeros")  # (N, C_out, *full)
            gx = correlate(gp, weight, spec)
            gx = gx[(..., *(slice(0, i) for i in x.shape[2:]))]
            gw = correlate_weight(gp, x, spec, weight.shape[2:])
        grads = (np.ascontiguousarray(gx), gw)
        return grads if bias is None else grads + (g.sum(axis=(0, *range(2, g.ndim))),)

    return y, pullback
