"""Trainable layers on top of the op table: each layer's backward is its op's VJP.

A layer's forward runs ``upsample.vjp(op, x, *parameters, **settings)`` and keeps the
pullback; ``backward(grad)`` applies it, *adds* the parameter gradients to each
``Parameter.grad`` and returns the gradient of the input. There is no second backward
implementation here: conv's backward is a transposed convolution, pixel_shuffle's is
pixel_unshuffle, and so on, exactly as the ops define them. The one exception is
:class:`ReLU`, which is not an upsampling op; its VJP sits beside the layer.

The interface follows ``torch.nn``::

    net = nn.Sequential(nn.Conv(1, 8, 3, padding=1), nn.ReLU(),
                        nn.ConvTranspose(8, 1, 4, stride=2, padding=1))
    opt = optim.Adam(net.parameters(), lr=1e-3)
    for x, target in batches:
        opt.zero_grad()
        loss, grad = nn.mse_loss(net(x), target)
        net.backward(grad)
        opt.step()

``named_parameters()`` and ``state_dict()`` use PyTorch's names (``"0.weight"``,
``"2.bias"``), so a state dict moves between the two with ``torch.tensor`` /
``.numpy()``. ``save(path)`` / ``load(path)`` write and read an ``.npz`` of the state dict.

Initialisation is PyTorch's, in distribution: weights ~ U(-b, b) with
``b = 1/sqrt(fan_in)`` (``kaiming_uniform_`` with ``a = sqrt(5)``) and biases ~ U(-b, b),
where ``fan_in = weight.shape[1] * prod(kernel_size)`` for Conv and ConvTranspose alike.
``ConvTranspose(init="bilinear")`` and :class:`SubPixel` (ICNR) are the two
upsampling-aware alternatives. Layers are float32 unless ``dtype`` says otherwise, and
``rng`` (a seed or a ``numpy.random.Generator``) makes the draw reproducible.

Every layer takes ``data_format="channels_last"`` to run on (N, *spatial, C) arrays, as
Keras layers do; the weights keep upsample's layout (:func:`upsample.from_tf_kernel`
converts a Keras kernel, and ``Conv.load_keras`` / ``ConvTranspose.load_keras`` take a
Keras layer's ``get_weights()`` directly).

Axis legend: N batch, C channels, k kernel spatial, r upscale factor, d spatial dims.
"""

from __future__ import annotations

import abc
import math
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from .. import _args, _layout, autodiff, ops
from .init import bilinear_init, bilinear_kernel, default_init, fan_in, icnr

__all__ = [
    "Parameter",
    "Module",
    "Conv",
    "ConvTranspose",
    "SubPixel",
    "Upsample",
    "BedOfNails",
    "MaxPool",
    "MaxUnpool",
    "PixelShuffle",
    "PixelUnshuffle",
    "ReLU",
    "Sequential",
    "mse_loss",
    "fan_in",
    "bilinear_kernel",
    "icnr",
]


# --------------------------------------------------------------------------- parameters


class Parameter:
    """A trainable array and its accumulated gradient (same shape and dtype)."""

    __slots__ = ("value", "grad")

    def __init__(self, value: np.ndarray) -> None:
        self.value = np.array(value)  # an owned, writable copy
        self.grad = np.zeros_like(self.value)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def dtype(self) -> np.dtype:
        return self.value.dtype

    def __repr__(self) -> str:
        return f"Parameter(shape={self.value.shape}, dtype={self.value.dtype})"


