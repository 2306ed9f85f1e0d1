"""Layouts at the boundary: channels-last data, TensorFlow's depth order, TF/Keras kernels.

Every op computes channels first, (N, C, *spatial). ``data_format="channels_last"``
(TensorFlow's and Keras' default, (N, *spatial, C)) is handled here, once, by one
decorator on each public op and on its VJP: the channel axis of the inputs that carry
one (``x``, and ``max_unpool``'s ``indices``; never a weight) is moved to position 1,
the channels-first op runs unchanged, and the channel axis of every output is moved
back. The VJP does the same for the pullback: the cotangent comes in channels-last and
the gradients of those inputs go out channels-last (the weight and bias gradients keep
their own layout). A full-shape ``output_size`` (N, *spatial, C) is read channels-last
too. The axes are moved with ``np.moveaxis``, which works on any array that implements
NumPy's array protocols (a dask array stays lazy); a NumPy array is then copied to
C-contiguous memory, on the way in (so the op computes bit for bit what it computes
channels-first) and on the way out (a real channels-last array, not a strided view of a
channels-first one). That is one extra pass over the input and the output.

``order="dcr"`` on ``pixel_shuffle`` / ``pixel_unshuffle`` is TensorFlow's
``depth_to_space`` / ``space_to_depth`` channel order (ONNX DepthToSpace mode DCR): the
block offsets vary slowest and the output channel fastest, where PyTorch's ``"crd"``
(the default) has the channel slowest. It is a fixed permutation of the channels, so it
too is applied here, around the unchanged op.

Weights: a Keras/TensorFlow ``Conv*D`` kernel is (*k, C_in/groups, C_out) ("HWIO") and a
``Conv*DTranspose`` kernel is (*k, C_out, C_in) ("HWOI"); upsample's are (C_out,
C_in/groups, *k) and (C_in, C_out/groups, *k). Both conversions are the same move of
the last two axes to the front::

    weight = np.moveaxis(kernel, (-1, -2), (0, 1))      # Keras kernel -> upsample weight

:func:`from_tf_kernel` and :func:`to_tf_kernel` do this, and the depthwise case.

Axis legend: N batch, C channels, R block offsets (prod of the factors), S spatial.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _args

__all__ = ["DATA_FORMATS", "ORDERS", "data_format", "depth_order", "from_tf_kernel", "to_tf_kernel"]

#: The accepted values of every op's ``data_format`` keyword.
DATA_FORMATS = ("channels_first", "channels_last")

#: The accepted values of ``pixel_shuffle`` / ``pixel_unshuffle``'s ``order`` keyword.
ORDERS = ("crd", "dcr")


def _op_name(fn: Callable[..., Any]) -> str:
    """The public name of an op from its forward or its VJP (``conv_vjp`` -> ``conv``)."""
    return fn.__name__.strip("_").removesuffix("_vjp")


def _with_keyword(
    fn: Callable[..., Any], wrapper: Callable[..., Any], name: str, default: str
) -> Callable[..., Any]:
    """Give ``wrapper`` the signature of ``fn`` plus the keyword-only ``name=default``,
    so ``inspect.signature`` and ``help()`` show it."""
    signature = inspect.signature(fn)
    params = list(signature.parameters.values())
    extra = inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation="str")
    at = len(params) - (params and params[-1].kind is inspect.Parameter.VAR_KEYWORD)
    wrapper.__signature__ = signature.replace(parameters=[*params[:at], extra, *params[at:]])
    return wrapper


# --------------------------------------------------------------------------- data_format


def _is_array(value: Any) -> bool:
    """An array object (NumPy's or another library's) that np.moveaxis handles lazily."""
    return hasattr(value, "ndim") and hasattr(value, "shape") and hasattr(value, "transpose")


def _to_first(op: str, name: str, value: Any, *, view: bool = False) -> Any:
    """(N, *S, C) -> (N, C, *S), C-contiguous when it is a NumPy array.

    A copy, not a view: the op then sees exactly the memory layout it sees channels-first,
    so the results are bitwise the same (a reduction over a strided view may round
    differently), and the compiled loops and reshapes that want whole contiguous planes
    do not make a slower or second copy of their own. With ``view=True`` (ops that read
    channels-last memory in place: interpolate), the moved axes are a view.
    """
    if not _is_array(value):
        value = _args.as_array(op, name, value)
    if value.ndim < 3:
        raise ValueError(
            f"{op}: {name} must have at least 3 dimensions (N, *spatial, C) with "
            f"data_format='channels_last', got shape {tuple(value.shape)}"
        )
    moved = np.moveaxis(value, -1, 1)
    return np.ascontiguousarray(moved) if isinstance(moved, np.ndarray) and not view else moved


def _to_last(value: Any) -> Any:
    """(N, C, *S) -> (N, *S, C), C-contiguous when it is a NumPy array."""
    moved = np.moveaxis(value, 1, -1)
    return np.ascontiguousarray(moved) if isinstance(moved, np.ndarray) else moved


def _outputs_to_last(out: Any) -> Any:
    """An op's output, or its tuple of outputs (max_pool's values and indices), channels-last."""
    return tuple(_to_last(o) for o in out) if isinstance(out, tuple) else _to_last(out)


def _size_to_first(value: Any, ndim: int) -> Any:
    """A full-shape size (N, *S, C) as (N, C, *S); a spatial size is left as it is."""
    if isinstance(value, (tuple, list, np.ndarray)) and len(value) == ndim:
        items = list(value)
        return (items[0], items[-1], *items[1:-1])
    return value


def _explained(op: str, error: ValueError) -> ValueError:
    """The op's own message, noting that the shapes in it are the channels-first view."""
    return ValueError(
        f"{error} (with data_format='channels_last' the shapes in this message "
        f"are channels-first, (N, C, *spatial))"
    )


