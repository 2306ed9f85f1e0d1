"""How the layers' weights start: PyTorch's default (Kaiming-uniform on the fan-in), a
bilinear kernel for transposed convolutions, and ICNR for sub-pixel convolutions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _args

__all__ = ["fan_in", "default_init", "bilinear_kernel", "bilinear_init", "icnr"]


def fan_in(weight_shape: tuple[int, ...]) -> int:
    """PyTorch's fan-in of a conv weight: ``weight.shape[1] * prod(kernel_size)``.

    For ConvTranspose, whose weight is (C_in, C_out/groups, *k), this counts *output*
    channels, as ``torch.nn.init._calculate_fan_in_and_fan_out`` does.

    >>> fan_in((8, 3, 3, 3)), fan_in((3, 8, 4, 4))
    (27, 128)
    """
    return weight_shape[1] * math.prod(weight_shape[2:])


def default_init(
    weight_shape: tuple[int, ...], bias_size: int | None, rng: np.random.Generator, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray | None]:
    """A conv layer's starting weight and bias as PyTorch's ``_ConvNd.reset_parameters`` draws
    them: both ~ U(-b, b) with ``b = 1/sqrt(fan_in)``, in ``dtype``.

    ``kaiming_uniform_(w, a=sqrt(5))`` has the bound ``gain * sqrt(3 / fan_in)`` with
    ``gain = sqrt(2 / (1 + a**2)) = sqrt(1/3)``, which is ``1/sqrt(fan_in)``; the bias
    uses the same bound. The weight is drawn first, then the bias.
    """
    bound = 1.0 / math.sqrt(fan_in(weight_shape))
    weight = rng.uniform(-bound, bound, size=weight_shape).astype(dtype)
    bias = None if bias_size is None else rng.uniform(-bound, bound, size=bias_size).astype(dtype)
    return weight, bias


def bilinear_kernel(kernel_size: Any) -> np.ndarray:
    """The separable tent kernel with which a transposed convolution interpolates linearly.

    Per dim, ``f = ceil(k / 2)``, ``c = f - 1`` for odd ``k`` and ``f - 1/2`` for even
    ``k``, and ``w[t] = 1 - |t - c| / f`` (the FCN "upsampling filter", Long, Shelhamer
    & Darrell 2015). With ``stride = f``, ``kernel_size = 2f - f % 2`` and
    ``padding = ceil((f - 1) / 2)`` (e.g. k=4, s=2, p=1) the transposed convolution
    equals bilinear interpolation with ``align_corners=False`` everywhere except the
    outermost pixels, where it sees zero padding instead of a clamped edge.

    >>> bilinear_kernel(4)
    array([0.25, 0.75, 0.75, 0.25])
    >>> bilinear_kernel((2, 3))
    array([[0.25, 0.5 , 0.25],
           [0.25, 0.5 , 0.25]])
    """
    sizes = (kernel_size,) if not isinstance(kernel_size, (tuple, list)) else tuple(kernel_size)
    sizes = _args.int_tuple("bilinear_kernel", "kernel_size", sizes, len(sizes), minimum=1)
    kernel = np.ones(())
    for k in sizes:
        f = (k + 1) // 2
        center = f - 1 if k % 2 else f - 0.5
        tent = 1 - np.abs(np.arange(k) - center) / f  # (k,)
        kernel = np.multiply.outer(kernel, tent)  # (*k_so_far, k)
    return kernel


def icnr(sub_weight: Any, upscale_factor: Any) -> np.ndarray:
    """ICNR: repeat each sub-kernel ``r**d`` times so conv + pixel_shuffle starts as nearest.

    ``sub_weight`` is (C_out, C_in, *k); the result is (C_out * r**d, C_in, *k) with
    output channel ``c * r**d + j`` a copy of ``sub_weight[c]``, which is the order
    :func:`upsample.pixel_shuffle` reads. The sub-pixel layer then starts out as a
    convolution followed by nearest-neighbour upsampling: no checkerboard at
    initialisation (Aitken et al., "Checkerboard artifact free sub-pixel convolution", 2017).

    >>> icnr(np.arange(2.0).reshape(2, 1, 1, 1), 2)[:, 0, 0, 0]
    array([0., 0., 0., 0., 1., 1., 1., 1.])
    """
    sub_weight = _args.as_array("icnr", "sub_weight", sub_weight, min_ndim=3, kinds="f")
    r = _args.int_tuple("icnr", "upscale_factor", upscale_factor, sub_weight.ndim - 2, minimum=1)
    return np.repeat(sub_weight, math.prod(r), axis=0)  # (C_out * r**d, C_in, *k)


def bilinear_init(weight_shape: tuple[int, ...], groups: int = 1, *, op: str = "bilinear_init") -> np.ndarray:
    """A transposed convolution's weight (C_in, C_out/groups, *k) that upsamples every channel
    on its own by :func:`bilinear_kernel`: ``w[c, c % (C_out/groups)] = tent``, zero elsewhere.
    It needs ``C_in == C_out``; ``op`` names the caller in that error.

    >>> bilinear_init((2, 2, 2))
    array([[[0.5, 0.5],
            [0. , 0. ]],
    <BLANKLINE>
           [[0. , 0. ],
            [0.5, 0.5]]])
    """
    c_in, co = weight_shape[:2]
    if c_in != co * groups:
        raise ValueError(
            f"{op}: init='bilinear' needs in_channels == out_channels, got {c_in} and {co * groups}"
        )
    weight = np.zeros(weight_shape)
    for c in range(c_in):
        weight[c, c % co] = bilinear_kernel(weight_shape[2:])
    return weight