class Module(abc.ABC):
    """The base of every layer: parameters, gradients and state dicts.

    Subclasses implement ``forward`` and ``backward``. Parameters are the attributes
    holding a :class:`Parameter`; sub-layers are the attributes holding a
    :class:`Module` (``Sequential`` names them ``"0"``, ``"1"``, ...).
    """

    _pullback: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    @abc.abstractmethod
    def forward(self, x: Any) -> Any:
        """Run the layer, keeping what ``backward`` needs."""

    @abc.abstractmethod
    def backward(self, grad: Any) -> np.ndarray:
        """Return the input gradient and add the parameter gradients into ``.grad``."""

    # ---- running an op through the table

    def _run(self, op: str, *args: Any, **kwargs: Any) -> Any:
        """``op``'s forward, keeping its pullback for :meth:`backward`."""
        out, self._pullback = autodiff.vjp(ops.OPS[op].forward, *args, **kwargs)
        return out

    def _pull(self, grad: Any) -> tuple[np.ndarray, ...]:
        if self._pullback is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward: call the layer on an input before asking for its backward"
            )
        return self._pullback(grad)

    # ---- parameters

    def _own_parameters(self) -> Iterator[tuple[str, Parameter]]:
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield name, value

    def _children(self) -> Iterator[tuple[str, Module]]:
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def named_parameters(self, prefix: str = "") -> dict[str, Parameter]:
        """Every parameter by its dotted PyTorch-style name, e.g. ``{"0.weight": ...}``."""
        named = {prefix + name: p for name, p in self._own_parameters()}
        for name, child in self._children():
            named.update(child.named_parameters(f"{prefix}{name}."))
        return named

    def parameters(self) -> list[Parameter]:
        """Every parameter, in the order of :meth:`named_parameters` (for the optimizers)."""
        return list(self.named_parameters().values())

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero."""
        for p in self.parameters():
            p.grad[...] = 0

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's value, by name."""
        return {name: p.value.copy() for name, p in self.named_parameters().items()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy values into the parameters; names and shapes must match exactly."""
        op = f"{type(self).__name__}.load_state_dict"
        named = self.named_parameters()
        missing, unexpected = sorted(set(named) - set(state)), sorted(set(state) - set(named))
        if missing or unexpected:
            raise ValueError(
                f"{op}: state must have the keys {sorted(named)}, got missing "
                f"{missing} and unexpected {unexpected}"
            )
        for name, p in named.items():
            value = _args.as_array(op, name, state[name], kinds="fiu")
            if value.shape != p.shape:
                raise ValueError(f"{op}: {name} must have shape {p.shape}, got shape {value.shape}")
        for name, p in named.items():
            p.value[...] = state[name]

    def save(self, path: str | os.PathLike) -> None:
        """Write the state dict to an ``.npz`` file."""
        np.savez(path, **self.state_dict())

    def load(self, path: str | os.PathLike) -> None:
        """Read a state dict written by :meth:`save`."""
        with np.load(path) as data:
            self.load_state_dict(dict(data))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _rng(rng: Any) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _data_format(layer: str, value: Any) -> str:
    return _args.choice(layer, "data_format", value, _layout.DATA_FORMATS)


def _channels(layer: str, name: str, value: Any) -> int:
    return _args.int_tuple(layer, name, value, 1, minimum=1)[0]


def _kernel(layer: str, kernel_size: Any, ndim: int | None) -> tuple[int, ...]:
    """kernel_size as one int per spatial dim: its own length, else ``ndim`` (default 2)."""
    if isinstance(kernel_size, (tuple, list)):
        n = len(kernel_size)
        if ndim is not None and ndim != n:
            raise ValueError(f"{layer}: ndim ({ndim}) must match kernel_size {tuple(kernel_size)}")
    else:
        n = 2 if ndim is None else _channels(layer, "ndim", ndim)
    return _args.int_tuple(layer, "kernel_size", kernel_size, n, minimum=1)


# --------------------------------------------------------------------------- layers with weights


class _Weighted(Module):
    """Conv and ConvTranspose: one op, a weight and an optional bias."""

    op: str
    weight: Parameter
    bias: Parameter | None

    def forward(self, x: Any, **kwargs: Any) -> np.ndarray:
        bias = None if self.bias is None else self.bias.value
        return self._run(self.op, x, self.weight.value, bias, **self.settings, **kwargs)

    def load_keras(self, weights: Any) -> None:
        """Copy a Keras layer's ``get_weights()`` (``[kernel]`` or ``[kernel, bias]``) in.

        The kernel is converted by :func:`upsample.from_tf_kernel` (``Conv*D`` and
        ``Conv*DTranspose`` kernels alike); shapes must match this layer's.
        """
        layer = f"{type(self).__name__}.load_keras"
        weights = list(weights)
        if len(weights) != 1 + (self.bias is not None):
            raise ValueError(
                f"{layer}: expected {1 + (self.bias is not None)} arrays "
                f"(kernel{', bias' if self.bias is not None else ''}), got {len(weights)}"
            )
        state = {"weight": _layout.from_tf_kernel(weights[0])}
        if self.bias is not None:
            state["bias"] = weights[1]
        self.load_state_dict(state)

    def _setup(
        self,
        layer: str,
        channels: tuple[Any, Any],
        kernel_size: Any,
        ndim: int | None,
        groups: Any,
        data_format: str,
        **settings: Any,
    ) -> int:
        """Check and keep the channels, kernel size and the op's settings; the groups, checked."""
        self.in_channels = _channels(layer, "in_channels", channels[0])
        self.out_channels = _channels(layer, "out_channels", channels[1])
        self.kernel_size = _kernel(layer, kernel_size, ndim)
        groups = _check_groups(layer, groups, self.in_channels, self.out_channels)
        self.settings = dict(settings, groups=groups, data_format=_data_format(layer, data_format))
        return groups

    def _parameters(self, weight: np.ndarray, bias: np.ndarray | None) -> None:
        self.weight = Parameter(weight)
        self.bias = None if bias is None else Parameter(bias)

    def backward(self, grad: Any) -> np.ndarray:
        grad_x, grad_weight, *grad_bias = self._pull(grad)
        self.weight.grad += grad_weight
        if self.bias is not None:
            self.bias.grad += grad_bias[0]
        return grad_x

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.settings.items())
        return (
            f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
            f"kernel_size={self.kernel_size}, {settings}, bias={self.bias is not None})"
        )