def _into(op: str, out: Any, result: Any) -> Any:
    """``out=`` for a call whose result is rearranged after the op ran (channels moved back,
    channels permuted): the op computes into its own buffer, and the caller's buffer,
    checked as the op would check it, receives the rearranged result."""
    if out is None:
        return result
    _args.out_array(op, out, result.shape, result.dtype)
    out[...] = result
    return out


def data_format(
    *, channels: Sequence[str] = ("x",), sizes: Sequence[str] = (), vjp: bool = False, in_place: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate an op (or with ``vjp=True`` its VJP) to take ``data_format=``.

    ``channels`` names the array arguments that carry a channel axis (moved; a weight
    is never named), ``sizes`` the arguments that may be a full output shape (read as
    (N, *spatial, C) when channels-last). The wrapped op is called channels-first,
    unchanged; ``data_format="channels_first"`` (the default) calls it as it is.
    ``in_place``: the op reads channels-last memory as it is (interpolate's loops run
    over interleaved channels), so it gets a channels-first view, no copy, and returns
    its result in the same memory order; moving the axes back is then free.
    """

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        op = _op_name(fn)
        signature = inspect.signature(fn)
        moved = {i for i, name in enumerate(signature.parameters) if name in channels}

        def channels_first(args: tuple[Any, ...], kwargs: dict[str, Any]) -> inspect.BoundArguments:
            """The call's arguments with their channel axes moved to position 1."""
            bound = signature.bind(*args, **kwargs)
            ndim = None
            for name in channels:
                if name in bound.arguments:
                    bound.arguments[name] = _to_first(
                        op, name, bound.arguments[name], view=in_place and not vjp
                    )
                    ndim = ndim or bound.arguments[name].ndim
            for name in sizes:
                if name in bound.arguments and ndim is not None:
                    bound.arguments[name] = _size_to_first(bound.arguments[name], ndim)
            return bound

        def run(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            bound = channels_first(args, kwargs)
            try:
                return fn(*bound.args, **bound.kwargs)
            except ValueError as error:
                if "shape" not in str(error) and "channels" not in str(error):
                    raise
                raise _explained(op, error) from None

        if not vjp:

            @functools.wraps(fn)
            def forward(*args: Any, data_format: str = "channels_first", **kwargs: Any) -> Any:
                if _args.choice(op, "data_format", data_format, DATA_FORMATS) == "channels_first":
                    return fn(*args, **kwargs)
                out = kwargs.pop("out", None)
                return _into(op, out, _outputs_to_last(run(args, kwargs)))

            return _with_keyword(fn, forward, "data_format", "channels_first")

        @functools.wraps(fn)
        def with_pullback(*args: Any, data_format: str = "channels_first", **kwargs: Any) -> Any:
            if _args.choice(op, "data_format", data_format, DATA_FORMATS) == "channels_first":
                return fn(*args, **kwargs)
            out, pullback = run(args, kwargs)

            def pullback_last(g: Any) -> tuple[Any, ...]:
                # the cotangent comes in (N, *S, C); the gradients of x (and of nothing
                # else that has a channel axis: weights and biases keep their layout) go out so
                grads = pullback(_to_first(op, "the gradient", g))
                return tuple(_to_last(gr) if i in moved else gr for i, gr in enumerate(grads))

            return _outputs_to_last(out), pullback_last

        return _with_keyword(fn, with_pullback, "data_format", "channels_first")

    return decorate


# --------------------------------------------------------------------------- depth order


def _dcr_to_crd(x: Any, blocks: int) -> Any:
    """Channels (R, C) -> (C, R): TensorFlow's depth order to PyTorch's."""
    n, channels, *spatial = x.shape
    split = x.reshape(n, blocks, channels // blocks, *spatial)  # (N, R, C, *S)
    return split.swapaxes(1, 2).reshape(n, channels, *spatial)  # (N, C*R, *S)


def _crd_to_dcr(x: Any, blocks: int) -> Any:
    """Channels (C, R) -> (R, C): PyTorch's depth order to TensorFlow's."""
    n, channels, *spatial = x.shape
    split = x.reshape(n, channels // blocks, blocks, *spatial)  # (N, C, R, *S)
    return split.swapaxes(1, 2).reshape(n, channels, *spatial)  # (N, R*C, *S)


def depth_order(*, deep: str, vjp: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate pixel_shuffle (``deep="input"``) or pixel_unshuffle (``deep="output"``),
    or with ``vjp=True`` their VJPs, to take ``order="crd" | "dcr"``.

    ``deep`` says which side holds the ``C * r**d`` channels whose order is chosen. The
    wrapped op stays in PyTorch's CRD order; for ``"dcr"`` the deep side is permuted
    around it (and the cotangent or the gradient likewise, the other way).
    """

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        op = _op_name(fn)
        signature = inspect.signature(fn)
        x_name, factor_name = list(signature.parameters)[:2]

        def crd_call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            """Call the op in CRD order; returns its result and prod(r) (None: no permutation)."""
            bound = signature.bind(*args, **kwargs)
            x = bound.arguments[x_name]
            x = x if _is_array(x) else _args.as_array(op, x_name, x)
            try:
                blocks = math.prod(
                    _args.int_tuple(op, factor_name, bound.arguments[factor_name], x.ndim - 2, minimum=1)
                )
            except (TypeError, ValueError):
                blocks = None  # a malformed call: the op itself says why
            if blocks is not None and deep == "input":
                if x.ndim < 3 or x.shape[1] % blocks:
                    blocks = None
                else:
                    x = _dcr_to_crd(x, blocks)
            bound.arguments[x_name] = x
            return fn(*bound.args, **bound.kwargs), blocks

        if not vjp:

            @functools.wraps(fn)
            def forward(*args: Any, order: str = "crd", **kwargs: Any) -> Any:
                if _args.choice(op, "order", order, ORDERS) == "crd":
                    return fn(*args, **kwargs)
                out = kwargs.pop("out", None) if deep == "output" else None
                y, blocks = crd_call(args, kwargs)
                return _into(op, out, _crd_to_dcr(y, blocks)) if deep == "output" else y

            return _with_keyword(fn, forward, "order", "crd")

        @functools.wraps(fn)
        def with_pullback(*args: Any, order: str = "crd", **kwargs: Any) -> Any:
            if _args.choice(op, "order", order, ORDERS) == "crd":
                return fn(*args, **kwargs)
            (y, pullback), blocks = crd_call(args, kwargs)
            if deep == "input":
                return y, lambda g: (_crd_to_dcr(pullback(g)[0], blocks),)

            def pullback_dcr(g: Any) -> tuple[Any, ...]:
                return pullback(_dcr_to_crd(g if _is_array(g) else np.asarray(g), blocks))

            return _crd_to_dcr(y, blocks), pullback_dcr

        return _with_keyword(fn, with_pullback, "order", "crd")

    return decorate


# --------------------------------------------------------------------------- TF/Keras kernels


def from_tf_kernel(kernel: Any, *, depthwise: bool = False) -> np.ndarray:
    """A TensorFlow/Keras kernel as upsample's weight: the last two axes moved to the front.

    Shapes: a ``Conv*D`` kernel (*k, C_in/groups, C_out) becomes conv's (C_out,
    C_in/groups, *k); a ``Conv*DTranspose`` kernel (*k, C_out, C_in) becomes
    conv_transpose's (C_in, C_out, *k); both are::

        np.moveaxis(kernel, (-1, -2), (0, 1))

    With ``depthwise=True`` a ``DepthwiseConv*D`` kernel (*k, C_in, multiplier) becomes
    the weight (C_in * multiplier, 1, *k) of ``conv(..., groups=C_in)``, output channel
    ``c * multiplier + m`` as TensorFlow orders them. The same rule reads ``jax.lax``'s
    HWIO kernels (``conv_general_dilated``, and ``conv_transpose`` with
    ``transpose_kernel=True``).

    Returns:
        A new C-contiguous array with the kernel's dtype.

    >>> import numpy as np, upsample
    >>> upsample.from_tf_kernel(np.zeros((4, 4, 3, 8))).shape      # k=4, C_in=3, C_out=8
    (8, 3, 4, 4)
    >>> upsample.from_tf_kernel(np.zeros((3, 3, 8, 2)), depthwise=True).shape
    (16, 1, 3, 3)
    """
    op = "from_tf_kernel"
    kernel = _args.as_array(op, "kernel", kernel, min_ndim=3)
    if depthwise:  # (*k, C_in, M) -> (*k, 1, C_in*M)
        kernel = kernel.reshape(*kernel.shape[:-2], 1, kernel.shape[-2] * kernel.shape[-1])
    return np.ascontiguousarray(np.moveaxis(kernel, (-1, -2), (0, 1)))


def to_tf_kernel(weight: Any, *, depth_multiplier: int | None = None) -> np.ndarray:
    """upsample's weight as a TensorFlow/Keras kernel: the inverse of :func:`from_tf_kernel`.

    ``np.moveaxis(weight, (0, 1), (-1, -2))``: conv's (C_out, C_in/groups, *k) becomes
    (*k, C_in/groups, C_out) and conv_transpose's (C_in, C_out, *k) becomes (*k, C_out,
    C_in). With ``depth_multiplier=M`` a depthwise weight (C_in * M, 1, *k) becomes a
    ``DepthwiseConv*D`` kernel (*k, C_in, M).

    >>> import numpy as np, upsample
    >>> w = np.arange(24.0).reshape(4, 3, 2, 1)
    >>> bool((upsample.from_tf_kernel(upsample.to_tf_kernel(w)) == w).all())
    True
    """
    op = "to_tf_kernel"
    weight = _args.as_array(op, "weight", weight, min_ndim=3)
    kernel = np.moveaxis(weight, (0, 1), (-1, -2))
    if depth_multiplier is not None:
        m = _args.int_tuple(op, "depth_multiplier", depth_multiplier, 1, minimum=1)[0]
        if weight.shape[1] != 1 or weight.shape[0] % m:
            raise ValueError(
                f"{op}: a depthwise weight must have shape (C_in * {m}, 1, *k), got shape {weight.shape}"
            )
        kernel = kernel.reshape(*kernel.shape[:-2], weight.shape[0] // m, m)
    return np.ascontiguousarray(kernel)