def _check_groups(layer: str, groups: Any, c_in: int, c_out: int) -> int:
    groups = _channels(layer, "groups", groups)
    if c_in % groups or c_out % groups:
        raise ValueError(
            f"{layer}: groups ({groups}) must divide both in_channels ({c_in}) and out_channels ({c_out})"
        )
    return groups


class Conv(_Weighted):
    """A convolution layer, like ``torch.nn.Conv1d/2d/3d``: :func:`upsample.conv` with parameters.

    ``weight`` is (C_out, C_in/groups, *kernel_size), ``bias`` (C_out,). The number of
    spatial dims is ``len(kernel_size)``, or ``ndim`` (default 2) for an int kernel size.
    ``stride``, ``padding``, ``dilation``, ``groups`` and ``padding_mode`` are passed to
    the op, which checks them on the first call. Initialised as PyTorch does.
    ``data_format="channels_last"`` takes (N, *spatial, C) input, as Keras' ``Conv2D``.

    >>> import numpy as np
    >>> layer = Conv(1, 2, 3, padding=1, rng=0)
    >>> layer(np.ones((1, 1, 4, 4), np.float32)).shape
    (1, 2, 4, 4)
    >>> layer.backward(np.ones((1, 2, 4, 4), np.float32)).shape, layer.weight.grad.shape
    ((1, 1, 4, 4), (2, 1, 3, 3))
    """

    op = "conv"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        *,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        ndim: int | None = None,
        dtype: Any = np.float32,
        rng: Any = None,
        data_format: str = "channels_first",
    ) -> None:
        layer = "Conv"
        groups = self._setup(
            layer,
            (in_channels, out_channels),
            kernel_size,
            ndim,
            groups,
            data_format,
            stride=stride,
            padding=padding,
            dilation=dilation,
            padding_mode=padding_mode,
        )
        shape = (self.out_channels, self.in_channels // groups, *self.kernel_size)
        self._parameters(
            *default_init(
                shape, self.out_channels if bias else None, _rng(rng), _args.floating(layer, "dtype", dtype)
            )
        )


class ConvTranspose(_Weighted):
    """A transposed-convolution layer, like ``torch.nn.ConvTranspose1d/2d/3d``.

    :func:`upsample.conv_transpose` with parameters: ``weight`` is
    (C_in, C_out/groups, *kernel_size), ``bias`` (C_out,). ``forward(x, output_size=...)``
    chooses ``output_padding`` as PyTorch's modules do.

    ``init="default"`` draws as PyTorch does (``fan_in = C_out/groups * prod(k)``);
    ``init="bilinear"`` sets each channel's kernel to :func:`bilinear_kernel` and the
    bias to zero, so that with k=4, s=2, p=1 the layer starts as bilinear upsampling
    (exactly, except the outermost pixels). It needs ``in_channels == out_channels``.
    ``data_format="channels_last"`` takes (N, *spatial, C) input, as Keras'
    ``Conv2DTranspose``; with ``padding="same"``/``"valid"`` it computes what that layer does.

    >>> import numpy as np
    >>> up = ConvTranspose(1, 1, 4, stride=2, padding=1, init="bilinear", ndim=1,
    ...                    dtype=np.float64)
    >>> up(np.array([[[0.0, 4.0, 8.0]]]))          # bilinear gives 0 1 3 5 7 8: the edge differs
    array([[[0., 1., 3., 5., 7., 6.]]])
    """

    op = "conv_transpose"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        *,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        init: str = "default",
        ndim: int | None = None,
        dtype: Any = np.float32,
        rng: Any = None,
        data_format: str = "channels_first",
    ) -> None:
        layer = "ConvTranspose"
        groups = self._setup(
            layer,
            (in_channels, out_channels),
            kernel_size,
            ndim,
            groups,
            data_format,
            stride=stride,
            padding=padding,
            output_padding=output_padding,
            dilation=dilation,
        )
        init = _args.choice(layer, "init", init, ("default", "bilinear"))
        dtype = _args.floating(layer, "dtype", dtype)
        shape = (self.in_channels, self.out_channels // groups, *self.kernel_size)
        weight, b = default_init(shape, self.out_channels if bias else None, _rng(rng), dtype)
        if init == "bilinear":
            weight = bilinear_init(shape, groups, op=layer).astype(dtype)
            b = None if b is None else np.zeros_like(b)
        self._parameters(weight, b)


# --------------------------------------------------------------------------- layers without weights


class _Fixed(Module):
    """A parameter-free op with one differentiable input: ``op(x, *args, **settings)``."""

    op: str
    args: tuple[Any, ...] = ()
    settings: dict[str, Any] = {}

    def forward(self, x: Any) -> np.ndarray:
        return self._run(self.op, x, *self.args, **self.settings)

    def backward(self, grad: Any) -> np.ndarray:
        return self._pull(grad)[0]

    def __repr__(self) -> str:
        shown = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.settings.items()]
        return f"{type(self).__name__}({', '.join(shown)})"


class Upsample(_Fixed):
    """Fixed interpolation as a layer, like ``torch.nn.Upsample``: :func:`upsample.interpolate`.

    ``mode`` is any of interpolate's modes (``"nearest"``, ``"bilinear"``, ``"bicubic"``,
    ...); give exactly one of ``size`` and ``scale_factor``.

    >>> import numpy as np
    >>> Upsample(scale_factor=2)(np.arange(2.0).reshape(1, 1, 2))
    array([[[0., 0., 1., 1.]]])
    """

    op = "interpolate"

    def __init__(
        self,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
        *,
        data_format: str = "channels_first",
    ) -> None:
        self.args = (size, scale_factor)
        self.settings = dict(
            mode=mode,
            align_corners=align_corners,
            recompute_scale_factor=recompute_scale_factor,
            data_format=_data_format("Upsample", data_format),
        )


class BedOfNails(_Fixed):
    """Zero-insertion upsampling as a layer: :func:`upsample.bed_of_nails`.

    >>> import numpy as np
    >>> BedOfNails(2)(np.arange(1.0, 3.0).reshape(1, 1, 2))
    array([[[1., 0., 2., 0.]]])
    """

    op = "bed_of_nails"

    def __init__(self, scale_factor: Any, *, offset: Any = 0, data_format: str = "channels_first") -> None:
        self.args = (scale_factor,)
        self.settings = dict(offset=offset, data_format=_data_format("BedOfNails", data_format))


class PixelShuffle(_Fixed):
    """Depth to space as a layer, like ``torch.nn.PixelShuffle``: :func:`upsample.pixel_shuffle`.

    ``order="dcr"`` with ``data_format="channels_last"`` is TensorFlow's ``depth_to_space``.
    """

    op = "pixel_shuffle"

    def __init__(
        self, upscale_factor: Any, *, order: str = "crd", data_format: str = "channels_first"
    ) -> None:
        self.args = (upscale_factor,)
        self.settings = dict(
            order=_args.choice("PixelShuffle", "order", order, _layout.ORDERS),
            data_format=_data_format("PixelShuffle", data_format),
        )


class PixelUnshuffle(_Fixed):
    """Space to depth as a layer, like ``torch.nn.PixelUnshuffle``: :func:`upsample.pixel_unshuffle`.

    ``order="dcr"`` with ``data_format="channels_last"`` is TensorFlow's ``space_to_depth``.
    """

    op = "pixel_unshuffle"

    def __init__(
        self, downscale_factor: Any, *, order: str = "crd", data_format: str = "channels_first"
    ) -> None:
        self.args = (downscale_factor,)
        self.settings = dict(
            order=_args.choice("PixelUnshuffle", "order", order, _layout.ORDERS),
            data_format=_data_format("PixelUnshuffle", data_format),
        )


class MaxPool(Module):
    """Max pooling as a layer, like ``torch.nn.MaxPool1d/2d/3d``: :func:`upsample.max_pool`.

    With ``return_indices=True`` the layer returns ``(values, indices)``. Either way it
    keeps the last ``indices`` and input size, so a :class:`MaxUnpool` built with
    ``indices_from=`` this layer can undo it inside a :class:`Sequential`.
    ``backward`` takes the gradient of the values.

    >>> import numpy as np
    >>> pool = MaxPool(2, return_indices=True)
    >>> pool(np.array([[[1.0, 3.0, 2.0, 0.0]]]))
    (array([[[3., 2.]]]), array([[[1, 2]]]))
    """

    op = "max_pool"

    def __init__(
        self,
        kernel_size: Any,
        *,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        ceil_mode: bool = False,
        return_indices: bool = False,
        data_format: str = "channels_first",
    ) -> None:
        self.settings = dict(
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            ceil_mode=ceil_mode,
            data_format=_data_format("MaxPool", data_format),
        )
        self.return_indices = bool(return_indices)
        self.indices: np.ndarray | None = None
        self.input_size: tuple[int, ...] | None = None

    def forward(self, x: Any) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        values, self.indices = self._run(self.op, x, **self.settings, return_indices=True)
        shape = np.shape(x)  # (N, C, *S) or (N, *S, C)
        last = self.settings["data_format"] == "channels_last"
        self.input_size = shape[1:-1] if last else shape[2:]
        return (values, self.indices) if self.return_indices else values

    def backward(self, grad: Any) -> np.ndarray:
        return self._pull(grad)[0]

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.settings.items())
        return f"MaxPool({settings}, return_indices={self.return_indices})"


class MaxUnpool(Module):
    """Max unpooling as a layer, like ``torch.nn.MaxUnpool1d/2d/3d``: :func:`upsample.max_unpool`.

    Call it as ``unpool(x, indices)`` (optionally ``output_size=``), or build it with
    ``indices_from=pool`` and call ``unpool(x)``: it then uses that :class:`MaxPool`'s
    last indices and, unless told otherwise, restores the pool's input size.

    >>> import numpy as np
    >>> pool = MaxPool(2)
    >>> net = Sequential(pool, MaxUnpool(2, indices_from=pool))
    >>> net(np.array([[[1.0, 3.0, 2.0, 0.0, 5.0]]]))
    array([[[0., 3., 2., 0., 0.]]])
    """

    op = "max_unpool"

    def __init__(
        self,
        kernel_size: Any,
        *,
        stride: Any = None,
        padding: Any = 0,
        indices_from: MaxPool | None = None,
        data_format: str = "channels_first",
    ) -> None:
        if indices_from is not None and not isinstance(indices_from, MaxPool):
            raise TypeError(
                f"MaxUnpool: indices_from must be a MaxPool layer, got {type(indices_from).__name__}"
            )
        self.settings = dict(
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            data_format=_data_format("MaxUnpool", data_format),
        )
        self._source = indices_from

    def _children(self) -> Iterator[tuple[str, Module]]:
        return iter(())  # the pool it reads indices from is not its own sub-layer

    def forward(self, x: Any, indices: Any = None, output_size: Any = None) -> np.ndarray:
        if indices is None:
            if self._source is None:
                raise ValueError(
                    "MaxUnpool: indices must be given, or the layer built with indices_from=<a MaxPool layer>"
                )
            if self._source.indices is None:
                raise RuntimeError("MaxUnpool: the MaxPool given as indices_from has not run yet")
            indices = self._source.indices
            if output_size is None:
                output_size = self._source.input_size
        return self._run(self.op, x, indices, **self.settings, output_size=output_size)

    def backward(self, grad: Any) -> np.ndarray:
        return self._pull(grad)[0]

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.settings.items())
        return f"MaxUnpool({settings})"


def _relu_vjp(x: Any) -> tuple[np.ndarray, Any]:
    """ReLU and its pullback: the gradient is stopped where the output is <= 0 (as in torch,
    whose ``threshold_backward`` lets it through at NaN)."""
    x = _args.as_array("ReLU", "x", x, kinds="f")
    y = np.maximum(x, 0)  # NaN stays NaN, as in torch.relu
    keep = ~(y <= 0)
    return y, lambda g: (np.where(keep, np.asarray(g), 0).astype(y.dtype, copy=False),)


class ReLU(Module):
    """``max(x, 0)``, like ``torch.nn.ReLU``; its VJP is written beside it (it is not an op).

    >>> import numpy as np
    >>> relu = ReLU()
    >>> relu(np.array([-1.0, 0.0, 2.0])), relu.backward(np.ones(3))
    (array([0., 0., 2.]), array([0., 0., 1.]))
    """

    def forward(self, x: Any) -> np.ndarray:
        y, self._pullback = _relu_vjp(x)
        return y

    def backward(self, grad: Any) -> np.ndarray:
        return self._pull(grad)[0]


class Sequential(Module):
    """Layers run in order; ``backward`` runs their backwards in reverse order.

    Sub-layers are named ``"0"``, ``"1"``, ... as in ``torch.nn.Sequential``, so
    ``state_dict()`` keys read ``"0.weight"``.
    """

    def __init__(self, *layers: Module) -> None:
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"Sequential: layer {i} must be an upsample.nn layer, got {type(layer).__name__}"
                )
        self.layers = list(layers)

    def _children(self) -> Iterator[tuple[str, Module]]:
        return ((str(i), layer) for i, layer in enumerate(self.layers))

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, grad: Any) -> np.ndarray:
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = "".join(f"\n  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"{type(self).__name__}({inner}\n)"


class SubPixel(Sequential):
    """Sub-pixel upsampling (Shi et al. 2016): a Conv to ``C_out * r**d`` channels, then PixelShuffle.

    ``init="icnr"`` (default) draws the ``C_out`` sub-kernels and biases as PyTorch would
    and repeats each ``r**d`` times (:func:`icnr`), so the layer starts out as a
    convolution followed by nearest-neighbour upsampling; ``init="default"`` draws every
    kernel independently. ``padding`` defaults to ``"same"`` so the output is exactly
    ``r`` times the input. Its parameters are ``"0.weight"`` and ``"0.bias"``.
    ``data_format="channels_last"`` runs both layers on (N, *spatial, C) arrays; ``order``
    is the pixel shuffle's (``"dcr"`` for TensorFlow's depth_to_space; ICNR repeats each
    sub-kernel into the channels that order puts in one block).

    >>> import numpy as np
    >>> up = SubPixel(1, 1, 3, 2, rng=0)
    >>> y = up(np.ones((1, 1, 3, 3), np.float32))
    >>> y.shape, bool((y[..., ::2, ::2] == y[..., 1::2, 1::2]).all())   # starts as nearest
    ((1, 1, 6, 6), True)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        upscale_factor: Any,
        *,
        padding: Any = "same",
        bias: bool = True,
        init: str = "icnr",
        ndim: int | None = None,
        dtype: Any = np.float32,
        rng: Any = None,
        order: str = "crd",
        data_format: str = "channels_first",
    ) -> None:
        layer = "SubPixel"
        k = _kernel(layer, kernel_size, ndim)
        r = _args.int_tuple(layer, "upscale_factor", upscale_factor, len(k), minimum=1)
        init = _args.choice(layer, "init", init, ("icnr", "default"))
        c_out = _channels(layer, "out_channels", out_channels)
        rng = _rng(rng)
        shuffle = PixelShuffle(r, order=order, data_format=data_format)
        conv = Conv(
            in_channels,
            c_out * math.prod(r),
            k,
            padding=padding,
            bias=bias,
            dtype=dtype,
            rng=rng,
            data_format=data_format,
        )
        if init == "icnr":
            sub = Conv(in_channels, c_out, k, bias=bias, dtype=dtype, rng=rng)
            blocks = math.prod(r)
            weight = icnr(sub.weight.value, r)  # (C_out * R, C_in, *k), CRD
            b = np.repeat(sub.bias.value, blocks) if bias else None
            if shuffle.settings["order"] == "dcr":  # output channel (c, j) -> (j, c)
                weight = _layout._crd_to_dcr(weight[None], blocks)[0]
                b = None if b is None else _layout._crd_to_dcr(b[None], blocks)[0]
            conv.weight.value[...] = weight
            if bias:
                conv.bias.value[...] = b
        super().__init__(conv, shuffle)


# --------------------------------------------------------------------------- loss


def mse_loss(pred: Any, target: Any, *, reduction: str = "mean") -> tuple[np.floating, np.ndarray]:
    """Mean squared error and its gradient: ``(loss, d loss / d pred)``.

    ``loss = mean((pred - target)**2)`` (or the sum with ``reduction="sum"``), as
    ``torch.nn.functional.mse_loss``; the gradient ``2 * (pred - target) / count`` has
    ``pred``'s shape and is what ``net.backward`` takes. Shapes must match exactly
    (no broadcasting).

    >>> import numpy as np
    >>> mse_loss(np.array([1.0, 3.0]), np.array([0.0, 0.0]))
    (np.float64(5.0), array([1., 3.]))
    """
    op = "mse_loss"
    pred = _args.as_array(op, "pred", pred)
    target = _args.as_array(op, "target", target)
    if pred.shape != target.shape:
        raise ValueError(f"{op}: target must have the shape of pred {pred.shape}, got shape {target.shape}")
    reduction = _args.choice(op, "reduction", reduction, ("mean", "sum"))
    dtype = _args.float_dtype(pred, target)
    diff = pred.astype(dtype) - target.astype(dtype)
    count = diff.size if reduction == "mean" else 1
    if count == 0:  # torch: the mean of nothing is nan
        return dtype.type(np.nan), np.zeros_like(diff)
    loss = np.sum(diff * diff) / dtype.type(count)
    return dtype.type(loss), diff * dtype.type(2 / count)
